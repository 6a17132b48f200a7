package auth_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// signClaims signs arbitrary claims with key, for tokens Issue would not make.
func signClaims(tb testing.TB, key *auth.SigningKey, claims jwt.MapClaims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = key.KeyID
	s, err := tok.SignedString(key.Private)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return s
}

// baseClaims are the claims of a valid delegated ReadWrite token at t0.
func baseClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": auth.IssuerFor(testBase, tenantA), "aud": auth.GraphAudience, "tid": tenantA,
		"oid": testOID, "azp": testAppID, "scp": auth.ScopeReadWrite,
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix(),
	}
}

// withClaims returns baseClaims with some claims replaced; a nil value
// removes the claim.
func withClaims(edits map[string]any) jwt.MapClaims {
	c := baseClaims()
	for k, v := range edits {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// wantCode checks that err is a *temgraph.Error with the code and a message.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	var e *temgraph.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error=%v (%T), want *temgraph.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Errorf("code=%q, want %q (message %q)", e.Code, code, e.Message)
	}
	if e.Message == "" {
		tb.Errorf("message is empty")
	}
}

func TestVerifier_Verify(t *testing.T) {
	key := MustSigningKey(t)
	now := t0.Add(5 * time.Minute)
	v := auth.NewVerifier(key, testBase, func() time.Time { return now })
	issue := func(req auth.TokenRequest, at time.Time) string {
		if req.Tenant == "" {
			req.Tenant = tenantA
		}
		if req.TTL == 0 {
			req.TTL = time.Hour
		}
		req.ObjectID, req.AppID = testOID, testAppID
		return MustIssue(t, key, testBase, req, at)
	}

	ok := []struct {
		name  string
		token string
		want  *auth.Principal
	}{
		{"Delegated", issue(auth.TokenRequest{Scopes: []string{auth.ScopeReadWrite, "User.Read"}}, t0),
			&auth.Principal{Tenant: tenantA, ObjectID: testOID, AppID: testAppID, Delegated: true,
				Permissions: []string{auth.ScopeReadWrite, "User.Read"}, ExpiresUnix: t0.Add(time.Hour).Unix()}},
		{"AppRoles", issue(auth.TokenRequest{Roles: []string{auth.ScopeReadWrite}}, t0),
			&auth.Principal{Tenant: tenantA, ObjectID: testOID, AppID: testAppID, Delegated: false,
				Permissions: []string{auth.ScopeReadWrite}, ExpiresUnix: t0.Add(time.Hour).Unix()}},
		{"ScopesWinOverRoles", issue(auth.TokenRequest{Scopes: []string{auth.ScopeRead},
			Roles: []string{auth.ScopeReadWrite}}, t0),
			&auth.Principal{Tenant: tenantA, ObjectID: testOID, AppID: testAppID, Delegated: true,
				Permissions: []string{auth.ScopeRead}, ExpiresUnix: t0.Add(time.Hour).Unix()}},
		{"AudienceGraph", issue(auth.TokenRequest{Audience: "https://graph.microsoft.com"}, t0), nil},
		{"AudienceGraphSlash", issue(auth.TokenRequest{Audience: "https://graph.microsoft.com/"}, t0), nil},
		{"AudienceGraphAppID", issue(auth.TokenRequest{Audience: "00000003-0000-0000-c000-000000000000"}, t0), nil},
		{"AudienceList", signClaims(t, key, withClaims(map[string]any{
			"aud": []string{"api://other", "https://graph.microsoft.com"}})), nil},
		{"AppIDFromAppidClaim", signClaims(t, key, withClaims(map[string]any{"azp": nil, "appid": "app-2"})),
			&auth.Principal{Tenant: tenantA, ObjectID: testOID, AppID: "app-2", Delegated: true,
				Permissions: []string{auth.ScopeReadWrite}, ExpiresUnix: t0.Add(time.Hour).Unix()}},
		{"UpperCaseTenant", signClaims(t, key, withClaims(map[string]any{"tid": strings.ToUpper(tenantA)})),
			&auth.Principal{Tenant: tenantA, ObjectID: testOID, AppID: testAppID, Delegated: true,
				Permissions: []string{auth.ScopeReadWrite}, ExpiresUnix: t0.Add(time.Hour).Unix()}},
		// exp passed 30 s ago: inside the one-minute clock skew.
		{"ExpiredWithinSkew", issue(auth.TokenRequest{TTL: 4*time.Minute + 30*time.Second}, t0), nil},
		// nbf 30 s ahead: inside the skew too.
		{"NotBeforeWithinSkew", issue(auth.TokenRequest{}, now.Add(30*time.Second)), nil},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("principal mismatch (-want +got):\n%s", diff)
				}
			} else if got.Tenant != tenantA {
				t.Errorf("tenant=%q, want %q", got.Tenant, tenantA)
			}
		})
	}

	other := MustOtherKey(t, key.KeyID)
	pubDER, err := x509.MarshalPKIXPublicKey(&key.Private.PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hmacWith := func(secret []byte) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, baseClaims())
		tok.Header["kid"] = key.KeyID
		s, err := tok.SignedString(secret)
		if err != nil {
			t.Fatalf("sign HS256: %v", err)
		}
		return s
	}
	none := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, baseClaims())
		tok.Header["kid"] = key.KeyID
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatalf("sign none: %v", err)
		}
		return s
	}
	valid := issue(auth.TokenRequest{}, t0)
	parts := strings.Split(valid, ".")

	refused := []struct {
		name  string
		token string
		code  string
	}{
		{"Empty", "", temgraph.EUnauthorized},
		{"Garbage", "not-a-token", temgraph.EUnauthorized},
		{"ThreeGarbageParts", "a.b.c", temgraph.EUnauthorized},
		{"Unsigned", parts[0] + "." + parts[1] + ".", temgraph.EUnauthorized},
		{"TamperedPayload", parts[0] + "." + signedPayloadOf(t, other) + "." + parts[2], temgraph.EUnauthorized},
		{"Expired", issue(auth.TokenRequest{}, t0.Add(-2*time.Hour)), temgraph.EUnauthorized},
		{"ExpiredBeyondSkew", issue(auth.TokenRequest{TTL: 3 * time.Minute}, t0), temgraph.EUnauthorized},
		{"NotYetValid", issue(auth.TokenRequest{}, now.Add(5*time.Minute)), temgraph.EUnauthorized},
		{"NotBeforeInFuture", signClaims(t, key, withClaims(map[string]any{
			"nbf": now.Add(10 * time.Minute).Unix()})), temgraph.EUnauthorized},
		{"NoExp", signClaims(t, key, withClaims(map[string]any{"exp": nil})), temgraph.EUnauthorized},
		{"OtherKeySameKid", MustIssue(t, other, testBase, auth.TokenRequest{Tenant: tenantA, TTL: time.Hour}, t0),
			temgraph.EUnauthorized},
		{"UnknownKid", MustIssue(t, MustOtherKey(t, "unknown"), testBase,
			auth.TokenRequest{Tenant: tenantA, TTL: time.Hour}, t0), temgraph.EUnauthorized},
		{"AlgNone", none(), temgraph.EUnauthorized},
		{"HS256WithPublicKeyPEM", hmacWith(pubPEM), temgraph.EUnauthorized},
		{"HS256WithPublicKeyDER", hmacWith(pubDER), temgraph.EUnauthorized},
		{"WrongAudience", issue(auth.TokenRequest{Audience: "api://temgraph"}, t0), temgraph.EUnauthorized},
		{"GraphLookalikeAudience", issue(auth.TokenRequest{Audience: "https://graph.microsoft.com.evil"}, t0),
			temgraph.EUnauthorized},
		{"NoAudience", signClaims(t, key, withClaims(map[string]any{"aud": nil})), temgraph.EUnauthorized},
		{"WrongIssuer", MustIssue(t, key, "https://other.localhost",
			auth.TokenRequest{Tenant: tenantA, TTL: time.Hour}, t0), temgraph.EUnauthorized},
		{"IssuerOfOtherTenant", signClaims(t, key, withClaims(map[string]any{
			"iss": auth.IssuerFor(testBase, "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")})), temgraph.EUnauthorized},
		{"NoIssuer", signClaims(t, key, withClaims(map[string]any{"iss": nil})), temgraph.EUnauthorized},
		{"TidNotGUID", signClaims(t, key, withClaims(map[string]any{
			"tid": "contoso", "iss": auth.IssuerFor(testBase, "contoso")})), temgraph.EUnauthorized},
		{"TidNumber", signClaims(t, key, withClaims(map[string]any{"tid": 42})), temgraph.EUnauthorized},
		{"NoTid", signClaims(t, key, withClaims(map[string]any{"tid": nil})), temgraph.EUnauthorized},
		{"PersonalAccount", issue(auth.TokenRequest{Tenant: auth.PersonalTenant}, t0), temgraph.EForbidden},
	}
	for _, tt := range refused {
		t.Run("Err"+tt.name, func(t *testing.T) {
			got, err := v.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token as %+v, want %s", got, tt.code)
			}
			wantCode(t, err, tt.code)
			// A refusal is not cached: asking again gives the same answer.
			_, err = v.Verify(tt.token)
			wantCode(t, err, tt.code)
		})
	}
}

