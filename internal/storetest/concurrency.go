package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
)

// mergeRounds is how many times the concurrent merge test races its writers.
const mergeRounds = 25

// roundPatches returns five patches, each of one different property, with
// values unique to round r, and the partner they produce together.
func roundPatches(base *temgraph.Partner, r int) ([]*temgraph.PartnerPatch, *temgraph.Partner) {
	name, url := fmt.Sprintf("name-%03d", r), fmt.Sprintf("https://r%03d.example", r)
	when := time.Date(2000+r, 1, 2, 3, 4, 5, r*100, time.UTC)
	flag := r%2 == 0
	patches := []*temgraph.PartnerPatch{
		{DisplayName: temgraph.OptionalString{Set: true, Value: &name}},
		{URL: temgraph.OptionalString{Set: true, Value: &url}},
		{AppAuthorized: &flag},
		{Enabled: ptr(!flag)},
		{LastConnectionDateTime: &when},
	}
	want := *base
	for _, p := range patches {
		p.Apply(&want)
	}
	return patches, &want
}

// runAll runs the functions at the same time and waits for them all.
func runAll(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

var concurrencyTests = []contractTest{
	// Concurrent updates of different properties of one partner must all
	// take effect: none may overwrite another's property with a stale value.
	{"Concurrency/NoLostUpdate", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		p := MustCreate(t, s, tenant, samplePartner())
		for r := 0; r < mergeRounds; r++ {
			patches, want := roundPatches(p, r)
			errs := make([]error, len(patches))
			var fns []func()
			for i, patch := range patches {
				fns = append(fns, func() {
					_, errs[i] = s.UpdatePartner(t.Context(), tenant, p.ID, patch, "")
				})
			}
			runAll(fns...)
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d: patch %d: %v", r, i, err)
				}
			}
			got := MustGet(t, s, tenant, p.ID)
			want.ETag = got.ETag
			wantPartner(t, got, want)
		}
	}},
	// A write that fails among concurrent ones leaves its partner as it
	// was, and the others commit.
	{"Concurrency/FailedWriteIsolated", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		ctx := t.Context()
		victim, stale := stalePartner(t, s, tenant)
		var others []*temgraph.Partner
		for i := 0; i < 8; i++ {
			others = append(others, MustCreate(t, s, tenant, samplePartner()))
		}

		for r := 0; r < 5; r++ {
			name := fmt.Sprintf("round %d", r)
			rename := &temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: &name}}
			okErrs := make([]error, len(others))
			var failErrs [3]error
			var fns []func()
			for i, o := range others {
				fns = append(fns, func() { _, okErrs[i] = s.UpdatePartner(ctx, tenant, o.ID, rename, "") })
			}
			fns = append(fns,
				func() { _, failErrs[0] = s.UpdatePartner(ctx, tenant, victim.ID, rename, stale) },
				func() { failErrs[1] = s.DeletePartner(ctx, tenant, victim.ID, stale) },
				func() {
					dup := samplePartner()
					dup.ID, dup.DisplayName = victim.ID, &name
					failErrs[2] = s.CreatePartner(ctx, tenant, dup)
				})
			runAll(fns...)

			wantError(t, failErrs[0], temgraph.EPreconditionFailed, fmt.Sprintf(msgChanged, victim.ID))
			wantError(t, failErrs[1], temgraph.EPreconditionFailed, fmt.Sprintf(msgChanged, victim.ID))
			wantError(t, failErrs[2], temgraph.EConflict, fmt.Sprintf(msgConflict, victim.ID))
			wantPartner(t, MustGet(t, s, tenant, victim.ID), victim)
			for i, o := range others {
				if okErrs[i] != nil {
					t.Fatalf("round %d: update of %s: %v", r, o.ID, okErrs[i])
				}
				if got := MustGet(t, s, tenant, o.ID); got.DisplayName == nil || *got.DisplayName != name {
					t.Fatalf("round %d: %s displayName=%v, want %q", r, o.ID, got.DisplayName, name)
				}
			}
		}
	}},
	// Concurrent creates of distinct partners all commit.
	{"Concurrency/Creates", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		const n = 30
		errs := make([]error, n)
		parts := make([]*temgraph.Partner, n)
		var fns []func()
		for i := range parts {
			parts[i] = samplePartner()
			fns = append(fns, func() { errs[i] = s.CreatePartner(t.Context(), tenant, parts[i]) })
		}
		runAll(fns...)
		for i, p := range parts {
			if errs[i] != nil {
				t.Fatalf("create %d: %v", i, errs[i])
			}
			wantPartner(t, MustGet(t, s, tenant, p.ID), p)
		}
		if n2, err := s.CountPartners(t.Context(), tenant, nil); err != nil || n2 != n {
			t.Fatalf("CountPartners=%d, %v; want %d", n2, err, n)
		}
	}},
}
