package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// The example of Graph's "Update telecomExpenseManagementPartner" page. The
// page's request has Content-length 248: its lines end in CRLF and the body
// has no final line break.
var (
	seedRequestBody = strings.ReplaceAll(`{
  "@odata.type": "#microsoft.graph.telecomExpenseManagementPartner",
  "displayName": "Display Name value",
  "url": "Url value",
  "appAuthorized": true,
  "enabled": true,
  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"
}`, "\n", "\r\n")

	seedResponseBody = `{
  "@odata.type": "#microsoft.graph.telecomExpenseManagementPartner",
  "id": "47a3b399-b399-47a3-99b3-a34799b3a347",
  "displayName": "Display Name value",
  "url": "Url value",
  "appAuthorized": true,
  "enabled": true,
  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"
}`
)

// odataContentType is the Content-Type of every successful payload.
const odataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;" +
	"IEEE754Compatible=false;charset=utf-8"

// collURL and itemURL build partner URLs under the beta root.
func (m *testMain) collURL() string { return m.URL() + "/beta" + collPath }

func (m *testMain) itemURL(id string) string { return m.collURL() + "/" + id }

// mustCreate posts a partner and returns the created entity.
func (m *testMain) mustCreate(tb testing.TB, token, body string) map[string]any {
	tb.Helper()
	r := call(tb, "POST", m.collURL(), token, []byte(body), nil)
	if r.StatusCode != http.StatusCreated {
		tb.Fatalf("POST %s: status=%d, want 201; body %s", body, r.StatusCode, r.Body)
	}
	return r.JSON(tb)
}

// mustGetRaw returns the body of a successful GET of one partner.
func (m *testMain) mustGetRaw(tb testing.TB, token, id string) []byte {
	tb.Helper()
	r := call(tb, "GET", m.itemURL(id), token, nil, nil)
	if r.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status=%d, want 200; body %s", id, r.StatusCode, r.Body)
	}
	return r.Body
}

// listIDs returns the ids of the tenant's partners in a list response.
func (m *testMain) listIDs(tb testing.TB, token string) []string {
	tb.Helper()
	r := call(tb, "GET", m.collURL(), token, nil, nil)
	if r.StatusCode != http.StatusOK {
		tb.Fatalf("GET list: status=%d; body %s", r.StatusCode, r.Body)
	}
	var page struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		tb.Fatalf("list body %s: %v", r.Body, err)
	}
	ids := []string{}
	for _, p := range page.Value {
		ids = append(ids, p.ID)
	}
	return ids
}

// count returns the body of GET .../$count.
func (m *testMain) count(tb testing.TB, token string) string {
	tb.Helper()
	r := call(tb, "GET", m.collURL()+"/$count", token, nil, nil)
	if r.StatusCode != http.StatusOK {
		tb.Fatalf("GET $count: status=%d; body %s", r.StatusCode, r.Body)
	}
	return string(r.Body)
}

// checkODataHeaders checks the headers every successful payload carries.
func checkODataHeaders(tb testing.TB, r *reply) {
	tb.Helper()
	if ct := r.Header.Get("Content-Type"); ct != odataContentType {
		tb.Errorf("Content-Type=%q, want %q", ct, odataContentType)
	}
	if v := r.Header.Get("OData-Version"); v != "4.0" {
		tb.Errorf("OData-Version=%q, want 4.0", v)
	}
	id := r.Header.Get("request-id")
	if !temgraph.IsGUID(id) {
		tb.Errorf("request-id=%q, want a GUID", id)
	}
	want := r.Request.Header.Get("client-request-id")
	if want == "" {
		want = id
	}
	if got := r.Header.Get("client-request-id"); got != want {
		tb.Errorf("client-request-id=%q, want %q", got, want)
	}
}

func TestServe_SeedExample(t *testing.T) {
	if len(seedRequestBody) != 248 {
		t.Fatalf("seed body is %d bytes, want the page's Content-length 248", len(seedRequestBody))
	}
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{"displayName":"Before"}`)["id"].(string)

	const cid = "7f1c3c3e-5b9a-4a8f-9c1e-2f0b6d1e7a11"
	r := call(t, "PATCH", m.itemURL(id), tok, []byte(seedRequestBody), map[string]string{
		"Content-type": "application/json", "Accept": "application/json", "client-request-id": cid,
	})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("PATCH status=%d, want 200; body %s", r.StatusCode, r.Body)
	}
	checkODataHeaders(t, r)
	if got := r.Header.Get("client-request-id"); got != cid {
		t.Errorf("client-request-id=%q, want the client's %q", got, cid)
	}
	got := r.JSON(t)

	var want map[string]any
	if err := json.Unmarshal([]byte(seedResponseBody), &want); err != nil {
		t.Fatalf("page response: %v", err)
	}
	want["id"] = id
	want["lastConnectionDateTime"] = "2017-01-01T07:58:36.6670033Z" // the page's instant, in UTC
	want["@odata.context"] = m.URL() + "/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"
	etag, _ := got["@odata.etag"].(string)
	want["@odata.etag"] = etag
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PATCH response mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(etag, `W/"`) || r.Header.Get("ETag") != etag {
		t.Errorf("@odata.etag=%q ETag header=%q, want the same weak tag", etag, r.Header.Get("ETag"))
	}

	// The page's offset is the same instant as the stored UTC value.
	pageTime, err := time.Parse(time.RFC3339Nano, "2016-12-31T23:58:36.6670033-08:00")
	if err != nil {
		t.Fatal(err)
	}
	gotTime, err := time.Parse(time.RFC3339Nano, got["lastConnectionDateTime"].(string))
	if err != nil || !gotTime.Equal(pageTime) {
		t.Errorf("lastConnectionDateTime=%v (%v), want the instant %v", gotTime, err, pageTime)
	}

	t.Run("GetAfterwards", func(t *testing.T) {
		var after map[string]any
		if err := json.Unmarshal(m.mustGetRaw(t, tok, id), &after); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, after); diff != "" {
			t.Errorf("GET after PATCH mismatch (-patch +get):\n%s", diff)
		}
	})

	t.Run("ClientRequestIDAbsent", func(t *testing.T) {
		r := call(t, "GET", m.itemURL(id), tok, nil, nil)
		checkODataHeaders(t, r)
		if r.Header.Get("client-request-id") != r.Header.Get("request-id") {
			t.Errorf("client-request-id=%q, want the request id %q", r.Header.Get("client-request-id"),
				r.Header.Get("request-id"))
		}
	})

	t.Run("ContextUsesRequestHost", func(t *testing.T) {
		r := call(t, "GET", m.itemURL(id), tok, nil, map[string]string{"Host": "graph.temgraph.localhost:8443"})
		want := "http://graph.temgraph.localhost:8443/beta/$metadata#deviceManagement/" +
			"telecomExpenseManagementPartners/$entity"
		if got := r.JSON(t)["@odata.context"]; got != want {
			t.Errorf("@odata.context=%v, want %q", got, want)
		}
	})

	t.Run("V1", func(t *testing.T) {
		r := call(t, "PATCH", m.URL()+"/v1.0"+collPath+"/"+id, tok, []byte(seedRequestBody), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("PATCH v1.0 status=%d, want 200; body %s", r.StatusCode, r.Body)
		}
		want := m.URL() + "/v1.0/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"
		if got := r.JSON(t)["@odata.context"]; got != want {
			t.Errorf("@odata.context=%v, want %q", got, want)
		}
	})
}

