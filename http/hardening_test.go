package http

import (
	"io"
	"net/http"
	"testing"

	"github.com/temgraph/temgraph"
)

// TestServer_HostileRequests checks inputs that a lenient parser would
// silently reinterpret: each must be refused, not served as something else.
func TestServer_HostileRequests(t *testing.T) {
	env := mustBatchEnv(t, nil)
	id := env.mustSeedPartner(t, "Alpha")
	coll := env.url + "/beta/deviceManagement/telecomExpenseManagementPartners"
	tests := []struct {
		name   string
		url    string
		status int
		code   string
	}{
		// A bad escape or a ';' must not drop the $filter and list everything.
		{"BadPercentEscape", coll + "?$filter=contains(displayName,'50%')", 400, temgraph.EBadRequest},
		{"Semicolon", coll + "?$filter=displayName%20eq%20'AT;T'", 400, temgraph.EBadRequest},
		// Unicode look-alikes are not ASCII letters: the Kelvin sign is not K,
		// the long s is not s.
		{"KelvinSignOption", coll + "?$s%E2%84%AAip=1", 400, temgraph.EBadRequest},
		{"LongSSegment", env.url + "/beta/deviceManagement/telecomExpen%C5%BFeManagementPartners", 400, temgraph.EBadRequest},
		// An encoded slash stays inside its segment.
		{"EncodedSlash", coll + "%2F" + id, 400, temgraph.EBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+env.read)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status=%d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if got := mustGraphError(t, body).Error.Code; got != tt.code {
				t.Errorf("code=%q, want %q", got, tt.code)
			}
		})
	}
}
