package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/temgraph/temgraph/auth"
)

// collPath is the partner collection under a version root.
const collPath = "/deviceManagement/telecomExpenseManagementPartners"

// Tenants used by the end-to-end tests.
const (
	tenantA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	tenantB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
)

// testMain is the real serve command on a loopback port with a SQLite
// database in a temporary directory.
type testMain struct {
	*Main
	DBPath string
	key    *auth.SigningKey
	logs   *syncBuffer
	closed bool
}

// syncBuffer collects the server's logs for inspection and for failures.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// MustRunMain starts the serve command on 127.0.0.1:0 over the database at
// dbPath (a new temporary one when empty), with extra serve flags. The
// server is closed when the test ends.
func MustRunMain(tb testing.TB, dbPath string, flags ...string) *testMain {
	tb.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(tb.TempDir(), "temgraph.db")
	}
	m := NewMain()
	args := append([]string{"--addr", "127.0.0.1:0", "--db", dbPath, "--log-level", "info"}, flags...)
	if err := m.ParseFlags(args, io.Discard); err != nil {
		tb.Fatalf("ParseFlags(%q): %v", args, err)
	}
	tm := &testMain{Main: m, DBPath: dbPath, logs: &syncBuffer{}}
	m.LogOutput = tm.logs
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("Run: %v", err)
	}
	tb.Cleanup(func() {
		if !tm.closed {
			if err := tm.Close(); err != nil {
				tb.Errorf("Close: %v", err)
			}
		}
		if tb.Failed() {
			tb.Logf("server log:\n%s", tm.logs.String())
		}
	})
	key, err := auth.LoadSigningKey(context.Background(), m.Store)
	if err != nil {
		tb.Fatalf("load signing key: %v", err)
	}
	tm.key = key
	return tm
}

// Close stops the server once.
func (m *testMain) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	return m.Main.Close()
}

// token mints a token from the server's built-in issuer. Tenant defaults to
// tenantA, TTL to an hour and the permissions to ReadWrite.All (delegated).
func (m *testMain) token(tb testing.TB, req auth.TokenRequest) string {
	tb.Helper()
	if req.Tenant == "" {
		req.Tenant = tenantA
	}
	if req.TTL == 0 {
		req.TTL = time.Hour
	}
	if req.Scopes == nil && req.Roles == nil {
		req.Scopes = []string{auth.ScopeReadWrite}
	}
	tok, err := auth.Issue(m.key, m.IssuerBase, req, time.Now())
	if err != nil {
		tb.Fatalf("issue token: %v", err)
	}
	return tok
}

// rwToken is a delegated ReadWrite.All token for the tenant.
func (m *testMain) rwToken(tb testing.TB, tenant string) string {
	tb.Helper()
	return m.token(tb, auth.TokenRequest{Tenant: tenant})
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	Body []byte
}

// JSON decodes the body as one JSON object.
func (r *reply) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("%s %s: body %q is not a JSON object: %v", r.Request.Method, r.Request.URL, r.Body, err)
	}
	return v
}

// mustObject decodes one JSON object.
func mustObject(tb testing.TB, b []byte) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("body %q is not a JSON object: %v", b, err)
	}
	return v
}

// testClient is a plain net/http client, as an SDK would use.
var testClient = &http.Client{Timeout: 30 * time.Second}

// call sends one request. hdr adds headers; an "Authorization" of "" is
// left out. A non-nil body is sent as application/json unless hdr says
// otherwise.
func call(tb testing.TB, method, url, token string, body []byte, hdr map[string]string) *reply {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return &reply{Response: resp, Body: b}
}

// graphError is Graph's error body.
type graphError struct {
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

// leakTexts must appear in no response body: database, panic and Go error
// text. leakWords are checked in any case.
var (
	leakTexts = []string{
		"invalid character", "unexpected end of JSON input", "cannot unmarshal", "json:", "EOF",
		"runtime error", "goroutine", "%!", "<nil>", "gzip:", "flate:", "http:", "mime:",
		"no such", "constraint", "UNIQUE", "database is locked", ".go:",
	}
	leakWords = []string{"sql", "sqlite", "panic"}
)

// checkNoLeak fails when a response body holds internal error text.
func checkNoLeak(tb testing.TB, body []byte) {
	tb.Helper()
	s := string(body)
	for _, frag := range leakTexts {
		if strings.Contains(s, frag) {
			tb.Errorf("response body holds %q: %s", frag, s)
		}
	}
	for _, w := range leakWords {
		if strings.Contains(strings.ToLower(s), w) {
			tb.Errorf("response body holds %q: %s", w, s)
		}
	}
}

// checkGraphError is the one check for Graph error responses: the status,
// the code, a non-empty message, innerError.request-id equal to the
// request-id header, innerError.client-request-id echoing the client's (or
// the request id), innerError.date in Graph's format, a JSON content type
// and no internal error text. A 401 must also carry WWW-Authenticate. It
// returns the message.
func checkGraphError(tb testing.TB, r *reply, status int, code string) string {
	tb.Helper()
	if r.StatusCode != status {
		tb.Fatalf("%s %s: status=%d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode,
			status, r.Body)
	}
	checkNoLeak(tb, r.Body)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("Content-Type=%q, want application/json", ct)
	}
	var e graphError
	if err := json.Unmarshal(r.Body, &e); err != nil {
		tb.Fatalf("error body %q: %v", r.Body, err)
	}
	if e.Error.Code != code {
		tb.Errorf("code=%q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	if strings.TrimSpace(e.Error.Message) == "" {
		tb.Errorf("message is empty")
	}
	id := r.Header.Get("request-id")
	if id == "" || e.Error.InnerError.RequestID != id {
		tb.Errorf("innerError.request-id=%q, want the request-id header %q", e.Error.InnerError.RequestID, id)
	}
	wantCID := r.Request.Header.Get("client-request-id")
	if wantCID == "" {
		wantCID = id
	}
	if e.Error.InnerError.ClientRequestID != wantCID {
		tb.Errorf("innerError.client-request-id=%q, want %q", e.Error.InnerError.ClientRequestID, wantCID)
	}
	date, err := time.Parse("2006-01-02T15:04:05", e.Error.InnerError.Date)
	if err != nil {
		tb.Errorf("innerError.date=%q: %v", e.Error.InnerError.Date, err)
	} else if d := time.Since(date); d < -time.Minute || d > time.Minute {
		tb.Errorf("innerError.date=%q is %v away from now (UTC)", e.Error.InnerError.Date, d)
	}
	if status == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		tb.Errorf("401 without a Bearer WWW-Authenticate header: %q", r.Header.Get("WWW-Authenticate"))
	}
	return e.Error.Message
}