func TestServe_Create(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)

	t.Run("OK", func(t *testing.T) {
		r := call(t, "POST", m.collURL(), tok, []byte(seedRequestBody), nil)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("status=%d, want 201; body %s", r.StatusCode, r.Body)
		}
		checkODataHeaders(t, r)
		got := r.JSON(t)
		id, _ := got["id"].(string)
		if !temgraph.IsGUID(id) || id != strings.ToLower(id) {
			t.Fatalf("id=%q, want a lower-case GUID", id)
		}
		if loc := r.Header.Get("Location"); loc != m.itemURL(id) {
			t.Errorf("Location=%q, want %q", loc, m.itemURL(id))
		}
		if etag := r.Header.Get("ETag"); etag == "" || etag != got["@odata.etag"] {
			t.Errorf("ETag=%q, want @odata.etag %v", etag, got["@odata.etag"])
		}
		if got["lastConnectionDateTime"] != "2017-01-01T07:58:36.6670033Z" || got["displayName"] != "Display Name value" {
			t.Errorf("created entity %v, want the seed's values", got)
		}
		var stored map[string]any
		if err := json.Unmarshal(m.mustGetRaw(t, tok, id), &stored); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, stored); diff != "" {
			t.Errorf("GET after POST mismatch (-post +get):\n%s", diff)
		}
	})

	t.Run("Defaults", func(t *testing.T) {
		got := m.mustCreate(t, tok, `{}`)
		want := map[string]any{"displayName": nil, "url": nil, "appAuthorized": false, "enabled": false,
			"lastConnectionDateTime": "0001-01-01T00:00:00Z", "@odata.type": temgraph.ODataType}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s=%v, want %v", k, got[k], v)
			}
		}
	})

	t.Run("ClientID", func(t *testing.T) {
		const upper = "C0FFEE00-1234-4ABC-8DEF-0123456789AB"
		got := m.mustCreate(t, tok, `{"id":"`+upper+`","displayName":"Imported"}`)
		if got["id"] != strings.ToLower(upper) {
			t.Errorf("id=%v, want %q", got["id"], strings.ToLower(upper))
		}
		// Ids compare without regard to case.
		r := call(t, "GET", m.itemURL(upper), tok, nil, nil)
		if r.StatusCode != http.StatusOK || r.JSON(t)["displayName"] != "Imported" {
			t.Errorf("GET by upper-case id: status=%d body %s", r.StatusCode, r.Body)
		}

		before := m.mustGetRaw(t, tok, upper)
		r = call(t, "POST", m.collURL(), tok, []byte(`{"id":"`+strings.ToLower(upper)+`","displayName":"Again"}`), nil)
		checkGraphError(t, r, http.StatusConflict, temgraph.EConflict)
		if after := m.mustGetRaw(t, tok, upper); !bytes.Equal(before, after) {
			t.Errorf("duplicate POST changed the partner:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("ErrIDNotGUID", func(t *testing.T) {
		n := len(m.listIDs(t, tok))
		r := call(t, "POST", m.collURL(), tok, []byte(`{"id":"partner-1"}`), nil)
		if msg := checkGraphError(t, r, http.StatusBadRequest, temgraph.EBadRequest); !strings.Contains(msg, "'id'") {
			t.Errorf("message=%q, want it to name 'id'", msg)
		}
		if got := len(m.listIDs(t, tok)); got != n {
			t.Errorf("partners=%d after a refused POST, want %d", got, n)
		}
	})

	t.Run("PreferMinimal", func(t *testing.T) {
		r := call(t, "POST", m.collURL(), tok, []byte(`{"displayName":"Minimal"}`),
			map[string]string{"Prefer": "return=minimal"})
		if r.StatusCode != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("status=%d body %q, want 204 and no body", r.StatusCode, r.Body)
		}
		if got := r.Header.Get("Preference-Applied"); got != "return=minimal" {
			t.Errorf("Preference-Applied=%q, want return=minimal", got)
		}
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, m.collURL()+"/") {
			t.Fatalf("Location=%q, want an item of %s", loc, m.collURL())
		}
		g := call(t, "GET", loc, tok, nil, nil)
		if g.StatusCode != http.StatusOK || g.JSON(t)["displayName"] != "Minimal" {
			t.Errorf("GET Location: status=%d body %s", g.StatusCode, g.Body)
		}
	})
}

