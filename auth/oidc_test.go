package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// outsideIssuer is an OpenID Connect issuer on a loopback listener: a
// discovery document and a key set the test can change, break and count.
type outsideIssuer struct {
	srv *httptest.Server
	// path is the issuer's identifier after the server URL, with the tenant
	// placeholder, shaped unlike the built-in issuer's on purpose.
	path string

	mu       sync.Mutex
	keys     []auth.JWK
	down     bool
	jwksHits int
}

func mustOutsideIssuer(tb testing.TB, keys ...*auth.SigningKey) *outsideIssuer {
	tb.Helper()
	o := &outsideIssuer{path: "/tenants/" + auth.TenantPlaceholder + "/"}
	o.setKeys(keys...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": o.srv.URL + o.path, "jwks_uri": o.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.jwksHits++
		if o.down {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": o.keys})
	})
	o.srv = httptest.NewServer(mux)
	tb.Cleanup(o.srv.Close)
	return o
}

func (o *outsideIssuer) discoveryURL() string { return o.srv.URL + "/.well-known/openid-configuration" }

// iss is the issuer's iss claim for a tenant.
func (o *outsideIssuer) iss(tid string) string {
	return o.srv.URL + strings.ReplaceAll(o.path, auth.TenantPlaceholder, tid)
}

// setKeys replaces the published key set.
func (o *outsideIssuer) setKeys(keys ...*auth.SigningKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.keys = o.keys[:0]
	for _, k := range keys {
		o.keys = append(o.keys, k.PublicJWK())
	}
}

// setDown makes the key set answer 503 (true) or serve again (false).
func (o *outsideIssuer) setDown(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = down
}

// hits counts the key-set fetches so far.
func (o *outsideIssuer) hits() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.jwksHits
}

// outsideClaims are a valid delegated ReadWrite token's claims from iss at t0.
func outsideClaims(iss, tid string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": iss, "aud": auth.GraphAudience, "tid": tid, "oid": testOID, "azp": testAppID,
		"scp": auth.ScopeReadWrite, "iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix(),
	}
}

// testClock is a settable clock safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// mustTrust makes v trust o, failing the test otherwise.
func mustTrust(tb testing.TB, ctx context.Context, v *auth.Verifier, o *outsideIssuer, opts auth.TrustOptions) {
	tb.Helper()
	if err := v.Trust(ctx, o.discoveryURL(), opts); err != nil {
		tb.Fatalf("Trust(%s): %v", o.discoveryURL(), err)
	}
}

func TestVerifier_Trust(t *testing.T) {
	builtin := MustSigningKey(t)
	outside := MustOtherKey(t, "outside-1")
	o := mustOutsideIssuer(t, outside)
	clock := &testClock{now: t0.Add(time.Minute)}
	v := auth.NewVerifier(builtin, testBase, clock.Now)
	mustTrust(t, t.Context(), v, o, auth.TrustOptions{})

	with := func(edits map[string]any) jwt.MapClaims {
		c := outsideClaims(o.iss(tenantA), tenantA)
		for k, val := range edits {
			c[k] = val
		}
		return c
	}
	tenantB := "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

	ok := []struct {
		name, token, tenant string
	}{
		{"Outside", signClaims(t, outside, with(nil)), tenantA},
		{"OutsideOtherTenant", signClaims(t, outside, with(map[string]any{
			"tid": tenantB, "iss": o.iss(tenantB)})), tenantB},
		{"OutsideUpperCaseTenant", signClaims(t, outside, with(map[string]any{
			"tid": strings.ToUpper(tenantA)})), tenantA},
		{"BuiltinStillTrusted", MustIssue(t, builtin, testBase, auth.TokenRequest{Tenant: tenantA,
			Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour}, t0), tenantA},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if p.Tenant != tt.tenant || !p.CanWrite() {
				t.Errorf("principal=%+v, want tenant %s with ReadWrite", p, tt.tenant)
			}
		})
	}

	stranger := MustOtherKey(t, outside.KeyID)
	builtinKid := &auth.SigningKey{Private: outside.Private, KeyID: builtin.KeyID}
	refused := []struct {
		name, token, code string
	}{
		{"ErrWrongKeySameKid", signClaims(t, stranger, with(nil)), temgraph.EUnauthorized},
		{"ErrIssuerOfOtherTenant", signClaims(t, outside, with(map[string]any{"iss": o.iss(tenantB)})),
			temgraph.EUnauthorized},
		{"ErrUnknownIssuer", signClaims(t, outside, with(map[string]any{
			"iss": "https://other.localhost/" + tenantA + "/"})), temgraph.EUnauthorized},
		// Each issuer's keys vouch only for its own tokens.
		{"ErrBuiltinKeyOutsideIss", signClaims(t, builtin, with(nil)), temgraph.EUnauthorized},
		{"ErrOutsideKeyBuiltinIss", signClaims(t, builtinKid, with(map[string]any{
			"iss": auth.IssuerFor(testBase, tenantA)})), temgraph.EUnauthorized},
		{"ErrOutsideKeyBuiltinIssOwnKid", signClaims(t, outside, with(map[string]any{
			"iss": auth.IssuerFor(testBase, tenantA)})), temgraph.EUnauthorized},
		{"ErrWrongAudience", signClaims(t, outside, with(map[string]any{"aud": "api://other"})),
			temgraph.EUnauthorized},
		{"ErrExpired", signClaims(t, outside, with(map[string]any{"exp": t0.Add(-time.Hour).Unix()})),
			temgraph.EUnauthorized},
		{"ErrTidNotGUID", signClaims(t, outside, with(map[string]any{"tid": "contoso", "iss": o.iss("contoso")})),
			temgraph.EUnauthorized},
		{"ErrPersonalAccount", signClaims(t, outside, with(map[string]any{
			"tid": auth.PersonalTenant, "iss": o.iss(auth.PersonalTenant)})), temgraph.EForbidden},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token as %+v, want %s", p, tt.code)
			}
			wantCode(t, err, tt.code)
		})
	}

	t.Run("ErrHS256WithOutsideKey", func(t *testing.T) {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, with(nil))
		tok.Header["kid"] = outside.KeyID
		s, err := tok.SignedString([]byte(o.srv.URL))
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		_, err = v.Verify(s)
		wantCode(t, err, temgraph.EUnauthorized)
	})
}

