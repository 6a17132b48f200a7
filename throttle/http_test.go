package throttle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
	temhttp "github.com/temgraph/temgraph/http"
	"github.com/temgraph/temgraph/sqlite"
	"github.com/temgraph/temgraph/throttle"
)

var _ temhttp.Limiter = (*throttle.Limiter)(nil)

const (
	tenantA = "11111111-1111-4111-8111-111111111111"
	tenantB = "22222222-2222-4222-8222-222222222222"
	app1    = "44444444-4444-4444-8444-444444444444"
	app2    = "55555555-5555-4555-8555-555555555555"
	coll    = "/beta/deviceManagement/telecomExpenseManagementPartners"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// graphServer is a temgraph HTTP server on a real listener and a SQLite
// store, throttled by the default limits on a fake clock.
type graphServer struct {
	*httptest.Server
	store *sqlite.DB
	key   *auth.SigningKey
	clock *fakeClock
}

func mustGraphServer(tb testing.TB) *graphServer {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	key, err := auth.LoadSigningKey(ctx, store)
	if err != nil {
		tb.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv := temhttp.NewServer(temhttp.Config{
		Store:      store,
		Verifier:   auth.NewVerifier(key, auth.DefaultIssuerBase, nil),
		Key:        key,
		IssuerBase: auth.DefaultIssuerBase,
		Limiter:    throttle.New(throttle.Config{Now: clock.Now}),
	})
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return &graphServer{Server: hs, store: store, key: key, clock: clock}
}

// mustToken returns a read-write delegated token for the tenant and app.
func (s *graphServer) mustToken(tb testing.TB, tenant, app string) string {
	tb.Helper()
	tok, err := auth.Issue(s.key, auth.DefaultIssuerBase, auth.TokenRequest{
		Tenant: tenant, ObjectID: auth.DefaultObjectID, AppID: app,
		Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour,
	}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// mustPartner stores a partner for the tenant and returns its id.
func (s *graphServer) mustPartner(tb testing.TB, tenant string) string {
	tb.Helper()
	p := temgraph.NewPartner(&temgraph.PartnerPatch{})
	if err := s.store.CreatePartner(context.Background(), tenant, p); err != nil {
		tb.Fatal(err)
	}
	return p.ID
}

// do sends a request and returns the response with its body read.
func (s *graphServer) do(tb testing.TB, method, path, token, body string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

func TestLimiter_HTTP(t *testing.T) {
	s := mustGraphServer(t)
	tokA1 := s.mustToken(t, tenantA, app1)
	id := s.mustPartner(t, tenantA)
	item := coll + "/" + id

	for i := range 100 {
		resp, body := s.do(t, "PATCH", item, tokA1, `{"displayName":"p"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH %d: status=%d, want 200; body %s", i+1, resp.StatusCode, body)
		}
	}

	resp, body := s.do(t, "PATCH", item, tokA1, `{"displayName":"p"}`)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("PATCH 101: status=%d, want 429; body %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After=%q, want %q", got, "1")
	}
	var e struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("429 body %s: %v", body, err)
	}
	if e.Error.Code != "TooManyRequests" || e.Error.Message == "" || e.Error.InnerError.RequestID == "" {
		t.Errorf("429 body=%s, want a TooManyRequests Graph error", body)
	}

	t.Run("ReadsGoOn", func(t *testing.T) {
		if resp, body := s.do(t, "GET", item, tokA1, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: status=%d, want 200; body %s", resp.StatusCode, body)
		}
	})
	t.Run("OtherAppSameTenant", func(t *testing.T) {
		tok := s.mustToken(t, tenantA, app2)
		if resp, body := s.do(t, "PATCH", item, tok, `{"enabled":true}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: status=%d, want 200; body %s", resp.StatusCode, body)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		tok := s.mustToken(t, tenantB, app1)
		if resp, body := s.do(t, "POST", coll, tok, `{"displayName":"b"}`); resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST: status=%d, want 201; body %s", resp.StatusCode, body)
		}
	})
	t.Run("AfterRetryAfter", func(t *testing.T) {
		s.clock.Advance(time.Second)
		if resp, body := s.do(t, "PATCH", item, tokA1, `{"displayName":"q"}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH: status=%d, want 200; body %s", resp.StatusCode, body)
		}
	})
}

func TestLimiter_HTTP_Batch(t *testing.T) {
	s := mustGraphServer(t)
	tok := s.mustToken(t, tenantA, app1)
	id := s.mustPartner(t, tenantA)
	for i := range 95 {
		if resp, body := s.do(t, "PATCH", coll+"/"+id, tok, `{"enabled":true}`); resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH %d: status=%d, want 200; body %s", i+1, resp.StatusCode, body)
		}
	}

	// Ten writes and a read in one batch: each item is throttled on its own,
	// so five writes pass, five get 429 and the read passes.
	url := "/deviceManagement/telecomExpenseManagementPartners/" + id
	var reqs []string
	for i := range 10 {
		reqs = append(reqs, fmt.Sprintf(`{"id":"w%d","method":"PATCH","url":%q,`+
			`"headers":{"Content-Type":"application/json"},"body":{"displayName":"b%d"}}`, i, url, i))
	}
	reqs = append(reqs, fmt.Sprintf(`{"id":"r","method":"GET","url":%q}`, url))
	resp, body := s.do(t, "POST", "/beta/$batch", tok, `{"requests":[`+strings.Join(reqs, ",")+`]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch status=%d, want 200; body %s", resp.StatusCode, body)
	}
	var out struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode batch response %s: %v", body, err)
	}
	statuses := map[int]int{}
	for _, r := range out.Responses {
		statuses[r.Status]++
		if r.ID == "r" && r.Status != http.StatusOK {
			t.Errorf("read item status=%d, want 200", r.Status)
		}
		if r.Status == http.StatusTooManyRequests && r.Headers["Retry-After"] == "" {
			t.Errorf("item %s: 429 without Retry-After; headers %v", r.ID, r.Headers)
		}
	}
	if want := map[int]int{200: 6, 429: 5}; statuses[200] != want[200] || statuses[429] != want[429] {
		t.Fatalf("item statuses=%v, want %v", statuses, want)
	}
}