func TestServe_GetListDelete(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	a := m.mustCreate(t, tok, `{"displayName":"A"}`)["id"].(string)
	b := m.mustCreate(t, tok, `{"displayName":"B"}`)["id"].(string)

	t.Run("Get", func(t *testing.T) {
		r := call(t, "GET", m.itemURL(a), tok, nil, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("status=%d; body %s", r.StatusCode, r.Body)
		}
		checkODataHeaders(t, r)
		got := r.JSON(t)
		if got["id"] != a || got["displayName"] != "A" || got["@odata.type"] != temgraph.ODataType {
			t.Errorf("GET=%v, want partner A", got)
		}
		if r.Header.Get("ETag") != got["@odata.etag"] {
			t.Errorf("ETag=%q, want %v", r.Header.Get("ETag"), got["@odata.etag"])
		}
	})

	t.Run("List", func(t *testing.T) {
		r := call(t, "GET", m.collURL(), tok, nil, nil)
		checkODataHeaders(t, r)
		got := r.JSON(t)
		want := m.URL() + "/beta/$metadata#deviceManagement/telecomExpenseManagementPartners"
		if got["@odata.context"] != want {
			t.Errorf("@odata.context=%v, want %q", got["@odata.context"], want)
		}
		ids := m.listIDs(t, tok)
		if diff := cmp.Diff([]string{a, b}, ids, sortStrings); diff != "" {
			t.Errorf("list ids mismatch (-want +got):\n%s", diff)
		}
		if got := m.count(t, tok); got != "2" {
			t.Errorf("$count=%q, want 2", got)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		r := call(t, "DELETE", m.itemURL(a), tok, nil, nil)
		if r.StatusCode != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("DELETE status=%d body %q, want 204 and no body", r.StatusCode, r.Body)
		}
		if r.Header.Get("request-id") == "" {
			t.Errorf("DELETE response has no request-id")
		}
		for _, method := range []string{"GET", "DELETE"} {
			r := call(t, method, m.itemURL(a), tok, nil, nil)
			checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
		}
		r = call(t, "PATCH", m.itemURL(a), tok, []byte(`{"enabled":true}`), nil)
		checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
		if diff := cmp.Diff([]string{b}, m.listIDs(t, tok)); diff != "" {
			t.Errorf("list after delete mismatch (-want +got):\n%s", diff)
		}
		if got := m.count(t, tok); got != "1" {
			t.Errorf("$count=%q, want 1", got)
		}
	})
}

// sortStrings compares string slices without regard to order.
var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	return slices.Sorted(slices.Values(in))
})