func TestVerifier_Trust_BuiltinOff(t *testing.T) {
	builtin := MustSigningKey(t)
	outside := MustOtherKey(t, "outside-1")
	o := mustOutsideIssuer(t, outside)
	clock := &testClock{now: t0.Add(time.Minute)}
	v := auth.NewVerifier(nil, "", clock.Now)

	tok := signClaims(t, outside, outsideClaims(o.iss(tenantA), tenantA))
	if _, err := v.Verify(tok); err == nil {
		t.Fatalf("a verifier that trusts nobody accepted a token")
	}
	mustTrust(t, t.Context(), v, o, auth.TrustOptions{})
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("Verify of the outside token: %v", err)
	}
	_, err := v.Verify(MustIssue(t, builtin, testBase, auth.TokenRequest{Tenant: tenantA, TTL: time.Hour}, t0))
	wantCode(t, err, temgraph.EUnauthorized)
}

func TestVerifier_Trust_Rotation(t *testing.T) {
	first := MustOtherKey(t, "first")
	second := MustOtherKey(t, "second")
	third := MustOtherKey(t, "third")
	o := mustOutsideIssuer(t, first)
	clock := &testClock{now: t0.Add(time.Minute)}
	v := auth.NewVerifier(nil, "", clock.Now)
	mustTrust(t, t.Context(), v, o, auth.TrustOptions{})
	if got := o.hits(); got != 1 {
		t.Fatalf("key-set fetches after Trust=%d, want 1", got)
	}
	claims := func(n int) jwt.MapClaims {
		c := outsideClaims(o.iss(tenantA), tenantA)
		c["oid"] = strings.Repeat("1", n) // a distinct token each time: no cache hit
		return c
	}

	// The issuer rotates: it publishes a second key and stops using the first.
	o.setKeys(second)
	clock.Advance(10 * time.Second)
	if _, err := v.Verify(signClaims(t, second, claims(1))); err == nil {
		t.Fatalf("a new key was accepted before any refresh")
	}
	if got := o.hits(); got != 1 {
		t.Errorf("key-set fetches within 30 s of the last=%d, want 1", got)
	}

	clock.Advance(25 * time.Second)
	if _, err := v.Verify(signClaims(t, second, claims(2))); err != nil {
		t.Fatalf("Verify with the rotated key after 35 s: %v", err)
	}
	if got := o.hits(); got != 2 {
		t.Errorf("key-set fetches=%d, want 2", got)
	}
	_, err := v.Verify(signClaims(t, first, claims(3)))
	wantCode(t, err, temgraph.EUnauthorized)

	// An unknown kid right after a fetch does not fetch again.
	o.setKeys(second, third)
	_, err = v.Verify(signClaims(t, third, claims(4)))
	wantCode(t, err, temgraph.EUnauthorized)
	if got := o.hits(); got != 2 {
		t.Errorf("key-set fetches after an unknown kid within 30 s=%d, want 2", got)
	}
}

