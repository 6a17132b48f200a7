package http

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
	"github.com/temgraph/temgraph/sqlite"
	"github.com/temgraph/temgraph/throttle"
)

const batchCollection = "/deviceManagement/telecomExpenseManagementPartners"

// batchEnv is a real server on a loopback listener with a SQLite store in
// a temporary directory.
type batchEnv struct {
	url    string
	store  temgraph.Store
	tenant string
	write  string // token with ReadWrite.All
	read   string // token with Read.All only
}

// mustBatchEnv starts a server; configure, when not nil, may change its
// config (store, limiter) before the server is built.
func mustBatchEnv(tb testing.TB, configure func(cfg *Config)) *batchEnv {
	tb.Helper()
	ctx := context.Background()
	// Opened as temgraph serve opens it: one server per file, partner cache on.
	db, err := sqlite.OpenExclusive(ctx, filepath.Join(tb.TempDir(), "temgraph.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	key, err := auth.LoadSigningKey(ctx, db)
	if err != nil {
		tb.Fatalf("load key: %v", err)
	}
	cfg := Config{
		Store:        db,
		Verifier:     auth.NewVerifier(key, auth.DefaultIssuerBase, nil),
		Key:          key,
		IssuerBase:   auth.DefaultIssuerBase,
		MaxBodyBytes: 1 << 20,
	}
	if configure != nil {
		configure(&cfg)
	}
	ts := httptest.NewServer(NewServer(cfg).Handler())
	tb.Cleanup(func() {
		ts.Close()
		db.Close()
	})
	return &batchEnv{
		url:    ts.URL,
		store:  cfg.Store,
		tenant: auth.DefaultTenant,
		write:  mustBatchToken(tb, key, auth.ScopeReadWrite),
		read:   mustBatchToken(tb, key, auth.ScopeRead),
	}
}

func mustBatchToken(tb testing.TB, key *auth.SigningKey, role string) string {
	tb.Helper()
	tok, err := auth.Issue(key, auth.DefaultIssuerBase, auth.TokenRequest{
		Tenant: auth.DefaultTenant, ObjectID: auth.DefaultObjectID, AppID: auth.DefaultAppID,
		Roles: []string{role}, TTL: time.Hour,
	}, time.Now())
	if err != nil {
		tb.Fatalf("issue token: %v", err)
	}
	return tok
}

// batchItemResponse is one entry of a batch response as clients read it:
// header values must be strings.
type batchItemResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batchReply is a decoded batch response.
type batchReply struct {
	status  int
	header  http.Header
	raw     []byte
	byID    map[string]batchItemResponse
	ordered []string
}

// post sends a batch body to /{version}/$batch with the given token and
// extra headers.
func (e *batchEnv) post(tb testing.TB, version, token string, body []byte, hdr map[string]string) *batchReply {
	tb.Helper()
	req, err := http.NewRequest("POST", e.url+"/"+version+"/$batch", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &batchReply{status: resp.StatusCode, header: resp.Header, raw: raw, byID: map[string]batchItemResponse{}}
	if resp.StatusCode != http.StatusOK {
		return r
	}
	var doc struct {
		Responses []batchItemResponse `json:"responses"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatalf("decode batch response: %v\n%s", err, raw)
	}
	for _, it := range doc.Responses {
		r.byID[it.ID] = it
		r.ordered = append(r.ordered, it.ID)
	}
	return r
}

// run posts items as a batch to /beta/$batch.
func (e *batchEnv) run(tb testing.TB, token string, items ...map[string]any) *batchReply {
	tb.Helper()
	return e.post(tb, "beta", token, mustBatchJSON(tb, items...), nil)
}

func mustBatchJSON(tb testing.TB, items ...map[string]any) []byte {
	tb.Helper()
	if items == nil {
		items = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"requests": items})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// item returns the response of the item with id, failing if it is absent.
func (r *batchReply) item(tb testing.TB, id string) batchItemResponse {
	tb.Helper()
	if r.status != http.StatusOK {
		tb.Fatalf("batch status=%d, want 200: %s", r.status, r.raw)
	}
	it, ok := r.byID[id]
	if !ok {
		tb.Fatalf("no response for item %q in %s", id, r.raw)
	}
	return it
}

// wantStatus checks the status of each named item.
func (r *batchReply) wantStatus(tb testing.TB, want map[string]int) {
	tb.Helper()
	got := make(map[string]int, len(want))
	for id := range want {
		got[id] = r.item(tb, id).Status
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Fatalf("item statuses (-want +got):\n%s\nbody: %s", diff, r.raw)
	}
}

// graphErrorBody is a Graph error object.
type graphErrorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

func mustGraphError(tb testing.TB, raw []byte) graphErrorBody {
	tb.Helper()
	var e graphErrorBody
	if err := json.Unmarshal(raw, &e); err != nil {
		tb.Fatalf("not a Graph error body: %v: %s", err, raw)
	}
	if e.Error.Code == "" || e.Error.Message == "" || e.Error.InnerError.RequestID == "" {
		tb.Fatalf("incomplete Graph error body: %s", raw)
	}
	return e
}

// wantItemError checks that an item failed with status and error code and
// that its message contains fragment.
func (r *batchReply) wantItemError(tb testing.TB, id string, status int, code, fragment string) {
	tb.Helper()
	it := r.item(tb, id)
	if it.Status != status {
		tb.Fatalf("item %s status=%d, want %d: %s", id, it.Status, status, it.Body)
	}
	if ct := it.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("item %s Content-Type=%q, want application/json", id, ct)
	}
	e := mustGraphError(tb, it.Body)
	if e.Error.Code != code || !strings.Contains(e.Error.Message, fragment) {
		tb.Fatalf("item %s error=%s %q, want %s containing %q", id, e.Error.Code, e.Error.Message, code, fragment)
	}
	if it.Headers["request-id"] != e.Error.InnerError.RequestID {
		tb.Fatalf("item %s request-id header %q differs from body %q", id, it.Headers["request-id"],
			e.Error.InnerError.RequestID)
	}
}

// mustSeedPartner stores a partner directly and returns its id.
func (e *batchEnv) mustSeedPartner(tb testing.TB, name string) string {
	tb.Helper()
	p := temgraph.NewPartner(&temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: &name}})
	if err := e.store.CreatePartner(context.Background(), e.tenant, p); err != nil {
		tb.Fatalf("seed partner: %v", err)
	}
	return p.ID
}

// partner reads a partner from the store; nil means it does not exist.
func (e *batchEnv) partner(tb testing.TB, id string) *temgraph.Partner {
	tb.Helper()
	p, err := e.store.GetPartner(context.Background(), e.tenant, id)
	if temgraph.ErrorCode(err) == temgraph.ENotFound {
		return nil
	}
	if err != nil {
		tb.Fatalf("get partner: %v", err)
	}
	return p
}

func (e *batchEnv) count(tb testing.TB) int {
	tb.Helper()
	n, err := e.store.CountPartners(context.Background(), e.tenant, nil)
	if err != nil {
		tb.Fatalf("count partners: %v", err)
	}
	return n
}

func jsonField(tb testing.TB, raw json.RawMessage, name string) any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v: %s", err, raw)
	}
	return m[name]
}

func TestServer_HandleBatch(t *testing.T) {
	env := mustBatchEnv(t, nil)

	t.Run("DependsOnChain", func(t *testing.T) {
		id := temgraph.NewGUID()
		one := batchCollection + "/" + id
		// Listed last first: only dependsOn gives the order.
		r := env.run(t, env.write,
			map[string]any{"id": "gone", "method": "GET", "url": one, "dependsOn": []string{"delete"}},
			map[string]any{"id": "delete", "method": "DELETE", "url": one, "dependsOn": []string{"patch"}},
			map[string]any{"id": "patch", "method": "PATCH", "url": one, "dependsOn": []string{"get"},
				"headers": map[string]string{"content-type": "application/json"},
				"body":    map[string]any{"displayName": "patched"}},
			map[string]any{"id": "get", "method": "GET", "url": one, "dependsOn": []string{"create"}},
			map[string]any{"id": "create", "method": "POST", "url": batchCollection,
				"headers": map[string]string{"content-type": "application/json"},
				"body":    map[string]any{"id": id, "displayName": "created"}},
		)
		r.wantStatus(t, map[string]int{"create": 201, "get": 200, "patch": 200, "delete": 204, "gone": 404})
		if got := jsonField(t, r.item(t, "get").Body, "displayName"); got != "created" {
			t.Errorf("get displayName=%v, want created", got)
		}
		if got := jsonField(t, r.item(t, "patch").Body, "displayName"); got != "patched" {
			t.Errorf("patch displayName=%v, want patched", got)
		}
		if got, want := r.ordered, []string{"gone", "delete", "patch", "get", "create"}; !cmp.Equal(got, want) {
			t.Errorf("response order=%v, want request order %v", got, want)
		}
		if env.partner(t, id) != nil {
			t.Errorf("partner %s still stored after the batch deleted it", id)
		}
	})

	t.Run("ItemHeaders", func(t *testing.T) {
		id := temgraph.NewGUID()
		r := env.run(t, env.write,
			map[string]any{"id": "create", "method": "POST", "url": batchCollection,
				"headers": map[string]string{"content-type": "application/json", "client-request-id": "item-cid"},
				"body":    map[string]any{"id": id}},
			map[string]any{"id": "head", "method": "HEAD", "url": batchCollection + "/" + id,
				"dependsOn": []string{"create"}},
			map[string]any{"id": "delete", "method": "DELETE", "url": batchCollection + "/" + id,
				"dependsOn": []string{"head"}},
		)
		create := r.item(t, "create")
		wantLoc := env.url + "/beta" + batchCollection + "/" + id
		if create.Headers["Location"] != wantLoc {
			t.Errorf("Location=%q, want %q", create.Headers["Location"], wantLoc)
		}
		if create.Headers["Content-Type"] != odataContentType {
			t.Errorf("Content-Type=%q, want %q", create.Headers["Content-Type"], odataContentType)
		}
		if create.Headers["OData-Version"] != "4.0" || !strings.HasPrefix(create.Headers["ETag"], `W/"`) {
			t.Errorf("OData-Version=%q ETag=%q, want 4.0 and a weak tag", create.Headers["OData-Version"],
				create.Headers["ETag"])
		}
		if create.Headers["client-request-id"] != "item-cid" || create.Headers["request-id"] == "" {
			t.Errorf("client-request-id=%q request-id=%q, want item-cid and an id",
				create.Headers["client-request-id"], create.Headers["request-id"])
		}
		if _, ok := create.Headers["Content-Length"]; ok {
			t.Errorf("item headers carry Content-Length: %v", create.Headers)
		}
		del := r.item(t, "delete")
		if del.Body != nil {
			t.Errorf("204 item has a body: %s", del.Body)
		}
		if ct, ok := del.Headers["Content-Type"]; ok {
			t.Errorf("204 item has Content-Type %q", ct)
		}
		head := r.item(t, "head")
		if _, ok := head.Headers["Content-Type"]; head.Status != 200 || head.Body != nil || ok {
			t.Errorf("HEAD item=%+v, want 200 without body or Content-Type", head)
		}
		if !bytes.Contains(r.raw, []byte(`"id":"delete","status":204,"headers":{`)) ||
			bytes.Contains(r.raw, []byte(`"body":null`)) {
			t.Errorf("204 item is not written without a body: %s", r.raw)
		}
		if ct := r.header.Get("Content-Type"); ct != odataContentType {
			t.Errorf("batch Content-Type=%q, want %q", ct, odataContentType)
		}
	})

	t.Run("PreferMinimal", func(t *testing.T) {
		id := env.mustSeedPartner(t, "minimal")
		r := env.run(t, env.write, map[string]any{"id": "1", "method": "PATCH", "url": batchCollection + "/" + id,
			"headers": map[string]string{"content-type": "application/json", "prefer": "return=minimal"},
			"body":    map[string]any{"enabled": true}})
		it := r.item(t, "1")
		if it.Status != 204 || it.Body != nil || it.Headers["Preference-Applied"] != "return=minimal" ||
			it.Headers["ETag"] == "" {
			t.Fatalf("item=%+v, want 204 without body, with Preference-Applied and ETag", it)
		}
		if p := env.partner(t, id); p == nil || !p.Enabled {
			t.Fatalf("partner=%+v, want enabled", p)
		}
	})

	t.Run("FailedDependency", func(t *testing.T) {
		missing, created, independent := temgraph.NewGUID(), temgraph.NewGUID(), temgraph.NewGUID()
		r := env.run(t, env.write,
			map[string]any{"id": "a", "method": "PATCH", "url": batchCollection + "/" + missing,
				"body": map[string]any{"enabled": true}},
			map[string]any{"id": "b", "method": "POST", "url": batchCollection, "dependsOn": []string{"A"},
				"body": map[string]any{"id": created}},
			map[string]any{"id": "c", "method": "DELETE", "url": batchCollection + "/" + created,
				"dependsOn": []string{"b"}},
			map[string]any{"id": "d", "method": "POST", "url": batchCollection,
				"body": map[string]any{"id": independent}},
		)
		r.wantStatus(t, map[string]int{"a": 404, "b": 424, "c": 424, "d": 201})
		r.wantItemError(t, "b", 424, temgraph.EFailedDependency, "'a'")
		r.wantItemError(t, "c", 424, temgraph.EFailedDependency, "'b'")
		if env.partner(t, created) != nil {
			t.Errorf("the item that depends on a failed item ran: partner %s exists", created)
		}
		if env.partner(t, independent) == nil {
			t.Errorf("the independent item did not run")
		}
	})

	t.Run("ReadOnlyToken", func(t *testing.T) {
		id := env.mustSeedPartner(t, "read only")
		before := env.count(t)
		one := batchCollection + "/" + id
		r := env.run(t, env.read,
			map[string]any{"id": "list", "method": "GET", "url": batchCollection},
			map[string]any{"id": "get", "method": "GET", "url": one},
			map[string]any{"id": "patch", "method": "PATCH", "url": one, "body": map[string]any{"displayName": "x"}},
			map[string]any{"id": "post", "method": "POST", "url": batchCollection, "body": map[string]any{}},
			map[string]any{"id": "delete", "method": "DELETE", "url": one},
		)
		r.wantStatus(t, map[string]int{"list": 200, "get": 200, "patch": 403, "post": 403, "delete": 403})
		r.wantItemError(t, "patch", 403, temgraph.EForbidden, "ReadWrite.All")
		if p := env.partner(t, id); p == nil || p.DisplayName == nil || *p.DisplayName != "read only" {
			t.Errorf("partner changed by a read-only batch: %+v", p)
		}
		if got := env.count(t); got != before {
			t.Errorf("count=%d after a read-only batch, want %d", got, before)
		}
	})

	t.Run("URLs", func(t *testing.T) {
		id := env.mustSeedPartner(t, "urls")
		r := env.run(t, env.write,
			map[string]any{"id": "slash", "method": "GET", "url": batchCollection + "/" + id},
			map[string]any{"id": "noslash", "method": "get", "url": strings.TrimPrefix(batchCollection, "/") + "/" + id},
			map[string]any{"id": "case", "method": "GET", "url": "/DEVICEMANAGEMENT/telecomexpensemanagementpartners/" + id},
			map[string]any{"id": "count", "method": "GET", "url": batchCollection + "/$count"},
			map[string]any{"id": "version", "method": "GET", "url": "/beta" + batchCollection},
			map[string]any{"id": "absolute", "method": "GET", "url": "https://graph.microsoft.com/beta" + batchCollection},
			map[string]any{"id": "nested", "method": "POST", "url": "/$batch", "body": map[string]any{"requests": []any{}}},
			map[string]any{"id": "unknown", "method": "GET", "url": "/deviceManagement/nothingHere"},
			map[string]any{"id": "method", "method": "PUT", "url": batchCollection + "/" + id, "body": map[string]any{}},
			map[string]any{"id": "invalid", "method": "GET", "url": "/deviceManagement/%zz"},
		)
		r.wantStatus(t, map[string]int{"slash": 200, "noslash": 200, "case": 200, "count": 200})
		r.wantItemError(t, "version", 400, temgraph.EBadRequest, "Resource not found for the segment 'beta'")
		r.wantItemError(t, "absolute", 400, temgraph.EBadRequest, "Resource not found for the segment 'https:'")
		r.wantItemError(t, "nested", 400, temgraph.EBadRequest, "cannot contain another batch")
		r.wantItemError(t, "unknown", 400, temgraph.EBadRequest, "'nothingHere'")
		r.wantItemError(t, "method", 405, temgraph.EMethodNotAllowed, "PUT")
		r.wantItemError(t, "invalid", 400, temgraph.EBadRequest, "not a valid relative URL")
		if got := jsonField(t, r.item(t, "noslash").Body, "@odata.context"); got !=
			env.url+"/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity" {
			t.Errorf("@odata.context=%v, want the batch's version and host", got)
		}
		count := r.item(t, "count")
		if want := fmt.Sprintf("%q", fmt.Sprint(env.count(t))); string(count.Body) != want ||
			!strings.HasPrefix(count.Headers["Content-Type"], "text/plain") {
			t.Errorf("$count item body=%s type=%q, want %s as text", count.Body, count.Headers["Content-Type"], want)
		}
	})

	t.Run("VersionV1", func(t *testing.T) {
		id := env.mustSeedPartner(t, "v1")
		r := env.post(t, "V1.0", env.write, mustBatchJSON(t,
			map[string]any{"id": "1", "method": "GET", "url": batchCollection + "/" + id},
			map[string]any{"id": "2", "method": "GET", "url": "/v1.0" + batchCollection + "/" + id}), nil)
		want := env.url + "/v1.0/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"
		if got := jsonField(t, r.item(t, "1").Body, "@odata.context"); got != want {
			t.Errorf("@odata.context=%v, want %s", got, want)
		}
		r.wantItemError(t, "2", 400, temgraph.EBadRequest, "Resource not found for the segment 'v1.0'")
	})

	t.Run("Gzip", func(t *testing.T) {
		id := temgraph.NewGUID()
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(mustBatchJSON(t, map[string]any{"id": "1", "method": "POST", "url": batchCollection,
			"headers": map[string]string{"content-type": "application/json"}, "body": map[string]any{"id": id}}))
		zw.Close()
		r := env.post(t, "beta", env.write, buf.Bytes(), map[string]string{"Content-Encoding": "gzip"})
		r.wantStatus(t, map[string]int{"1": 201})
		if env.partner(t, id) == nil {
			t.Errorf("partner %s not created by the gzip batch", id)
		}
	})

	t.Run("Base64Body", func(t *testing.T) {
		id := temgraph.NewGUID()
		enc := base64.StdEncoding.EncodeToString([]byte(`{"id":"` + id + `"}`))
		r := env.run(t, env.write,
			map[string]any{"id": "binary", "method": "POST", "url": batchCollection,
				"headers": map[string]string{"content-type": "application/octet-stream"}, "body": enc},
			map[string]any{"id": "bad", "method": "POST", "url": batchCollection,
				"headers": map[string]string{"content-type": "application/octet-stream"}, "body": "%%%"},
			map[string]any{"id": "jsonstring", "method": "POST", "url": batchCollection,
				"headers": map[string]string{"content-type": "application/json"}, "body": enc},
		)
		r.wantItemError(t, "binary", 415, temgraph.EUnsupportedMediaType, "application/octet-stream")
		r.wantItemError(t, "bad", 400, temgraph.EBadRequest, "base64")
		r.wantItemError(t, "jsonstring", 400, temgraph.EBadRequest, "JSON object")
		if env.partner(t, id) != nil {
			t.Errorf("a body the route refused created partner %s", id)
		}
	})

	t.Run("BatchCredentials", func(t *testing.T) {
		id := env.mustSeedPartner(t, "credentials")
		r := env.run(t, env.read, map[string]any{"id": "1", "method": "GET", "url": batchCollection + "/" + id,
			"headers": map[string]string{"authorization": "Bearer not-a-token"}})
		r.wantStatus(t, map[string]int{"1": 200})

		r = env.run(t, env.read, map[string]any{"id": "1", "method": "DELETE", "url": batchCollection + "/" + id,
			"headers": map[string]string{"Authorization": "Bearer " + env.write}})
		r.wantItemError(t, "1", 403, temgraph.EForbidden, "ReadWrite.All")
	})

	t.Run("Unauthenticated", func(t *testing.T) {
		r := env.run(t, "", map[string]any{"id": "1", "method": "GET", "url": batchCollection})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status=%d, want 401: %s", r.status, r.raw)
		}
		if e := mustGraphError(t, r.raw); e.Error.Code != temgraph.EUnauthorized {
			t.Fatalf("code=%s, want %s", e.Error.Code, temgraph.EUnauthorized)
		}
	})
}

