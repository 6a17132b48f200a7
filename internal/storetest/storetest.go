package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
)

// Run runs the contract suite. open is called once per subtest and returns
// a ready store, which the suite closes when the subtest ends. Stores may
// share one database: each subtest works in tenants and secret names of its
// own.
func Run(t *testing.T, open func(t *testing.T) temgraph.Store) {
	for _, tt := range suite() {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// contractTest is one test of the suite.
type contractTest struct {
	name string
	fn   func(t *testing.T, s temgraph.Store)
}

func suite() []contractTest {
	var all []contractTest
	for _, group := range [][]contractTest{
		createTests, getTests, updateTests, deleteTests, ifMatchTests, isolationTests,
		valueTests, concurrencyTests, listTests, secretTests, pingTests,
	} {
		all = append(all, group...)
	}
	return all
}

var pingTests = []contractTest{
	{"Ping/OK", func(t *testing.T, s temgraph.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}},
}

// Client-visible messages every backend writes the same way.
const (
	msgNotFound = "No telecomExpenseManagementPartner with the id '%s' exists."
	msgConflict = "A partner with the id '%s' already exists."
	msgChanged  = "The partner '%s' does not match If-Match: no entity tag given there is its current one; read it again for the current tag."
)

// newTenant returns a tenant id no other test uses.
func newTenant() string { return temgraph.NewGUID() }

// samplePartner returns a partner with every property set and a fresh id.
func samplePartner() *temgraph.Partner {
	return &temgraph.Partner{
		ID:                     temgraph.NewGUID(),
		DisplayName:            ptr("Contoso TEM"),
		URL:                    ptr("https://tem.contoso.example/connect"),
		AppAuthorized:          true,
		Enabled:                true,
		LastConnectionDateTime: time.Date(2016, 12, 31, 23, 58, 36, 667_003_300, time.UTC),
	}
}

// MustCreate stores p for tenant and returns a copy with its ETag set.
func MustCreate(tb testing.TB, s temgraph.Store, tenant string, p *temgraph.Partner) *temgraph.Partner {
	tb.Helper()
	c := *p
	if err := s.CreatePartner(tb.Context(), tenant, &c); err != nil {
		tb.Fatalf("CreatePartner: %v", err)
	}
	if c.ETag == "" {
		tb.Fatalf("CreatePartner left ETag empty")
	}
	return &c
}

// MustGet reads a partner that must exist.
func MustGet(tb testing.TB, s temgraph.Store, tenant, id string) *temgraph.Partner {
	tb.Helper()
	p, err := s.GetPartner(tb.Context(), tenant, id)
	if err != nil {
		tb.Fatalf("GetPartner(%s): %v", id, err)
	}
	return p
}

// wantPartner fails unless got equals want, ETag included.
func wantPartner(tb testing.TB, got, want *temgraph.Partner) {
	tb.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Fatalf("partner mismatch (-want +got):\n%s", diff)
	}
}

// wantError fails unless err is a *temgraph.Error with the code and message.
func wantError(tb testing.TB, err error, code, message string) {
	tb.Helper()
	var te *temgraph.Error
	if !errors.As(err, &te) {
		tb.Fatalf("err=%v, want a *temgraph.Error with code %s", err, code)
	}
	if te.Code != code || te.Message != message {
		tb.Fatalf("err=%s %q, want %s %q", te.Code, te.Message, code, message)
	}
}

func ptr[T any](v T) *T { return &v }
