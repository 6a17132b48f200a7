package gosdk

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// seedPartners creates n partners named p00, p01, ... in a fresh tenant:
// enabled when i is even, appAuthorized when i is a multiple of 3, last
// connected on 1 June of 2010+i. It returns the client and the ids by index.
func seedPartners(tb testing.TB, s server, n int) (*sdk, []string) {
	tb.Helper()
	c := MustClient(tb, s, MustToken(tb, s, newTenant(tb), scopeReadWrite))
	ids := make([]string, n)
	for i := range n {
		p := MustCreate(tb, c, partnerSpec{
			Name:          fmt.Sprintf("p%02d", i),
			URL:           fmt.Sprintf("https://tem%02d.example.test", i),
			AppAuthorized: i%3 == 0,
			Enabled:       i%2 == 0,
			LastConnected: time.Date(2010+i, 6, 1, 12, 0, 0, 0, time.UTC),
		})
		ids[i] = *p.GetId()
	}
	return c, ids
}

// names returns the display names of a page, in order.
func names(ps []models.TelecomExpenseManagementPartnerable) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = deref(p.GetDisplayName())
	}
	return out
}

func TestPartnersRequestBuilder_Get(t *testing.T) {
	s := mainServer(t)
	size := pageSize(t)
	c, _ := seedPartners(t, s, 7)
	coll := c.DeviceManagement().TelecomExpenseManagementPartners()

	list := func(t *testing.T, q devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters) models.TelecomExpenseManagementPartnerCollectionResponseable {
		t.Helper()
		got, err := coll.Get(context.Background(),
			&devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetRequestConfiguration{QueryParameters: &q})
		if err != nil {
			t.Fatalf("GET %s: %s", c.Wire.last(t).URL, describe(err))
		}
		return got
	}

	t.Run("FirstPage", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{})
		if n := len(got.GetValue()); n != min(7, size) {
			t.Errorf("len(value)=%d, want %d (page size %d)", n, min(7, size), size)
		}
		next := deref(got.GetOdataNextLink())
		if size < 7 && !strings.HasPrefix(next, s.URL+"/v1.0/deviceManagement/telecomExpenseManagementPartners?") {
			t.Errorf("@odata.nextLink=%q, want an absolute link back to %s/v1.0/...", next, s.URL)
		}
	})

	t.Run("Filter", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Filter:  ptr("enabled eq true"),
			Orderby: []string{"displayName"},
		})
		if diff := cmp.Diff([]string{"p00", "p02", "p04", "p06"}, names(got.GetValue())); diff != "" {
			t.Errorf("enabled eq true (-want +got):\n%s", diff)
		}
	})

	t.Run("FilterFunctionAndDate", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Filter:  ptr("startswith(displayName,'p0') and (appAuthorized eq true or lastConnectionDateTime ge 2015-01-01T00:00:00Z)"),
			Orderby: []string{"displayName"},
		})
		if diff := cmp.Diff([]string{"p00", "p03", "p05", "p06"}, names(got.GetValue())); diff != "" {
			t.Errorf("startswith/and/or/date filter (-want +got):\n%s", diff)
		}
	})

	t.Run("Select", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName"},
			Top:    ptr[int32](2),
		})
		if len(got.GetValue()) != 2 {
			t.Fatalf("len(value)=%d, want 2", len(got.GetValue()))
		}
		for _, p := range got.GetValue() {
			if p.GetId() == nil || p.GetDisplayName() == nil {
				t.Errorf("id=%s displayName=%s, want both", show(p.GetId()), show(p.GetDisplayName()))
			}
			if p.GetUrl() != nil || p.GetEnabled() != nil || p.GetAppAuthorized() != nil || p.GetLastConnectionDateTime() != nil {
				t.Errorf("partner %s has unselected properties", deref(p.GetId()))
			}
		}
	})

	t.Run("OrderbyTop", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Orderby: []string{"lastConnectionDateTime desc"},
			Top:     ptr[int32](3),
		})
		if diff := cmp.Diff([]string{"p06", "p05", "p04"}, names(got.GetValue())); diff != "" {
			t.Errorf("$orderby=lastConnectionDateTime desc&$top=3 (-want +got):\n%s", diff)
		}
	})

	t.Run("OrderbySkip", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Orderby: []string{"displayName"},
			Skip:    ptr[int32](5),
		})
		if diff := cmp.Diff([]string{"p05", "p06"}, names(got.GetValue())); diff != "" {
			t.Errorf("$orderby=displayName&$skip=5 (-want +got):\n%s", diff)
		}
	})

	t.Run("Count", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Count:  ptr(true),
			Filter: ptr("enabled eq false"),
		})
		if n := deref(got.GetOdataCount()); n != 3 {
			t.Errorf("@odata.count=%s, want 3", show(got.GetOdataCount()))
		}
		if n := len(got.GetValue()); n != 3 {
			t.Errorf("len(value)=%d, want 3", n)
		}
	})

	t.Run("CountAcrossPages", func(t *testing.T) {
		got := list(t, devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{Count: ptr(true)})
		if n := deref(got.GetOdataCount()); n != 7 {
			t.Errorf("@odata.count=%s, want 7 (all pages)", show(got.GetOdataCount()))
		}
	})
}