func TestServer_HandleBatch_Fixtures(t *testing.T) {
	env := mustBatchEnv(t, nil)
	for _, name := range []string{"gosdk", "graph-client"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "batch", name)
			req, err := os.ReadFile(filepath.Join(dir, "request.json"))
			if err != nil {
				t.Fatal(err)
			}
			wantRaw, err := os.ReadFile(filepath.Join(dir, "want.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]int
			if err := json.Unmarshal(wantRaw, &want); err != nil {
				t.Fatal(err)
			}
			r := env.post(t, "beta", env.write, req, nil)
			r.wantStatus(t, want)
			if len(r.byID) != len(want) {
				t.Fatalf("%d responses, want %d", len(r.byID), len(want))
			}
		})
	}
}

func TestServer_HandleBatch_Invalid(t *testing.T) {
	env := mustBatchEnv(t, nil)
	post := func(id string) map[string]any {
		return map[string]any{"id": id, "method": "POST", "url": batchCollection, "body": map[string]any{}}
	}
	many := make([]map[string]any, 21)
	for i := range many {
		many[i] = post(fmt.Sprint(i))
	}
	cyclic := []map[string]any{post("a"), post("b"), post("c")}
	cyclic[0]["dependsOn"] = []string{"c"}
	cyclic[1]["dependsOn"] = []string{"a"}
	cyclic[2]["dependsOn"] = []string{"B"}
	self := post("self")
	self["dependsOn"] = []string{"SELF"}
	unknown := post("u")
	unknown["dependsOn"] = []string{"nobody"}

	tests := []struct {
		name     string
		body     []byte
		header   map[string]string
		status   int
		fragment string
	}{
		{"MalformedJSON", []byte(`{"requests":[{"id":"1",`), nil, 400, "not valid JSON"},
		{"NotAnObject", []byte(`[{"id":"1"}]`), nil, 400, "must be a JSON object"},
		{"NoRequests", []byte(`{"request":[]}`), nil, 400, "'requests' array"},
		{"RequestsWrongCase", []byte(`{"REQUESTS":[{"id":"1","method":"GET","url":"/deviceManagement"}]}`),
			nil, 400, "'requests' array"},
		{"ByteOrderMark", append([]byte("\xef\xbb\xbf"), mustBatchJSON(t, post("1"))...), nil, 400, "byte order mark"},
		{"RequestsTwice", []byte(`{"requests":[],"requests":[]}`), nil, 400, "names the member 'requests' more than once."},
		{"ItemMemberTwice", []byte(`{"requests":[{"id":"1","method":"GET","url":"/a","url":"/b"}]}`),
			nil, 400, "Request 1 of the batch names the member 'url' more than once."},
		{"ItemMemberWrongCase", []byte(`{"requests":[{"ID":"1","method":"GET","url":"/a"}]}`),
			nil, 400, "'id'"},
		{"RequestsNotArray", []byte(`{"requests":{"id":"1"}}`), nil, 400, "'requests' array"},
		{"Empty", mustBatchJSON(t), nil, 400, "no requests"},
		{"TooMany", mustBatchJSON(t, many...), nil, 400, "Number of requests inside batch exceeds the limit."},
		{"DuplicateIDs", mustBatchJSON(t, post("item"), post("ITEM")), nil, 400, "more than one request with the id 'ITEM'"},
		{"MissingID", mustBatchJSON(t, map[string]any{"method": "GET", "url": batchCollection}), nil, 400, "has no 'id'"},
		{"NumericID", []byte(`{"requests":[{"id":1,"method":"GET","url":"/x"}]}`), nil, 400, "'id' of request 1"},
		{"MissingMethod", mustBatchJSON(t, map[string]any{"id": "1", "url": batchCollection}), nil, 400, "no 'method'"},
		{"BadMethod", mustBatchJSON(t, map[string]any{"id": "1", "method": "G T", "url": "/x"}), nil, 400, "HTTP method"},
		{"MissingURL", mustBatchJSON(t, map[string]any{"id": "1", "method": "GET"}), nil, 400, "has no 'url'"},
		{"ItemNotObject", []byte(`{"requests":[7]}`), nil, 400, "Request 1 of the batch is not a JSON object"},
		{"HeaderTwice", []byte(`{"requests":[{"id":"1","method":"GET","url":"/x","headers":{"a":"1","a":"2"}}]}`),
			nil, 400, "name the header 'a' more than once"},
		{"HeaderTwiceInOtherCase", []byte(`{"requests":[{"id":"1","method":"GET","url":"/x",` +
			`"headers":{"If-Match":"*","if-match":"W/\"1\""}}]}`), nil, 400, "more than once (also as"},
		{"HeaderNotString", []byte(`{"requests":[{"id":"1","method":"GET","url":"/x","headers":{"a":1}}]}`), nil, 400, "header 'a'"},
		{"DependsOnNotArray", []byte(`{"requests":[{"id":"1","method":"GET","url":"/x","dependsOn":"2"}]}`), nil, 400, "dependsOn"},
		{"UnknownDependency", mustBatchJSON(t, post("x"), unknown), nil, 400, "'nobody', which is not a request"},
		{"Cycle", mustBatchJSON(t, cyclic...), nil, 400, "forms a cycle"},
		{"SelfDependency", mustBatchJSON(t, self), nil, 400, "forms a cycle"},
		{"ContentType", mustBatchJSON(t, post("1")), map[string]string{"Content-Type": "text/plain"}, 415, "text/plain"},
		{"CorruptGzip", []byte{0x1f, 0x8b, 0, 1, 2}, map[string]string{"Content-Encoding": "gzip"}, 400, "gzip"},
		{"TooLarge", bytes.Repeat([]byte(" "), 21<<20), nil, 413, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.post(t, "beta", env.write, tt.body, tt.header)
			if r.status != tt.status {
				t.Fatalf("status=%d, want %d: %s", r.status, tt.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type=%q, want application/json", ct)
			}
			e := mustGraphError(t, r.raw)
			if !strings.Contains(e.Error.Message, tt.fragment) {
				t.Errorf("message=%q, want it to contain %q", e.Error.Message, tt.fragment)
			}
		})
	}
	if n := env.count(t); n != 0 {
		t.Errorf("count=%d after refused batches, want 0", n)
	}
}

