package http

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/odata"
)

// A skip token carries the last row of a page (its id and the values of
// the $orderby keys), so the next page starts strictly after it: keyset
// paging, not an offset, so that rows inserted or deleted meanwhile neither
// repeat nor vanish. It is bound to its tenant and to the query that made
// it, and sealed (AES-GCM) with a key kept in the database: any node can
// open it, and no client can read, forge or transplant it.

// skipState is the sealed content of a skip token.
type skipState struct {
	Query string  `json:"q"` // digest of tenant and query options
	ID    string  `json:"i"`
	Name  *string `json:"n,omitempty"`
	URL   *string `json:"u,omitempty"`
	App   bool    `json:"a,omitempty"`
	On    bool    `json:"e,omitempty"`
	Last  int64   `json:"l,omitempty"` // ticks
}

// encodeSkipToken makes the token that resumes after p in the order keys.
func (s *Server) encodeSkipToken(queryDigest string, keys []odata.OrderItem, p *temgraph.Partner) (string, error) {
	st := skipState{Query: queryDigest, ID: p.ID}
	for _, k := range keys {
		switch k.Prop.Name {
		case temgraph.PropDisplayName:
			st.Name = p.DisplayName
		case temgraph.PropURL:
			st.URL = p.URL
		case temgraph.PropAppAuthorized:
			st.App = p.AppAuthorized
		case temgraph.PropEnabled:
			st.On = p.Enabled
		case temgraph.PropLastConnectionDateTime:
			st.Last = temgraph.Ticks(p.LastConnectionDateTime)
		}
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode skip token: %w", err)
	}
	aead, err := s.skipAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(payload)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("skip token nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, payload, nil)), nil
}

// decodeSkipToken opens a token, checks its query binding and returns the
// row it resumes after.
func (s *Server) decodeSkipToken(token, queryDigest string) (*temgraph.Partner, error) {
	bad := temgraph.Errorf(temgraph.EBadRequest, "The $skiptoken is not valid for this request; "+
		"follow the @odata.nextLink URL exactly as it was returned.")
	aead, err := s.skipAEAD()
	if err != nil {
		return nil, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, bad
	}
	payload, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return nil, bad
	}
	var st skipState
	if err := json.Unmarshal(payload, &st); err != nil || st.Query != queryDigest {
		return nil, bad
	}
	return &temgraph.Partner{ID: st.ID, DisplayName: st.Name, URL: st.URL, AppAuthorized: st.App,
		Enabled: st.On, LastConnectionDateTime: temgraph.FromTicks(st.Last)}, nil
}

// skipAEAD returns the cipher that seals skip tokens, made once from the
// configured key.
func (s *Server) skipAEAD() (cipher.AEAD, error) {
	s.skipOnce.Do(func() {
		key := sha256.Sum256(s.SkipTokenKey)
		block, err := aes.NewCipher(key[:])
		if err != nil {
			s.skipErr = fmt.Errorf("skip token cipher: %w", err)
			return
		}
		s.skipCipher, s.skipErr = cipher.NewGCM(block)
	})
	return s.skipCipher, s.skipErr
}

// queryDigest binds a skip token to the tenant and to every query option
// except the paging cursor itself ($skiptoken, $skip).
func queryDigest(tenant string, values url.Values) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		name := strings.TrimPrefix(temgraph.LowerASCII(k), "$")
		if name == "skiptoken" || name == "skip" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(tenant))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(temgraph.LowerASCII(k)))
		for _, v := range values[k] {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// nextLink is the request's own absolute URL with $skip dropped and the
// skip token set, every other option kept as the client sent it.
func nextLink(r *http.Request, values url.Values, token string) string {
	keys := make([]string, 0, len(values)+1)
	for k := range values {
		name := strings.TrimPrefix(temgraph.LowerASCII(k), "$")
		if name != "skiptoken" && name != "skip" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)

	var b strings.Builder
	b.WriteString(origin(r))
	b.WriteString(r.URL.EscapedPath())
	b.WriteByte('?')
	for _, k := range keys {
		for _, v := range values[k] {
			appendQueryEscaped(&b, k)
			b.WriteByte('=')
			appendQueryEscaped(&b, v)
			b.WriteByte('&')
		}
	}
	b.WriteString("$skiptoken=")
	b.WriteString(token)
	return b.String()
}

// appendQueryEscaped writes s percent-encoded for a query value. Besides
// the unreserved characters it leaves the ones OData expressions are made
// of and RFC 3986 allows in a query ("$'(),*!:@/"), so that a link reads
// like the request (startswith(displayName,'a')) and is no longer than
// need be; a space is %20, and '&', '=', '+', ';', '#' and '%' are
// encoded.
func appendQueryEscaped(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~$'(),*!:@/", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}
