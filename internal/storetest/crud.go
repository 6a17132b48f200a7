package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
)

var createTests = []contractTest{
	{"CreatePartner/OK", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := samplePartner()
		created := MustCreate(t, s, tenant, p)
		want := *p
		want.ETag = created.ETag
		wantPartner(t, created, &want)
		wantPartner(t, MustGet(t, s, tenant, p.ID), &want)
	}},
	{"CreatePartner/NullStrings", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime}
		created := MustCreate(t, s, tenant, p)
		wantPartner(t, MustGet(t, s, tenant, p.ID), created)
	}},
	{"CreatePartner/ErrConflict", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		first := MustCreate(t, s, tenant, samplePartner())

		dup := samplePartner()
		dup.ID = first.ID
		dup.DisplayName = ptr("someone else")
		err := s.CreatePartner(t.Context(), tenant, dup)
		wantError(t, err, temgraph.EConflict, fmt.Sprintf(msgConflict, first.ID))
		wantPartner(t, MustGet(t, s, tenant, first.ID), first)
	}},
	{"CreatePartner/SameIDInAnotherTenant", func(t *testing.T, s temgraph.Store) {
		a, b := newTenant(), newTenant()
		pa := MustCreate(t, s, a, samplePartner())
		other := samplePartner()
		other.ID = pa.ID
		other.DisplayName = ptr("tenant b's partner")
		pb := MustCreate(t, s, b, other)
		wantPartner(t, MustGet(t, s, a, pa.ID), pa)
		wantPartner(t, MustGet(t, s, b, pa.ID), pb)
	}},
}

var getTests = []contractTest{
	{"GetPartner/ErrNotFound", func(t *testing.T, s temgraph.Store) {
		id := temgraph.NewGUID()
		_, err := s.GetPartner(t.Context(), newTenant(), id)
		wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, id))
	}},
}

// updateCases are patches of one property each (and one of none); the
// expected partner is the stored one with the patch applied.
var updateCases = []struct {
	name  string
	patch temgraph.PartnerPatch
}{
	{"DisplayName", temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: ptr("renamed")}}},
	{"DisplayNameNull", temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true}}},
	{"DisplayNameEmpty", temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: ptr("")}}},
	{"URL", temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true, Value: ptr("https://other.example")}}},
	{"URLNull", temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true}}},
	{"AppAuthorized", temgraph.PartnerPatch{AppAuthorized: ptr(false)}},
	{"Enabled", temgraph.PartnerPatch{Enabled: ptr(false)}},
	{"LastConnectionDateTime", temgraph.PartnerPatch{
		LastConnectionDateTime: ptr(time.Date(2024, 2, 29, 12, 0, 0, 100, time.UTC))}},
	{"Everything", temgraph.PartnerPatch{
		DisplayName:            temgraph.OptionalString{Set: true, Value: ptr("all new")},
		URL:                    temgraph.OptionalString{Set: true},
		AppAuthorized:          ptr(false),
		Enabled:                ptr(false),
		LastConnectionDateTime: ptr(temgraph.ZeroTime),
	}},
	{"Nothing", temgraph.PartnerPatch{}},
}