func TestServer_HandleBatch_Throttled(t *testing.T) {
	start := time.Now()
	limiter := throttle.New(throttle.Config{
		Limits: throttle.Limits{WritesPerTenant: 1, WritesPerApp: 1, Window: 20 * time.Second},
		Now:    func() time.Time { return start },
	})
	env := mustBatchEnv(t, func(cfg *Config) { cfg.Limiter = limiter })
	first, second := temgraph.NewGUID(), temgraph.NewGUID()
	r := env.run(t, env.write,
		map[string]any{"id": "read", "method": "GET", "url": batchCollection},
		map[string]any{"id": "first", "method": "POST", "url": batchCollection, "body": map[string]any{"id": first}},
		map[string]any{"id": "second", "method": "POST", "url": batchCollection, "dependsOn": []string{"first"},
			"body": map[string]any{"id": second}},
		map[string]any{"id": "after", "method": "GET", "url": batchCollection, "dependsOn": []string{"second"}},
	)
	r.wantStatus(t, map[string]int{"read": 200, "first": 201})
	r.wantItemError(t, "second", 429, temgraph.ETooManyRequests, "")
	if got, err := strconv.Atoi(r.item(t, "second").Headers["Retry-After"]); err != nil || got < 1 {
		t.Errorf("Retry-After=%q, want a positive number of seconds", r.item(t, "second").Headers["Retry-After"])
	}
	r.wantItemError(t, "after", 424, temgraph.EFailedDependency, "'second'")
	if env.partner(t, first) == nil || env.partner(t, second) != nil {
		t.Errorf("stored first=%v second=%v, want only the first", env.partner(t, first) != nil,
			env.partner(t, second) != nil)
	}
}

