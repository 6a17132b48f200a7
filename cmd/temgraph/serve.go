package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
	temhttp "github.com/temgraph/temgraph/http"
	"github.com/temgraph/temgraph/throttle"
)

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

// Main is the serve command: it owns the store, the listener and the HTTP
// server, so that tests can start the real program on port 0.
type Main struct {
	Addr         string
	DB           string
	LogFormat    string
	LogLevel     string
	PageSize     int
	MaxBodyBytes int64
	IssuerBase   string
	Throttling   string
	Limits       throttle.Limits
	TLSCert      string
	TLSKey       string
	// PublicURL is the scheme and host clients reach the server at, when
	// that differs from what requests arrive with (behind a proxy).
	PublicURL string
	// BuiltinIssuer is "on" to trust the built-in issuer's tokens, "off"
	// to trust only the outside issuer OIDCDiscovery names.
	BuiltinIssuer string
	// OIDCDiscovery is the URL of an outside issuer's OpenID configuration.
	OIDCDiscovery string
	// OIDCAllowHTTP permits plain http to a non-loopback issuer.
	OIDCAllowHTTP bool

	// LogOutput receives the logs; stderr by default.
	LogOutput io.Writer

	Store    temgraph.Store
	logger   *slog.Logger
	listener net.Listener
	server   *http.Server
	served   chan error
	// stopRefresh ends the outside issuer's key refresh.
	stopRefresh context.CancelFunc

	logCloser io.Closer

	closeOnce sync.Once
	closeErr  error
}

// NewMain returns a Main with the documented defaults.
func NewMain() *Main {
	return &Main{
		Addr: "127.0.0.1:8080", DB: defaultDB, LogFormat: "text", LogLevel: "info",
		PageSize: 100, MaxBodyBytes: 1 << 20, IssuerBase: auth.DefaultIssuerBase,
		Throttling: "on", BuiltinIssuer: "on", LogOutput: os.Stderr,
	}
}

// ParseFlags reads the serve flags, then TEMGRAPH_* variables for flags
// not given.
func (m *Main) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on (host:port)")
	fs.StringVar(&m.DB, "db", m.DB, "database: a SQLite path or file: URL (one server per file), or a postgres:// URL")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "log format: text or json")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "log level: debug, info, warn or error")
	fs.IntVar(&m.PageSize, "page-size", m.PageSize, "default and largest number of partners per page")
	fs.Int64Var(&m.MaxBodyBytes, "max-body-bytes", m.MaxBodyBytes, "largest request body accepted, after decompression")
	fs.StringVar(&m.IssuerBase, "issuer", m.IssuerBase, "base of the built-in issuer's identifier")
	fs.StringVar(&m.Throttling, "throttling", m.Throttling, "throttling: on or off")
	lim, d := &m.Limits, throttle.DefaultLimits()
	fs.IntVar(&lim.WritesPerTenant, "throttle-writes-tenant", d.WritesPerTenant, "writes per window per tenant")
	fs.IntVar(&lim.WritesPerApp, "throttle-writes-app", d.WritesPerApp, "writes per window per app in a tenant")
	fs.IntVar(&lim.AllPerTenant, "throttle-all-tenant", d.AllPerTenant, "requests per window per tenant")
	fs.IntVar(&lim.AllPerApp, "throttle-all-app", d.AllPerApp, "requests per window per app in a tenant")
	fs.DurationVar(&lim.Window, "throttle-window", d.Window, "period the throttle limits count over")
	fs.StringVar(&m.TLSCert, "tls-cert", m.TLSCert, "PEM certificate file; with --tls-key, serve https")
	fs.StringVar(&m.TLSKey, "tls-key", m.TLSKey, "PEM private key file for --tls-cert")
	fs.StringVar(&m.PublicURL, "public-url", m.PublicURL,
		"scheme and host clients reach the server at (https://host[:port]), for links behind a proxy")
	fs.StringVar(&m.BuiltinIssuer, "builtin-issuer", m.BuiltinIssuer, "trust the built-in issuer's tokens: on or off")
	fs.StringVar(&m.OIDCDiscovery, "oidc-discovery", m.OIDCDiscovery,
		"URL of an OpenID configuration document; its issuer's tokens are trusted too")
	fs.BoolVar(&m.OIDCAllowHTTP, "oidc-allow-http", m.OIDCAllowHTTP,
		"allow plain http for --oidc-discovery to a non-loopback host")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := m.Limits.Validate(); err != nil {
		return fmt.Errorf("throttle limits: %w", err)
	}
	return m.validate()
}

