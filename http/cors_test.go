package http

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// corsRequest sends a request with the given headers and no token unless
// one is among them.
func corsRequest(tb testing.TB, method, url string, header map[string]string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestServer_CORS(t *testing.T) {
	env := mustBatchEnv(t, nil)
	id := env.mustSeedPartner(t, "Alpha")
	item := env.url + "/beta/deviceManagement/telecomExpenseManagementPartners/" + id
	const page = "http://localhost:3000"

	t.Run("Preflight", func(t *testing.T) {
		resp, body := corsRequest(t, "OPTIONS", item, map[string]string{
			"Origin":                         page,
			"Access-Control-Request-Method":  "PATCH",
			"Access-Control-Request-Headers": "authorization, content-type, if-match, x-custom-thing, X-CUSTOM-THING, cookie",
		})
		if resp.StatusCode != http.StatusNoContent || body != "" {
			t.Fatalf("preflight without a token: status=%d body %q, want 204 and no body", resp.StatusCode, body)
		}
		h := resp.Header
		if h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "PATCH") {
			t.Errorf("preflight headers %v, want any origin and PATCH allowed", h)
		}
		allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		for _, name := range []string{"authorization", "content-type", "if-match", "x-custom-thing"} {
			if strings.Count(allowed, name) != 1 {
				t.Errorf("Access-Control-Allow-Headers=%q does not name %s once", allowed, name)
			}
		}
		if strings.Contains(allowed, "cookie") {
			t.Errorf("Access-Control-Allow-Headers=%q allows Cookie", allowed)
		}
	})

	t.Run("Request", func(t *testing.T) {
		resp, body := corsRequest(t, "GET", item, map[string]string{"Origin": page, "Authorization": "Bearer " + env.read})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, id) {
			t.Fatalf("GET: status=%d body %s", resp.StatusCode, body)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") {
			t.Errorf("answer headers %v, want any origin and ETag exposed", resp.Header)
		}
	})

	t.Run("NoTokenStill401", func(t *testing.T) {
		resp, _ := corsRequest(t, "GET", item, map[string]string{"Origin": page})
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET without a token: status=%d, want 401 readable by the page", resp.StatusCode)
		}
	})

	t.Run("OperatorEndpointsNotShared", func(t *testing.T) {
		for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
			resp, _ := corsRequest(t, "GET", env.url+path, map[string]string{"Origin": page})
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("GET %s with Origin: Access-Control-Allow-Origin=%q, want none",
					path, resp.Header.Get("Access-Control-Allow-Origin"))
			}
			resp, _ = corsRequest(t, "OPTIONS", env.url+path, map[string]string{
				"Origin": page, "Access-Control-Request-Method": "GET"})
			if resp.StatusCode == http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight of %s: status=%d, want no CORS approval", path, resp.StatusCode)
			}
		}
	})

	t.Run("VaryWithoutOrigin", func(t *testing.T) {
		resp, _ := corsRequest(t, "GET", item, map[string]string{"Authorization": "Bearer " + env.read})
		if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
			t.Errorf("answer without Origin: Vary=%q, want Origin in it", resp.Header.Get("Vary"))
		}
	})

	t.Run("NoOriginNoCORS", func(t *testing.T) {
		resp, body := corsRequest(t, "OPTIONS", item, map[string]string{"Authorization": "Bearer " + env.read})
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS without Origin: status=%d headers %v body %s, want the route's 405 and no CORS headers",
				resp.StatusCode, resp.Header, body)
		}
	})
}