// panicStore is the real store, except that reading one id panics.
type panicStore struct {
	temgraph.Store
	id string
}

func (s panicStore) GetPartner(ctx context.Context, tenant, id string) (*temgraph.Partner, error) {
	if id == s.id {
		panic("store exploded")
	}
	return s.Store.GetPartner(ctx, tenant, id)
}

func TestServer_HandleBatch_Panic(t *testing.T) {
	bad := temgraph.NewGUID()
	env := mustBatchEnv(t, func(cfg *Config) { cfg.Store = panicStore{Store: cfg.Store, id: bad} })
	good := env.mustSeedPartner(t, "fine")
	r := env.run(t, env.write,
		map[string]any{"id": "boom", "method": "GET", "url": batchCollection + "/" + bad},
		map[string]any{"id": "after", "method": "GET", "url": batchCollection, "dependsOn": []string{"boom"}},
		map[string]any{"id": "fine", "method": "GET", "url": batchCollection + "/" + good},
	)
	r.wantItemError(t, "boom", 500, temgraph.EInternal, "internal server error")
	if strings.Contains(string(r.raw), "exploded") {
		t.Errorf("the panic's detail reached the client: %s", r.raw)
	}
	r.wantItemError(t, "after", 424, temgraph.EFailedDependency, "'boom'")
	r.wantStatus(t, map[string]int{"fine": 200})
}