func (m *Main) validate() error {
	switch {
	case m.PageSize < 1 || m.PageSize > 1000:
		return fmt.Errorf("--page-size (TEMGRAPH_PAGE_SIZE) must be between 1 and 1000")
	case m.MaxBodyBytes < 1024:
		return fmt.Errorf("--max-body-bytes (TEMGRAPH_MAX_BODY_BYTES) must be at least 1024")
	case (m.TLSCert == "") != (m.TLSKey == ""):
		return fmt.Errorf("--tls-cert and --tls-key go together")
	case m.Throttling != "on" && m.Throttling != "off" && m.Throttling != "":
		return fmt.Errorf("--throttling (TEMGRAPH_THROTTLING) must be on or off")
	case m.BuiltinIssuer != "on" && m.BuiltinIssuer != "off":
		return fmt.Errorf("--builtin-issuer (TEMGRAPH_BUILTIN_ISSUER) must be on or off")
	case m.BuiltinIssuer == "off" && m.OIDCDiscovery == "":
		return fmt.Errorf("--builtin-issuer=off needs --oidc-discovery: no issuer would be trusted")
	}
	public, err := parsePublicURL(m.PublicURL)
	if err != nil {
		return err
	}
	m.PublicURL = public
	return nil
}

// parsePublicURL accepts "" or an absolute http or https URL made of a
// scheme and a host alone (links are built by appending the API's own
// paths to it, and the server serves those paths at its root), and returns
// it as links are built on it: the scheme in lower case, no trailing
// slash.
func parsePublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	const want = "--public-url (TEMGRAPH_PUBLIC_URL) must be a scheme and host such as https://tem.example.com"
	u, err := url.Parse(s)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Hostname() == "", u.Opaque != "":
		return "", fmt.Errorf("%s, got %q", want, s)
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.ContainsAny(s, "?#"),
		u.Path != "" && u.Path != "/":
		return "", fmt.Errorf("%s, with no user, path, query or fragment; got %q", want, s)
	case !publicHost(u.Hostname()):
		return "", fmt.Errorf("%s; the host %q is not a host name or IP address", want, u.Hostname())
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%s; the port %q is not a number from 1 to 65535", want, p)
		}
	}
	return u.Scheme + "://" + u.Host, nil
}

// publicHost reports whether h (without brackets or port) is made only of
// the characters a host name or an IP address literal holds.
func publicHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-.:%_", c) >= 0) {
			return false
		}
	}
	return true
}

// Run opens the store, starts listening and serves in the background. It
// returns once the listener is open; Close stops the server.
func (m *Main) Run(ctx context.Context) (err error) {
	logger, logCloser, err := newLogger(m.LogOutput, m.LogFormat, m.LogLevel)
	if err != nil {
		return err
	}
	m.logger, m.logCloser = logger, logCloser
	defer func() {
		if err != nil {
			logCloser.Close()
		}
	}()

	// Check the certificate and take the address before touching the
	// database, so a mistyped flag leaves no database file behind.
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(m.TLSCert, m.TLSKey)
		if err != nil {
			return fmt.Errorf("load --tls-cert and --tls-key: %w", err)
		}
		tlsConfig.Certificates = []tls.Certificate{cert}
	}
	m.listener, err = net.Listen("tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", m.Addr, err)
	}

	m.Store, err = openStore(ctx, m.DB, true)
	if err != nil {
		m.listener.Close()
		return err
	}
	handler, err := m.handler(ctx)
	if err != nil {
		m.stopKeyRefresh()
		m.Store.Close()
		m.listener.Close()
		return err
	}

	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		// A client that stops reading may hold a response's memory only
		// this long.
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		TLSConfig:      tlsConfig,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.serve() }()
	logger.Info("temgraph serving", "addr", m.URL(), "db", redactDSN(m.DB), "version", version)
	return nil
}

func (m *Main) serve() error {
	if m.TLSCert != "" {
		// The certificate was loaded into TLSConfig by Run.
		return m.server.ServeTLS(m.listener, "", "")
	}
	return m.server.Serve(m.listener)
}

