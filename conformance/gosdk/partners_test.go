package gosdk

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// samplePartner is the Intune documentation's example partner, with a
// whole-second date because the Go serializer writes no fraction.
var samplePartner = partnerSpec{
	Name:          "Display Name value",
	URL:           "https://tem.example.test/portal",
	AppAuthorized: true,
	Enabled:       true,
	LastConnected: time.Date(2016, 12, 31, 23, 58, 36, 0, time.UTC),
}

func TestPartnersRequestBuilder_Post(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))

	t.Run("OK", func(t *testing.T) {
		got := MustCreate(t, c, samplePartner)
		id := *got.GetId()
		if diff := cmp.Diff(wantView(id, samplePartner), view(got)); diff != "" {
			t.Errorf("created partner (-want +got):\n%s", diff)
		}
		ex := c.Wire.last(t)
		if ex.Status != http.StatusCreated {
			t.Errorf("status=%d, want 201", ex.Status)
		}
		wantLoc := s.URL + "/v1.0/deviceManagement/telecomExpenseManagementPartners/" + id
		if loc := ex.RespHeader.Get("Location"); loc != wantLoc {
			t.Errorf("Location=%q, want %q", loc, wantLoc)
		}
		if ce := ex.ReqHeader.Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("request Content-Encoding=%q, want the SDK's default gzip", ce)
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		m := models.NewTelecomExpenseManagementPartner()
		m.SetDisplayName(ptr("only a name"))
		got, err := c.DeviceManagement().TelecomExpenseManagementPartners().Post(context.Background(), m, nil)
		if err != nil {
			t.Fatalf("create: %s", describe(err))
		}
		want := partnerView{
			ID: got.GetId(), ODataType: ptr(partnerType), DisplayName: ptr("only a name"),
			AppAuthorized: ptr(false), Enabled: ptr(false), LastConnected: ptr(time.Time{}),
		}
		if diff := cmp.Diff(want, view(got)); diff != "" {
			t.Errorf("created partner (-want +got):\n%s", diff)
		}
	})
}

func TestPartnerItemRequestBuilder_Get(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	created := MustCreate(t, c, samplePartner)
	id := *created.GetId()
	item := c.DeviceManagement().TelecomExpenseManagementPartners().ByTelecomExpenseManagementPartnerId(id)

	t.Run("OK", func(t *testing.T) {
		got, err := item.Get(context.Background(), nil)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		if diff := cmp.Diff(wantView(id, samplePartner), view(got)); diff != "" {
			t.Errorf("partner (-want +got):\n%s", diff)
		}
		ctx := got.GetAdditionalData()["@odata.context"]
		want := s.URL + "/v1.0/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"
		if ctx == nil || *(ctx.(*string)) != want {
			t.Errorf("@odata.context=%#v, want %q", ctx, want)
		}
	})

	t.Run("Headers", func(t *testing.T) {
		got, err := item.Get(context.Background(), nil)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		ex := c.Wire.last(t)
		const wantType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
		if ct := ex.RespHeader.Get("Content-Type"); ct != wantType {
			t.Errorf("Content-Type=%q, want %q", ct, wantType)
		}
		if v := ex.RespHeader.Get("OData-Version"); v != "4.0" {
			t.Errorf("OData-Version=%q, want 4.0", v)
		}
		if ex.RespHeader.Get("request-id") == "" {
			t.Error("no request-id header")
		}
		sent := ex.ReqHeader.Get("client-request-id")
		if got := ex.RespHeader.Get("client-request-id"); sent == "" || got != sent {
			t.Errorf("client-request-id: sent %q, echoed %q", sent, got)
		}
		etag, _ := got.GetAdditionalData()["@odata.etag"].(*string)
		if h := ex.RespHeader.Get("ETag"); etag == nil || h != *etag {
			t.Errorf("ETag header=%q, @odata.etag=%s, want equal", h, show(etag))
		}
	})

	t.Run("UppercaseID", func(t *testing.T) {
		got, err := c.DeviceManagement().TelecomExpenseManagementPartners().
			ByTelecomExpenseManagementPartnerId(strings.ToUpper(id)).Get(context.Background(), nil)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		if got.GetId() == nil || *got.GetId() != id {
			t.Errorf("id=%s, want %q", show(got.GetId()), id)
		}
	})

	t.Run("Select", func(t *testing.T) {
		cfg := &devicemanagement.TelecomExpenseManagementPartnersTelecomExpenseManagementPartnerItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &devicemanagement.TelecomExpenseManagementPartnersTelecomExpenseManagementPartnerItemRequestBuilderGetQueryParameters{
				Select: []string{"displayName", "enabled"},
			},
		}
		got, err := item.Get(context.Background(), cfg)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		if deref(got.GetDisplayName()) != samplePartner.Name || got.GetEnabled() == nil {
			t.Errorf("displayName=%s enabled=%s, want both selected", show(got.GetDisplayName()), show(got.GetEnabled()))
		}
		if got.GetUrl() != nil || got.GetAppAuthorized() != nil || got.GetLastConnectionDateTime() != nil {
			t.Errorf("url=%s appAuthorized=%s lastConnectionDateTime=%s, want unselected properties absent",
				show(got.GetUrl()), show(got.GetAppAuthorized()), show(got.GetLastConnectionDateTime()))
		}
	})
}

