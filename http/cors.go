package http

import (
	"net/http"
	"strings"
)

// CORS lets a web page on another origin call temgraph from a browser, as
// it can call Graph. Credentials travel in the Authorization header, set by
// the page's own code, never in cookies, so any origin may be allowed: a
// page without a token gets 401 like any other client.
const (
	corsAllowMethods = "GET, HEAD, POST, PATCH, DELETE"
	// corsAllowHeaders lists the request headers Graph clients send. The
	// Authorization header must be named: a "*" would not cover it.
	corsAllowHeaders = "Authorization, Content-Type, Content-Encoding, Accept, Accept-Encoding, " +
		"client-request-id, return-client-request-id, If-Match, If-None-Match, Prefer, " +
		"SdkVersion, ConsistencyLevel, x-ms-client-request-id"
	// corsExposeHeaders are the answer's headers a page may read besides
	// the always-visible ones.
	corsExposeHeaders = "request-id, client-request-id, ETag, Location, Retry-After, " +
		"Preference-Applied, WWW-Authenticate, Allow"
	corsMaxAge = "600"
)

var varyOrigin = []string{"Origin"}

// cors answers preflight requests and marks every answer to a request
// with an Origin header as readable from any origin.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The answer differs with and without an Origin header: say so on
		// both, so that a shared cache never hands one for the other. The
		// shared slice saves an allocation per request; its capacity is
		// its length, so a later Add copies it instead of writing into it.
		if _, ok := h["Vary"]; !ok {
			h["Vary"] = varyOrigin
		} else {
			h.Add("Vary", "Origin")
		}
		if r.Header.Get("Origin") == "" || !corsPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			setRoute(r.Context(), "preflight")
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", preflightHeaders(r))
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

// preflightHeaders is the Access-Control-Allow-Headers of a preflight:
// the fixed list, plus any other header the page asked for, so that a
// client library's own extra header does not fail the call in the
// browser (the server ignores headers it does not know).
func preflightHeaders(r *http.Request) string {
	asked := r.Header.Get("Access-Control-Request-Headers")
	if asked == "" {
		return corsAllowHeaders
	}
	known := ", " + strings.ToLower(corsAllowHeaders) + ","
	var extra []string
	for _, name := range strings.Split(asked, ",") {
		name = strings.TrimSpace(name)
		lower := strings.ToLower(name)
		if name != "" && isToken(name) && lower != "cookie" && !strings.Contains(known, ", "+lower+",") {
			extra = append(extra, name)
			known += " " + lower + ","
		}
	}
	if len(extra) == 0 {
		return corsAllowHeaders
	}
	return corsAllowHeaders + ", " + strings.Join(extra, ", ")
}

// corsPath reports whether pages on other origins may read the answers at
// path. The operator's endpoints are left out: /metrics and the health
// checks need no token, so "any page without a token gets 401" does not
// protect them, and a page in a visitor's browser must not read what the
// operator keeps off the public network.
func corsPath(path string) bool {
	switch path {
	case "/metrics", "/healthz", "/readyz":
		return false
	}
	return true
}
