package http

import (
	"net/url"
	"strings"
	"testing"
)

func TestAppendQueryEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"startswith(displayName,'a')", "startswith(displayName,'a')"},
		{"displayName eq 'x'", "displayName%20eq%20'x'"},
		{"a&b=c+d;e#f%g", "a%26b%3Dc%2Bd%3Be%23f%25g"},
		{"é", "%C3%A9"},
		{"id,displayName", "id,displayName"},
		{"lastConnectionDateTime gt 2024-01-31T12:00:00Z", "lastConnectionDateTime%20gt%202024-01-31T12:00:00Z"},
	}
	for _, tt := range tests {
		var b strings.Builder
		appendQueryEscaped(&b, tt.in)
		if b.String() != tt.want {
			t.Errorf("appendQueryEscaped(%q)=%q, want %q", tt.in, b.String(), tt.want)
		}
	}
}

// TestAppendQueryEscaped_RoundTrip checks that every byte survives the
// reader the server uses for query strings, alone and between others.
func TestAppendQueryEscaped_RoundTrip(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 256; c++ {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{all.String(), "a b+c", "50%", "x&$top=1", "'it''s'", "\x00;#?"} {
		var b strings.Builder
		appendQueryEscaped(&b, s)
		enc := b.String()
		if strings.ContainsAny(enc, "&=+;# \x00") {
			t.Errorf("escaped %q holds a character that would split or change the query: %q", s, enc)
		}
		got, err := url.QueryUnescape(enc)
		if err != nil || got != s {
			t.Errorf("QueryUnescape(%q)=%q, %v; want %q", enc, got, err, s)
		}
	}
}
