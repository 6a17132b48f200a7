package gosdk

import (
	"context"
	"errors"
	"net/http"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// batchStep adds a request to a batch, optionally depending on an earlier
// step, and returns the step's id.
func batchStep(tb testing.TB, b msgraphgocore.BatchRequest, ri *abs.RequestInformation, err error,
	dependsOn msgraphgocore.BatchItem) msgraphgocore.BatchItem {
	tb.Helper()
	if err != nil {
		tb.Fatalf("request information: %v", err)
	}
	item, err := b.AddBatchRequestStep(*ri)
	if err != nil {
		tb.Fatalf("add batch step: %v", err)
	}
	if dependsOn != nil {
		item.DependsOnItem(dependsOn)
	}
	return item
}

func TestBatchRequest_Send(t *testing.T) {
	s := mainServer(t)
	if err := registerErrorMappings(); err != nil {
		t.Fatalf("register error mappings: %v", err)
	}
	ctx := context.Background()
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()
	kept := *MustCreate(t, c, samplePartner).GetId()
	doomed := *MustCreate(t, c, samplePartner).GetId()

	b := msgraphgocore.NewBatchRequest(c.Adapter)
	created := partnerSpec{Name: "created in a batch", URL: "https://batch.example.test", Enabled: true}
	ri, err := coll.ToPostRequestInformation(ctx, created.model(), nil)
	create := batchStep(t, b, ri, err, nil)

	ri, err = coll.ToGetRequestInformation(ctx, &devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetRequestConfiguration{
		QueryParameters: &devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Filter: ptr("displayName eq 'created in a batch'"),
		},
	})
	listAfterCreate := batchStep(t, b, ri, err, create)

	patchBody := models.NewTelecomExpenseManagementPartner()
	patchBody.SetDisplayName(ptr("patched in a batch"))
	ri, err = coll.ByTelecomExpenseManagementPartnerId(kept).ToPatchRequestInformation(ctx, patchBody, nil)
	patch := batchStep(t, b, ri, err, nil)

	ri, err = coll.ByTelecomExpenseManagementPartnerId(missingID).ToGetRequestInformation(ctx, nil)
	missing := batchStep(t, b, ri, err, nil)

	ri, err = coll.ByTelecomExpenseManagementPartnerId(kept).ToDeleteRequestInformation(ctx, nil)
	blocked := batchStep(t, b, ri, err, missing)

	ri, err = coll.ByTelecomExpenseManagementPartnerId(doomed).ToDeleteRequestInformation(ctx, nil)
	del := batchStep(t, b, ri, err, nil)

	resp, err := b.Send(ctx, c.Adapter)
	if err != nil {
		t.Fatalf("batch: %s", describe(err))
	}
	t.Logf("batch POST %s -> %d", c.Wire.last(t).URL, c.Wire.last(t).Status)

	t.Run("Statuses", func(t *testing.T) {
		got := resp.GetStatusCodes()
		want := map[*string]int32{
			create.GetId(): 201, listAfterCreate.GetId(): 200, patch.GetId(): 200,
			missing.GetId(): 404, blocked.GetId(): 424, del.GetId(): 204,
		}
		label := map[*string]string{
			create.GetId(): "create", listAfterCreate.GetId(): "listAfterCreate", patch.GetId(): "patch",
			missing.GetId(): "missing", blocked.GetId(): "blocked", del.GetId(): "delete",
		}
		if len(got) != len(want) {
			t.Errorf("responses=%d, want %d", len(got), len(want))
		}
		for id, w := range want {
			if g, ok := got[*id]; !ok || g != w {
				t.Errorf("%s: status=%d (present %v), want %d", label[id], g, ok, w)
			}
		}
	})

	t.Run("Create", func(t *testing.T) {
		p, err := msgraphgocore.GetBatchResponseById[models.TelecomExpenseManagementPartnerable](resp,
			*create.GetId(), models.CreateTelecomExpenseManagementPartnerFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("create item: %s", describe(err))
		}
		if deref(p.GetDisplayName()) != created.Name || p.GetId() == nil {
			t.Errorf("created displayName=%q id=%s, want %q and an id", deref(p.GetDisplayName()), show(p.GetId()), created.Name)
		}
	})

	t.Run("DependsOnOrder", func(t *testing.T) {
		page, err := msgraphgocore.GetBatchResponseById[models.TelecomExpenseManagementPartnerCollectionResponseable](resp,
			*listAfterCreate.GetId(), models.CreateTelecomExpenseManagementPartnerCollectionResponseFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("list item: %s", describe(err))
		}
		if got := names(page.GetValue()); len(got) != 1 || got[0] != created.Name {
			t.Errorf("list after the create it depends on=%q, want [%q]", got, created.Name)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		p, err := msgraphgocore.GetBatchResponseById[models.TelecomExpenseManagementPartnerable](resp,
			*patch.GetId(), models.CreateTelecomExpenseManagementPartnerFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("patch item: %s", describe(err))
		}
		if got := deref(p.GetDisplayName()); got != "patched in a batch" {
			t.Errorf("patched displayName=%q, want %q", got, "patched in a batch")
		}
	})

	t.Run("NotFoundItem", func(t *testing.T) {
		_, err := msgraphgocore.GetBatchResponseById[models.TelecomExpenseManagementPartnerable](resp,
			*missing.GetId(), models.CreateTelecomExpenseManagementPartnerFromDiscriminatorValue)
		var oe *odataerrors.ODataError
		if !errors.As(err, &oe) {
			t.Fatalf("err=%s, want an ODataError", describe(err))
		}
		if got := deref(oe.GetErrorEscaped().GetCode()); got != "ResourceNotFound" {
			t.Errorf("error.code=%q, want ResourceNotFound", got)
		}
	})

	t.Run("FailedDependencyDidNotRun", func(t *testing.T) {
		p, err := coll.ByTelecomExpenseManagementPartnerId(kept).Get(ctx, nil)
		if err != nil {
			t.Fatalf("partner whose delete depended on a failed step: %s", describe(err))
		}
		if got := deref(p.GetDisplayName()); got != "patched in a batch" {
			t.Errorf("displayName=%q, want the batch's patch applied", got)
		}
	})

	t.Run("Deleted", func(t *testing.T) {
		_, err := coll.ByTelecomExpenseManagementPartnerId(doomed).Get(ctx, nil)
		MustODataError(t, err, http.StatusNotFound, "ResourceNotFound")
	})
}

func TestBatchRequest_SendBadRequest(t *testing.T) {
	s := mainServer(t)
	if err := registerErrorMappings(); err != nil {
		t.Fatalf("register error mappings: %v", err)
	}
	ctx := context.Background()
	c := MustClient(t, s, MustToken(t, s, newTenant(t), scopeReadWrite))
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()

	// The SDK refuses a 21st step itself, so the last item is added by hand.
	b := msgraphgocore.NewBatchRequest(c.Adapter)
	for i := range 21 {
		ri, err := coll.ToGetRequestInformation(ctx, nil)
		if err != nil {
			t.Fatalf("request information: %v", err)
		}
		_, err = b.AddBatchRequestStep(*ri)
		if (err != nil) != (i == 20) {
			t.Fatalf("step %d: err=%v; the SDK should take 20 steps and refuse the 21st", i+1, err)
		}
	}
	extra := msgraphgocore.NewBatchItem()
	extra.SetId(ptr("21"))
	extra.SetMethod(ptr("GET"))
	extra.SetUrl(ptr("/deviceManagement/telecomExpenseManagementPartners"))
	extra.SetHeaders(msgraphgocore.RequestHeader{"accept": "application/json"})
	b.SetRequests(append(b.GetRequests(), extra))

	_, err := b.Send(ctx, c.Adapter)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		t.Fatalf("err=%s, want an ODataError for a batch of 21", describe(err))
	}
	if oe.ResponseStatusCode != http.StatusBadRequest || deref(oe.GetErrorEscaped().GetCode()) != "BadRequest" {
		t.Errorf("batch of 21: %s, want 400 BadRequest", describe(err))
	}
}
