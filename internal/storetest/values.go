package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
)

// roundTripTimes are instants storage must keep exactly, to 100 ns.
var roundTripTimes = []struct {
	name string
	t    time.Time
}{
	{"Zero", temgraph.ZeroTime},
	{"Max", time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC)},
	{"UnixEpoch", time.Unix(0, 0).UTC()},
	{"BeforeUnixEpoch", time.Date(1969, 12, 31, 23, 59, 59, 999_999_900, time.UTC)},
	{"OneTick", time.Date(1, 1, 1, 0, 0, 0, 100, time.UTC)},
	{"LeapDay", time.Date(1600, 2, 29, 12, 30, 0, 123_456_700, time.UTC)},
	{"FromOffset", time.Date(2016, 12, 31, 23, 58, 36, 667_003_300, time.FixedZone("", -8*3600))},
}

// roundTripStrings are values storage must keep byte for byte.
var roundTripStrings = []struct {
	name string
	s    string
}{
	{"Empty", ""},
	{"Quotes", `O'Brien's "TEM" \ back\slash`},
	{"SQL", `'); DROP TABLE partners; --`},
	{"Wildcards", `100% _under_ [x]*?`},
	{"Unicode", "Ünïcödé 日本語 Ελληνικά عربي"},
	{"Astral", "emoji 🚀📱 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"},
	{"Controls", "tab\tnew\nline\rcarriage \u0001\u001f"},
	{"Long", strings.Repeat("0123456789abcdef", 4096)},
}

var valueTests = []contractTest{
	{"Values/DateTimeRoundTrip", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		for _, tc := range roundTripTimes {
			t.Run(tc.name, func(t *testing.T) {
				p := samplePartner()
				p.LastConnectionDateTime = tc.t
				created := MustCreate(t, s, tenant, p)
				wantTime(t, "create", MustGet(t, s, tenant, created.ID).LastConnectionDateTime, tc.t)

				other := samplePartner()
				other.LastConnectionDateTime = temgraph.ZeroTime
				o := MustCreate(t, s, tenant, other)
				got, err := s.UpdatePartner(t.Context(), tenant, o.ID,
					&temgraph.PartnerPatch{LastConnectionDateTime: &tc.t}, "")
				if err != nil {
					t.Fatalf("UpdatePartner: %v", err)
				}
				wantTime(t, "update result", got.LastConnectionDateTime, tc.t)
				wantTime(t, "update", MustGet(t, s, tenant, o.ID).LastConnectionDateTime, tc.t)
			})
		}
	}},
	{"Values/StringRoundTrip", func(t *testing.T, s temgraph.Store) {
		tenant := newTenant()
		for _, tc := range roundTripStrings {
			t.Run(tc.name, func(t *testing.T) {
				p := samplePartner()
				p.DisplayName, p.URL = ptr(tc.s), ptr(tc.s+"/url")
				created := MustCreate(t, s, tenant, p)
				wantPartner(t, MustGet(t, s, tenant, p.ID), created)

				patch := &temgraph.PartnerPatch{
					DisplayName: temgraph.OptionalString{Set: true, Value: ptr("patched " + tc.s)},
					URL:         temgraph.OptionalString{Set: true, Value: ptr(tc.s)},
				}
				got, err := s.UpdatePartner(t.Context(), tenant, p.ID, patch, "")
				if err != nil {
					t.Fatalf("UpdatePartner: %v", err)
				}
				if *got.DisplayName != "patched "+tc.s || *got.URL != tc.s {
					t.Fatalf("got %q, %q; want %q, %q", *got.DisplayName, *got.URL, "patched "+tc.s, tc.s)
				}
				wantPartner(t, MustGet(t, s, tenant, p.ID), got)
			})
		}
	}},
}

// wantTime fails unless got is the instant want, in UTC.
func wantTime(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		tb.Fatalf("%s: time=%s (%s), want %s in UTC", what, got.Format(time.RFC3339Nano), got.Location(),
			want.UTC().Format(time.RFC3339Nano))
	}
}
