package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/temgraph/temgraph"
)

// randomSecret is a create function that returns a new random value.
func randomSecret() ([]byte, error) {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	return b, err
}

var secretTests = []contractTest{
	// Concurrent callers that all find no secret all get the one value
	// stored first, and later callers get it without creating another.
	{"LoadOrCreateSecret/Concurrent", func(t *testing.T, s temgraph.Store) {
		name := "storetest-" + temgraph.NewGUID()
		const n = 20
		got := make([][]byte, n)
		errs := make([]error, n)
		var fns []func()
		for i := range got {
			fns = append(fns, func() { got[i], errs[i] = s.LoadOrCreateSecret(t.Context(), name, randomSecret) })
		}
		runAll(fns...)
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
				t.Fatalf("caller %d got %x, caller 0 got %x; want one 32-byte value", i, got[i], got[0])
			}
		}

		again, err := s.LoadOrCreateSecret(t.Context(), name, func() ([]byte, error) {
			t.Errorf("create called for a stored secret")
			return randomSecret()
		})
		if err != nil || !bytes.Equal(again, got[0]) {
			t.Fatalf("LoadOrCreateSecret again=%x, %v; want %x", again, err, got[0])
		}
	}},
	{"LoadOrCreateSecret/Independent", func(t *testing.T, s temgraph.Store) {
		a, err := s.LoadOrCreateSecret(t.Context(), "storetest-a-"+temgraph.NewGUID(), randomSecret)
		if err != nil {
			t.Fatalf("LoadOrCreateSecret a: %v", err)
		}
		b, err := s.LoadOrCreateSecret(t.Context(), "storetest-b-"+temgraph.NewGUID(), randomSecret)
		if err != nil {
			t.Fatalf("LoadOrCreateSecret b: %v", err)
		}
		if bytes.Equal(a, b) {
			t.Fatalf("two names share the value %x", a)
		}
	}},
	// A failing create stores nothing; the next caller creates the secret.
	{"LoadOrCreateSecret/CreateFails", func(t *testing.T, s temgraph.Store) {
		name := "storetest-" + temgraph.NewGUID()
		boom := errors.New("no entropy")
		_, err := s.LoadOrCreateSecret(t.Context(), name, func() ([]byte, error) { return nil, boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err=%v, want it to wrap %v", err, boom)
		}
		calls := 0
		v, err := s.LoadOrCreateSecret(t.Context(), name, func() ([]byte, error) {
			calls++
			return []byte("second try"), nil
		})
		if err != nil || string(v) != "second try" || calls != 1 {
			t.Fatalf("LoadOrCreateSecret=%q, %v (create calls %d); want %q from one call", v, err, calls, "second try")
		}
	}},
}
