package http

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// withRequestID gives every request a request id, echoes the client's
// client-request-id (or repeats the request id) and sets both headers.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := temgraph.NewGUID()
		cid := r.Header.Get("client-request-id")
		if cid == "" || len(cid) > 200 {
			cid = id
		}
		h := w.Header()
		h["request-id"] = []string{id}
		h["client-request-id"] = []string{cid}
		st := &requestState{id: id, clientID: cid, origin: s.PublicURL}
		next.ServeHTTP(w, r.WithContext(withState(r.Context(), st)))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// accessLog records each request in the metrics and writes one Info line
// per request with method, route, status, duration and request id.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		ctx := r.Context()
		route := stateOf(ctx).route
		s.metrics.observeRequest(route, r.Method, rec.status, d)
		if !s.logger.Enabled(ctx, slog.LevelInfo) {
			return
		}
		s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", d),
			slog.String("request_id", requestID(ctx)))
	})
}

// setRoute records the matched route's name for the access log.
func setRoute(ctx context.Context, name string) {
	if st, ok := ctx.Value(keyRequest).(*requestState); ok {
		st.route = name
	}
}

// recoverPanic turns a handler panic into a logged 500 Graph error.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves the bearer token into a principal once per request.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.principal(r)
		if err != nil {
			s.logRejection(r, err)
			s.writeError(w, r, err)
			return
		}
		if st, ok := r.Context().Value(keyRequest).(*requestState); ok {
			st.principal = p
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(withState(r.Context(), &requestState{principal: p})))
	})
}

// principal verifies the request's bearer token.
func (s *Server) principal(r *http.Request) (*auth.Principal, error) {
	token, err := bearerToken(r)
	if err != nil {
		return nil, err
	}
	return s.Verifier.Verify(token)
}

// bearerToken takes the token from the Authorization header. When a client
// library sends the header twice, joined by a comma, the last token wins.
func bearerToken(r *http.Request) (string, error) {
	// Two Authorization fields are read like the comma-joined form a proxy
	// makes of them: the last token wins either way, so the tenant served
	// does not depend on whether something in between folded the fields.
	var h string
	if vals := r.Header.Values("Authorization"); len(vals) > 0 {
		h = vals[len(vals)-1]
	}
	if h == "" {
		return "", temgraph.Errorf(temgraph.EUnauthorized, "Access token is empty.")
	}
	if i := strings.LastIndex(h, ","); i >= 0 {
		h = strings.TrimSpace(h[i+1:])
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", temgraph.Errorf(temgraph.EUnauthorized, "The Authorization header must be 'Bearer <access token>'.")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", temgraph.Errorf(temgraph.EUnauthorized, "Access token is empty.")
	}
	return token, nil
}

// throttle applies the limiter; it writes a 429 and returns false when the
// caller is over its limit.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, write bool) bool {
	if s.Limiter == nil {
		return true
	}
	p := principalFrom(r.Context())
	wait := s.Limiter.Allow(p.Tenant, p.AppID, write)
	if wait <= 0 {
		return true
	}
	s.metrics.observeThrottled(write)
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	s.writeError(w, r, temgraph.Errorf(temgraph.ETooManyRequests,
		"Too many requests from this application in this tenant. Retry after %d %s.", secs, unit))
	return false
}
