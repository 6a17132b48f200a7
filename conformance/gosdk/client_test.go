package gosdk

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Permissions the built-in issuer can put in a token.
const (
	scopeRead      = "DeviceManagementServiceConfig.Read.All"
	scopeReadWrite = "DeviceManagementServiceConfig.ReadWrite.All"
)

// partnerType is the @odata.type temgraph writes on each partner.
const partnerType = "#microsoft.graph.telecomExpenseManagementPartner"

// server is one running temgraph process, as conformance/run.sh started it.
type server struct {
	URL string // scheme://host:port, without a version segment
	DB  string // its database, from which tokens are minted
	Bin string // the temgraph binary
}

// mainServer returns the plain-http server every test but the throttling
// one uses, or skips the test when run.sh did not start one.
func mainServer(tb testing.TB) server {
	tb.Helper()
	s := server{
		URL: os.Getenv("TEMGRAPH_CONFORMANCE_URL"),
		DB:  os.Getenv("TEMGRAPH_CONFORMANCE_DB"),
		Bin: os.Getenv("TEMGRAPH_BIN"),
	}
	if s.URL == "" || s.DB == "" || s.Bin == "" {
		tb.Skip("needs a running temgraph: run `bash conformance/run.sh` from the repository root " +
			"(it sets TEMGRAPH_BIN, TEMGRAPH_CONFORMANCE_URL and TEMGRAPH_CONFORMANCE_DB)")
	}
	return s
}

// throttledServer returns the server started with a tiny write limit.
func throttledServer(tb testing.TB) server {
	tb.Helper()
	m := mainServer(tb)
	if reason := os.Getenv("TEMGRAPH_CONFORMANCE_THROTTLED_ERR"); reason != "" {
		tb.Fatalf("the throttled server did not start: %s", reason)
	}
	s := server{
		URL: os.Getenv("TEMGRAPH_CONFORMANCE_THROTTLED_URL"),
		DB:  os.Getenv("TEMGRAPH_CONFORMANCE_THROTTLED_DB"),
		Bin: m.Bin,
	}
	if s.URL == "" || s.DB == "" {
		tb.Fatal("TEMGRAPH_CONFORMANCE_THROTTLED_URL and _DB are not set; run.sh sets them")
	}
	return s
}

// pageSize is the --page-size run.sh gives the main server.
func pageSize(tb testing.TB) int {
	tb.Helper()
	var n int
	if _, err := fmt.Sscan(os.Getenv("TEMGRAPH_CONFORMANCE_PAGE_SIZE"), &n); err != nil || n < 1 {
		tb.Fatalf("TEMGRAPH_CONFORMANCE_PAGE_SIZE=%q: want a positive number",
			os.Getenv("TEMGRAPH_CONFORMANCE_PAGE_SIZE"))
	}
	return n
}

