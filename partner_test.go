package temgraph_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
)

func TestIsGUID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"47a3b399-b399-47a3-99b3-a34799b3a347", true},
		{"47A3B399-B399-47A3-99B3-A34799B3A347", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"", false},
		{"47a3b399b39947a399b3a34799b3a347", false},
		{"{47a3b399-b399-47a3-99b3-a34799b3a347}", false},
		{"47a3b399-b399-47a3-99b3-a34799b3a34", false},
		{"47a3b399-b399-47a3-99b3-a34799b3a3477", false},
		{"47a3b399-b399-47a3-99b3_a34799b3a347", false},
		{"g7a3b399-b399-47a3-99b3-a34799b3a347", false},
		{"47a3b399-b399-47a3-99b3-a34799b3a34\u00e9", false},
		{"not-a-guid", false},
	}
	for _, tt := range tests {
		if got := temgraph.IsGUID(tt.in); got != tt.want {
			t.Errorf("IsGUID(%q)=%v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNewGUID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		g := temgraph.NewGUID()
		if !temgraph.IsGUID(g) {
			t.Fatalf("NewGUID()=%q, not a GUID", g)
		}
		if g != temgraph.CanonicalID(g) {
			t.Fatalf("NewGUID()=%q, not lower case", g)
		}
		if g[14] != '4' {
			t.Fatalf("NewGUID()=%q, version nibble %c, want 4", g, g[14])
		}
		if v := g[19]; v != '8' && v != '9' && v != 'a' && v != 'b' {
			t.Fatalf("NewGUID()=%q, variant nibble %c, want 8, 9, a or b", g, v)
		}
		if seen[g] {
			t.Fatalf("NewGUID() repeated %q", g)
		}
		seen[g] = true
	}
}

func TestNewETag(t *testing.T) {
	a, b := temgraph.NewETag(), temgraph.NewETag()
	if a == "" || a == b {
		t.Errorf("NewETag() gave %q then %q, want two different non-empty tags", a, b)
	}
	for _, c := range a {
		if c == '"' || c == ',' || c == ' ' {
			t.Errorf("NewETag()=%q holds %q, which cannot appear in an entity tag header", a, c)
		}
	}
}

func TestCanonicalID(t *testing.T) {
	got := temgraph.CanonicalID("47A3B399-B399-47A3-99B3-A34799B3A347")
	if want := "47a3b399-b399-47a3-99b3-a34799b3a347"; got != want {
		t.Errorf("CanonicalID=%q, want %q", got, want)
	}
}

func TestNewPartner(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		p := temgraph.NewPartner(&temgraph.PartnerPatch{})
		if !temgraph.IsGUID(p.ID) {
			t.Errorf("ID=%q, want a GUID", p.ID)
		}
		want := &temgraph.Partner{ID: p.ID, LastConnectionDateTime: temgraph.ZeroTime}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("NewPartner(empty) mismatch (-want +got):\n%s", diff)
		}
		if got := temgraph.FormatDateTimeOffset(p.LastConnectionDateTime); got != "0001-01-01T00:00:00Z" {
			t.Errorf("lastConnectionDateTime=%s, want 0001-01-01T00:00:00Z", got)
		}
	})

	t.Run("ClientID", func(t *testing.T) {
		id := "47a3b399-b399-47a3-99b3-a34799b3a347"
		p := temgraph.NewPartner(&temgraph.PartnerPatch{ID: &id})
		if p.ID != id {
			t.Errorf("ID=%q, want %q", p.ID, id)
		}
	})

	t.Run("AllProperties", func(t *testing.T) {
		name, url := "Display Name value", "Url value"
		yes := true
		when := time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC)
		patch := &temgraph.PartnerPatch{
			DisplayName:            temgraph.OptionalString{Set: true, Value: &name},
			URL:                    temgraph.OptionalString{Set: true, Value: &url},
			AppAuthorized:          &yes,
			Enabled:                &yes,
			LastConnectionDateTime: &when,
		}
		p := temgraph.NewPartner(patch)
		want := &temgraph.Partner{ID: p.ID, DisplayName: &name, URL: &url, AppAuthorized: true,
			Enabled: true, LastConnectionDateTime: when}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("NewPartner mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestPartnerPatch_Apply(t *testing.T) {
	name, url := "before", "https://before.example"
	then := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() *temgraph.Partner {
		n, u := name, url
		return &temgraph.Partner{ID: "47a3b399-b399-47a3-99b3-a34799b3a347", DisplayName: &n, URL: &u,
			AppAuthorized: true, Enabled: true, LastConnectionDateTime: then, ETag: "e1"}
	}
	no := false
	after := "after"
	now := time.Date(2021, 2, 3, 4, 5, 6, 700, time.UTC)

	tests := []struct {
		name  string
		patch temgraph.PartnerPatch
		edit  func(p *temgraph.Partner)
	}{
		{"Empty", temgraph.PartnerPatch{}, func(p *temgraph.Partner) {}},
		{"DisplayName", temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: &after}},
			func(p *temgraph.Partner) { p.DisplayName = &after }},
		{"DisplayNameNull", temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true}},
			func(p *temgraph.Partner) { p.DisplayName = nil }},
		{"URLNull", temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true}},
			func(p *temgraph.Partner) { p.URL = nil }},
		{"AppAuthorizedFalse", temgraph.PartnerPatch{AppAuthorized: &no},
			func(p *temgraph.Partner) { p.AppAuthorized = false }},
		{"EnabledFalse", temgraph.PartnerPatch{Enabled: &no},
			func(p *temgraph.Partner) { p.Enabled = false }},
		{"LastConnection", temgraph.PartnerPatch{LastConnectionDateTime: &now},
			func(p *temgraph.Partner) { p.LastConnectionDateTime = now }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := base(), base()
			tt.patch.Apply(got)
			tt.edit(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Apply mismatch (-want +got):\n%s", diff)
			}
			if gotEmpty, wantEmpty := tt.patch.Empty(), tt.name == "Empty"; gotEmpty != wantEmpty {
				t.Errorf("Empty()=%v, want %v", gotEmpty, wantEmpty)
			}
		})
	}

	t.Run("IDOnlyIsEmpty", func(t *testing.T) {
		id := "47a3b399-b399-47a3-99b3-a34799b3a347"
		p := temgraph.PartnerPatch{ID: &id}
		if !p.Empty() {
			t.Errorf("Empty()=false for a patch with only an id, want true")
		}
	})
}

func TestNewPartnerPage(t *testing.T) {
	rows := []*temgraph.Partner{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	if p := temgraph.NewPartnerPage(rows, 2); len(p.Partners) != 2 || !p.More {
		t.Errorf("3 rows, limit 2: got %d rows, More=%v; want 2, true", len(p.Partners), p.More)
	}
	if p := temgraph.NewPartnerPage(rows, 3); len(p.Partners) != 3 || p.More {
		t.Errorf("3 rows, limit 3: got %d rows, More=%v; want 3, false", len(p.Partners), p.More)
	}
}