func TestVerifier_Trust_IssuerDown(t *testing.T) {
	first := MustOtherKey(t, "first")
	second := MustOtherKey(t, "second")
	o := mustOutsideIssuer(t, first)
	clock := &testClock{now: t0.Add(time.Minute)}
	var logs syncLog
	v := auth.NewVerifier(nil, "", clock.Now)
	mustTrust(t, t.Context(), v, o, auth.TrustOptions{Refresh: 20 * time.Millisecond, Logger: logs.logger()})

	o.setDown(true)
	clock.Advance(time.Minute)
	_, err := v.Verify(signClaims(t, second, outsideClaims(o.iss(tenantA), tenantA)))
	wantCode(t, err, temgraph.EUnauthorized)

	// Let periodic refreshes fail too, then check that the old key works.
	waitFor(t, "two failed periodic refreshes", func() bool { return logs.count("reason=periodic") >= 2 })
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "status 503") {
		t.Errorf("log=%q, want Warn lines naming status 503", logs.String())
	}
	if _, err := v.Verify(signClaims(t, first, outsideClaims(o.iss(tenantA), tenantA))); err != nil {
		t.Fatalf("Verify with the key held before the outage: %v", err)
	}

	// Back up with a new key: a periodic refresh installs it.
	o.setKeys(second)
	o.setDown(false)
	waitFor(t, "the new key after recovery", func() bool {
		c := outsideClaims(o.iss(tenantA), tenantA)
		c["jti"] = time.Now().String() // a fresh token: never a cache hit
		_, err := v.Verify(signClaims(t, second, c))
		return err == nil
	})
}

func TestVerifier_Trust_Errors(t *testing.T) {
	good := MustOtherKey(t, "good")
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	weakJWK := (&auth.SigningKey{Private: weak, KeyID: "weak"}).PublicJWK()
	goodJWK := good.PublicJWK()
	noKid, encUse, otherAlg := goodJWK, goodJWK, goodJWK
	noKid.Kid, encUse.Use, otherAlg.Alg = "", "enc", "RS512"
	huge := `{"issuer":"x","jwks_uri":"y","pad":"` + strings.Repeat("a", 1<<20) + `"}`

	var srvURL string
	docs := map[string]string{
		"/notjson":    `<html>`,
		"/noissuer":   `{"jwks_uri":"JWKS/keys/good"}`,
		"/nojwks":     `{"issuer":"https://issuer.localhost/"}`,
		"/big":        huge,
		"/httpjwks":   `{"issuer":"i","jwks_uri":"http://issuer.example/keys"}`,
		"/weak":       `{"issuer":"i","jwks_uri":"JWKS/keys/weak"}`,
		"/nokid":      `{"issuer":"i","jwks_uri":"JWKS/keys/nokid"}`,
		"/enc":        `{"issuer":"i","jwks_uri":"JWKS/keys/enc"}`,
		"/alg":        `{"issuer":"i","jwks_uri":"JWKS/keys/alg"}`,
		"/ok":         `{"issuer":"i","jwks_uri":"JWKS/keys/good"}`,
		"/keys/good":  mustJSON(t, map[string]any{"keys": []auth.JWK{goodJWK}}),
		"/keys/weak":  mustJSON(t, map[string]any{"keys": []auth.JWK{weakJWK}}),
		"/keys/nokid": mustJSON(t, map[string]any{"keys": []auth.JWK{noKid}}),
		"/keys/enc":   mustJSON(t, map[string]any{"keys": []auth.JWK{encUse}}),
		"/keys/alg":   mustJSON(t, map[string]any{"keys": []auth.JWK{otherAlg}}),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect-http":
			http.Redirect(w, r, "http://issuer.example/.well-known/openid-configuration", http.StatusFound)
			return
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		case "/redirect-ok":
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(strings.ReplaceAll(doc, "JWKS", srvURL)))
	}))
	defer srv.Close()
	srvURL = srv.URL

	tests := []struct {
		name, url, want string
	}{
		{"OK", srv.URL + "/ok", ""},
		{"OKAfterRedirect", srv.URL + "/redirect-ok", ""},
		{"ErrNotFound", srv.URL + "/missing", "status 404"},
		{"ErrNotJSON", srv.URL + "/notjson", "decode"},
		{"ErrNoIssuer", srv.URL + "/noissuer", "issuer and jwks_uri are required"},
		{"ErrNoJWKSURI", srv.URL + "/nojwks", "issuer and jwks_uri are required"},
		{"ErrTooLarge", srv.URL + "/big", "larger than"},
		{"ErrPlainHTTPElsewhere", "http://issuer.example/.well-known/openid-configuration", "loopback"},
		{"ErrPlainHTTPJWKS", srv.URL + "/httpjwks", "loopback"},
		{"ErrRedirectLoop", srv.URL + "/loop", "too many redirects"},
		{"ErrRedirectToPlainHTTP", srv.URL + "/redirect-http", "loopback"},
		{"ErrScheme", "ftp://127.0.0.1/x", "https"},
		{"ErrRelative", "/.well-known/openid-configuration", "absolute"},
		{"ErrWeakKey", srv.URL + "/weak", "no RS256 signing key"},
		{"ErrKeyWithoutKid", srv.URL + "/nokid", "no RS256 signing key"},
		{"ErrEncryptionKey", srv.URL + "/enc", "no RS256 signing key"},
		{"ErrOtherAlg", srv.URL + "/alg", "no RS256 signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := auth.NewVerifier(nil, "", nil)
			err := v.Trust(t.Context(), tt.url, auth.TrustOptions{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Trust: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Trust succeeded, want an error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Trust error=%q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// syncLog collects slog text lines from concurrent writers.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *syncLog) count(s string) int { return strings.Count(l.String(), s) }

func (l *syncLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// waitFor polls cond for up to five seconds.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
