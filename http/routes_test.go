package http

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
)

func TestMatch(t *testing.T) {
	item := seg("{version}", segDeviceManagement, segPartners, "{id}")
	count := seg("{version}", segDeviceManagement, segPartners, segCount)
	tests := []struct {
		name    string
		pattern []string
		path    string
		want    pathParams
		ok      bool
	}{
		{"Item", item, "beta/deviceManagement/telecomExpenseManagementPartners/abc", pathParams{"beta", "abc"}, true},
		{"ItemCaseInsensitive", item, "BETA/DEVICEMANAGEMENT/telecomexpensemanagementpartners/ABC",
			pathParams{"beta", "ABC"}, true},
		{"ItemV1", item, "v1.0/deviceManagement/telecomExpenseManagementPartners/x", pathParams{"v1.0", "x"}, true},
		{"ItemTooShort", item, "beta/deviceManagement/telecomExpenseManagementPartners", pathParams{}, false},
		{"ItemTooLong", item, "beta/deviceManagement/telecomExpenseManagementPartners/x/y", pathParams{}, false},
		{"ItemWrongSegment", item, "beta/deviceManagement/managedDevices/x", pathParams{}, false},
		{"ItemIsNotDollar", item, "beta/deviceManagement/telecomExpenseManagementPartners/$count", pathParams{}, false},
		{"ItemEmptyID", item, "beta/deviceManagement/telecomExpenseManagementPartners/", pathParams{}, false},
		{"Count", count, "beta/deviceManagement/telecomExpenseManagementPartners/$count", pathParams{version: "beta"},
			true},
		{"CountCaseInsensitive", count, "beta/deviceManagement/telecomExpenseManagementPartners/$COUNT",
			pathParams{version: "beta"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := match(tt.pattern, strings.Split(tt.path, "/"))
			if ok != tt.ok {
				t.Fatalf("match(%q)=%v, want %v", tt.path, ok, tt.ok)
			}
			if ok && got != tt.want {
				t.Errorf("match(%q)=%+v, want %+v", tt.path, got, tt.want)
			}
		})
	}
}

// routesEnv is a real server on a loopback listener over SQLite in a
// temporary directory, with a ReadWrite token for one tenant.
type routesEnv struct {
	url   string
	token string
}

func mustRoutesEnv(tb testing.TB) *routesEnv {
	tb.Helper()
	env := mustBatchEnv(tb, nil)
	return &routesEnv{url: env.url, token: env.write}
}

// do sends a request with the env's token and returns the response and body.
func (e *routesEnv) do(tb testing.TB, method, path, body string) (*http.Response, []byte) {
	tb.Helper()
	return sendRequest(tb, method, e.url+path, e.token, body)
}

// checkRouteGraphError checks a Graph error response: status, code, a
// message, innerError.request-id equal to the request-id header and an
// innerError.date in Graph's format.
func checkRouteGraphError(tb testing.TB, resp *http.Response, body []byte, status int, code string) string {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status=%d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("Content-Type=%q, want application/json", ct)
	}
	var e graphErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		tb.Fatalf("error body %s: %v", body, err)
	}
	if e.Error.Code != code {
		tb.Errorf("code=%q, want %q", e.Error.Code, code)
	}
	if e.Error.Message == "" {
		tb.Errorf("message is empty")
	}
	if id := resp.Header.Get("request-id"); id == "" || e.Error.InnerError.RequestID != id {
		tb.Errorf("innerError.request-id=%q, want the request-id header %q", e.Error.InnerError.RequestID, id)
	}
	if _, err := time.Parse("2006-01-02T15:04:05", e.Error.InnerError.Date); err != nil {
		tb.Errorf("innerError.date=%q: %v", e.Error.InnerError.Date, err)
	}
	return e.Error.Message
}