// handler builds the HTTP handler over the opened store.
func (m *Main) handler(ctx context.Context) (http.Handler, error) {
	verifier, key, err := m.verifier(ctx)
	if err != nil {
		return nil, err
	}
	skipKey, err := m.Store.LoadOrCreateSecret(ctx, "skiptoken-hmac-key", func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("load skip token key: %w", err)
	}
	srv := temhttp.NewServer(temhttp.Config{
		Store:        m.Store,
		Verifier:     verifier,
		Key:          key,
		IssuerBase:   m.IssuerBase,
		Logger:       m.logger,
		PageSize:     m.PageSize,
		MaxBodyBytes: m.MaxBodyBytes,
		SkipTokenKey: skipKey,
		Limiter:      m.limiter(),
		Version:      version,
		PublicURL:    m.PublicURL,
	})
	return srv.Handler(), nil
}

// verifier builds the token verifier: the built-in issuer's key (nil when
// --builtin-issuer is off) and the outside issuer --oidc-discovery names,
// whose keys are then refreshed in the background until Close.
func (m *Main) verifier(ctx context.Context) (*auth.Verifier, *auth.SigningKey, error) {
	var key *auth.SigningKey
	if m.BuiltinIssuer != "off" {
		k, err := auth.LoadSigningKey(ctx, m.Store)
		if err != nil {
			return nil, nil, err
		}
		key = k
	}
	v := auth.NewVerifier(key, m.IssuerBase, nil)
	if m.OIDCDiscovery == "" {
		return v, key, nil
	}
	refreshCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stopRefresh = cancel
	opts := auth.TrustOptions{AllowHTTP: m.OIDCAllowHTTP, Logger: m.logger}
	if err := v.Trust(refreshCtx, m.OIDCDiscovery, opts); err != nil {
		return nil, nil, fmt.Errorf("--oidc-discovery: %w", err)
	}
	m.logger.Info("trusting outside token issuer", "discovery", m.OIDCDiscovery,
		"builtin_issuer", m.BuiltinIssuer)
	return v, key, nil
}

// stopKeyRefresh ends the outside issuer's background key refresh, if any.
func (m *Main) stopKeyRefresh() {
	if m.stopRefresh != nil {
		m.stopRefresh()
	}
}

// limiter returns the throttling policy: nil when throttling is off, else
// the limits from the flags (defaults for zero fields).
func (m *Main) limiter() temhttp.Limiter {
	if m.Throttling == "off" {
		return nil
	}
	return throttle.New(throttle.Config{Limits: m.Limits})
}

// URL is the base URL the server listens on.
func (m *Main) URL() string {
	scheme := "http"
	if m.TLSCert != "" {
		scheme = "https"
	}
	if m.listener == nil {
		return ""
	}
	return scheme + "://" + m.listener.Addr().String()
}

// Close stops accepting requests, lets in-flight ones finish (bounded by
// shutdownTimeout) and closes the store.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	m.stopKeyRefresh()
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if m.logCloser != nil {
		m.logCloser.Close()
	}
	return errors.Join(errs...)
}

// Wait blocks until the server stops by itself (a serve error).
func (m *Main) Wait() <-chan error { return m.served }

// runServe is the serve subcommand: run until a signal, then shut down.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	tuneGC()
	m := NewMain()
	m.LogOutput = stderr
	if err := m.ParseFlags(args, stderr); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.logger.Info("shutting down")
	case err := <-m.served:
		m.served <- err
		m.logger.Error("server stopped", "err", err)
	}
	return m.Close()
}

// redactDSN hides a password in a database URL for logging.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if colon := strings.Index(dsn[i+3:at], ":"); colon >= 0 {
				return dsn[:i+3+colon] + ":***" + dsn[at:]
			}
		}
	}
	return dsn
}

// serveGCPercent is the server's garbage collection target: a cycle starts
// when the heap has grown by this percentage of what the last one kept.
// Requests allocate a few kilobytes each and keep almost nothing, so Go's
// default of 100 starts a cycle every few megabytes under load, about 8 %
// of the server's CPU in profiles; 200 halves that for a few megabytes more
// of resident memory (see docs/performance.md).
const serveGCPercent = 200

// tuneGC applies serveGCPercent unless the operator set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
}