// slowStore is the real store with slow reads that counts how many run
// at once.
type slowStore struct {
	temgraph.Store
	mu        sync.Mutex
	running   int
	maxActive int
}

func (s *slowStore) GetPartner(ctx context.Context, tenant, id string) (*temgraph.Partner, error) {
	s.mu.Lock()
	s.running++
	s.maxActive = max(s.maxActive, s.running)
	s.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	s.running--
	s.mu.Unlock()
	return s.Store.GetPartner(ctx, tenant, id)
}

func TestServer_HandleBatch_Concurrency(t *testing.T) {
	slow := &slowStore{}
	env := mustBatchEnv(t, func(cfg *Config) { slow.Store = cfg.Store; cfg.Store = slow })
	id := env.mustSeedPartner(t, "slow")
	var items []map[string]any
	for i := range 12 {
		items = append(items, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": batchCollection + "/" + id})
	}
	r := env.run(t, env.read, items...)
	for _, it := range items {
		r.wantStatus(t, map[string]int{it["id"].(string): 200})
	}
	slow.mu.Lock()
	defer slow.mu.Unlock()
	if slow.maxActive < 2 || slow.maxActive > batchConcurrency {
		t.Fatalf("at most %d items ran at once, want between 2 and %d", slow.maxActive, batchConcurrency)
	}
}

func TestServer_BatchBodyLimit(t *testing.T) {
	tests := []struct {
		name      string
		entity    int64
		wantBatch int64
	}{
		{"Default", 1 << 20, 20 << 20},
		{"Small", 1024, 20 * 1024},
		{"Capped", 4 << 20, maxBatchBodyBytes},
		{"EntityAboveCap", 64 << 20, 64 << 20},
		{"Overflow", 1 << 62, 1 << 62},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(Config{MaxBodyBytes: tt.entity})
			if got := s.batchBodyLimit(); got != tt.wantBatch {
				t.Fatalf("batchBodyLimit()=%d, want %d", got, tt.wantBatch)
			}
		})
	}
}

