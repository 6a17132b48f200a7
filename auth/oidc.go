package auth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	bigint "math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/temgraph/temgraph"
)

// Limits on fetching an outside issuer's documents.
const (
	// oidcFetchTimeout bounds one fetch of a discovery document or key set.
	oidcFetchTimeout = 10 * time.Second
	// oidcMaxDocument bounds the size of either document.
	oidcMaxDocument = 1 << 20
	// oidcMaxRedirects bounds the redirects one fetch follows.
	oidcMaxRedirects = 5
	// minRefreshGap is the shortest time between two key-set fetches caused
	// by tokens naming a key id the issuer's current set lacks.
	minRefreshGap = 30 * time.Second
	// minRSABits is the smallest RSA modulus accepted from a key set.
	minRSABits = 2048
)

// DefaultKeyRefresh is how often a trusted issuer's key set is fetched
// again when TrustOptions.Refresh is zero.
const DefaultKeyRefresh = time.Hour

// TenantPlaceholder stands for the token's tid in a multi-tenant issuer
// identifier, as in Entra ID's "https://login.microsoftonline.com/{tenantid}/v2.0".
const TenantPlaceholder = "{tenantid}"

// TrustOptions configures how Trust fetches an outside issuer's documents.
type TrustOptions struct {
	// Client fetches the documents; nil means a client with a 10 s timeout.
	// Redirects are held to the same scheme rule as the URLs themselves.
	Client *http.Client
	// AllowHTTP permits plain http to hosts other than loopback ones.
	AllowHTTP bool
	// Refresh is how often the key set is fetched again; zero means
	// DefaultKeyRefresh.
	Refresh time.Duration
	// Logger receives a Warn line for each failed refresh; nil discards.
	Logger *slog.Logger
}

// issuer is one token issuer a verifier trusts: the template of its iss
// claim and its current public keys by kid.
type issuer struct {
	template string // iss, with TenantPlaceholder where the token's tid goes
	keys     atomic.Pointer[map[string]*rsa.PublicKey]
	remote   *remoteKeys // nil for the built-in issuer, whose key never changes
}

// newIssuer returns an issuer with a fixed key set.
func newIssuer(template string, keys map[string]*rsa.PublicKey) *issuer {
	is := &issuer{template: template}
	is.keys.Store(&keys)
	return is
}

// issFor returns the iss claim this issuer puts in a token of tenant tid.
func (is *issuer) issFor(tid string) string {
	return strings.ReplaceAll(is.template, TenantPlaceholder, tid)
}

// key returns the current key named kid, or nil.
func (is *issuer) key(kid string) *rsa.PublicKey {
	return (*is.keys.Load())[kid]
}

// remoteKeys is where an outside issuer's key set comes from, and the
// state that spaces out its fetches.
type remoteKeys struct {
	ctx     context.Context // ends the background refresh; bounds every fetch
	jwksURL string
	fetch   *fetcher
	logger  *slog.Logger
	now     func() time.Time

	mu        sync.Mutex // serialises fetches
	lastFetch time.Time  // when the last fetch started, under mu
}

// Trust makes v accept tokens from the OpenID Connect issuer whose
// discovery document is at discoveryURL, with the same checks as the
// built-in issuer's tokens. It fetches the document and the issuer's key
// set (JWKS) now, with ctx, and then keeps the key set fresh until ctx is
// done: every opts.Refresh, and when a token names a key id the set lacks
// (at most once per 30 s). A failed refresh keeps the keys already held.
// Each issuer's keys verify only tokens whose iss is that issuer's.
func (v *Verifier) Trust(ctx context.Context, discoveryURL string, opts TrustOptions) error {
	f := newFetcher(opts.Client, opts.AllowHTTP)
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := f.getJSON(ctx, discoveryURL, &doc); err != nil {
		return fmt.Errorf("fetch openid configuration: %w", err)
	}
	if doc.Issuer == "" || doc.JWKSURI == "" {
		return fmt.Errorf("openid configuration at %s: issuer and jwks_uri are required", discoveryURL)
	}
	keys, err := f.jwks(ctx, doc.JWKSURI)
	if err != nil {
		return fmt.Errorf("fetch keys of %s: %w", doc.Issuer, err)
	}

	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	is := newIssuer(doc.Issuer, keys)
	is.remote = &remoteKeys{ctx: ctx, jwksURL: doc.JWKSURI, fetch: f, logger: logger,
		now: v.now, lastFetch: v.now()}
	v.addIssuer(is)

	every := opts.Refresh
	if every <= 0 {
		every = DefaultKeyRefresh
	}
	go is.refreshEvery(every)
	return nil
}

// addIssuer adds a trusted issuer; readers never lock.
func (v *Verifier) addIssuer(is *issuer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	old := *v.issuers.Load()
	next := append(old[:len(old):len(old)], is)
	v.issuers.Store(&next)
}

// issuerKey returns the key that must have signed a token claiming issuer
// iss for tenant tid with key id kid. Only issuers whose iss for tid is
// iss are asked; an outside issuer that lacks kid may fetch its key set
// again first.
func (v *Verifier) issuerKey(iss, tid, kid string) (*rsa.PublicKey, error) {
	var named []*issuer
	for _, is := range *v.issuers.Load() {
		if !temgraph.EqualFoldASCII(is.issFor(tid), iss) {
			continue
		}
		if k := is.key(kid); k != nil {
			return k, nil
		}
		named = append(named, is)
	}
	if len(named) == 0 {
		return nil, errUnknownIssuer
	}
	remote := false
	for _, is := range named {
		if k := is.refreshedKey(kid); k != nil {
			return k, nil
		}
		remote = remote || is.remote != nil
	}
	if remote {
		return nil, errUnknownRemoteKey
	}
	return nil, errUnknownKey
}

