package http

import (
	"encoding/json"
	"net/http"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/auth"
)

// handleOpenIDConfiguration publishes the built-in issuer's OpenID
// configuration, so that other tools can find its keys. As with Entra ID's
// multi-tenant endpoint, the issuer holds a {tenantid} placeholder.
func (s *Server) handleOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	if s.Key == nil {
		s.writeNoIssuer(w, r)
		return
	}
	doc := map[string]any{
		"issuer":                                auth.IssuerFor(s.IssuerBase, auth.TenantPlaceholder),
		"jwks_uri":                              origin(r) + "/discovery/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"pairwise"},
		"claims_supported": []string{"iss", "aud", "tid", "oid", "sub", "azp", "appid", "scp",
			"roles", "iat", "nbf", "exp", "ver", "idtyp"},
	}
	writeJSONValue(w, doc)
}

// handleJWKS publishes the built-in issuer's public key.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if s.Key == nil {
		s.writeNoIssuer(w, r)
		return
	}
	writeJSONValue(w, map[string]any{"keys": []auth.JWK{s.Key.PublicJWK()}})
}

// writeNoIssuer answers the issuer's endpoints when the built-in issuer is
// turned off.
func (s *Server) writeNoIssuer(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, temgraph.Errorf(temgraph.ENotFound,
		"This server's built-in token issuer is turned off; it trusts an outside issuer instead."))
}

// handleHealth answers liveness checks: the process is serving.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleReady answers readiness checks: the database answers too.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.Store.Ping(r.Context()); err != nil {
		s.logger.WarnContext(r.Context(), "readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

// writeJSONValue writes a small non-OData JSON document.
func writeJSONValue(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}
