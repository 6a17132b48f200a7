package main

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// mustLoopbackPort returns a loopback port that was free a moment ago, for
// a server whose own URL must be known before it starts.
func mustLoopbackPort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestServe_OIDCDiscovery runs two servers: A with its built-in issuer
// named after its own URL, and B trusting only A, through A's discovery
// document.
func TestServe_OIDCDiscovery(t *testing.T) {
	port := mustLoopbackPort(t)
	base := "http://127.0.0.1:" + port
	a := MustRunMain(t, "", "--addr", "127.0.0.1:"+port, "--issuer", base)
	b := MustRunMain(t, "", "--oidc-discovery", a.URL()+"/.well-known/openid-configuration",
		"--builtin-issuer=off")
	tokA := a.rwToken(t, tenantA)

	t.Run("DiscoveryIssuerMatchesTokens", func(t *testing.T) {
		doc := call(t, "GET", a.URL()+"/.well-known/openid-configuration", "", nil, nil).JSON(t)
		if doc["issuer"] != base+"/{tenantid}/v2.0" || doc["jwks_uri"] != a.URL()+"/discovery/keys" {
			t.Errorf("issuer=%v jwks_uri=%v, want %s/{tenantid}/v2.0 and %s/discovery/keys",
				doc["issuer"], doc["jwks_uri"], base, a.URL())
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(tokA, claims); err != nil {
			t.Fatalf("parse token: %v", err)
		}
		want := strings.ReplaceAll(doc["issuer"].(string), auth.TenantPlaceholder, tenantA)
		if claims["iss"] != want {
			t.Errorf("token iss=%v, want the discovery issuer with its tid: %s", claims["iss"], want)
		}
	})

	t.Run("TokenOfAWorksOnB", func(t *testing.T) {
		created := b.mustCreate(t, tokA, `{"displayName":"Contoso TEM"}`)
		id, _ := created["id"].(string)
		r := call(t, "GET", b.itemURL(id), tokA, nil, nil)
		if r.StatusCode != 200 {
			t.Fatalf("GET on B with A's token: status=%d, want 200; body %s", r.StatusCode, r.Body)
		}
		if got := b.listIDs(t, tokA); len(got) != 1 || got[0] != id {
			t.Errorf("list on B=%v, want [%s]", got, id)
		}
	})

	t.Run("ErrBuiltinIssuerOfBOff", func(t *testing.T) {
		r := call(t, "GET", b.collURL(), b.rwToken(t, tenantA), nil, nil)
		checkGraphError(t, r, 401, temgraph.EUnauthorized)
	})

	t.Run("ErrKeyOfBClaimingA", func(t *testing.T) {
		tok, err := auth.Issue(b.key, base, auth.TokenRequest{Tenant: tenantA,
			Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour}, time.Now())
		if err != nil {
			t.Fatalf("issue: %v", err)
		}
		checkGraphError(t, call(t, "GET", b.collURL(), tok, nil, nil), 401, temgraph.EUnauthorized)
	})

	t.Run("ErrDiscoveryOfBOff", func(t *testing.T) {
		for _, path := range []string{"/.well-known/openid-configuration", "/discovery/keys"} {
			checkGraphError(t, call(t, "GET", b.URL()+path, "", nil, nil), 404, temgraph.ENotFound)
		}
	})

	t.Run("MetricsWithoutToken", func(t *testing.T) {
		r := call(t, "GET", b.URL()+"/metrics", "", nil, nil)
		want := `temgraph_http_requests_total{route="createPartner",method="POST",code="201"} 1`
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), want+"\n") {
			t.Errorf("GET /metrics: status=%d, want 200 with %q; body:\n%s", r.StatusCode, want, r.Body)
		}
	})

	if !strings.Contains(b.logs.String(), "trusting outside token issuer") {
		t.Errorf("B's log lacks the trusted issuer line:\n%s", b.logs.String())
	}
}

func TestMain_OIDCFlags(t *testing.T) {
	down := "http://127.0.0.1:" + mustLoopbackPort(t) + "/.well-known/openid-configuration"
	tests := []struct {
		name    string
		args    []string
		env     string // TEMGRAPH_OIDC_DISCOVERY
		wantErr string // from ParseFlags, else from Run
	}{
		{"ErrBuiltinOffAlone", []string{"--builtin-issuer=off"}, "", "needs --oidc-discovery"},
		{"ErrBuiltinValue", []string{"--builtin-issuer=maybe"}, "", "on or off"},
		{"ErrIssuerDown", []string{"--oidc-discovery", down}, "", "--oidc-discovery: fetch openid configuration"},
		{"ErrIssuerDownFromEnv", []string{"--builtin-issuer", "off"}, down, "--oidc-discovery: fetch openid"},
		{"ErrPlainHTTPElsewhere", []string{"--oidc-discovery", "http://issuer.example/x"}, "", "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("TEMGRAPH_OIDC_DISCOVERY", tt.env)
			}
			m := NewMain()
			m.LogOutput = io.Discard
			args := append([]string{"--addr", "127.0.0.1:0", "--db", t.TempDir() + "/t.db"}, tt.args...)
			err := m.ParseFlags(args, io.Discard)
			if err == nil {
				err = m.Run(context.Background())
				if err == nil {
					m.Close()
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error=%v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