// signedPayloadOf returns the payload segment of a valid-looking token from
// another key, to splice into a token of the trusted key.
func signedPayloadOf(tb testing.TB, key *auth.SigningKey) string {
	tb.Helper()
	tok := signClaims(tb, key, withClaims(map[string]any{"scp": auth.ScopeReadWrite + " Directory.ReadWrite.All"}))
	return strings.Split(tok, ".")[1]
}

func TestVerifier_Cache(t *testing.T) {
	key := MustSigningKey(t)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	v := auth.NewVerifier(key, testBase, clock)
	tok := MustIssue(t, key, testBase, auth.TokenRequest{Tenant: tenantA, Scopes: []string{auth.ScopeRead},
		TTL: 10 * time.Minute}, t0)

	first, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}

	t.Run("SamePrincipal", func(t *testing.T) {
		advance(5 * time.Minute)
		again, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if again != first {
			t.Errorf("second Verify returned a new principal %p, want the cached %p", again, first)
		}
	})

	t.Run("ConcurrentCallers", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := v.Verify(tok)
				if err == nil && p.Tenant != tenantA {
					err = errors.New("wrong tenant " + p.Tenant)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Verify: %v", err)
			}
		}
	})

	t.Run("ErrExpiredAfterCaching", func(t *testing.T) {
		// exp is t0+10m; with a minute of skew the token dies after t0+11m.
		advance(6*time.Minute + time.Second)
		p, err := v.Verify(tok)
		if err == nil {
			t.Fatalf("Verify of an expired cached token gave %+v, want InvalidAuthenticationToken", p)
		}
		wantCode(t, err, temgraph.EUnauthorized)
	})

	t.Run("ErrExpiredNeverCached", func(t *testing.T) {
		fresh := auth.NewVerifier(key, testBase, clock)
		if _, err := fresh.Verify(tok); err == nil {
			t.Fatalf("a new verifier accepted the expired token")
		}
	})
}