func TestParseBatch(t *testing.T) {
	type parsed struct {
		ID, Method, Path, Query string
		Header                  http.Header
		Body                    string
		Deps                    []int
		Err                     string
	}
	tests := []struct {
		name string
		in   string
		want []parsed
	}{
		{
			name: "GoSDKShape",
			in: `{"requests":[{"id":"a","method":"get","url":"/deviceManagement/x?$top=1","headers":` +
				`{"accept":"application/json","authorization":"Bearer x","content-length":"9"},"body":null,"dependsOn":[]}]}`,
			want: []parsed{{ID: "a", Method: "GET", Path: "/beta/deviceManagement/x", Query: "$top=1",
				Header: http.Header{"Accept": {"application/json"}}}},
		},
		{
			name: "JSONBodyAndDependencies",
			in: `{"requests":[{"id":"1","method":"POST","url":"deviceManagement/x","body":{"a": 1}},` +
				`{"id":"2","method":"GET","url":"/x#frag","dependsOn":["1","1"]}]}`,
			want: []parsed{
				{ID: "1", Method: "POST", Path: "/beta/deviceManagement/x", Header: http.Header{}, Body: `{"a": 1}`},
				{ID: "2", Method: "GET", Path: "/beta/x", Header: http.Header{}, Deps: []int{0}},
			},
		},
		{
			name: "Base64Body",
			in: `{"requests":[{"id":"1","method":"POST","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGk="},` +
				`{"id":"2","method":"POST","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGk_-w"},` +
				`{"id":"3","method":"POST","url":"/x","headers":{"Content-Type":"image/png"},"body":"!"}]}`,
			want: []parsed{
				{ID: "1", Method: "POST", Path: "/beta/x", Header: http.Header{"Content-Type": {"image/png"}}, Body: "hi"},
				{ID: "2", Method: "POST", Path: "/beta/x", Header: http.Header{"Content-Type": {"image/png"}},
					Body: "hi?\xfb"},
				{ID: "3", Method: "POST", Path: "/beta/x", Err: "not valid base64"},
			},
		},
		{
			name: "InvalidURL",
			in:   `{"requests":[{"id":"1","method":"GET","url":"/a%2"}]}`,
			want: []parsed{{ID: "1", Method: "GET", Err: "not a valid relative URL"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseBatch([]byte(tt.in), "beta")
			if err != nil {
				t.Fatalf("parseBatch: %v", err)
			}
			var got []parsed
			for i, it := range items {
				p := parsed{ID: it.id, Method: it.method, Header: it.header, Body: string(it.body), Deps: it.deps}
				if it.target != nil {
					p.Path, p.Query = it.target.Path, it.target.RawQuery
				}
				if it.err != nil {
					// An item error is compared by a fragment of its message.
					p.Header, p.Body = nil, ""
					p.Err = temgraph.ErrorMessage(it.err)
					if i < len(tt.want) && tt.want[i].Err != "" && strings.Contains(p.Err, tt.want[i].Err) {
						p.Err = tt.want[i].Err
					}
				}
				got = append(got, p)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Fatalf("parseBatch (-got +want):\n%s", diff)
			}
		})
	}
}

// FuzzReadBatch feeds arbitrary bodies, plain or labelled gzip, to the
// batch reader. It must never panic, must refuse with a client error, and
// whatever it accepts must be a well-formed batch whose items can be built
// into requests and written back as valid JSON.
func FuzzReadBatch(f *testing.F) {
	for _, dir := range []string{"gosdk", "graph-client"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "batch", dir, "request.json")); err == nil {
			f.Add(b, false)
		}
	}
	f.Add([]byte(`{"requests":[{"id":"1","method":"GET","url":"/x","dependsOn":["1"]}]}`), false)
	f.Add([]byte(`{"requests":[{"id":"a","method":"POST","url":"x","headers":{"content-type":"text/plain"},"body":"aGk="}]}`), false)
	s := NewServer(Config{MaxBodyBytes: 1 << 16})
	clientErrors := map[string]bool{temgraph.EBadRequest: true, temgraph.ETooLarge: true,
		temgraph.EUnsupportedMediaType: true}

	f.Fuzz(func(t *testing.T, data []byte, gzipped bool) {
		req := httptest.NewRequest("POST", "/beta/$batch", bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		if gzipped {
			req.Header.Set("Content-Encoding", "gzip")
		}
		items, err := s.readBatch(req, "beta")
		if err != nil {
			if !clientErrors[temgraph.ErrorCode(err)] {
				t.Fatalf("refused with %v, want a client error", err)
			}
			return
		}
		checkParsedBatch(t, items)
		for _, it := range items {
			if it.err != nil {
				if temgraph.ErrorCode(it.err) != temgraph.EBadRequest {
					t.Fatalf("item error %v, want BadRequest", it.err)
				}
				continue
			}
			r := newItemRequest(req.Context(), req, it)
			if !strings.HasPrefix(r.URL.Path, "/beta/") {
				t.Fatalf("item path %q is not under /beta/", r.URL.Path)
			}
			rec := newItemRecorder(r.Context())
			rec.Header().Set("Content-Type", it.header.Get("Content-Type"))
			rec.Write(it.body)
			if out := appendItemResponse(nil, it.id, rec); !json.Valid(out) {
				t.Fatalf("item response is not valid JSON: %s", out)
			}
		}
	})
}

// checkParsedBatch checks what parseBatch promises about an accepted batch.
func checkParsedBatch(t *testing.T, items []*batchItem) {
	t.Helper()
	if len(items) < 1 || len(items) > maxBatchItems {
		t.Fatalf("accepted %d items", len(items))
	}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[strings.ToLower(it.id)] || it.id == "" || !isToken(it.method) || it.method != strings.ToUpper(it.method) {
			t.Fatalf("accepted item id=%q method=%q", it.id, it.method)
		}
		seen[strings.ToLower(it.id)] = true
	}
	// Every item must be reachable in some order that respects dependsOn.
	finished := make([]bool, len(items))
	for range items {
		progress := false
		for i, it := range items {
			ready := !finished[i]
			for _, d := range it.deps {
				ready = ready && d >= 0 && d < len(items) && finished[d]
			}
			if ready {
				finished[i], progress = true, true
			}
		}
		if !progress {
			break
		}
	}
	for i, ok := range finished {
		if !ok {
			t.Fatalf("item %q can never run: deps %v", items[i].id, items[i].deps)
		}
	}
}
