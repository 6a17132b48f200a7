package auth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph/auth"
)

const (
	testBase  = "https://temgraph.localhost"
	tenantA   = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	testOID   = "33333333-3333-4333-8333-333333333333"
	testAppID = "44444444-4444-4444-8444-444444444444"
)

// t0 is the fixed instant the token tests run at.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// MustIssue mints a token with the built-in issuer or fails the test.
func MustIssue(tb testing.TB, key *auth.SigningKey, base string, req auth.TokenRequest, now time.Time) string {
	tb.Helper()
	tok, err := auth.Issue(key, base, req, now)
	if err != nil {
		tb.Fatalf("Issue: %v", err)
	}
	return tok
}

// unverifiedClaims reads a token's header and claims without checking it.
func unverifiedClaims(tb testing.TB, tok string) (map[string]any, jwt.MapClaims) {
	tb.Helper()
	claims := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, claims)
	if err != nil {
		tb.Fatalf("parse token: %v", err)
	}
	return parsed.Header, claims
}

func TestIssuerFor(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://temgraph.localhost", "https://temgraph.localhost/" + tenantA + "/v2.0"},
		{"https://temgraph.localhost/", "https://temgraph.localhost/" + tenantA + "/v2.0"},
		{"https://login.example/base//", "https://login.example/base/" + tenantA + "/v2.0"},
	}
	for _, tt := range tests {
		if got := auth.IssuerFor(tt.base, tenantA); got != tt.want {
			t.Errorf("IssuerFor(%q)=%q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestIssue(t *testing.T) {
	key := MustSigningKey(t)

	t.Run("Delegated", func(t *testing.T) {
		tok := MustIssue(t, key, testBase, auth.TokenRequest{
			Tenant: "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", ObjectID: testOID, AppID: testAppID,
			Scopes: []string{auth.ScopeRead, "User.Read"}, TTL: time.Hour,
		}, t0)
		header, claims := unverifiedClaims(t, tok)
		if header["alg"] != "RS256" || header["kid"] != key.KeyID {
			t.Errorf("header=%v, want alg RS256 and kid %q", header, key.KeyID)
		}
		want := jwt.MapClaims{
			"iss": testBase + "/" + tenantA + "/v2.0", "aud": auth.GraphAudience, "tid": tenantA,
			"oid": testOID, "sub": testOID, "azp": testAppID, "appid": testAppID,
			"iat": float64(t0.Unix()), "nbf": float64(t0.Unix()), "exp": float64(t0.Add(time.Hour).Unix()),
			"ver": "2.0", "scp": auth.ScopeRead + " User.Read", "idtyp": "user",
		}
		if diff := cmp.Diff(want, claims); diff != "" {
			t.Errorf("claims mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("AppOnly", func(t *testing.T) {
		tok := MustIssue(t, key, testBase, auth.TokenRequest{
			Tenant: tenantA, AppID: testAppID, Roles: []string{auth.ScopeReadWrite}, TTL: time.Minute,
			Audience: "00000003-0000-0000-c000-000000000000",
		}, t0)
		_, claims := unverifiedClaims(t, tok)
		if _, ok := claims["scp"]; ok {
			t.Errorf("app-only token has scp=%v, want none", claims["scp"])
		}
		if diff := cmp.Diff([]any{auth.ScopeReadWrite}, claims["roles"]); diff != "" {
			t.Errorf("roles mismatch (-want +got):\n%s", diff)
		}
		if claims["idtyp"] != "app" {
			t.Errorf("idtyp=%v, want app", claims["idtyp"])
		}
		if claims["aud"] != "00000003-0000-0000-c000-000000000000" {
			t.Errorf("aud=%v, want the requested audience", claims["aud"])
		}
	})

	t.Run("ErrTenantNotGUID", func(t *testing.T) {
		_, err := auth.Issue(key, testBase, auth.TokenRequest{Tenant: "contoso.onmicrosoft.com", TTL: time.Hour}, t0)
		if err == nil {
			t.Errorf("Issue with a non-GUID tenant succeeded, want an error")
		}
	})

	t.Run("ErrTTL", func(t *testing.T) {
		for _, ttl := range []time.Duration{0, -time.Second} {
			if _, err := auth.Issue(key, testBase, auth.TokenRequest{Tenant: tenantA, TTL: ttl}, t0); err == nil {
				t.Errorf("Issue with ttl %v succeeded, want an error", ttl)
			}
		}
	})
}