func TestPageIterator_Iterate(t *testing.T) {
	s := mainServer(t)
	size := pageSize(t)
	n := 2*size + 2
	c, ids := seedPartners(t, s, n)
	if err := registerErrorMappings(); err != nil {
		t.Fatalf("register error mappings: %v", err)
	}

	iterate := func(t *testing.T, q *devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters) ([]models.TelecomExpenseManagementPartnerable, int) {
		t.Helper()
		before := len(c.Wire.exchanges())
		first, err := c.DeviceManagement().TelecomExpenseManagementPartners().Get(context.Background(),
			&devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetRequestConfiguration{QueryParameters: q})
		if err != nil {
			t.Fatalf("first page: %s", describe(err))
		}
		it, err := msgraphgocore.NewPageIterator[models.TelecomExpenseManagementPartnerable](first, c.Adapter,
			models.CreateTelecomExpenseManagementPartnerCollectionResponseFromDiscriminatorValue)
		if err != nil {
			t.Fatalf("page iterator: %v", err)
		}
		var seen []models.TelecomExpenseManagementPartnerable
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err = it.Iterate(ctx, func(p models.TelecomExpenseManagementPartnerable) bool {
			seen = append(seen, p)
			return len(seen) <= n // a server that repeats pages would loop forever
		})
		if err != nil {
			t.Fatalf("iterate: %s", describe(err))
		}
		if len(seen) > n {
			t.Fatalf("iterator saw more than the %d partners there are: pages repeat (last request %s)",
				n, c.Wire.last(t).URL)
		}
		return seen, len(c.Wire.exchanges()) - before
	}

	t.Run("All", func(t *testing.T) {
		page, requests := iterate(t, nil)
		seen := idsOf(page)
		want := slices.Clone(ids)
		slices.Sort(want)
		slices.Sort(seen)
		if diff := cmp.Diff(want, seen); diff != "" {
			t.Errorf("ids over all pages (-want +got):\n%s", diff)
		}
		if wantReq := (n + size - 1) / size; requests != wantReq {
			t.Errorf("requests=%d, want %d pages of %d", requests, wantReq, size)
		}
		for _, ex := range c.Wire.exchanges()[len(c.Wire.exchanges())-requests:] {
			if ex.Status != http.StatusOK || !strings.HasPrefix(ex.URL, s.URL+"/v1.0/") {
				t.Errorf("page request %s -> %d, want 200 from %s/v1.0/", ex.URL, ex.Status, s.URL)
			}
		}
	})

	t.Run("FilterOrderby", func(t *testing.T) {
		page, _ := iterate(t, &devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Filter:  ptr("enabled eq true"),
			Orderby: []string{"displayName desc"},
		})
		seen := idsOf(page)
		var want []string
		for i := n - 1; i >= 0; i-- {
			if i%2 == 0 {
				want = append(want, ids[i])
			}
		}
		if diff := cmp.Diff(want, seen); diff != "" {
			t.Errorf("ids over filtered, ordered pages (-want +got):\n%s", diff)
		}
	})

	t.Run("TopIsPageSize", func(t *testing.T) {
		// As in Graph, $top sets the page size; the iterator then walks
		// every page, as the SDK's paging examples rely on.
		top := 3
		page, requests := iterate(t, &devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Orderby: []string{"displayName"},
			Top:     ptr(int32(top)),
		})
		if diff := cmp.Diff(ids, idsOf(page)); diff != "" {
			t.Errorf("$orderby=displayName&$top=%d over all pages (-want +got):\n%s", top, diff)
		}
		if want := (n + top - 1) / top; requests != want {
			t.Errorf("requests=%d, want %d pages of %d", requests, want, top)
		}
	})

	t.Run("Select", func(t *testing.T) {
		page, _ := iterate(t, &devicemanagement.TelecomExpenseManagementPartnersRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName"},
		})
		if len(page) != n {
			t.Fatalf("partners=%d, want %d", len(page), n)
		}
		for i, p := range page {
			if p.GetDisplayName() == nil || p.GetUrl() != nil || p.GetEnabled() != nil {
				t.Errorf("item %d (page %d): displayName=%s url=%s enabled=%s, want only the selected properties on every page",
					i, i/size+1, show(p.GetDisplayName()), show(p.GetUrl()), show(p.GetEnabled()))
			}
		}
	})
}

// idsOf returns the ids of partners, in order.
func idsOf(ps []models.TelecomExpenseManagementPartnerable) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = deref(p.GetId())
	}
	return out
}

func TestPartnersCountRequestBuilder_Get(t *testing.T) {
	s := mainServer(t)
	c, _ := seedPartners(t, s, 7)
	count := c.DeviceManagement().TelecomExpenseManagementPartners().Count()

	tests := []struct {
		name   string
		filter *string
		want   int32
	}{
		{"All", nil, 7},
		{"Filter", ptr("enabled eq true"), 4},
		{"FilterNone", ptr("displayName eq 'nobody'"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := count.Get(context.Background(),
				&devicemanagement.TelecomExpenseManagementPartnersCountRequestBuilderGetRequestConfiguration{
					QueryParameters: &devicemanagement.TelecomExpenseManagementPartnersCountRequestBuilderGetQueryParameters{Filter: tt.filter},
				})
			if err != nil {
				t.Fatalf("count: %s", describe(err))
			}
			if got == nil || *got != tt.want {
				t.Errorf("$count=%s, want %d", show(got), tt.want)
			}
		})
	}

	t.Run("EmptyTenant", func(t *testing.T) {
		other := MustClient(t, s, MustToken(t, s, newTenant(t), scopeRead))
		got, err := other.DeviceManagement().TelecomExpenseManagementPartners().Count().Get(context.Background(), nil)
		if err != nil {
			t.Fatalf("count: %s", describe(err))
		}
		if got == nil || *got != 0 {
			t.Errorf("$count=%s, want 0 in a tenant with no partners", show(got))
		}
	})
}
