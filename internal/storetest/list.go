package storetest

import (
	"slices"
	"testing"

	"github.com/temgraph/temgraph"
)

// mustCreateN creates n sample partners for tenant and returns their ids in
// ascending order.
func mustCreateN(tb testing.TB, s temgraph.Store, tenant string, n int) []string {
	tb.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = MustCreate(tb, s, tenant, samplePartner()).ID
	}
	slices.Sort(ids)
	return ids
}

var listTests = []contractTest{
	// Keyset paging by id visits every partner once, in id order.
	{"ListPartners/PagingByID", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		want := mustCreateN(t, s, tenant, 23)
		mustCreateN(t, s, newTenant(), 5)

		const limit = 4
		var got []string
		opts := temgraph.ListOptions{Limit: limit}
		for pages := 1; ; pages++ {
			if pages > len(want)/limit+2 {
				t.Fatalf("paging did not end after %d pages; ids so far %d", pages-1, len(got))
			}
			page, err := s.ListPartners(t.Context(), tenant, opts)
			if err != nil {
				t.Fatalf("ListPartners page %d: %v", pages, err)
			}
			if len(page.Partners) > limit {
				t.Fatalf("page %d has %d partners, want at most %d", pages, len(page.Partners), limit)
			}
			for _, p := range page.Partners {
				got = append(got, p.ID)
			}
			if !page.More {
				break
			}
			if len(page.Partners) == 0 {
				t.Fatalf("page %d is empty but More is set", pages)
			}
			opts.After = page.Partners[len(page.Partners)-1]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged ids=%v,\nwant %v", got, want)
		}
	}},
	{"ListPartners/OnePage", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		want := mustCreateN(t, s, tenant, 5)
		for _, limit := range []int{5, 6, 100} {
			page, err := s.ListPartners(t.Context(), tenant, temgraph.ListOptions{Limit: limit})
			if err != nil {
				t.Fatalf("ListPartners: %v", err)
			}
			var got []string
			for _, p := range page.Partners {
				got = append(got, p.ID)
			}
			if !slices.Equal(got, want) || page.More {
				t.Fatalf("limit %d: ids=%v more=%v, want %v and no more", limit, got, page.More, want)
			}
		}
	}},
	{"ListPartners/FullRows", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := samplePartner()
		p.URL = nil
		created := MustCreate(t, s, tenant, p)
		page, err := s.ListPartners(t.Context(), tenant, temgraph.ListOptions{Limit: 1})
		if err != nil || len(page.Partners) != 1 {
			t.Fatalf("ListPartners=%+v, %v; want one partner", page, err)
		}
		wantPartner(t, page.Partners[0], created)
	}},
	{"CountPartners/OK", func(t *testing.T, s temgraph.Store) {
		a, b, empty := newTenant(), newTenant(), newTenant()
		mustCreateN(t, s, a, 7)
		mustCreateN(t, s, b, 3)
		for _, tc := range []struct {
			tenant string
			want   int
		}{{a, 7}, {b, 3}, {empty, 0}} {
			n, err := s.CountPartners(t.Context(), tc.tenant, nil)
			if err != nil || n != tc.want {
				t.Fatalf("CountPartners=%d, %v; want %d", n, err, tc.want)
			}
		}
	}},
}
