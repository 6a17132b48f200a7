package http

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/temgraph/temgraph"
)

// A skip token carries the last row of a page (the values of its sort
// keys), so the next page starts strictly after it: keyset paging, not an
// offset, so that rows inserted or deleted meanwhile neither repeat nor
// vanish. It is bound to its tenant and to the query that produced it and
// signed with a key kept in the database, so any node can check it and no
// client can forge or transplant it.

// skipState is the signed content of a skip token.
type skipState struct {
	Query string  `json:"q"` // digest of tenant and query options
	ID    string  `json:"i"`
	Name  *string `json:"n,omitempty"`
	URL   *string `json:"u,omitempty"`
	App   bool    `json:"a,omitempty"`
	On    bool    `json:"e,omitempty"`
	Last  int64   `json:"l,omitempty"` // ticks
}

const macSize = 16

// encodeSkipToken makes the token that resumes after p.
func (s *Server) encodeSkipToken(queryDigest string, p *temgraph.Partner) string {
	st := skipState{Query: queryDigest, ID: p.ID, Name: p.DisplayName, URL: p.URL,
		App: p.AppAuthorized, On: p.Enabled, Last: temgraph.Ticks(p.LastConnectionDateTime)}
	payload, _ := json.Marshal(st)
	mac := hmac.New(sha256.New, s.SkipTokenKey)
	mac.Write(payload)
	sum := mac.Sum(nil)[:macSize]
	return base64.RawURLEncoding.EncodeToString(append(payload, sum...))
}

// decodeSkipToken checks a token's signature and query binding and returns
// the row it resumes after.
func (s *Server) decodeSkipToken(token, queryDigest string) (*temgraph.Partner, error) {
	bad := temgraph.Errorf(temgraph.EBadRequest, "The $skiptoken is not valid for this request; "+
		"follow the @odata.nextLink URL exactly as it was returned.")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) <= macSize {
		return nil, bad
	}
	payload, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	mac := hmac.New(sha256.New, s.SkipTokenKey)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)[:macSize]) {
		return nil, bad
	}
	var st skipState
	if err := json.Unmarshal(payload, &st); err != nil || st.Query != queryDigest {
		return nil, bad
	}
	return &temgraph.Partner{ID: st.ID, DisplayName: st.Name, URL: st.URL, AppAuthorized: st.App,
		Enabled: st.On, LastConnectionDateTime: temgraph.FromTicks(st.Last)}, nil
}

// queryDigest binds a skip token to the tenant and to every query option
// except the paging cursor itself ($skiptoken, $skip).
func queryDigest(tenant string, values url.Values) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		name := strings.TrimPrefix(strings.ToLower(k), "$")
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
		h.Write([]byte(strings.ToLower(k)))
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
		name := strings.TrimPrefix(strings.ToLower(k), "$")
		if name != "skiptoken" && name != "skip" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)

	var b strings.Builder
	b.WriteString(requestScheme(r))
	b.WriteString("://")
	b.WriteString(r.Host)
	b.WriteString(r.URL.EscapedPath())
	b.WriteByte('?')
	for _, k := range keys {
		for _, v := range values[k] {
			b.WriteString(escapeOption(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			b.WriteByte('&')
		}
	}
	b.WriteString("$skiptoken=")
	b.WriteString(token)
	return b.String()
}

// escapeOption escapes a query option name but keeps its leading "$"
// readable.
func escapeOption(k string) string {
	if rest, ok := strings.CutPrefix(k, "$"); ok {
		return "$" + url.QueryEscape(rest)
	}
	return url.QueryEscape(k)
}
