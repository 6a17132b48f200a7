package auth

import (
	"crypto/rsa"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/temgraph/temgraph"
)

// clockSkew is how far exp and nbf may be off before a token is refused.
const clockSkew = time.Minute

// cacheLimit bounds the verified-token cache.
const cacheLimit = 10_000

// cacheMaxTokenBytes is the longest token the cache keeps: a longer one is
// verified on every request, so that the cache's memory stays bounded by
// bytes (cacheLimit * cacheMaxTokenBytes) and not only by count.
const cacheMaxTokenBytes = 16 << 10

// cacheMaxAge bounds how long a verified token is trusted from the cache
// before its signature is checked again, so that a key an issuer withdraws
// stops vouching for tokens already seen within that time, whatever their exp.
const cacheMaxAge = 10 * time.Minute

// audiences are the values of aud that mean Microsoft Graph.
var audiences = map[string]bool{
	"https://graph.microsoft.com":          true,
	"https://graph.microsoft.com/":         true,
	"00000003-0000-0000-c000-000000000000": true,
}

// Verifier checks bearer tokens and caches each verified token's principal
// until the token expires, so that a client reusing a token pays for the
// RSA check once.
type Verifier struct {
	issuers atomic.Pointer[[]*issuer] // replaced whole when Trust adds one
	now     func() time.Time

	mu    sync.Mutex // guards cache, and serialises additions to issuers
	cache map[string]cacheEntry
}

// cacheEntry is a verified token's principal and the Unix time after which
// the token must be verified again.
type cacheEntry struct {
	p       *Principal
	recheck int64
}

// NewVerifier returns a verifier that trusts the built-in issuer's key. A
// nil key trusts no built-in issuer: only those Trust adds.
func NewVerifier(key *SigningKey, issuerBase string, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	v := &Verifier{now: now, cache: make(map[string]cacheEntry)}
	issuers := []*issuer{}
	if key != nil {
		issuers = append(issuers, newIssuer(IssuerFor(issuerBase, TenantPlaceholder),
			map[string]*rsa.PublicKey{key.KeyID: &key.Private.PublicKey}))
	}
	v.issuers.Store(&issuers)
	return v
}

// Verify checks the token and returns its principal. Failures are
// EUnauthorized errors with a message saying what is wrong with the token;
// a personal-account token is EForbidden.
func (v *Verifier) Verify(token string) (*Principal, error) {
	now := v.now()
	v.mu.Lock()
	e, ok := v.cache[token]
	v.mu.Unlock()
	if ok {
		if now.Unix() > e.p.ExpiresUnix+int64(clockSkew/time.Second) {
			return nil, unauthorized("Access token has expired or is not yet valid.")
		}
		if now.Unix() <= e.recheck {
			return e.p, nil
		}
	}

	p, err := v.verify(token, now)
	if err != nil {
		if ok {
			v.mu.Lock()
			delete(v.cache, token)
			v.mu.Unlock()
		}
		return nil, err
	}
	if len(token) > cacheMaxTokenBytes {
		return p, nil
	}
	v.mu.Lock()
	if len(v.cache) >= cacheLimit {
		v.evictLocked(now)
	}
	v.cache[token] = cacheEntry{p: p, recheck: now.Add(cacheMaxAge).Unix()}
	v.mu.Unlock()
	return p, nil
}

// evictLocked drops expired entries and those due for a recheck, and if
// that frees nothing, half the cache.
func (v *Verifier) evictLocked(now time.Time) {
	for k, e := range v.cache {
		if now.Unix() > e.p.ExpiresUnix || now.Unix() > e.recheck {
			delete(v.cache, k)
		}
	}
	for k := range v.cache {
		if len(v.cache) < cacheLimit/2 {
			break
		}
		delete(v.cache, k)
	}
}

