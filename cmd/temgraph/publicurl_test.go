package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServe_PublicURL runs the server as if behind a proxy that terminates
// TLS: every link it hands out must use the configured public URL, not
// the scheme and Host the request arrived with.
func TestServe_PublicURL(t *testing.T) {
	const public = "https://tem.example.com"
	m := MustRunMain(t, "", "--public-url", public+"/")
	tok := m.rwToken(t, tenantA)
	m.mustCreate(t, tok, `{"displayName":"One"}`)

	r := call(t, "POST", m.collURL(), tok, []byte(`{"displayName":"Two"}`), nil)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("POST: status=%d; body %s", r.StatusCode, r.Body)
	}
	id := r.JSON(t)["id"].(string)
	if want := public + "/beta" + collPath + "/" + id; r.Header.Get("Location") != want {
		t.Errorf("Location=%q, want %q", r.Header.Get("Location"), want)
	}
	if got := r.JSON(t)["@odata.context"]; got != public+"/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity" {
		t.Errorf("@odata.context=%v, want it on %s", got, public)
	}

	r = call(t, "GET", m.collURL()+"?$top=1", tok, nil, nil)
	page := r.JSON(t)
	next, _ := page["@odata.nextLink"].(string)
	if !strings.HasPrefix(next, public+"/beta"+collPath+"?") {
		t.Fatalf("@odata.nextLink=%q, want it on %s", next, public)
	}
	// The link works once the proxy hands it back to the server.
	r = call(t, "GET", m.URL()+strings.TrimPrefix(next, public), tok, nil, nil)
	if r.StatusCode != http.StatusOK || len(r.JSON(t)["value"].([]any)) != 1 {
		t.Errorf("following the nextLink: status=%d; body %s", r.StatusCode, r.Body)
	}

	r = call(t, "GET", m.URL()+"/.well-known/openid-configuration", "", nil, nil)
	if got := r.JSON(t)["jwks_uri"]; got != public+"/discovery/keys" {
		t.Errorf("jwks_uri=%v, want it on %s", got, public)
	}

	batch := `{"requests":[{"id":"1","method":"GET","url":"/deviceManagement/telecomExpenseManagementPartners/` + id + `"}]}`
	r = call(t, "POST", m.URL()+"/beta/$batch", tok, []byte(batch), nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), `"@odata.context":"`+public+`/beta/$metadata#`) {
		t.Errorf("batch item context not on %s: status=%d; body %s", public, r.StatusCode, r.Body)
	}
}

func TestMain_PublicURLFlag(t *testing.T) {
	for _, bad := range []string{"tem.example.com", "ftp://tem.example.com", "https://", "https://tem.example.com/api",
		"https://u:p@tem.example.com", "https://tem.example.com?x=1", "https://tem.example.com#f",
		"https://tem.example.com/?", "https://tem.example.com?", "https://a\"b", "https://tem.example.com:99999",
		"https://tem.example.com:", "https://:8443"} {
		m := NewMain()
		err := m.ParseFlags([]string{"--public-url", bad}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("--public-url %q: error=%v, want one naming --public-url", bad, err)
		}
	}
	for _, good := range []string{"https://tem.example.com", "http://127.0.0.1:8443/", "https://[::1]:8443", "HTTPS://tem.example.com"} {
		if err := NewMain().ParseFlags([]string{"--public-url", good}, io.Discard); err != nil {
			t.Errorf("--public-url %q: %v", good, err)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"https://tem.example.com/": "https://tem.example.com",
		"HTTPS://Tem.Example.com":  "https://Tem.Example.com",
		"http://[::1]:8443/":       "http://[::1]:8443",
	} {
		if got, err := parsePublicURL(in); got != want || err != nil {
			t.Errorf("parsePublicURL(%q)=%q, %v; want %q", in, got, err, want)
		}
	}
}
