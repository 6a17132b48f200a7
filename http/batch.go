package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temgraph/temgraph"
)

// Limits of JSON batching.
const (
	// maxBatchItems is Graph's limit on requests in one batch.
	maxBatchItems = 20
	// batchConcurrency bounds how many items of one batch run at once.
	batchConcurrency = 4
	// maxBatchBodyBytes caps the batch body limit, which is otherwise
	// maxBatchItems times the single-request limit.
	maxBatchBodyBytes = 32 << 20
)

// batchItem is one parsed request of a batch.
type batchItem struct {
	id     string
	method string
	target *url.URL    // path under the batch's version, with the query
	header http.Header // the item's own headers, canonicalised
	body   []byte      // nil when the item has no body
	deps   []int       // indexes of the items this one waits for
	// err, when set, is the 4xx the item gets instead of running.
	err error
}

// wireBatchItem is a batch request item as it arrives; each member is
// checked by hand so that every mistake gets a precise message. Member
// names are matched exactly, as OData JSON's are; others (such as
// atomicityGroup, which Graph ignores too) are ignored.
type wireBatchItem struct {
	ID, Method, URL, Headers, Body, DependsOn json.RawMessage
}

// handleBatch serves POST /{version}/$batch: it runs each item through the
// same authentication, authorisation, throttling and handlers as a direct
// request and answers 200 with every item's response.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, pp pathParams) {
	if stateOf(r.Context()).inBatch {
		s.writeError(w, r, temgraph.Errorf(temgraph.EBadRequest,
			"A batch request cannot contain another batch request."))
		return
	}
	items, err := s.readBatch(r, pp.version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := s.runBatch(r, items)

	b := make([]byte, 0, 512*len(items))
	b = append(b, `{"responses":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItemResponse(b, it.id, results[i])
	}
	b = append(b, "]}"...)
	writeOData(w, r, http.StatusOK, b)
}

// batchBodyLimit is the largest batch body accepted after decompression.
func (s *Server) batchBodyLimit() int64 {
	limit := s.MaxBodyBytes * maxBatchItems
	if limit > maxBatchBodyBytes || limit/maxBatchItems != s.MaxBodyBytes {
		limit = maxBatchBodyBytes
	}
	return max(limit, s.MaxBodyBytes)
}

// readBatch reads and checks the batch body of r.
func (s *Server) readBatch(r *http.Request, version string) ([]*batchItem, error) {
	body, err := s.readBody(r, s.batchBodyLimit())
	if err != nil {
		return nil, err
	}
	return parseBatch(body, version)
}

// parseBatch decodes a JSON batch and checks it as a whole: 1 to 20 items,
// each with a unique id, a method and a url, and dependencies that name
// items of the batch without a cycle. Such mistakes fail the whole batch;
// a mistake that concerns one item only (a url that is not a URL, a body
// that is not base64) is kept in that item's err.
func parseBatch(data []byte, version string) ([]*batchItem, error) {
	raws, err := batchEntries(data)
	if err != nil {
		return nil, err
	}
	items := make([]*batchItem, len(raws))
	deps := make([][]string, len(raws))
	index := make(map[string]int, len(raws))
	for i, raw := range raws {
		it, dependsOn, err := decodeBatchItem(i+1, raw, version)
		if err != nil {
			return nil, err
		}
		key := temgraph.LowerASCII(it.id)
		if _, dup := index[key]; dup {
			return nil, temgraph.Errorf(temgraph.EBadRequest,
				"The batch contains more than one request with the id '%s'; ids must be unique, "+
					"ignoring case.", it.id)
		}
		index[key] = i
		items[i], deps[i] = it, dependsOn
	}
	if err := linkDependencies(items, deps, index); err != nil {
		return nil, err
	}
	if err := checkCycles(items); err != nil {
		return nil, err
	}
	return items, nil
}

// batchEntries returns the raw entries of the batch's requests array.
func batchEntries(data []byte) ([]json.RawMessage, error) {
	env, err := decodeObject(data)
	var syn *json.SyntaxError
	var dup *duplicateMemberError
	switch {
	case err == nil:
	case bytes.HasPrefix(data, utf8BOM):
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The batch request body starts with a byte order mark (U+FEFF); send the JSON without it.")
	case errors.Is(err, errNotObject):
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			`The batch request body must be a JSON object like {"requests":[...]}.`)
	case errors.As(err, &dup):
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The batch request body %s.", dup)
	case errors.As(err, &syn):
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The batch request body is not valid JSON: error at byte %d.", syn.Offset)
	default:
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The batch request body is not valid JSON.")
	}
	var raws []json.RawMessage
	if requests := env["requests"]; isAbsent(requests) || json.Unmarshal(requests, &raws) != nil {
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The batch request body must have a 'requests' array.")
	}
	switch {
	case len(raws) == 0:
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The batch contains no requests; send between 1 and %d.", maxBatchItems)
	case len(raws) > maxBatchItems:
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"Number of requests inside batch exceeds the limit. A batch holds at most %d requests; "+
				"this one has %d.", maxBatchItems, len(raws))
	}
	return raws, nil
}

// decodeBatchItem decodes the n-th (1-based) entry of the requests array
// and returns it with the ids it depends on.
func decodeBatchItem(n int, raw json.RawMessage, version string) (*batchItem, []string, error) {
	obj, err := decodeObject(raw)
	if dup := (*duplicateMemberError)(nil); errors.As(err, &dup) {
		return nil, nil, temgraph.Errorf(temgraph.EBadRequest, "Request %d of the batch %s.", n, dup)
	}
	if err != nil {
		return nil, nil, temgraph.Errorf(temgraph.EBadRequest, "Request %d of the batch is not a JSON object.", n)
	}
	w := wireBatchItem{ID: obj["id"], Method: obj["method"], URL: obj["url"], Headers: obj["headers"],
		Body: obj["body"], DependsOn: obj["dependsOn"]}
	it := &batchItem{}
	if it.id, err = requiredString(n, "id", w.ID); err != nil {
		return nil, nil, err
	}
	if it.method, err = batchMethod(it.id, w.Method); err != nil {
		return nil, nil, err
	}
	rawURL, err := requiredString(n, "url", w.URL)
	if err != nil {
		return nil, nil, err
	}
	if it.header, err = batchHeaders(it.id, w.Headers); err != nil {
		return nil, nil, err
	}
	dependsOn, err := batchDependsOn(it.id, w.DependsOn)
	if err != nil {
		return nil, nil, err
	}
	it.target, it.err = itemTarget(version, rawURL)
	if it.err == nil {
		it.body, it.err = itemBody(it.id, w.Body, it.header.Get("Content-Type"))
	}
	return it, dependsOn, nil
}

// isAbsent reports whether a member is missing or null.
func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// requiredString decodes a member that must be a non-empty JSON string.
func requiredString(n int, name string, raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", temgraph.Errorf(temgraph.EBadRequest, "Request %d of the batch has no '%s'.", n, name)
	}
	var v string
	if raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
		return "", temgraph.Errorf(temgraph.EBadRequest,
			"The '%s' of request %d of the batch must be a JSON string.", name, n)
	}
	if v == "" {
		return "", temgraph.Errorf(temgraph.EBadRequest,
			"The '%s' of request %d of the batch is empty.", name, n)
	}
	return v, nil
}

// batchMethod decodes an item's method; methods are not case-sensitive.
func batchMethod(id string, raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", temgraph.Errorf(temgraph.EBadRequest, "The request '%s' of the batch has no 'method'.", id)
	}
	var m string
	if raw[0] != '"' || json.Unmarshal(raw, &m) != nil || !isToken(m) {
		return "", temgraph.Errorf(temgraph.EBadRequest,
			"The 'method' of request '%s' must be an HTTP method such as GET or PATCH.", id)
	}
	return strings.ToUpper(m), nil
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// batchHeaders decodes an item's headers, an object of strings. A header
// named twice, in any case, is refused rather than one value silently
// winning. Headers that belong to the batch's own connection and
// credentials are dropped.
func batchHeaders(id string, raw json.RawMessage) (http.Header, error) {
	h := make(http.Header)
	if isAbsent(raw) {
		return h, nil
	}
	m, err := decodeObject(raw)
	var dup *duplicateMemberError
	switch {
	case errors.As(err, &dup):
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The 'headers' of request '%s' name the header '%s' more than once.", id, dup.name)
	case err != nil:
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The 'headers' of request '%s' must be a JSON object of strings.", id)
	}
	seen := make(map[string]string, len(m)) // lower-cased name: the name as sent
	for name, rv := range m {
		if other, ok := seen[strings.ToLower(name)]; ok {
			return nil, temgraph.Errorf(temgraph.EBadRequest,
				"The 'headers' of request '%s' name the header '%s' more than once (also as '%s').",
				id, min(name, other), max(name, other))
		}
		seen[strings.ToLower(name)] = name
		var v string
		if len(rv) == 0 || rv[0] != '"' || json.Unmarshal(rv, &v) != nil {
			return nil, temgraph.Errorf(temgraph.EBadRequest,
				"The header '%s' of request '%s' must have a JSON string value.", name, id)
		}
		switch key := http.CanonicalHeaderKey(name); key {
		case "Authorization", "Content-Length", "Host", "Transfer-Encoding", "Connection":
		default:
			h.Add(key, v)
		}
	}
	return h, nil
}

// batchDependsOn decodes an item's dependsOn, an array of ids.
func batchDependsOn(id string, raw json.RawMessage) ([]string, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	var ids []string
	if raw[0] != '[' || json.Unmarshal(raw, &ids) != nil {
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The 'dependsOn' of request '%s' must be a JSON array of request ids.", id)
	}
	return ids, nil
}

// itemTarget resolves an item's relative url under the batch's version.
// The url may start with a slash or not. Anything else, an absolute URL or
// a url that repeats the version, reaches the router as it is and fails
// there as on Graph: "Resource not found for the segment 'https:'".
func itemTarget(version, rawURL string) (*url.URL, error) {
	u, err := url.Parse("/" + version + "/" + strings.TrimPrefix(rawURL, "/"))
	if err != nil {
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The url '%s' is not a valid relative URL.", rawURL)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// itemBody returns the bytes an item sends. A JSON value is sent as it is
// when the item's Content-Type is JSON or missing; with another
// Content-Type a JSON string is the base64 encoding of the body.
func itemBody(id string, raw json.RawMessage, contentType string) ([]byte, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	if contentType == "" || isJSONMediaType(contentType) || raw[0] != '"' {
		return raw, nil
	}
	var enc string
	if json.Unmarshal(raw, &enc) != nil {
		return nil, temgraph.Errorf(temgraph.EBadRequest, "The body of request '%s' is not valid JSON.", id)
	}
	body, err := decodeBase64(enc)
	if err != nil {
		return nil, temgraph.Errorf(temgraph.EBadRequest,
			"The body of request '%s' is not valid base64; a body whose Content-Type is not JSON "+
				"must be a base64 string.", id)
	}
	return body, nil
}

// decodeBase64 accepts the standard and the URL alphabet, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// isJSONMediaType reports whether a Content-Type names JSON.
func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// linkDependencies turns each item's dependsOn ids into indexes.
func linkDependencies(items []*batchItem, deps [][]string, index map[string]int) error {
	for i, it := range items {
		for _, d := range deps[i] {
			j, ok := index[temgraph.LowerASCII(d)]
			if !ok {
				return temgraph.Errorf(temgraph.EBadRequest,
					"The request '%s' depends on '%s', which is not a request of this batch.", it.id, d)
			}
			if !slices.Contains(it.deps, j) {
				it.deps = append(it.deps, j)
			}
		}
	}
	return nil
}

// checkCycles refuses dependencies that can never be met: it removes
// items whose dependencies are all removed until none is left.
func checkCycles(items []*batchItem) error {
	waiting := make([]int, len(items))
	dependents := make([][]int, len(items))
	var ready []int
	for i, it := range items {
		waiting[i] = len(it.deps)
		for _, d := range it.deps {
			dependents[d] = append(dependents[d], i)
		}
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		for _, j := range dependents[i] {
			if waiting[j]--; waiting[j] == 0 {
				ready = append(ready, j)
			}
		}
	}
	for i, n := range waiting {
		if n > 0 {
			return temgraph.Errorf(temgraph.EBadRequest,
				"The dependsOn of request '%s' forms a cycle; a batch's dependencies must not loop.", items[i].id)
		}
	}
	return nil
}

// runBatch runs the items, each as soon as the items it depends on have
// finished, at most batchConcurrency at a time, and returns their
// responses in item order.
func (s *Server) runBatch(r *http.Request, items []*batchItem) []*itemRecorder {
	results := make([]*itemRecorder, len(items))
	done := make([]chan struct{}, len(items))
	for i := range done {
		done[i] = make(chan struct{})
	}
	slots := make(chan struct{}, batchConcurrency)

	var wg sync.WaitGroup
	for i, it := range items {
		wg.Go(func() {
			defer close(done[i])
			results[i] = s.runItem(r, it, items, results, done, slots)
		})
	}
	wg.Wait()
	return results
}

// runItem waits for the item's dependencies and runs it if they all
// succeeded; otherwise the item fails with 424 without running.
func (s *Server) runItem(batch *http.Request, it *batchItem, items []*batchItem,
	results []*itemRecorder, done []chan struct{}, slots chan struct{}) *itemRecorder {
	for _, d := range it.deps {
		<-done[d]
		if st := results[d].statusCode(); st < 200 || st > 299 {
			return s.answerItem(batch, it, temgraph.Errorf(temgraph.EFailedDependency,
				"The request '%s' was not run because the request '%s' it depends on failed with status %d.",
				it.id, items[d].id, st))
		}
	}
	if err := batch.Context().Err(); err != nil {
		return s.answerItem(batch, it, err)
	}
	slots <- struct{}{}
	defer func() { <-slots }()
	return s.serveItem(batch, it)
}

// itemContext derives an item's context from the batch's: its own request
// id and route slot, the client-request-id it sent (else the batch's), and
// the batch mark that forbids nesting.
func itemContext(batch *http.Request, it *batchItem) (context.Context, *string) {
	ctx := batch.Context()
	cid := it.header.Get("client-request-id")
	if cid == "" || len(cid) > 200 {
		cid = clientRequestID(ctx)
	}
	st := &requestState{id: temgraph.NewGUID(), clientID: cid, inBatch: true, origin: stateOf(ctx).origin}
	return withState(ctx, st), &st.route
}

// answerItem answers an item that does not run with err.
func (s *Server) answerItem(batch *http.Request, it *batchItem, err error) *itemRecorder {
	ctx, _ := itemContext(batch, it)
	rec := newItemRecorder(ctx)
	s.writeError(rec, batch.WithContext(ctx), err)
	return rec
}

// serveItem runs one item through the server's API handler, the same
// authentication, authorisation, throttling and routes as a direct
// request, and records its response. A panic becomes the item's 500.
func (s *Server) serveItem(batch *http.Request, it *batchItem) (rec *itemRecorder) {
	if it.err != nil {
		return s.answerItem(batch, it, it.err)
	}
	ctx, route := itemContext(batch, it)
	req := newItemRequest(ctx, batch, it)
	rec = newItemRecorder(ctx)
	start := time.Now()
	defer func() {
		if v := recover(); v != nil {
			rec = newItemRecorder(ctx)
			s.writeError(rec, req, fmt.Errorf("batch request %q panicked: %v", it.id, v))
		}
		s.logItem(req, it, *route, rec.statusCode(), time.Since(start))
	}()
	s.api.ServeHTTP(rec, req)
	return rec
}

// newItemRequest builds the *http.Request of an item: its method, url,
// headers and body, with the batch's credentials, host and TLS state.
func newItemRequest(ctx context.Context, batch *http.Request, it *batchItem) *http.Request {
	h := it.header.Clone()
	if auth, ok := batch.Header["Authorization"]; ok {
		h["Authorization"] = slices.Clone(auth)
	}
	if it.body != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	target := *it.target
	req := &http.Request{
		Method:        it.method,
		URL:           &target,
		Proto:         batch.Proto,
		ProtoMajor:    batch.ProtoMajor,
		ProtoMinor:    batch.ProtoMinor,
		Header:        h,
		Body:          http.NoBody,
		ContentLength: int64(len(it.body)),
		Host:          batch.Host,
		RemoteAddr:    batch.RemoteAddr,
		RequestURI:    it.target.RequestURI(),
		TLS:           batch.TLS,
	}
	if it.body != nil {
		req.Body = io.NopCloser(bytes.NewReader(it.body))
	}
	return req.WithContext(ctx)
}

// logItem writes an access line for one batch item.
func (s *Server) logItem(r *http.Request, it *batchItem, route string, status int, d time.Duration) {
	ctx := r.Context()
	if !s.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "batch item",
		slog.String("method", r.Method), slog.String("route", route),
		slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Duration("duration", d), slog.String("request_id", requestID(ctx)),
		slog.String("batch_item_id", it.id))
}

// itemRecorder is the in-memory ResponseWriter an item writes to.
type itemRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// newItemRecorder returns a recorder that already carries the item's
// request-id and client-request-id headers.
func newItemRecorder(ctx context.Context) *itemRecorder {
	h := make(http.Header)
	h["request-id"] = []string{requestID(ctx)}
	h["client-request-id"] = []string{clientRequestID(ctx)}
	return &itemRecorder{header: h}
}

func (w *itemRecorder) Header() http.Header { return w.header }

func (w *itemRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *itemRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// statusCode is the recorded status; a handler that wrote nothing is 200.
func (w *itemRecorder) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// batchHeaderNames spells some headers the way Graph does in item
// responses; others keep Go's canonical form.
var batchHeaderNames = map[string]string{
	"Etag":             "ETag",
	"Odata-Version":    "OData-Version",
	"Www-Authenticate": "WWW-Authenticate",
}

// appendItemResponse appends one entry of the batch's responses array.
// Header values are strings and the media type's key is "Content-Type". An
// empty body (a 204) is left out together with its Content-Type; a JSON
// body is embedded as JSON, text as a string and anything else as base64.
func appendItemResponse(b []byte, id string, rec *itemRecorder) []byte {
	body := rec.body.Bytes()
	b = append(b, `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(rec.statusCode()), 10)
	b = append(b, `,"headers":{`...)
	first := true
	for _, k := range slices.Sorted(maps.Keys(rec.header)) {
		if k == "Content-Length" || (k == "Content-Type" && len(body) == 0) || len(rec.header[k]) == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		name := k
		if n, ok := batchHeaderNames[k]; ok {
			name = n
		}
		b = appendString(b, name)
		b = append(b, ':')
		b = appendString(b, strings.Join(rec.header[k], ", "))
	}
	b = append(b, '}')
	if len(body) > 0 {
		b = append(b, `,"body":`...)
		b = appendItemBody(b, rec.header.Get("Content-Type"), body)
	}
	return append(b, '}')
}

// appendItemBody appends a recorded body as a JSON value.
func appendItemBody(b []byte, contentType string, body []byte) []byte {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case isJSONMediaType(contentType) && json.Valid(body):
		return append(b, body...)
	case strings.HasPrefix(mt, "text/") || mt == "application/xml" || strings.HasSuffix(mt, "+xml"):
		return appendString(b, string(body))
	default:
		return appendString(b, base64.StdEncoding.EncodeToString(body))
	}
}