func TestServer_Route(t *testing.T) {
	e := mustRoutesEnv(t)
	const coll = "/deviceManagement/telecomExpenseManagementPartners"
	const guid = "47a3b399-b399-47a3-99b3-a34799b3a347"

	t.Run("CaseInsensitivePaths", func(t *testing.T) {
		for _, tt := range []struct{ path, version string }{
			{"/beta" + coll, "beta"},
			{"/BETA/DEVICEMANAGEMENT/TELECOMEXPENSEMANAGEMENTPARTNERS", "beta"},
			{"/beta/devicemanagement/telecomexpensemanagementpartners", "beta"},
			{"/V1.0/deviceManagement/telecomExpenseManagementPartners", "v1.0"},
			{"/beta" + coll + "/", "beta"},
		} {
			resp, body := e.do(t, "GET", tt.path, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status=%d, want 200; body %s", tt.path, resp.StatusCode, body)
			}
			var got struct {
				Context string            `json:"@odata.context"`
				Value   []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET %s: %v", tt.path, err)
			}
			want := e.url + "/" + tt.version + "/$metadata#deviceManagement/telecomExpenseManagementPartners"
			if got.Context != want || got.Value == nil {
				t.Errorf("GET %s: @odata.context=%q value=%v, want %q and an array", tt.path, got.Context, got.Value, want)
			}
		}
	})

	t.Run("Count", func(t *testing.T) {
		for _, path := range []string{"/beta" + coll + "/$count", "/beta" + coll + "/$COUNT"} {
			resp, body := e.do(t, "GET", path, "")
			if resp.StatusCode != http.StatusOK || string(body) != "0" {
				t.Errorf("GET %s: status=%d body=%q, want 200 and 0", path, resp.StatusCode, body)
			}
		}
	})

	// OData's parenthesised key addresses the same partner as the key
	// segment, quoted or not, percent-encoded or not.
	t.Run("ParenthesisedKey", func(t *testing.T) {
		resp, body := e.do(t, "POST", "/beta"+coll, `{"displayName":"Keyed"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST: status=%d; body %s", resp.StatusCode, body)
		}
		var created struct{ ID string }
		if err := json.Unmarshal(body, &created); err != nil {
			t.Fatal(err)
		}
		id := created.ID
		for _, path := range []string{
			"/beta" + coll + "('" + id + "')",
			"/beta" + coll + "(" + strings.ToUpper(id) + ")",
			"/v1.0" + coll + "%28%27" + id + "%27%29",
		} {
			resp, body := e.do(t, "GET", path, "")
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"id":"`+id+`"`) {
				t.Errorf("GET %s: status=%d body %s, want 200 and the partner", path, resp.StatusCode, body)
			}
		}
		path := "/beta" + coll + "('" + id + "')"
		if resp, body := e.do(t, "PATCH", path, `{"displayName":"Renamed"}`); resp.StatusCode != http.StatusOK ||
			!strings.Contains(string(body), `"displayName":"Renamed"`) {
			t.Errorf("PATCH %s: status=%d body %s, want 200 and the new name", path, resp.StatusCode, body)
		}
		if resp, body := e.do(t, "DELETE", path, ""); resp.StatusCode != http.StatusNoContent {
			t.Errorf("DELETE %s: status=%d body %s, want 204", path, resp.StatusCode, body)
		}
		resp, body = e.do(t, "GET", path, "")
		checkRouteGraphError(t, resp, body, http.StatusNotFound, temgraph.ENotFound)
		// A key is never a segment such as $count, and an empty key is no key.
		for _, key := range []string{"('$count')", "($count)", "('')", "()"} {
			resp, body := e.do(t, "GET", "/beta"+coll+key, "")
			checkRouteGraphError(t, resp, body, http.StatusBadRequest, temgraph.EBadRequest)
		}
	})

	t.Run("TooManyQueryParameters", func(t *testing.T) {
		q := strings.Repeat("a=1&", 10000) + "a=1"
		resp, body := e.do(t, "GET", "/beta"+coll+"?"+q, "")
		msg := checkRouteGraphError(t, resp, body, http.StatusBadRequest, temgraph.EBadRequest)
		if !strings.Contains(msg, "10000") {
			t.Errorf("message=%q, want it to name the limit of 10000 parameters", msg)
		}
		// A request at the limit gets a nextLink that can be followed,
		// though the link adds $skiptoken to the request's options.
		for range 2 {
			if resp, body := e.do(t, "POST", "/beta"+coll, `{}`); resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST: status=%d; body %s", resp.StatusCode, body)
			}
		}
		resp, body = e.do(t, "GET", "/beta"+coll+"?"+strings.Repeat("a=1&", 9999)+"$top=1", "")
		var page struct {
			Next string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != http.StatusOK || page.Next == "" {
			t.Fatalf("GET with 10000 parameters: status=%d, nextLink %q", resp.StatusCode, page.Next)
		}
		resp, body = sendRequest(t, "GET", page.Next, e.token, "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("following the nextLink: status=%d; body %.200s", resp.StatusCode, body)
		}
	})

	t.Run("Head", func(t *testing.T) {
		resp, body := e.do(t, "HEAD", "/beta"+coll, "")
		if resp.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD: status=%d body=%q, want 200 and no body", resp.StatusCode, body)
		}
	})

	notAllowed := []struct {
		method, path string
		allow        []string
	}{
		{"PUT", "/beta" + coll + "/" + guid, []string{"DELETE", "GET", "PATCH"}},
		{"POST", "/beta" + coll + "/" + guid, []string{"DELETE", "GET", "PATCH"}},
		{"DELETE", "/beta" + coll, []string{"GET", "POST"}},
		{"PATCH", "/v1.0" + coll, []string{"GET", "POST"}},
		{"PUT", "/BETA" + coll, []string{"GET", "POST"}},
		{"POST", "/beta" + coll + "/$count", []string{"GET"}},
		{"DELETE", "/beta" + coll + "/$count", []string{"GET"}},
		{"OPTIONS", "/beta" + coll, []string{"GET", "POST"}},
	}
	for _, tt := range notAllowed {
		t.Run("MethodNotAllowed/"+tt.method+tt.path, func(t *testing.T) {
			resp, body := e.do(t, tt.method, tt.path, `{}`)
			msg := checkRouteGraphError(t, resp, body, http.StatusMethodNotAllowed, temgraph.EMethodNotAllowed)
			allow := strings.Split(resp.Header.Get("Allow"), ", ")
			slices.Sort(allow)
			if diff := cmp.Diff(tt.allow, allow); diff != "" {
				t.Errorf("Allow mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(msg, tt.method) {
				t.Errorf("message=%q, want it to name the method %s", msg, tt.method)
			}
		})
	}

	unknown := []struct {
		path    string
		status  int
		code    string
		segment string
	}{
		{"/beta/deviceManagement/unknownThing", http.StatusBadRequest, temgraph.EBadRequest, "unknownThing"},
		{"/beta/users", http.StatusBadRequest, temgraph.EBadRequest, "users"},
		{"/beta/deviceManagement", http.StatusBadRequest, temgraph.EBadRequest, "deviceManagement"},
		{"/beta/deviceManagement/telecomExpenseManagementPartners/" + guid + "/extra", http.StatusBadRequest,
			temgraph.EBadRequest, "extra"},
		{"/beta/deviceManagement/telecomExpenseManagementPartners/" + guid + "/extra/more", http.StatusBadRequest,
			temgraph.EBadRequest, "extra"},
		{"/beta/deviceManagement/telecomExpenseManagementPartners//" + guid, http.StatusBadRequest,
			temgraph.EBadRequest, ""},
		{"/beta/deviceManagement/telecomExpenseManagementPartners/./" + guid, http.StatusBadRequest,
			temgraph.EBadRequest, "."},
		{"/beta/deviceManagement/telecomExpenseManagementPartner", http.StatusBadRequest, temgraph.EBadRequest,
			"telecomExpenseManagementPartner"},
		{"/v2.0" + coll, http.StatusNotFound, temgraph.ENotFound, "v2.0"},
		{"/deviceManagement/telecomExpenseManagementPartners", http.StatusNotFound, temgraph.ENotFound,
			"deviceManagement"},
	}
	for _, tt := range unknown {
		t.Run("Unknown"+tt.path, func(t *testing.T) {
			resp, body := e.do(t, "GET", tt.path, "")
			msg := checkRouteGraphError(t, resp, body, tt.status, tt.code)
			if !strings.Contains(msg, "'"+tt.segment+"'") {
				t.Errorf("message=%q, want it to name '%s'", msg, tt.segment)
			}
		})
	}

	t.Run("IDNotGUID", func(t *testing.T) {
		for _, method := range []string{"GET", "PATCH", "DELETE"} {
			resp, body := e.do(t, method, "/beta"+coll+"/partner-1", `{"enabled":true}`)
			checkRouteGraphError(t, resp, body, http.StatusNotFound, temgraph.ENotFound)
		}
	})
}
