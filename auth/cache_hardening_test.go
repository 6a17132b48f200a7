package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// A signature spelled with non-zero unused bits in its last base64url
// character decodes to the same bytes; it must be refused, not cached as a
// second token.
func TestVerifier_RefusesNonCanonicalBase64(t *testing.T) {
	key := MustSigningKey(t)
	v := auth.NewVerifier(key, testBase, func() time.Time { return t0 })
	tok := signClaims(t, key, baseClaims())
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("Verify canonical: %v", err)
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alpha, tok[len(tok)-1])
	for j := 1; j < 16; j++ {
		variant := tok[:len(tok)-1] + string(alpha[(last&^0xF)|j])
		if variant == tok {
			continue
		}
		if _, err := v.Verify(variant); err == nil {
			t.Fatalf("variant %d of the signature's last character was accepted", j)
		}
	}
}

// Permission names compare under ASCII folding only.
func TestPrincipal_PermissionUnicodeFold(t *testing.T) {
	p := &auth.Principal{Permissions: []string{strings.ReplaceAll(auth.ScopeReadWrite, "Service", "\u017fervice")}}
	if p.CanRead() || p.CanWrite() {
		t.Fatalf("a permission spelled with the long s granted access")
	}
	p = &auth.Principal{Permissions: []string{strings.ToLower(auth.ScopeReadWrite)}}
	if !p.CanWrite() {
		t.Fatalf("ASCII case-insensitive permission refused")
	}
}

// A cached token is checked again after the cache's maximum age, so that a
// far-away exp does not keep it trusted without a signature check.
func TestVerifier_CacheRechecks(t *testing.T) {
	key := MustSigningKey(t)
	now := t0
	v := auth.NewVerifier(key, testBase, func() time.Time { return now })
	tok := signClaims(t, key, withClaims(map[string]any{"exp": t0.Add(1000 * time.Hour).Unix()}))
	first, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	now = t0.Add(5 * time.Minute)
	if again, _ := v.Verify(tok); again != first {
		t.Errorf("within the cache age, Verify returned a new principal")
	}
	now = t0.Add(11 * time.Minute)
	again, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify after recheck: %v", err)
	}
	if again == first {
		t.Errorf("after the cache age, Verify returned the cached principal without checking again")
	}
}

// Expiry still applies to cached tokens.
func TestVerifier_CacheExpiryStillRefuses(t *testing.T) {
	key := MustSigningKey(t)
	now := t0
	v := auth.NewVerifier(key, testBase, func() time.Time { return now })
	tok := signClaims(t, key, withClaims(map[string]any{"exp": t0.Add(2 * time.Minute).Unix()}))
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	now = t0.Add(3*time.Minute + time.Second)
	_, err := v.Verify(tok)
	wantCode(t, err, temgraph.EUnauthorized)
}

// A token whose header names critical extensions is refused (RFC 7515,
// 4.1.11): temgraph understands none.
func TestVerifier_RefusesCrit(t *testing.T) {
	key := MustSigningKey(t)
	v := auth.NewVerifier(key, testBase, func() time.Time { return t0 })
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, baseClaims())
	tok.Header["kid"] = key.KeyID
	tok.Header["crit"] = []string{"exp2"}
	tok.Header["exp2"] = 1
	s, err := tok.SignedString(key.Private)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(s)
	wantCode(t, err, temgraph.EUnauthorized)
	if err == nil || !strings.Contains(err.Error(), "crit") {
		t.Errorf("error=%v, want it to name crit", err)
	}
}

// A token longer than the cache keeps is verified, not cached, every time.
func TestVerifier_LargeTokenNotCached(t *testing.T) {
	key := MustSigningKey(t)
	v := auth.NewVerifier(key, testBase, func() time.Time { return t0 })
	tok := signClaims(t, key, withClaims(map[string]any{"pad": strings.Repeat("x", 20<<10)}))
	first, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	again, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify again: %v", err)
	}
	if again == first {
		t.Errorf("a %d-byte token came from the cache", len(tok))
	}
}
