package gosdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"

	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// throttleLimit is the write limit run.sh gives the throttled server.
func throttleLimit(tb testing.TB) int {
	tb.Helper()
	n, err := strconv.Atoi(os.Getenv("TEMGRAPH_CONFORMANCE_THROTTLE_WRITES"))
	if err != nil || n < 1 {
		tb.Fatalf("TEMGRAPH_CONFORMANCE_THROTTLE_WRITES=%q: want a positive number",
			os.Getenv("TEMGRAPH_CONFORMANCE_THROTTLE_WRITES"))
	}
	return n
}

func TestRetryHandler_TooManyRequests(t *testing.T) {
	s := throttledServer(t)
	limit := throttleLimit(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()
	ctx := context.Background()

	// More writes than the limit allows in one window: the SDK must absorb
	// every 429 by waiting Retry-After and resending.
	creates, patches := 2*limit+1, 2*limit
	var first string
	for i := range creates {
		p := MustCreate(t, c, partnerSpec{Name: fmt.Sprintf("throttled %d", i)})
		if i == 0 {
			first = *p.GetId()
		}
	}
	item := coll.ByTelecomExpenseManagementPartnerId(first)
	for i := range patches {
		body := models.NewTelecomExpenseManagementPartner()
		body.SetDisplayName(ptr(fmt.Sprintf("patch %d", i)))
		if _, err := item.Patch(ctx, body, nil); err != nil {
			t.Fatalf("patch %d: %s", i, describe(err))
		}
	}

	log := c.Wire.exchanges()
	throttled, mislabelled := 0, 0
	retryAfter := map[string]int{}
	for i, ex := range log {
		if ex.Status != http.StatusTooManyRequests {
			continue
		}
		throttled++
		retryAfter[ex.RespHeader.Get("Retry-After")]++
		checkThrottled(t, ex)
		if i+1 >= len(log) {
			t.Fatalf("%s %s got 429 and was not resent", ex.Method, ex.URL)
		}
		next := log[i+1]
		checkRetry(t, ex, next)
		// The SDK's retry can resend the plain body under the gzip label
		// (its middleware order is random); the server must still read it.
		if next.ReqHeader.Get("Content-Encoding") == "gzip" && !bytes.HasPrefix(next.ReqBody, []byte{0x1f, 0x8b}) {
			mislabelled++
		}
	}
	if throttled == 0 {
		t.Fatalf("no 429 in %d writes with a limit of %d: the server did not throttle", creates+patches, limit)
	}
	t.Logf("%d writes: %d answered 429 (Retry-After values %v) and were resent by the SDK, "+
		"%d of the resends with a plain body labelled gzip", creates+patches, throttled, retryAfter, mislabelled)

	t.Run("NoDuplicates", func(t *testing.T) {
		page, err := coll.Get(ctx, nil)
		if err != nil {
			t.Fatalf("list: %s", describe(err))
		}
		if n := len(page.GetValue()); n != creates {
			t.Errorf("partners=%d, want %d (a retried create must not create twice)", n, creates)
		}
	})
	t.Run("LastPatchWins", func(t *testing.T) {
		p, err := item.Get(ctx, nil)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		if got, want := deref(p.GetDisplayName()), fmt.Sprintf("patch %d", patches-1); got != want {
			t.Errorf("displayName=%q, want %q", got, want)
		}
	})
}

// checkThrottled checks a 429: whole-second Retry-After (the Go SDK drops
// fractions, so "0.5" would mean an immediate retry) and a Graph error.
func checkThrottled(tb testing.TB, ex exchange) {
	tb.Helper()
	ra := ex.RespHeader.Get("Retry-After")
	if n, err := strconv.Atoi(ra); err != nil || n < 1 {
		tb.Errorf("429 Retry-After=%q, want whole seconds >= 1", ra)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(ex.RespBody, &body); err != nil || body.Error.Code != "TooManyRequests" || body.Error.Message == "" {
		tb.Errorf("429 body=%s, want a Graph error with code TooManyRequests", ex.RespBody)
	}
}

// checkRetry checks that the exchange after a 429 is the SDK's resend.
func checkRetry(tb testing.TB, throttled, next exchange) {
	tb.Helper()
	if next.Method != throttled.Method || next.URL != throttled.URL {
		tb.Errorf("after 429 on %s %s the next request was %s %s, want the same request resent",
			throttled.Method, throttled.URL, next.Method, next.URL)
	}
	if next.ReqHeader.Get("Retry-Attempt") == "" {
		tb.Errorf("resent %s %s has no Retry-Attempt header", next.Method, next.URL)
	}
	if a, b := throttled.ReqHeader.Get("client-request-id"), next.ReqHeader.Get("client-request-id"); a != b {
		tb.Errorf("client-request-id changed on retry: %q then %q", a, b)
	}
	if next.Status >= 400 && next.Status != http.StatusTooManyRequests {
		tb.Errorf("resent %s %s -> %d %s", next.Method, next.URL, next.Status, next.RespBody)
	}
}

// TestRetryHandler_MislabelledGzip pins the SDK's middleware order to retry
// before compression, one of the orders the default set can take at
// random. Then every resend carries the plain JSON body under the
// Content-Encoding: gzip header left by the first attempt, and the server
// must read it as JSON rather than fail it.
func TestRetryHandler_MislabelledGzip(t *testing.T) {
	s := throttledServer(t)
	limit := throttleLimit(t)
	opts := msgraphsdk.GetDefaultClientOptions()
	c := MustClientWithMiddleware(t, s, MustToken(t, s, newTenant(t), scopeReadWrite),
		msgraphgocore.NewGraphTelemetryHandler(&opts), khttp.NewRetryHandler(), khttp.NewCompressionHandler())

	id := *MustCreate(t, c, partnerSpec{Name: "mislabelled"}).GetId()
	item := c.DeviceManagement().TelecomExpenseManagementPartners().ByTelecomExpenseManagementPartnerId(id)
	for i := range 2 * limit {
		body := models.NewTelecomExpenseManagementPartner()
		body.SetDisplayName(ptr(fmt.Sprintf("resent %d", i)))
		got, err := item.Patch(context.Background(), body, nil)
		if err != nil {
			t.Fatalf("patch %d: %s", i, describe(err))
		}
		if name := deref(got.GetDisplayName()); name != fmt.Sprintf("resent %d", i) {
			t.Errorf("patch %d: displayName=%q", i, name)
		}
	}

	mislabelled := 0
	for _, ex := range c.Wire.exchanges() {
		if ex.ReqHeader.Get("Retry-Attempt") == "" || ex.ReqHeader.Get("Content-Encoding") != "gzip" {
			continue
		}
		if bytes.HasPrefix(ex.ReqBody, []byte{0x1f, 0x8b}) {
			continue
		}
		mislabelled++
		if ex.Status != http.StatusOK {
			t.Errorf("resend of %s with a plain body labelled gzip -> %d %s", ex.URL, ex.Status, ex.RespBody)
		}
	}
	if mislabelled == 0 {
		t.Fatal("no resend carried a plain body labelled gzip; this client set-up no longer exercises the case")
	}
	t.Logf("%d resends with a plain body labelled gzip, all read as JSON", mislabelled)
}
