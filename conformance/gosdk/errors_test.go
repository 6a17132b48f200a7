package gosdk

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
)

// missingID is a well-formed GUID no test creates.
const missingID = "00000000-0000-4000-8000-00000000dead"

func TestODataError_NotFound(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))

	_, err := c.DeviceManagement().TelecomExpenseManagementPartners().
		ByTelecomExpenseManagementPartnerId(missingID).Get(context.Background(), nil)
	oe := MustODataError(t, err, http.StatusNotFound, "ResourceNotFound")
	if got := err.Error(); got != deref(oe.GetErrorEscaped().GetMessage()) {
		t.Errorf("err.Error()=%q, want the error message", got)
	}

	inner := oe.GetErrorEscaped().GetInnerError()
	if inner == nil {
		t.Fatal("error.innerError is missing")
	}
	sent := c.Wire.last(t).ReqHeader.Get("client-request-id")
	if sent == "" {
		t.Fatal("the SDK sent no client-request-id; the telemetry middleware is not in place")
	}
	if got := deref(inner.GetClientRequestId()); got != sent {
		t.Errorf("innerError.client-request-id=%q, want the sent %q", got, sent)
	}
	if deref(inner.GetRequestId()) == "" {
		t.Error("innerError.request-id is empty")
	}
	if d := inner.GetDate(); d == nil || time.Since(*d).Abs() > 24*time.Hour {
		t.Errorf("innerError.date=%s, want about now", show(d))
	}
}

func TestODataError_Forbidden(t *testing.T) {
	s := mainServer(t)
	tenant := newTenant(t)
	writer := MustClient(t, s, MustToken(t, s, tenant, scopeReadWrite))
	id := *MustCreate(t, writer, samplePartner).GetId()
	reader := MustClient(t, s, MustToken(t, s, tenant, scopeRead))
	coll := reader.DeviceManagement().TelecomExpenseManagementPartners()

	t.Run("ReadAllowed", func(t *testing.T) {
		got, err := coll.ByTelecomExpenseManagementPartnerId(id).Get(context.Background(), nil)
		if err != nil {
			t.Fatalf("get with Read.All: %s", describe(err))
		}
		if deref(got.GetId()) != id {
			t.Errorf("id=%q, want %q", deref(got.GetId()), id)
		}
	})
	t.Run("Post", func(t *testing.T) {
		_, err := coll.Post(context.Background(), samplePartner.model(), nil)
		MustODataError(t, err, http.StatusForbidden, "Forbidden")
	})
	t.Run("Patch", func(t *testing.T) {
		_, err := coll.ByTelecomExpenseManagementPartnerId(id).Patch(context.Background(), samplePartner.model(), nil)
		MustODataError(t, err, http.StatusForbidden, "Forbidden")
	})
	t.Run("Delete", func(t *testing.T) {
		err := coll.ByTelecomExpenseManagementPartnerId(id).Delete(context.Background(), nil)
		MustODataError(t, err, http.StatusForbidden, "Forbidden")
	})
}

func TestODataError_Unauthorized(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, "not-a-jwt")
	_, err := c.DeviceManagement().TelecomExpenseManagementPartners().Get(context.Background(), nil)
	MustODataError(t, err, http.StatusUnauthorized, "InvalidAuthenticationToken")
	if n := len(c.Wire.exchanges()); n != 1 {
		t.Errorf("requests on the wire=%d, want 1 (no retry on 401)", n)
	}
}

func TestODataError_BadRequest(t *testing.T) {
	s := mainServer(t)
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()

	tests := []struct {
		name string
		q    devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters
	}{
		{"FilterSyntax", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Filter: ptr("displayName eq")}},
		{"FilterUnknownProperty", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Filter: ptr("nosuch eq 1")}},
		{"FilterTypeMismatch", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Filter: ptr("enabled eq 'yes'")}},
		{"SelectUnknownProperty", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Select: []string{"nosuch"}}},
		{"OrderbyUnknownProperty", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Orderby: []string{"nosuch desc"}}},
		{"TopNegative", devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Top: ptr[int32](-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			_, err := coll.Get(context.Background(),
				&devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetRequestConfiguration{QueryParameters: &q})
			MustODataError(t, err, http.StatusBadRequest, "BadRequest")
		})
	}
}
