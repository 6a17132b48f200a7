package main

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/storetest/pgtest"
)

// TestServe_IfMatchOddTags sends If-Match values no client should send
// and temgraph never issues: empty tags, a lone comma, bytes that are not
// UTF-8, and a quoted "*" (an ordinary tag, not the wildcard). On both
// stores each must fail the write with 412, or 404 when the partner does
// not exist, and leave the partner as it was. PostgreSQL refuses text
// holding NUL or invalid UTF-8, so a tag passed to it unfiltered would
// answer 500.
func TestServe_IfMatchOddTags(t *testing.T) {
	stores := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"SQLite", func(*testing.T) string { return "" }},
		{"PostgreSQL", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
	}
	odd := []string{`""`, `W/""`, `,`, ` , `, "\x80\xff", "W/\"\xc3(\"", `"*"`, `W/"*"`, `"a b"`}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			m := MustRunMain(t, st.db(t))
			tok := m.rwToken(t, tenantA)
			id := m.mustCreate(t, tok, `{"displayName":"Kept"}`)["id"].(string)
			before := m.mustGetRaw(t, tok, id)
			missing := m.itemURL(temgraph.NewGUID())
			for _, tag := range odd {
				h := map[string]string{"If-Match": tag}
				r := call(t, "PATCH", m.itemURL(id), tok, []byte(`{"displayName":"Changed"}`), h)
				checkGraphError(t, r, http.StatusPreconditionFailed, temgraph.EPreconditionFailed)
				r = call(t, "DELETE", m.itemURL(id), tok, nil, h)
				checkGraphError(t, r, http.StatusPreconditionFailed, temgraph.EPreconditionFailed)
				r = call(t, "PATCH", missing, tok, []byte(`{"displayName":"Ghost"}`), h)
				checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
				r = call(t, "DELETE", missing, tok, nil, h)
				checkGraphError(t, r, http.StatusNotFound, temgraph.ENotFound)
			}
			if after := m.mustGetRaw(t, tok, id); !bytes.Equal(before, after) {
				t.Errorf("writes with odd If-Match tags changed the partner:\nbefore %s\nafter  %s", before, after)
			}
			// A quoted "*" in If-None-Match is a tag like any other, so a
			// GET still answers the partner.
			r := call(t, "GET", m.itemURL(id), tok, nil, map[string]string{"If-None-Match": `"*"`})
			if r.StatusCode != http.StatusOK {
				t.Errorf(`GET with If-None-Match: "*": status=%d, want 200`, r.StatusCode)
			}
			r = call(t, "GET", m.itemURL(id), tok, nil, map[string]string{"If-None-Match": `*`})
			if r.StatusCode != http.StatusNotModified {
				t.Errorf(`GET with If-None-Match: *: status=%d, want 304`, r.StatusCode)
			}
			// Two fields read as the list a proxy folds them into.
			current := r.Header.Get("ETag")
			for _, h := range []string{"If-None-Match", "If-Match"} {
				req, err := http.NewRequest("GET", m.itemURL(id), nil)
				want := http.StatusNotModified
				if h == "If-Match" {
					req, err = http.NewRequest("PATCH", m.itemURL(id), bytes.NewReader([]byte(`{"enabled":true}`)))
					req.Header.Set("Content-Type", "application/json")
					want = http.StatusOK
				}
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header[h] = []string{`"stale"`, current}
				resp, err := testClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Errorf(`%s in two fields, "stale" then the current tag: status=%d, want %d`, h, resp.StatusCode, want)
				}
			}
		})
	}
}
