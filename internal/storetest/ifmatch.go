package storetest

import (
	"fmt"
	"testing"

	"github.com/temgraph/temgraph"
)

// ifMatchCases give an If-Match value, from the current and a stale entity
// tag, and the error code the write must end with ("" for success).
var ifMatchCases = []struct {
	name    string
	ifMatch func(current, stale string) string
	code    string
}{
	{"Unconditional", func(_, _ string) string { return "" }, ""},
	{"Matching", func(current, _ string) string { return current }, ""},
	{"Any", func(_, _ string) string { return "*" }, ""},
	{"ErrStale", func(_, stale string) string { return stale }, temgraph.EPreconditionFailed},
	{"ErrUnknownTag", func(_, _ string) string { return "not-a-tag-we-issued" }, temgraph.EPreconditionFailed},
}

// stalePartner creates a partner and updates it once, returning the stored
// partner and the entity tag it had before the update.
func stalePartner(t *testing.T, s temgraph.Store, tenant string) (*temgraph.Partner, string) {
	t.Helper()
	p := MustCreate(t, s, tenant, samplePartner())
	cur, err := s.UpdatePartner(t.Context(), tenant, p.ID, &temgraph.PartnerPatch{Enabled: ptr(false)}, "")
	if err != nil {
		t.Fatalf("UpdatePartner: %v", err)
	}
	return cur, p.ETag
}

var ifMatchTests = []contractTest{
	{"UpdatePartner/IfMatch", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		for _, tc := range ifMatchCases {
			t.Run(tc.name, func(t *testing.T) {
				cur, stale := stalePartner(t, s, tenant)
				patch := &temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: ptr("if-match")}}
				got, err := s.UpdatePartner(t.Context(), tenant, cur.ID, patch, tc.ifMatch(cur.ETag, stale))
				if tc.code != "" {
					wantError(t, err, tc.code, fmt.Sprintf(msgChanged, cur.ID))
					wantPartner(t, MustGet(t, s, tenant, cur.ID), cur)
					return
				}
				if err != nil {
					t.Fatalf("UpdatePartner: %v", err)
				}
				if got.DisplayName == nil || *got.DisplayName != "if-match" || got.ETag == cur.ETag {
					t.Fatalf("got displayName=%v etag=%q, want if-match and a new tag", got.DisplayName, got.ETag)
				}
			})
		}
	}},
	{"DeletePartner/IfMatch", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		for _, tc := range ifMatchCases {
			t.Run(tc.name, func(t *testing.T) {
				cur, stale := stalePartner(t, s, tenant)
				err := s.DeletePartner(t.Context(), tenant, cur.ID, tc.ifMatch(cur.ETag, stale))
				if tc.code != "" {
					wantError(t, err, tc.code, fmt.Sprintf(msgChanged, cur.ID))
					wantPartner(t, MustGet(t, s, tenant, cur.ID), cur)
					return
				}
				if err != nil {
					t.Fatalf("DeletePartner: %v", err)
				}
				_, err = s.GetPartner(t.Context(), tenant, cur.ID)
				wantError(t, err, temgraph.ENotFound, fmt.Sprintf(msgNotFound, cur.ID))
			})
		}
	}},
	// A missing partner is ENotFound whatever If-Match says.
	{"IfMatch/MissingPartnerIsNotFound", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		gone := MustCreate(t, s, tenant, samplePartner())
		if err := s.DeletePartner(t.Context(), tenant, gone.ID, ""); err != nil {
			t.Fatalf("DeletePartner: %v", err)
		}
		want := fmt.Sprintf(msgNotFound, gone.ID)
		for _, ifMatch := range []string{"*", gone.ETag, "stale"} {
			_, err := s.UpdatePartner(t.Context(), tenant, gone.ID, &temgraph.PartnerPatch{Enabled: ptr(true)}, ifMatch)
			wantError(t, err, temgraph.ENotFound, want)
			err = s.DeletePartner(t.Context(), tenant, gone.ID, ifMatch)
			wantError(t, err, temgraph.ENotFound, want)
		}
	}},
}
