package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"path/filepath"
	"sync"
	"testing"

	"github.com/temgraph/temgraph/auth"
	"github.com/temgraph/temgraph/sqlite"
)

// MustOpenStore opens a SQLite store in a temporary directory and closes it
// when the test ends.
func MustOpenStore(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "auth.db")
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	return db
}

var (
	keyOnce   sync.Once
	sharedKey *auth.SigningKey
	keyErr    error
)

// MustSigningKey returns a signing key loaded through a real store. The key
// is made once per test binary: RSA key generation is slow under -race.
func MustSigningKey(tb testing.TB) *auth.SigningKey {
	tb.Helper()
	keyOnce.Do(func() {
		db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "key.db"))
		if err != nil {
			keyErr = err
			return
		}
		defer db.Close()
		sharedKey, keyErr = auth.LoadSigningKey(context.Background(), db)
	})
	if keyErr != nil {
		tb.Fatalf("load signing key: %v", keyErr)
	}
	return sharedKey
}

// MustOtherKey returns a fresh RSA key the verifier does not trust, under
// the given key id.
func MustOtherKey(tb testing.TB, kid string) *auth.SigningKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("generate key: %v", err)
	}
	return &auth.SigningKey{Private: k, KeyID: kid}
}

func TestLoadSigningKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.db")

	db := MustOpenStore(t, path)
	first, err := auth.LoadSigningKey(ctx, db)
	if err != nil {
		t.Fatalf("LoadSigningKey: %v", err)
	}
	if n := first.Private.N.BitLen(); n < 2048 {
		t.Errorf("key size=%d bits, want at least 2048", n)
	}
	if first.KeyID == "" {
		t.Errorf("KeyID is empty")
	}

	t.Run("SameStore", func(t *testing.T) {
		again, err := auth.LoadSigningKey(ctx, db)
		if err != nil {
			t.Fatalf("LoadSigningKey: %v", err)
		}
		if !again.Private.Equal(first.Private) || again.KeyID != first.KeyID {
			t.Errorf("second load gave key id %q, want the stored key %q", again.KeyID, first.KeyID)
		}
	})

	t.Run("OtherProcessSameFile", func(t *testing.T) {
		other := MustOpenStore(t, path)
		again, err := auth.LoadSigningKey(ctx, other)
		if err != nil {
			t.Fatalf("LoadSigningKey: %v", err)
		}
		if !again.Private.Equal(first.Private) {
			t.Errorf("a second store on the same file loaded another key")
		}
	})

	t.Run("OtherDatabase", func(t *testing.T) {
		other, err := auth.LoadSigningKey(ctx, MustOpenStore(t, ""))
		if err != nil {
			t.Fatalf("LoadSigningKey: %v", err)
		}
		if other.Private.Equal(first.Private) || other.KeyID == first.KeyID {
			t.Errorf("two databases share a signing key (kid %q)", other.KeyID)
		}
	})
}

func TestSigningKey_PublicJWK(t *testing.T) {
	key := MustSigningKey(t)
	jwk := key.PublicJWK()
	if jwk.Kty != "RSA" || jwk.Use != "sig" || jwk.Alg != "RS256" || jwk.Kid != key.KeyID {
		t.Errorf("JWK header=%+v, want kty RSA, use sig, alg RS256, kid %q", jwk, key.KeyID)
	}
	n, err := base64.RawURLEncoding.DecodeString(jwk.N)
	if err != nil {
		t.Fatalf("decode n: %v", err)
	}
	if new(big.Int).SetBytes(n).Cmp(key.Private.N) != 0 {
		t.Errorf("JWK n differs from the key's modulus")
	}
	e, err := base64.RawURLEncoding.DecodeString(jwk.E)
	if err != nil {
		t.Fatalf("decode e: %v", err)
	}
	if got := int(new(big.Int).SetBytes(e).Int64()); got != key.Private.E {
		t.Errorf("JWK e=%d, want %d", got, key.Private.E)
	}
	if jwk.E != "AQAB" {
		t.Errorf("JWK e=%q, want AQAB", jwk.E)
	}
}