var updateTests = []contractTest{
	{"UpdatePartner/Merge", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		for _, tc := range updateCases {
			t.Run(tc.name, func(t *testing.T) {
				before := MustCreate(t, s, tenant, samplePartner())
				got, err := s.UpdatePartner(t.Context(), tenant, before.ID, &tc.patch, "")
				if err != nil {
					t.Fatalf("UpdatePartner: %v", err)
				}
				want := *before
				tc.patch.Apply(&want)
				want.ETag = got.ETag
				wantPartner(t, got, &want)
				wantPartner(t, MustGet(t, s, tenant, before.ID), &want)
			})
		}
	}},
	{"UpdatePartner/NullThenValue", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := MustCreate(t, s, tenant, &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime})
		patch := &temgraph.PartnerPatch{
			DisplayName: temgraph.OptionalString{Set: true, Value: ptr("named")},
			URL:         temgraph.OptionalString{Set: true, Value: ptr("https://named.example")},
		}
		got, err := s.UpdatePartner(t.Context(), tenant, p.ID, patch, "")
		if err != nil {
			t.Fatalf("UpdatePartner: %v", err)
		}
		if got.DisplayName == nil || *got.DisplayName != "named" || got.URL == nil || *got.URL != "https://named.example" {
			t.Fatalf("got displayName=%v url=%v, want named and https://named.example", got.DisplayName, got.URL)
		}
	}},
	{"UpdatePartner/ErrNotFound", func(t *testing.T, s temgraph.Store) {
		id := temgraph.NewGUID()
		patch := &temgraph.PartnerPatch{Enabled: ptr(true)}
		_, err := s.UpdatePartner(t.Context(), newTenant(), id, patch, "")
		wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, id))
	}},
	{"UpdatePartner/ETagChangesOnEveryWrite", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := MustCreate(t, s, tenant, samplePartner())
		seen := map[string]bool{p.ETag: true}
		// The same values again still count as a write.
		patch := &temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: p.DisplayName}}
		for i := 0; i < 5; i++ {
			got, err := s.UpdatePartner(t.Context(), tenant, p.ID, patch, "")
			if err != nil {
				t.Fatalf("UpdatePartner: %v", err)
			}
			if seen[got.ETag] {
				t.Fatalf("write %d: ETag %q was issued before", i+1, got.ETag)
			}
			seen[got.ETag] = true
			if stored := MustGet(t, s, tenant, p.ID); stored.ETag != got.ETag {
				t.Fatalf("stored ETag=%q, want the returned %q", stored.ETag, got.ETag)
			}
		}
	}},
}

var deleteTests = []contractTest{
	{"DeletePartner/OK", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := MustCreate(t, s, tenant, samplePartner())
		keep := MustCreate(t, s, tenant, samplePartner())
		if err := s.DeletePartner(t.Context(), tenant, p.ID, ""); err != nil {
			t.Fatalf("DeletePartner: %v", err)
		}
		_, err := s.GetPartner(t.Context(), tenant, p.ID)
		wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, p.ID))
		err = s.DeletePartner(t.Context(), tenant, p.ID, "")
		wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, p.ID))
		wantPartner(t, MustGet(t, s, tenant, keep.ID), keep)
	}},
	{"DeletePartner/ErrNotFound", func(t *testing.T, s temgraph.Store) {
		id := temgraph.NewGUID()
		err := s.DeletePartner(t.Context(), newTenant(), id, "")
		wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, id))
	}},
	{"DeletePartner/RecreateGetsNewETag", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := MustCreate(t, s, tenant, samplePartner())
		if err := s.DeletePartner(t.Context(), tenant, p.ID, ""); err != nil {
			t.Fatalf("DeletePartner: %v", err)
		}
		again := MustCreate(t, s, tenant, p)
		if again.ETag == p.ETag {
			t.Fatalf("re-created partner has the deleted one's ETag %q", p.ETag)
		}
	}},
}

var isolationTests = []contractTest{
	{"Tenants/Isolated", func(t *testing.T, s temgraph.Store) {
		a, b := newTenant(), newTenant()
		p := MustCreate(t, s, a, samplePartner())
		ctx := t.Context()
		notFound := fmt.Sprintf(msgNotFound, p.ID)

		_, err := s.GetPartner(ctx, b, p.ID)
		wantError(t, err, temgraph.ENotFound, notFound)
		for _, ifMatch := range []string{"", "*", p.ETag} {
			_, err = s.UpdatePartner(ctx, b, p.ID, &temgraph.PartnerPatch{Enabled: ptr(false)}, ifMatch)
			wantError(t, err, temgraph.ENotFound, notFound)
			err = s.DeletePartner(ctx, b, p.ID, ifMatch)
			wantError(t, err, temgraph.ENotFound, notFound)
		}
		n, err := s.CountPartners(ctx, b, nil)
		if err != nil || n != 0 {
			t.Fatalf("CountPartners(other tenant)=%d, %v; want 0", n, err)
		}
		page, err := s.ListPartners(ctx, b, temgraph.ListOptions{Limit: 10})
		if err != nil || len(page.Partners) != 0 || page.More {
			t.Fatalf("ListPartners(other tenant)=%+v, %v; want an empty page", page, err)
		}
		wantPartner(t, MustGet(t, s, a, p.ID), p)
	}},
}