// newTenant returns a fresh random tenant id, so that each test sees only
// the partners it created.
func newTenant(tb testing.TB) string {
	tb.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("random tenant: %v", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MustToken mints a delegated token for tenant with the given scopes
// through `temgraph token`, as a developer would.
func MustToken(tb testing.TB, s server, tenant string, scopes ...string) string {
	tb.Helper()
	cmd := exec.Command(s.Bin, "token", "--db", s.DB, "--tenant", tenant, "--scopes", strings.Join(scopes, " "))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("temgraph token: %v: %s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// staticToken is an AccessTokenProvider that hands out one bearer token,
// and only to the allowed hosts.
type staticToken struct {
	token string
	hosts *absauth.AllowedHostsValidator
}

// GetAuthorizationToken returns the token for allowed hosts and "" (no
// Authorization header) for any other.
func (s *staticToken) GetAuthorizationToken(_ context.Context, u *url.URL, _ map[string]any) (string, error) {
	if !s.hosts.IsUrlHostValid(u) {
		return "", nil
	}
	return s.token, nil
}

// GetAllowedHostsValidator returns the hosts the token may be sent to.
func (s *staticToken) GetAllowedHostsValidator() *absauth.AllowedHostsValidator { return s.hosts }

// exchange is one request and response as they crossed the wire, below
// the SDK's middleware (so retries and compression are visible).
type exchange struct {
	Method     string
	URL        string
	ReqHeader  http.Header
	ReqBody    []byte // as sent, possibly gzip
	Status     int
	RespHeader http.Header
	RespBody   []byte
}

// recorder is an http.RoundTripper that records every exchange.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

// RoundTrip sends req through next and records both sides.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchange{Method: req.Method, URL: req.URL.String(), ReqHeader: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("record request body: %w", err)
		}
		ex.ReqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("record response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	ex.Status, ex.RespHeader, ex.RespBody = resp.StatusCode, resp.Header.Clone(), b

	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
	return resp, nil
}

// exchanges returns a copy of the log.
func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.log...)
}

// last returns the most recent exchange.
func (r *recorder) last(tb testing.TB) exchange {
	tb.Helper()
	log := r.exchanges()
	if len(log) == 0 {
		tb.Fatal("no request reached the wire")
	}
	return log[len(log)-1]
}

// sdk is a GraphServiceClient wired to one temgraph server.
type sdk struct {
	*msgraphsdk.GraphServiceClient
	Adapter *msgraphsdk.GraphRequestAdapter
	Wire    *recorder
}

// MustClient builds the typed v1.0 GraphServiceClient the way an
// application would, with the SDK's default middleware (retry, redirect,
// gzip compression, telemetry), a static bearer token allowed only for
// 127.0.0.1, and a base URL of <server>/v1.0.
func MustClient(tb testing.TB, s server, token string) *sdk {
	tb.Helper()
	opts := msgraphsdk.GetDefaultClientOptions()
	return MustClientWithMiddleware(tb, s, token, msgraphgocore.GetDefaultMiddlewaresWithOptions(&opts)...)
}

// MustClientWithMiddleware is MustClient with the given middleware, in
// that order, instead of the SDK's default set.
func MustClientWithMiddleware(tb testing.TB, s server, token string, middleware ...khttp.Middleware) *sdk {
	tb.Helper()
	rec := &recorder{next: khttp.GetDefaultTransport()}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(rec, middleware...),
		Timeout:   2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{"127.0.0.1"})
	if err != nil {
		tb.Fatalf("allowed hosts: %v", err)
	}
	auth := absauth.NewBaseBearerTokenAuthenticationProvider(&staticToken{token: token, hosts: hosts})
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, nil, nil, httpClient)
	if err != nil {
		tb.Fatalf("request adapter: %v", err)
	}
	// The base URL must be set before the service client is built: the
	// client copies it into its builders' path parameters, and the batch
	// code strips exactly that prefix to make each item's relative url.
	adapter.SetBaseUrl(s.URL + "/v1.0")
	client := msgraphsdk.NewGraphServiceClient(adapter)
	return &sdk{GraphServiceClient: client, Adapter: adapter, Wire: rec}
}

