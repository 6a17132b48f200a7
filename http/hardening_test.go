package http

import (
	"encoding/json"
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
		// A bad escape must not drop the $filter and list everything.
		{"BadPercentEscape", coll + "?$filter=contains(displayName,'50%')", 400, temgraph.EBadRequest},
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

// TestServer_SemicolonInQuery checks that ';' is part of an option's value,
// as OData reads it, and never separates options.
func TestServer_SemicolonInQuery(t *testing.T) {
	env := mustBatchEnv(t, nil)
	id := env.mustSeedPartner(t, "AT;T")
	env.mustSeedPartner(t, "AT")
	coll := "/beta/deviceManagement/telecomExpenseManagementPartners"
	for _, q := range []string{
		"?$filter=displayName%20eq%20'AT;T'",
		"?$filter=displayName%20eq%20'AT;T'&$format=application/json;odata.metadata=minimal",
	} {
		resp, body := sendRequest(t, "GET", env.url+coll+q, env.read, "")
		var page struct{ Value []struct{ ID string } }
		if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status=%d body %s", q, resp.StatusCode, body)
		}
		if len(page.Value) != 1 || page.Value[0].ID != id {
			t.Errorf("GET %s: %+v, want only the partner named AT;T", q, page.Value)
		}
	}
	// A ';' does not start a new option: this $filter is one malformed
	// expression, not "enabled eq false" plus $top=1.
	resp, body := sendRequest(t, "GET", env.url+coll+"?$filter=enabled%20eq%20false;$top=1", env.read, "")
	checkRouteGraphError(t, resp, body, http.StatusBadRequest, temgraph.EBadRequest)
}