func TestServe_Update(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{"displayName":"Before","url":"https://before.example","enabled":true}`)["id"].(string)

	t.Run("MergesPresentProperties", func(t *testing.T) {
		before := m.mustGetRaw(t, tok, id)
		r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"url":null,"appAuthorized":true}`), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("status=%d; body %s", r.StatusCode, r.Body)
		}
		got := r.JSON(t)
		if got["displayName"] != "Before" || got["url"] != nil || got["appAuthorized"] != true || got["enabled"] != true {
			t.Errorf("PATCH result %v, want displayName kept, url null, appAuthorized true, enabled kept", got)
		}
		old := mustObject(t, before)
		if got["@odata.etag"] == old["@odata.etag"] {
			t.Errorf("@odata.etag unchanged by PATCH: %v", got["@odata.etag"])
		}
	})

	t.Run("ErrMissingIDNeverUpserts", func(t *testing.T) {
		missing := temgraph.NewGUID()
		r := call(t, "PATCH", m.itemURL(missing), tok, []byte(`{"displayName":"Ghost"}`), nil)
		checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
		r = call(t, "GET", m.itemURL(missing), tok, nil, nil)
		checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
		if got := m.count(t, tok); got != "1" {
			t.Errorf("$count=%q after PATCH of a missing id, want 1", got)
		}
	})

	t.Run("PreferMinimal", func(t *testing.T) {
		r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"displayName":"Minimal"}`),
			map[string]string{"Prefer": "odata.include-annotations=\"*\", return=minimal"})
		if r.StatusCode != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("status=%d body %q, want 204 and no body", r.StatusCode, r.Body)
		}
		if got := r.Header.Get("Preference-Applied"); got != "return=minimal" {
			t.Errorf("Preference-Applied=%q, want return=minimal", got)
		}
		stored := mustObject(t, m.mustGetRaw(t, tok, id))
		if stored["displayName"] != "Minimal" {
			t.Errorf("displayName=%v after minimal PATCH, want Minimal", stored["displayName"])
		}
		if r.Header.Get("ETag") != stored["@odata.etag"] {
			t.Errorf("ETag=%q, want the stored tag %v", r.Header.Get("ETag"), stored["@odata.etag"])
		}
	})

	t.Run("PreferMinimalForms", func(t *testing.T) {
		// RFC 7240 allows spaces around "=", a quoted value and
		// parameters after ";".
		for _, prefer := range []string{`return = minimal`, `return="minimal"`, `RETURN=Minimal; x=1`} {
			r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"displayName":"Minimal"}`),
				map[string]string{"Prefer": prefer})
			if r.StatusCode != http.StatusNoContent || r.Header.Get("Preference-Applied") != "return=minimal" {
				t.Errorf("Prefer: %s: status=%d Preference-Applied=%q, want 204 and return=minimal",
					prefer, r.StatusCode, r.Header.Get("Preference-Applied"))
			}
		}
		for _, prefer := range []string{`return=representation`, `return-minimal`, `xreturn=minimal`,
			`return=representation, return=minimal`} {
			r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"displayName":"Full"}`),
				map[string]string{"Prefer": prefer})
			if r.StatusCode != http.StatusOK {
				t.Errorf("Prefer: %s: status=%d, want 200 with the partner", prefer, r.StatusCode)
			}
		}
	})

	t.Run("CaseInsensitivePath", func(t *testing.T) {
		url := m.URL() + "/BETA/devicemanagement/TELECOMEXPENSEMANAGEMENTPARTNERS/" + strings.ToUpper(id)
		r := call(t, "PATCH", url, tok, []byte(`{"enabled":false}`), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("status=%d; body %s", r.StatusCode, r.Body)
		}
		got := r.JSON(t)
		want := m.URL() + "/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"
		if got["@odata.context"] != want || got["id"] != id || got["enabled"] != false {
			t.Errorf("PATCH via upper-case path gave %v, want canonical context %q, id %s", got, want, id)
		}
		r = call(t, "GET", m.URL()+"/BETA/devicemanagement/TELECOMEXPENSEMANAGEMENTPARTNERS", tok, nil, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET list via upper-case path: status=%d", r.StatusCode)
		}
	})

	t.Run("IfMatch", func(t *testing.T) {
		etag := func() string {
			return mustObject(t, m.mustGetRaw(t, tok, id))["@odata.etag"].(string)
		}
		r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"url":"a"}`), map[string]string{"If-Match": etag()})
		if r.StatusCode != http.StatusOK {
			t.Errorf("If-Match with the current tag: status=%d, want 200; body %s", r.StatusCode, r.Body)
		}
		r = call(t, "PATCH", m.itemURL(id), tok, []byte(`{"url":"b"}`), map[string]string{"If-Match": "*"})
		if r.StatusCode != http.StatusOK {
			t.Errorf("If-Match *: status=%d, want 200; body %s", r.StatusCode, r.Body)
		}

		before := m.mustGetRaw(t, tok, id)
		for _, stale := range []string{`W/"0000"`, `"0000"`, `W/""`} {
			r = call(t, "PATCH", m.itemURL(id), tok, []byte(`{"url":"c"}`), map[string]string{"If-Match": stale})
			checkGraphError(t, r, http.StatusPreconditionFailed, temgraph.EPreconditionFailed)
			r = call(t, "DELETE", m.itemURL(id), tok, nil, map[string]string{"If-Match": stale})
			checkGraphError(t, r, http.StatusPreconditionFailed, temgraph.EPreconditionFailed)
		}
		if after := m.mustGetRaw(t, tok, id); !bytes.Equal(before, after) {
			t.Errorf("PATCH with a stale If-Match changed the partner:\nbefore %s\nafter  %s", before, after)
		}

		// If-Match is a list of entity tags (RFC 9110, 13.1.1); one that
		// names the current tag matches.
		list := `W/"0000", ` + etag()
		r = call(t, "PATCH", m.itemURL(id), tok, []byte(`{"url":"d"}`), map[string]string{"If-Match": list})
		if r.StatusCode != http.StatusOK {
			t.Errorf("If-Match %s: status=%d, want 200; body %s", list, r.StatusCode, r.Body)
		}
	})

	t.Run("IDInBody", func(t *testing.T) {
		r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"id":"`+strings.ToUpper(id)+`","url":"u"}`), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("PATCH with its own id: status=%d; body %s", r.StatusCode, r.Body)
		}
		before := m.mustGetRaw(t, tok, id)
		r = call(t, "PATCH", m.itemURL(id), tok, []byte(`{"id":"`+temgraph.NewGUID()+`","url":"v"}`), nil)
		if msg := checkGraphError(t, r, http.StatusBadRequest, temgraph.EBadRequest); !strings.Contains(msg, "id") {
			t.Errorf("message=%q, want it to name the id", msg)
		}
		if after := m.mustGetRaw(t, tok, id); !bytes.Equal(before, after) {
			t.Errorf("PATCH with another id changed the partner:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestServe_Routes(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{}`)["id"].(string)

	tests := []struct {
		method, url string
		allow       string
	}{
		{"PUT", m.itemURL(id), "GET, PATCH, DELETE"},
		{"DELETE", m.collURL(), "GET, POST"},
		{"PUT", m.collURL(), "GET, POST"},
	}
	for _, tt := range tests {
		t.Run("MethodNotAllowed/"+tt.method, func(t *testing.T) {
			before := m.mustGetRaw(t, tok, id)
			r := call(t, tt.method, tt.url, tok, []byte(`{"displayName":"Replaced"}`), nil)
			checkGraphError(t, r, http.StatusMethodNotAllowed, temgraph.EMethodNotAllowed)
			if got := r.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow=%q, want %q", got, tt.allow)
			}
			if after := m.mustGetRaw(t, tok, id); !bytes.Equal(before, after) {
				t.Errorf("%s changed the partner", tt.method)
			}
		})
	}

	t.Run("UnknownSegment", func(t *testing.T) {
		r := call(t, "GET", m.URL()+"/beta/deviceManagement/telecomExpensePartners", tok, nil, nil)
		msg := checkGraphError(t, r, http.StatusBadRequest, temgraph.EBadRequest)
		if !strings.Contains(msg, "telecomExpensePartners") {
			t.Errorf("message=%q, want it to name the segment", msg)
		}
	})
}