// registerErrorMappings makes the SDK core's page iterator and batch parse
// failed responses as ODataError, as generated builders do for their own
// requests. The registry is global, so this runs once.
var registerErrorMappings = sync.OnceValue(func() error {
	m := abs.ErrorMappings{
		"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
		"5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	}
	return errors.Join(
		msgraphgocore.RegisterError(msgraphgocore.BatchRequestErrorRegistryKey, m),
		msgraphgocore.RegisterError(msgraphgocore.PageIteratorErrorRegistryKey, m),
	)
})

// partnerSpec is the input for a new partner.
type partnerSpec struct {
	Name          string
	URL           string
	AppAuthorized bool
	Enabled       bool
	LastConnected time.Time
}

// model returns the SDK model for the spec.
func (p partnerSpec) model() *models.TelecomExpenseManagementPartner {
	m := models.NewTelecomExpenseManagementPartner()
	m.SetDisplayName(&p.Name)
	m.SetUrl(&p.URL)
	m.SetAppAuthorized(&p.AppAuthorized)
	m.SetEnabled(&p.Enabled)
	t := p.LastConnected
	m.SetLastConnectionDateTime(&t)
	return m
}

// MustCreate creates a partner through the typed builder and returns it.
func MustCreate(tb testing.TB, c *sdk, p partnerSpec) models.TelecomExpenseManagementPartnerable {
	tb.Helper()
	got, err := c.DeviceManagement().TelecomExpenseManagementPartners().Post(context.Background(), p.model(), nil)
	if err != nil {
		tb.Fatalf("create %q: %s", p.Name, describe(err))
	}
	if got == nil || got.GetId() == nil {
		tb.Fatalf("create %q: no entity or no id in the response", p.Name)
	}
	return got
}

// partnerView is a comparable projection of a partner model.
type partnerView struct {
	ID, ODataType, DisplayName, URL *string
	AppAuthorized, Enabled          *bool
	LastConnected                   *time.Time
}

// view projects a model for cmp.Diff.
func view(p models.TelecomExpenseManagementPartnerable) partnerView {
	if p == nil {
		return partnerView{}
	}
	v := partnerView{
		ID: p.GetId(), ODataType: p.GetOdataType(), DisplayName: p.GetDisplayName(), URL: p.GetUrl(),
		AppAuthorized: p.GetAppAuthorized(), Enabled: p.GetEnabled(),
	}
	if t := p.GetLastConnectionDateTime(); t != nil {
		u := t.UTC()
		v.LastConnected = &u
	}
	return v
}

// wantView is the view a server should return for spec under id.
func wantView(id string, p partnerSpec) partnerView {
	typ, t := partnerType, p.LastConnected.UTC()
	return partnerView{
		ID: &id, ODataType: &typ, DisplayName: &p.Name, URL: &p.URL,
		AppAuthorized: &p.AppAuthorized, Enabled: &p.Enabled, LastConnected: &t,
	}
}

// MustODataError asserts that err is an *odataerrors.ODataError with the
// wanted HTTP status and error code and a non-empty message.
func MustODataError(tb testing.TB, err error, status int, code string) *odataerrors.ODataError {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err=nil, want ODataError %d %s", status, code)
	}
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		tb.Fatalf("err=%T %v, want *odataerrors.ODataError %d %s", err, err, status, code)
	}
	if oe.ResponseStatusCode != status {
		tb.Errorf("status=%d, want %d (%s)", oe.ResponseStatusCode, status, describe(err))
	}
	main := oe.GetErrorEscaped()
	if main == nil {
		tb.Fatalf("ODataError has no \"error\" object")
	}
	if got := deref(main.GetCode()); got != code {
		tb.Errorf("error.code=%q, want %q (%s)", got, code, describe(err))
	}
	msg := deref(main.GetMessage())
	if msg == "" {
		tb.Errorf("error.message is empty")
	}
	if goErrorPrefix.MatchString(msg) {
		tb.Errorf("error.message=%q starts like a Go error chain; want a plain sentence", msg)
	}
	return oe
}

// goErrorPrefix matches a Go package prefix such as "odata: " or
// "parse filter: " at the start of an error message.
var goErrorPrefix = regexp.MustCompile(`^[a-z][a-z0-9 ]*: `)

// describe renders an SDK error with the server's code and message.
func describe(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		return fmt.Sprintf("ODataError status=%d code=%q message=%q", oe.ResponseStatusCode,
			deref(oe.GetErrorEscaped().GetCode()), deref(oe.GetErrorEscaped().GetMessage()))
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		return fmt.Sprintf("ApiError status=%d message=%q", ae.ResponseStatusCode, ae.Message)
	}
	return fmt.Sprintf("%T: %v", err, err)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// show formats an optional value for a test message.
func show[T any](p *T) string {
	if p == nil {
		return "<absent>"
	}
	return fmt.Sprintf("%v", *p)
}
