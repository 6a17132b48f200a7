package http

import (
	"context"
	"crypto/cipher"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// Config holds what the HTTP layer needs; cmd/temgraph fills it from flags.
type Config struct {
	Store    temgraph.Store
	Verifier *auth.Verifier
	Key      *auth.SigningKey
	// IssuerBase is the built-in issuer's identifier base.
	IssuerBase string
	Logger     *slog.Logger
	// PageSize is the default and largest number of partners per page.
	PageSize int
	// MaxBodyBytes bounds a request body after decompression.
	MaxBodyBytes int64
	// Limiter throttles requests; nil means no throttling.
	Limiter Limiter
	// SkipTokenKey signs skip tokens so that they cannot be forged.
	SkipTokenKey []byte
	// Version is the build's version, for the build-info metric.
	Version string
	// PublicURL, when set, is the scheme and host clients reach the server
	// at, such as "https://tem.example.com". Links in answers
	// (@odata.context, @odata.nextLink, Location) are built on it instead
	// of the request's own scheme and Host, as behind a proxy or load
	// balancer that terminates TLS.
	PublicURL string
}

// Limiter decides whether a request may proceed now. It returns 0 to allow
// the request, or how long the caller should wait.
type Limiter interface {
	Allow(tenant, app string, write bool) time.Duration
}

// Server is temgraph's HTTP front end.
type Server struct {
	Config

	skipOnce   sync.Once
	skipCipher cipher.AEAD
	skipErr    error

	logger  *slog.Logger
	api     http.Handler // the Graph routes behind authentication
	metrics *metrics
}

// NewServer builds the server from cfg, with defaults for zero fields. A
// store that implements CommitReporter reports its commit sizes to the
// server's metrics from then on.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	s := &Server{Config: cfg, logger: cfg.Logger, metrics: newMetrics(cfg.Version)}
	s.metrics.watchStore(cfg.Store)
	s.api = s.countBatchItems(s.authenticate(http.HandlerFunc(s.route)))
	return s
}

// Handler returns the root handler: the request-id, access-log and CORS
// middleware around everything the server answers.
func (s *Server) Handler() http.Handler {
	return s.withRequestID(s.accessLog(s.cors(s.recoverPanic(http.HandlerFunc(s.serveRoot)))))
}

// serveRoot splits the Graph API from the server's own endpoints.
func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		setRoute(r.Context(), "healthz")
		s.handleHealth(w, r)
	case "/readyz":
		setRoute(r.Context(), "readyz")
		s.handleReady(w, r)
	case "/metrics":
		setRoute(r.Context(), "metrics")
		s.handleMetrics(w, r)
	case "/.well-known/openid-configuration":
		setRoute(r.Context(), "openidConfiguration")
		s.handleOpenIDConfiguration(w, r)
	case "/discovery/keys":
		setRoute(r.Context(), "jwks")
		s.handleJWKS(w, r)
	default:
		s.serveAPI(w, r)
	}
}

// ctxKey types the values the middleware puts in a request context.
type ctxKey int

const keyRequest ctxKey = 0

// requestState is what the middleware learns about a request, kept in its
// context as one value: its ids, the route the router matched (for the
// access log and the metrics) and the authenticated caller.
type requestState struct {
	id, clientID string
	origin       string // Config.PublicURL; "" to use the request's scheme and Host
	route        string
	inBatch      bool
	principal    *auth.Principal
}

// withState returns ctx carrying st.
func withState(ctx context.Context, st *requestState) context.Context {
	return context.WithValue(ctx, keyRequest, st)
}

// stateOf returns the request's state; a context without one gets an
// empty state.
func stateOf(ctx context.Context) *requestState {
	if st, ok := ctx.Value(keyRequest).(*requestState); ok {
		return st
	}
	return &requestState{}
}

func requestID(ctx context.Context) string { return stateOf(ctx).id }

func clientRequestID(ctx context.Context) string { return stateOf(ctx).clientID }

// principalFrom returns the authenticated caller.
func principalFrom(ctx context.Context) *auth.Principal {
	return stateOf(ctx).principal
}