func TestServe_Restart(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	created := m.mustCreate(t, tok, seedRequestBody)
	id := created["id"].(string)
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(m.URL(), "http://"), time.Second); err == nil {
		t.Errorf("the closed server still accepts connections")
	}

	m2 := MustRunMain(t, m.DBPath)
	// The issuer key lives in the database: a token from before still works.
	r := call(t, "GET", m2.itemURL(id), tok, nil, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET after restart: status=%d; body %s", r.StatusCode, r.Body)
	}
	got := r.JSON(t)
	delete(got, "@odata.context")
	delete(created, "@odata.context")
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("partner after restart mismatch (-before +after):\n%s", diff)
	}
	if ids := m2.listIDs(t, tok); len(ids) != 1 || ids[0] != id {
		t.Errorf("list after restart=%v, want [%s]", ids, id)
	}
}

func TestServe_TenantIsolation(t *testing.T) {
	m := MustRunMain(t, "")
	tokA, tokB := m.rwToken(t, tenantA), m.rwToken(t, tenantB)
	id := m.mustCreate(t, tokA, `{"displayName":"A's"}`)["id"].(string)
	beforeA := m.mustGetRaw(t, tokA, id)

	for _, tt := range []struct {
		method string
		body   []byte
	}{
		{"GET", nil}, {"PATCH", []byte(`{"displayName":"stolen"}`)}, {"DELETE", nil},
	} {
		t.Run("ErrOtherTenant"+tt.method, func(t *testing.T) {
			r := call(t, tt.method, m.itemURL(id), tokB, tt.body, nil)
			checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
			if after := m.mustGetRaw(t, tokA, id); !bytes.Equal(beforeA, after) {
				t.Errorf("tenant B's %s changed A's partner:\nbefore %s\nafter  %s", tt.method, beforeA, after)
			}
		})
	}

	t.Run("ListAndCount", func(t *testing.T) {
		if ids := m.listIDs(t, tokB); len(ids) != 0 {
			t.Errorf("tenant B lists %v, want nothing", ids)
		}
		if got := m.count(t, tokB); got != "0" {
			t.Errorf("tenant B $count=%q, want 0", got)
		}
		if got := m.count(t, tokA); got != "1" {
			t.Errorf("tenant A $count=%q, want 1", got)
		}
	})

	// Two Authorization fields and the one a proxy folds them into are
	// read alike, the last token winning, so the tenant served never
	// depends on what stood between the client and temgraph.
	t.Run("TwoAuthorizationFields", func(t *testing.T) {
		for name, fields := range map[string][]string{
			"Separate": {"Bearer " + tokB, "Bearer " + tokA},
			"Folded":   {"Bearer " + tokB + ", Bearer " + tokA},
		} {
			req, err := http.NewRequest("GET", m.collURL()+"/$count", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header["Authorization"] = fields
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != "1" {
				t.Errorf("%s: status=%d $count=%q, want 200 and tenant A's 1", name, resp.StatusCode, body)
			}
		}
	})

	t.Run("SameIDInTwoTenants", func(t *testing.T) {
		got := m.mustCreate(t, tokB, `{"id":"`+id+`","displayName":"B's"}`)
		if got["id"] != id {
			t.Fatalf("tenant B's partner id=%v, want %s", got["id"], id)
		}
		r := call(t, "PATCH", m.itemURL(id), tokB, []byte(`{"enabled":true}`), nil)
		if r.StatusCode != http.StatusOK || r.JSON(t)["displayName"] != "B's" {
			t.Fatalf("tenant B PATCH: status=%d body %s", r.StatusCode, r.Body)
		}
		if after := m.mustGetRaw(t, tokA, id); !bytes.Equal(beforeA, after) {
			t.Errorf("tenant B's writes changed A's partner:\nbefore %s\nafter  %s", beforeA, after)
		}
		if r := call(t, "DELETE", m.itemURL(id), tokB, nil, nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("tenant B DELETE: status=%d", r.StatusCode)
		}
		if after := m.mustGetRaw(t, tokA, id); !bytes.Equal(beforeA, after) {
			t.Errorf("tenant B's delete touched A's partner")
		}
	})
}

func TestServe_Permissions(t *testing.T) {
	m := MustRunMain(t, "")
	rw := m.rwToken(t, tenantA)
	id := m.mustCreate(t, rw, `{"displayName":"Guarded"}`)["id"].(string)
	before := m.mustGetRaw(t, rw, id)

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := auth.Issue(&auth.SigningKey{Private: other, KeyID: m.key.KeyID}, m.IssuerBase,
		auth.TokenRequest{Tenant: tenantA, Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	expired, err := auth.Issue(m.key, m.IssuerBase, auth.TokenRequest{Tenant: tenantA,
		Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour}, time.Now().Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	unauthorized := []struct {
		name, header string
	}{
		{"NoToken", ""},
		{"BearerOnly", "Bearer"},
		{"BearerSpace", "Bearer "},
		{"Basic", "Basic dXNlcjpwYXNzd29yZA=="},
		{"Garbage", "Bearer garbage-token-value"},
		{"BadSignature", "Bearer " + forged},
		{"Expired", "Bearer " + expired},
		{"WrongAudience", "Bearer " + m.token(t, auth.TokenRequest{Audience: "api://temgraph"})},
		{"WrongIssuer", "Bearer " + mustIssueAt(t, m.key, "https://other.localhost")},
	}
	for _, tt := range unauthorized {
		for _, req := range []struct {
			method, url string
			body        []byte
		}{
			{"GET", m.collURL(), nil},
			{"GET", m.itemURL(id), nil},
			{"PATCH", m.itemURL(id), []byte(`{"displayName":"Hacked"}`)},
			{"DELETE", m.itemURL(id), nil},
			{"POST", m.collURL(), []byte(`{}`)},
		} {
			t.Run("Err401/"+tt.name+"/"+req.method, func(t *testing.T) {
				hdr := map[string]string{}
				if tt.header != "" {
					hdr["Authorization"] = tt.header
				}
				r := call(t, req.method, req.url, "", req.body, hdr)
				checkGraphError(t, r, http.StatusUnauthorized, temgraph.EUnauthorized)
				// RFC 6750, 3.1: no error code when no credentials were sent.
				challenge := r.Header.Get("WWW-Authenticate")
				if hasError := strings.Contains(challenge, "error="); hasError != (tt.header != "") {
					t.Errorf("WWW-Authenticate=%q: error code present %v, want %v", challenge, hasError, tt.header != "")
				}
			})
		}
	}

	ro := m.token(t, auth.TokenRequest{Scopes: []string{auth.ScopeRead}})
	t.Run("ReadAllReads", func(t *testing.T) {
		for _, url := range []string{m.collURL(), m.itemURL(id), m.collURL() + "/$count"} {
			if r := call(t, "GET", url, ro, nil, nil); r.StatusCode != http.StatusOK {
				t.Errorf("GET %s with Read.All: status=%d; body %s", url, r.StatusCode, r.Body)
			}
		}
	})

	appRO := m.token(t, auth.TokenRequest{Roles: []string{auth.ScopeRead}})
	unrelated := m.token(t, auth.TokenRequest{Scopes: []string{"User.Read"}})
	personal := m.token(t, auth.TokenRequest{Tenant: auth.PersonalTenant})
	forbidden := []struct {
		name, token, method, url string
		body                     []byte
	}{
		{"ReadAllPATCH", ro, "PATCH", m.itemURL(id), []byte(`{"displayName":"Hacked"}`)},
		{"ReadAllPOST", ro, "POST", m.collURL(), []byte(`{}`)},
		{"ReadAllDELETE", ro, "DELETE", m.itemURL(id), nil},
		{"AppReadAllPATCH", appRO, "PATCH", m.itemURL(id), []byte(`{"enabled":true}`)},
		{"UnrelatedScopeGET", unrelated, "GET", m.itemURL(id), nil},
		{"UnrelatedScopeList", unrelated, "GET", m.collURL(), nil},
		{"PersonalAccountGET", personal, "GET", m.collURL(), nil},
		{"PersonalAccountPOST", personal, "POST", m.collURL(), []byte(`{}`)},
	}
	for _, tt := range forbidden {
		t.Run("Err403/"+tt.name, func(t *testing.T) {
			r := call(t, tt.method, tt.url, tt.token, tt.body, nil)
			checkGraphError(t, r, http.StatusForbidden, temgraph.EForbidden)
		})
	}

	t.Run("NothingChanged", func(t *testing.T) {
		if after := m.mustGetRaw(t, rw, id); !bytes.Equal(before, after) {
			t.Errorf("refused requests changed the partner:\nbefore %s\nafter  %s", before, after)
		}
		if got := m.count(t, rw); got != "1" {
			t.Errorf("$count=%q, want 1", got)
		}
	})

	t.Run("AppRolesReadWrite", func(t *testing.T) {
		app := m.token(t, auth.TokenRequest{Roles: []string{auth.ScopeReadWrite}})
		got := m.mustCreate(t, app, `{"displayName":"By app"}`)
		pid := got["id"].(string)
		if r := call(t, "PATCH", m.itemURL(pid), app, []byte(`{"enabled":true}`), nil); r.StatusCode != http.StatusOK {
			t.Errorf("app PATCH: status=%d; body %s", r.StatusCode, r.Body)
		}
		if r := call(t, "GET", m.itemURL(pid), app, nil, nil); r.StatusCode != http.StatusOK {
			t.Errorf("app GET: status=%d; body %s", r.StatusCode, r.Body)
		}
		if r := call(t, "DELETE", m.itemURL(pid), app, nil, nil); r.StatusCode != http.StatusNoContent {
			t.Errorf("app DELETE: status=%d; body %s", r.StatusCode, r.Body)
		}
	})

	t.Run("CredentialsNotLogged", func(t *testing.T) {
		logs := m.logs.String()
		for _, secret := range []string{rw, ro, forged, expired, "garbage-token-value", "dXNlcjpwYXNzd29yZA=="} {
			if strings.Contains(logs, secret) {
				t.Errorf("the server log holds a credential %.20s...", secret)
			}
		}
		if !strings.Contains(logs, "request refused") {
			t.Errorf("the server log has no refusal line; log:\n%s", logs)
		}
	})
}

// mustIssueAt issues a ReadWrite token for tenantA from another issuer base.
func mustIssueAt(tb testing.TB, key *auth.SigningKey, base string) string {
	tb.Helper()
	tok, err := auth.Issue(key, base, auth.TokenRequest{Tenant: tenantA, Scopes: []string{auth.ScopeReadWrite},
		TTL: time.Hour}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// gzipped compresses b.
func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestServe_BadBodies(t *testing.T) {
	const maxBody = 2048
	m := MustRunMain(t, "", "--max-body-bytes", "2048")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, seedRequestBody)["id"].(string)

	valid := []byte(`{"displayName":"Changed"}`)
	corrupt := gzipped(t, valid)
	corrupt[len(corrupt)-8] ^= 0xff // CRC-32
	oversize := []byte(`{"displayName":"` + strings.Repeat("x", maxBody) + `"}`)
	bomb := gzipped(t, append(append([]byte(`{"displayName":"`), bytes.Repeat([]byte("x"), 64*maxBody)...), `"}`...))

	tests := []struct {
		name   string
		body   []byte
		hdr    map[string]string
		status int
		code   string
		names  string // a fragment the message must hold
	}{
		{"WrongType", []byte(`{"enabled":"yes"}`), nil, 400, temgraph.EBadRequest, "'enabled'"},
		{"WrongTypeNumber", []byte(`{"displayName":42}`), nil, 400, temgraph.EBadRequest, "'displayName'"},
		{"NullNonNullable", []byte(`{"appAuthorized":null}`), nil, 400, temgraph.EBadRequest, "'appAuthorized'"},
		{"NullDate", []byte(`{"lastConnectionDateTime":null}`), nil, 400, temgraph.EBadRequest,
			"'lastConnectionDateTime'"},
		{"UnknownProperty", []byte(`{"displayName":"x","vendor":"Contoso"}`), nil, 400, temgraph.EBadRequest,
			"'vendor'"},
		{"ForeignODataType", []byte(`{"@odata.type":"#microsoft.graph.user","displayName":"x"}`), nil, 400,
			temgraph.EBadRequest, "'@odata.type'"},
		{"DuplicateProperty", []byte(`{"enabled":false,"enabled":false}`), nil, 400, temgraph.EBadRequest,
			"'enabled'"},
		{"NULCharacter", []byte(`{"displayName":"a\u0000b"}`), nil, 400, temgraph.EBadRequest, "'displayName'"},
		{"MalformedJSON", []byte(`{"enabled":tru`), nil, 400, temgraph.EBadRequest, "JSON"},
		{"TrailingData", []byte(`{"enabled":false} {}`), nil, 400, temgraph.EBadRequest, ""},
		{"NotAnObject", []byte(`[{"enabled":false}]`), nil, 400, temgraph.EBadRequest, ""},
		{"BadDate", []byte(`{"lastConnectionDateTime":"2017-02-30T00:00:00Z"}`), nil, 400, temgraph.EBadRequest,
			"'lastConnectionDateTime'"},
		{"DateWithoutOffset", []byte(`{"lastConnectionDateTime":"2016-12-31T23:58:36.6670033"}`), nil, 400,
			temgraph.EBadRequest, "'lastConnectionDateTime'"},
		{"Oversize", oversize, nil, 413, temgraph.ETooLarge, "2048"},
		{"OversizeLarge", bytes.Repeat([]byte(" "), 4<<20), nil, 413, temgraph.ETooLarge, "2048"},
		{"GzipBomb", bomb, map[string]string{"Content-Encoding": "gzip"}, 413, temgraph.ETooLarge, ""},
		{"TextPlain", valid, map[string]string{"Content-Type": "text/plain"}, 415, temgraph.EUnsupportedMediaType,
			"text/plain"},
		{"UnknownEncoding", valid, map[string]string{"Content-Encoding": "br"}, 415,
			temgraph.EUnsupportedMediaType, "br"},
		{"CorruptGzip", corrupt, map[string]string{"Content-Encoding": "gzip"}, 400, temgraph.EBadRequest, "gzip"},
		{"TruncatedGzip", gzipped(t, valid)[:12], map[string]string{"Content-Encoding": "gzip"}, 400,
			temgraph.EBadRequest, ""},
		{"EmptyBody", []byte{}, nil, 400, temgraph.EBadRequest, "empty"},
		{"NoBody", nil, nil, 400, temgraph.EBadRequest, ""},
		{"WithClientRequestID", []byte(`{"enabled":"no"}`), map[string]string{"client-request-id": "abc-123"}, 400,
			temgraph.EBadRequest, "'enabled'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := m.mustGetRaw(t, tok, id)
			r := call(t, "PATCH", m.itemURL(id), tok, tt.body, tt.hdr)
			msg := checkGraphError(t, r, tt.status, tt.code)
			if !strings.Contains(msg, tt.names) {
				t.Errorf("message=%q, want it to hold %q", msg, tt.names)
			}
			if after := m.mustGetRaw(t, tok, id); !bytes.Equal(before, after) {
				t.Errorf("refused PATCH changed the partner:\nbefore %s\nafter  %s", before, after)
			}

			n := m.count(t, tok)
			r = call(t, "POST", m.collURL(), tok, tt.body, tt.hdr)
			checkGraphError(t, r, tt.status, tt.code)
			if got := m.count(t, tok); got != n {
				t.Errorf("$count=%s after a refused POST, want %s", got, n)
			}
		})
	}
}

func TestServe_GzipBodies(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{}`)["id"].(string)

	tests := []struct {
		name string
		body []byte
		enc  string
		want string
	}{
		{"Gzip", gzipped(t, []byte(seedRequestBody)), "gzip", "Display Name value"},
		{"GzipLabelPlainJSON", []byte(`{"displayName":"Plain under a gzip label"}`), "gzip", "Plain under a gzip label"},
		{"Identity", []byte(`{"displayName":"Identity"}`), "identity", "Identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "PATCH", m.itemURL(id), tok, tt.body, map[string]string{"Content-Encoding": tt.enc})
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status=%d, want 200; body %s", r.StatusCode, r.Body)
			}
			if got := r.JSON(t)["displayName"]; got != tt.want {
				t.Errorf("displayName=%v, want %q", got, tt.want)
			}
		})
	}

	t.Run("GzipCreate", func(t *testing.T) {
		r := call(t, "POST", m.collURL(), tok, gzipped(t, []byte(seedRequestBody)),
			map[string]string{"Content-Encoding": "gzip"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("status=%d, want 201; body %s", r.StatusCode, r.Body)
		}
	})
}

func TestServe_GracefulShutdown(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{"displayName":"Before"}`)["id"].(string)

	// A PATCH whose gzip body trickles in: the server is asked to stop
	// while the handler is still reading it.
	pr, pw := io.Pipe()
	req, err := http.NewRequest("PATCH", m.itemURL(id), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := testClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, b, err}
	}()

	zw := gzip.NewWriter(pw)
	write := func(s string) {
		t.Helper()
		if _, err := zw.Write([]byte(s)); err != nil {
			t.Fatalf("write body: %v", err)
		}
		if err := zw.Flush(); err != nil {
			t.Fatalf("flush body: %v", err)
		}
	}
	write(`{"displayName":"Slow",` + strings.Repeat(" ", 64<<10))
	time.Sleep(200 * time.Millisecond)

	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was still being read", err)
	case <-time.After(300 * time.Millisecond):
	}
	for i := 0; i < 4; i++ {
		write(strings.Repeat(" ", 16<<10))
		time.Sleep(50 * time.Millisecond)
	}
	write(`"enabled":true}`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	pw.Close()

	res := <-done
	if res.err != nil || res.status != http.StatusOK {
		t.Fatalf("in-flight PATCH: status=%d err=%v body %s, want 200", res.status, res.err, res.body)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("Close did not return after the in-flight request finished")
	}

	m2 := MustRunMain(t, m.DBPath)
	var got map[string]any
	if err := json.Unmarshal(m2.mustGetRaw(t, tok, id), &got); err != nil {
		t.Fatal(err)
	}
	if got["displayName"] != "Slow" || got["enabled"] != true {
		t.Errorf("after reopening: displayName=%v enabled=%v, want the in-flight PATCH kept", got["displayName"],
			got["enabled"])
	}
}

func TestServe_TokenCommand(t *testing.T) {
	m := MustRunMain(t, "")
	token := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args = append([]string{"token", "--db", m.DBPath, "--tenant", tenantA}, args...)
		if err := run(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("run %q: %v; stderr %s", args, err, stderr.String())
		}
		return strings.TrimSpace(stdout.String())
	}
	rw, ro := token(), token("--scopes", auth.ScopeRead)

	r := call(t, "POST", m.collURL(), rw, []byte(seedRequestBody), nil)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("POST with the command's default token: status=%d; body %s", r.StatusCode, r.Body)
	}
	id := r.JSON(t)["id"].(string)
	if r := call(t, "GET", m.itemURL(id), ro, nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("GET with a Read.All token: status=%d; body %s", r.StatusCode, r.Body)
	}
	r = call(t, "PATCH", m.itemURL(id), ro, []byte(`{"enabled":false}`), nil)
	checkGraphError(t, r, http.StatusForbidden, temgraph.EForbidden)

	// Naming a file that does not exist yet makes a new database, whose key
	// no server trusts: the command says so on standard error.
	var stdout, stderr bytes.Buffer
	fresh := filepath.Join(t.TempDir(), "elsewhere.db")
	if err := run(context.Background(), []string{"token", "--db", fresh}, &stdout, &stderr); err != nil {
		t.Fatalf("token on a new file: %v", err)
	}
	if !strings.Contains(stderr.String(), "created the new database") {
		t.Errorf("token on a new file: stderr %q, want it to say a new database was created", stderr.String())
	}
	stderr.Reset()
	if err := run(context.Background(), []string{"token", "--db", m.DBPath}, &stdout, &stderr); err != nil || stderr.Len() != 0 {
		t.Errorf("token on the server's file: err=%v, stderr %q; want silence", err, stderr.String())
	}
}