func TestPartnerItemRequestBuilder_Patch(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	ctx := context.Background()
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()
	rename := func(name string) *models.TelecomExpenseManagementPartner {
		m := models.NewTelecomExpenseManagementPartner()
		m.SetDisplayName(&name)
		return m
	}

	t.Run("OK", func(t *testing.T) {
		id := *MustCreate(t, c, samplePartner).GetId()
		item := coll.ByTelecomExpenseManagementPartnerId(id)
		body := rename("Patched by the Go SDK")
		body.SetEnabled(ptr(false))
		got, err := item.Patch(ctx, body, nil)
		if err != nil {
			t.Fatalf("patch: %s", describe(err))
		}

		ex := c.Wire.last(t)
		if ex.Method != http.MethodPatch || ex.Status != http.StatusOK {
			t.Errorf("%s status=%d, want PATCH 200 with the entity", ex.Method, ex.Status)
		}
		wantSent := map[string]any{"displayName": "Patched by the Go SDK", "enabled": false}
		if diff := cmp.Diff(wantSent, gunzipJSON(t, ex)); diff != "" {
			t.Errorf("wire body (-want +got):\n%s", diff)
		}

		want := samplePartner
		want.Name, want.Enabled = "Patched by the Go SDK", false
		if diff := cmp.Diff(wantView(id, want), view(got)); diff != "" {
			t.Errorf("PATCH response (-want +got):\n%s", diff)
		}
		reread, err := item.Get(ctx, nil)
		if err != nil {
			t.Fatalf("get after patch: %s", describe(err))
		}
		if diff := cmp.Diff(wantView(id, want), view(reread)); diff != "" {
			t.Errorf("partner after PATCH (-want +got):\n%s", diff)
		}
	})

	t.Run("PreferMinimal", func(t *testing.T) {
		id := *MustCreate(t, c, samplePartner).GetId()
		h := abs.NewRequestHeaders()
		h.Add("Prefer", "return=minimal")
		got, err := coll.ByTelecomExpenseManagementPartnerId(id).Patch(ctx, rename("minimal"),
			&devicemanagement.TelecomExpenseManagementPartnersTelecomExpenseManagementPartnerItemRequestBuilderPatchRequestConfiguration{Headers: h})
		if err != nil || got != nil {
			t.Fatalf("patch: got=%v err=%v, want nil, nil from a 204", got, err)
		}
		ex := c.Wire.last(t)
		if ex.Status != http.StatusNoContent || ex.RespHeader.Get("Preference-Applied") != "return=minimal" {
			t.Errorf("status=%d Preference-Applied=%q, want 204 and return=minimal",
				ex.Status, ex.RespHeader.Get("Preference-Applied"))
		}
	})

	t.Run("IfMatch", func(t *testing.T) {
		created := MustCreate(t, c, samplePartner)
		item := coll.ByTelecomExpenseManagementPartnerId(*created.GetId())
		etag, _ := created.GetAdditionalData()["@odata.etag"].(*string)
		if etag == nil || *etag == "" {
			t.Fatalf("created partner has no @odata.etag; additionalData=%v", created.GetAdditionalData())
		}
		ifMatch := func(tag string) *devicemanagement.TelecomExpenseManagementPartnersTelecomExpenseManagementPartnerItemRequestBuilderPatchRequestConfiguration {
			h := abs.NewRequestHeaders()
			h.Add("If-Match", tag)
			return &devicemanagement.TelecomExpenseManagementPartnersTelecomExpenseManagementPartnerItemRequestBuilderPatchRequestConfiguration{Headers: h}
		}
		if _, err := item.Patch(ctx, rename("first writer"), ifMatch(*etag)); err != nil {
			t.Fatalf("patch with the current ETag: %s", describe(err))
		}
		_, err := item.Patch(ctx, rename("second writer"), ifMatch(*etag))
		MustODataError(t, err, http.StatusPreconditionFailed, "PreconditionFailed")
		got, err := item.Get(ctx, nil)
		if err != nil {
			t.Fatalf("get: %s", describe(err))
		}
		if name := deref(got.GetDisplayName()); name != "first writer" {
			t.Errorf("displayName=%q, want the first writer's; the stale PATCH must not apply", name)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		_, err := coll.ByTelecomExpenseManagementPartnerId(missingID).Patch(ctx, rename("upsert?"), nil)
		MustODataError(t, err, http.StatusNotFound, "ResourceNotFound")
	})
}

func TestPartnerItemRequestBuilder_Delete(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	id := *MustCreate(t, c, samplePartner).GetId()
	item := c.DeviceManagement().TelecomExpenseManagementPartners().ByTelecomExpenseManagementPartnerId(id)

	if err := item.Delete(context.Background(), nil); err != nil {
		t.Fatalf("delete: %s", describe(err))
	}
	if ex := c.Wire.last(t); ex.Status != http.StatusNoContent {
		t.Errorf("delete status=%d, want 204", ex.Status)
	}
	_, err := item.Get(context.Background(), nil)
	MustODataError(t, err, http.StatusNotFound, "ResourceNotFound")
	err = item.Delete(context.Background(), nil)
	MustODataError(t, err, http.StatusNotFound, "ResourceNotFound")
}

// gunzipJSON decodes the recorded request body, which the SDK compresses.
func gunzipJSON(tb testing.TB, ex exchange) map[string]any {
	tb.Helper()
	if ex.ReqHeader.Get("Content-Encoding") != "gzip" {
		tb.Fatalf("Content-Encoding=%q, want the SDK's default gzip", ex.ReqHeader.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(ex.ReqBody))
	if err != nil {
		tb.Fatalf("request body is not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gunzip request body: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("request body %q: %v", raw, err)
	}
	return m
}