var (
	errUnknownIssuer = errors.New("issuer not trusted")
	errBadTenant     = errors.New("tid is not a tenant GUID")
	// errUnknownRemoteKey is an unknown kid claimed for an outside issuer,
	// whose tokens 'temgraph token' does not mint.
	errUnknownRemoteKey = errors.New("unknown signing key of a trusted outside issuer")
	errCritical         = errors.New("critical header parameters")
)

// refreshedKey fetches the key set again if kid is still missing and the
// last fetch is at least minRefreshGap old, and returns the key or nil.
func (is *issuer) refreshedKey(kid string) *rsa.PublicKey {
	r := is.remote
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if k := is.key(kid); k != nil {
		return k // another caller fetched it meanwhile
	}
	if r.now().Sub(r.lastFetch) < minRefreshGap {
		return nil
	}
	is.refreshLocked("unknown key id")
	return is.key(kid)
}

// refreshEvery fetches the key set again every interval until the
// issuer's context ends.
func (is *issuer) refreshEvery(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-is.remote.ctx.Done():
			return
		case <-t.C:
		}
		is.remote.mu.Lock()
		is.refreshLocked("periodic")
		is.remote.mu.Unlock()
	}
}

// refreshLocked fetches and installs the key set; on failure the keys
// already held stay and a Warn line says why. The caller holds remote.mu.
func (is *issuer) refreshLocked(reason string) {
	r := is.remote
	r.lastFetch = r.now()
	keys, err := r.fetch.jwks(r.ctx, r.jwksURL)
	if err != nil {
		if r.ctx.Err() == nil {
			r.logger.Warn("trusted issuer key refresh failed; keeping the previous keys",
				"issuer", is.template, "jwks_uri", r.jwksURL, "reason", reason, "err", err)
		}
		return
	}
	is.keys.Store(&keys)
}

// fetcher gets an outside issuer's JSON documents with limits on time,
// size and scheme.
type fetcher struct {
	client    *http.Client
	allowHTTP bool
}

// newFetcher wraps client (a default one when nil) so that redirects obey
// the scheme rule too.
func newFetcher(client *http.Client, allowHTTP bool) *fetcher {
	c := http.Client{Timeout: oidcFetchTimeout}
	if client != nil {
		c = *client
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > oidcMaxRedirects {
			return errors.New("too many redirects")
		}
		if err := checkFetchURL(req.URL, allowHTTP); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &fetcher{client: &c, allowHTTP: allowHTTP}
}

// jwks fetches a key set and returns its usable RSA keys by kid.
func (f *fetcher) jwks(ctx context.Context, rawURL string) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []JWK `json:"keys"`
	}
	if err := f.getJSON(ctx, rawURL, &set); err != nil {
		return nil, err
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if pub, ok := rsaPublicKey(k); ok {
			keys[k.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("key set at %s has no RS256 signing key with a kid", rawURL)
	}
	return keys, nil
}

// getJSON fetches rawURL and decodes its JSON body into v.
func (f *fetcher) getJSON(ctx context.Context, rawURL string, v any) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if err := checkFetchURL(u, f.allowHTTP); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, oidcFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: status %d", u.Redacted(), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, oidcMaxDocument+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", u.Redacted(), err)
	}
	if len(body) > oidcMaxDocument {
		return fmt.Errorf("read %s: document larger than %d bytes", u.Redacted(), oidcMaxDocument)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", u.Redacted(), err)
	}
	return nil
}

// checkFetchURL allows https anywhere and plain http only to loopback
// hosts, unless allowHTTP says otherwise.
func checkFetchURL(u *url.URL, allowHTTP bool) error {
	if u.Host == "" {
		return fmt.Errorf("%s: not an absolute URL", u.Redacted())
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (allowHTTP || isLoopback(u.Hostname())):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%s: plain http is allowed only to a loopback address", u.Redacted())
	}
	return fmt.Errorf("%s: the scheme must be https", u.Redacted())
}

// isLoopback reports whether host names this machine's loopback interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rsaPublicKey returns the RSA signing key a JWK describes, if it is one
// temgraph can use: kty RSA, a kid, use "sig" and alg RS256 when given,
// a modulus of at least 2048 bits and an odd exponent.
func rsaPublicKey(k JWK) (*rsa.PublicKey, bool) {
	if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") ||
		(k.Alg != "" && k.Alg != "RS256") {
		return nil, false
	}
	n, err := decodeB64URL(k.N)
	if err != nil {
		return nil, false
	}
	e, err := decodeB64URL(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, false
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	mod := new(bigint.Int).SetBytes(n)
	if mod.BitLen() < minRSABits || exp < 3 || exp > 1<<31-1 || exp%2 == 0 {
		return nil, false
	}
	return &rsa.PublicKey{N: mod, E: exp}, true
}

// decodeB64URL decodes unpadded base64url, tolerating trailing padding.
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