// TestServe_OneServerPerSQLiteFile: a second server on the file the first
// serves from is refused with a message that says why (the first keeps
// partners cached in memory), while migrate may still open it.
func TestServe_OneServerPerSQLiteFile(t *testing.T) {
	first := MustRunMain(t, "")
	second := NewMain()
	if err := second.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", first.DBPath}, io.Discard); err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	second.LogOutput = io.Discard
	err := second.Run(context.Background())
	if err == nil {
		second.Close()
		t.Fatal("a second server started on the same SQLite file")
	}
	if !strings.Contains(err.Error(), "another temgraph server is using this file") {
		t.Fatalf("err=%q, want it to say another server uses the file", err)
	}
	second.Close()

	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", first.DBPath}, &stdout, &stderr); err != nil {
		t.Fatalf("migrate beside the server: %v; stderr %s", err, stderr.String())
	}
	tok := first.rwToken(t, tenantA)
	id := first.mustCreate(t, tok, `{}`)["id"].(string)
	if r := call(t, "GET", first.itemURL(id), tok, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("GET from the first server after the refused start: status=%d; body %s", r.StatusCode, r.Body)
	}
}

func TestServe_StoreFailureHidesDetail(t *testing.T) {
	m := MustRunMain(t, "")
	tok := m.rwToken(t, tenantA)
	id := m.mustCreate(t, tok, `{}`)["id"].(string)
	if err := m.Store.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}

	for _, tt := range []struct {
		method, url string
		body        []byte
	}{
		{"GET", m.itemURL(id), nil},
		{"GET", m.collURL(), nil},
		{"GET", m.collURL() + "/$count", nil},
		{"PATCH", m.itemURL(id), []byte(`{"enabled":true}`)},
		{"POST", m.collURL(), []byte(`{}`)},
		{"DELETE", m.itemURL(id), nil},
	} {
		t.Run(tt.method+strings.TrimPrefix(tt.url, m.URL()), func(t *testing.T) {
			r := call(t, tt.method, tt.url, tok, tt.body, nil)
			switch r.StatusCode {
			case http.StatusInternalServerError:
				msg := checkGraphError(t, r, r.StatusCode, temgraph.EInternal)
				if !strings.Contains(m.logs.String(), r.Header.Get("request-id")) {
					t.Errorf("the log does not mention request %s; message %q", r.Header.Get("request-id"), msg)
				}
			case http.StatusServiceUnavailable:
				checkGraphError(t, r, r.StatusCode, temgraph.EUnavailable)
			default:
				t.Fatalf("status=%d with the store closed, want 500 or 503; body %s", r.StatusCode, r.Body)
			}
		})
	}
	if !strings.Contains(m.logs.String(), "internal error") {
		t.Errorf("the log has no internal error line with the detail")
	}
}

func TestServe_CloseTwice(t *testing.T) {
	m := MustRunMain(t, "")
	if err := m.Main.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	m.closed = true
	done := make(chan error, 1)
	go func() { done <- m.Main.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("a second Close has not returned after 5s")
	}
}