func (v *Verifier) verify(token string, now time.Time) (*Principal, error) {
	if token == "" {
		return nil, unauthorized("Access token is empty.")
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithLeeway(clockSkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		// Canonical base64url only: otherwise the unused low bits of a
		// segment's last character give one token several spellings, each
		// a separate cache entry and a separate RSA check.
		jwt.WithStrictDecoding(),
	)
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(token, claims, v.keyFor)
	if err != nil {
		return nil, parseFailure(err)
	}
	return v.principal(claims)
}

// keyFor picks the verification key: the issuer by the token's iss and
// tid (not yet verified), then the key by kid among that issuer's keys
// only, so that one issuer's key cannot vouch for another's tokens.
func (v *Verifier) keyFor(t *jwt.Token) (any, error) {
	// RFC 7515 4.1.11: a token naming extensions in crit must be refused
	// by a recipient that does not understand them; temgraph knows none.
	if _, ok := t.Header["crit"]; ok {
		return nil, errCritical
	}
	claims, _ := t.Claims.(jwt.MapClaims)
	tid, _ := claims["tid"].(string)
	if !temgraph.IsGUID(tid) {
		return nil, errBadTenant
	}
	iss, _ := claims["iss"].(string)
	kid, _ := t.Header["kid"].(string)
	k, err := v.issuerKey(iss, strings.ToLower(tid), kid)
	if err != nil {
		return nil, err
	}
	return k, nil
}

var errUnknownKey = errors.New("unknown signing key")

func parseFailure(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return unauthorized("Access token is malformed: it is not a signed JWT.")
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet),
		errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return unauthorized("Access token has expired or is not yet valid.")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return unauthorized("Access token validation failure. The exp claim is missing.")
	case errors.Is(err, errUnknownIssuer):
		return unauthorized("Access token validation failure. Invalid issuer.")
	case errors.Is(err, errBadTenant):
		return unauthorized("Access token validation failure. The tid claim must be a tenant GUID.")
	case errors.Is(err, errUnknownKey):
		return unauthorized("Access token validation failure. The token was signed with a key this " +
			"server does not trust (unknown kid); mint tokens with 'temgraph token --db' naming the " +
			"server's own database.")
	case errors.Is(err, errUnknownRemoteKey):
		return unauthorized("Access token validation failure. The token was signed with a key the " +
			"trusted outside issuer does not publish (unknown kid).")
	case errors.Is(err, errCritical):
		return unauthorized("Access token validation failure. The token's header names critical " +
			"extensions (crit) this server does not support.")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid),
		errors.Is(err, jwt.ErrTokenUnverifiable):
		return unauthorized("Access token validation failure. Invalid signature.")
	}
	return unauthorized("Access token validation failure.")
}

// principal checks the Entra claims and builds the caller.
func (v *Verifier) principal(c jwt.MapClaims) (*Principal, error) {
	aud, _ := c.GetAudience()
	if !anyAudience(aud) {
		return nil, unauthorized("Access token validation failure. Invalid audience.")
	}
	tid, _ := c["tid"].(string)
	if !temgraph.IsGUID(tid) {
		return nil, unauthorized("Access token validation failure. The tid claim must be a tenant GUID.")
	}
	tid = strings.ToLower(tid)
	if tid == PersonalTenant {
		return nil, temgraph.Errorf(temgraph.EForbidden,
			"Personal Microsoft accounts are not supported by this API; use a work or school account.")
	}

	exp, _ := c.GetExpirationTime()
	p := &Principal{Tenant: tid, ExpiresUnix: exp.Unix()}
	p.ObjectID, _ = c["oid"].(string)
	if p.AppID, _ = c["azp"].(string); p.AppID == "" {
		p.AppID, _ = c["appid"].(string)
	}
	if scp, ok := c["scp"].(string); ok && scp != "" {
		p.Delegated = true
		p.Permissions = strings.Fields(scp)
	} else if roles, ok := c["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				p.Permissions = append(p.Permissions, s)
			}
		}
	}
	return p, nil
}

func anyAudience(aud jwt.ClaimStrings) bool {
	for _, a := range aud {
		if audiences[a] {
			return true
		}
	}
	return false
}

func unauthorized(msg string) error {
	return &temgraph.Error{Code: temgraph.EUnauthorized, Message: msg}
}
