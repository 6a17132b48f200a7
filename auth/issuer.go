package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temgraph/temgraph"
)

// DefaultIssuerBase is the base of the built-in issuer's identifier. The
// ".localhost" name is reserved for loopback use and never leaves the
// machine.
const DefaultIssuerBase = "https://temgraph.localhost"

// GraphAudience is the audience the built-in issuer puts in its tokens.
const GraphAudience = "https://graph.microsoft.com"

// Defaults for the token command, fixed so that examples are repeatable.
const (
	DefaultTenant   = "11111111-1111-4111-8111-111111111111"
	DefaultObjectID = "33333333-3333-4333-8333-333333333333"
	DefaultAppID    = "44444444-4444-4444-8444-444444444444"
)

// IssuerFor returns the iss claim the built-in issuer uses for a tenant,
// shaped like Entra ID's v2.0 issuer.
func IssuerFor(base, tenant string) string {
	return strings.TrimRight(base, "/") + "/" + tenant + "/v2.0"
}

// TokenRequest describes a token to mint.
type TokenRequest struct {
	Tenant   string
	ObjectID string
	AppID    string
	Scopes   []string // delegated permissions (scp)
	Roles    []string // application permissions (roles)
	TTL      time.Duration
	Audience string
}

// Issue signs a token with the built-in issuer's key. With Roles and no
// Scopes it is an app-only token (idtyp "app"), else a delegated one.
func Issue(key *SigningKey, issuerBase string, req TokenRequest, now time.Time) (string, error) {
	if !temgraph.IsGUID(req.Tenant) {
		return "", fmt.Errorf("tenant %q is not a GUID", req.Tenant)
	}
	if req.TTL <= 0 {
		return "", fmt.Errorf("ttl must be positive")
	}
	if req.Audience == "" {
		req.Audience = GraphAudience
	}
	tenant := strings.ToLower(req.Tenant)
	claims := jwt.MapClaims{
		"iss":   IssuerFor(issuerBase, tenant),
		"aud":   req.Audience,
		"tid":   tenant,
		"oid":   req.ObjectID,
		"sub":   req.ObjectID,
		"azp":   req.AppID,
		"appid": req.AppID,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(req.TTL).Unix(),
		"ver":   "2.0",
	}
	if len(req.Scopes) > 0 || len(req.Roles) == 0 {
		claims["scp"] = strings.Join(req.Scopes, " ")
		claims["idtyp"] = "user"
	}
	if len(req.Roles) > 0 {
		claims["roles"] = req.Roles
		if len(req.Scopes) == 0 {
			claims["idtyp"] = "app"
		}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = key.KeyID
	s, err := tok.SignedString(key.Private)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}
