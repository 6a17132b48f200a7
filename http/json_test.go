package http

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
)

func TestAppendString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // exact output
	}{
		{"Empty", "", `""`},
		{"Plain", "Display Name value", `"Display Name value"`},
		{"Quote", `a"b`, `"a\"b"`},
		{"Backslash", `a\b`, `"a\\b"`},
		{"Newline", "a\nb", `"a\nb"`},
		{"CarriageReturn", "a\rb", `"a\rb"`},
		{"Tab", "a\tb", `"a\tb"`},
		{"NUL", "a\x00b", `"a\u0000b"`},
		{"Control1F", "\x1f", `"\u001f"`},
		{"Control01", "\x01", `"\u0001"`},
		{"DEL", "\x7f", "\"\x7f\""},
		{"Slash", "a/b", `"a/b"`},
		{"HTML", "<a&b>", `"<a&b>"`},
		{"Accented", "caf\u00e9", "\"caf\u00e9\""},
		{"Emoji", "\U0001F600", "\"\U0001F600\""},
		{"LineSeparator", "a\u2028b", `"a\u2028b"`},
		{"ParagraphSeparator", "a\u2029b", `"a\u2029b"`},
		{"InvalidByte", "a\xffb", `"a\ufffdb"`},
		{"TruncatedRune", "a\xe2\x82", `"a\ufffd\ufffd"`},
		{"LoneContinuation", "\x80", `"\ufffd"`},
		{"SurrogateBytes", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"RuneErrorItself", "\ufffd", "\"\ufffd\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendString([]byte("x"), tt.in))
			if got != "x"+tt.want {
				t.Errorf("appendString(%q)=%s, want %s", tt.in, got[1:], tt.want)
			}
			checkJSONString(t, tt.in, []byte(got[1:]))
		})
	}
}

// checkJSONString checks that out is one valid JSON string that
// encoding/json decodes to what it decodes its own encoding of in to, and
// that it holds no raw control or line-separator character.
func checkJSONString(t *testing.T, in string, out []byte) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("appendString(%q)=%s, not valid JSON", in, out)
	}
	var got string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	ref, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("json.Marshal(%q): %v", in, err)
	}
	var want string
	if err := json.Unmarshal(ref, &want); err != nil {
		t.Fatalf("decode %s: %v", ref, err)
	}
	if got != want {
		t.Errorf("appendString(%q) decodes to %q, want %q", in, got, want)
	}
	if utf8.ValidString(in) && got != in {
		t.Errorf("appendString(%q) of valid UTF-8 decodes to %q, want the input back", in, got)
	}
	if !utf8.Valid(out) {
		t.Errorf("appendString(%q)=%q, not valid UTF-8", in, out)
	}
	s := string(out)
	if strings.ContainsAny(s, "\u2028\u2029") {
		t.Errorf("appendString(%q)=%q holds a raw U+2028 or U+2029", in, out)
	}
	for i := 0; i < len(out); i++ {
		if out[i] < 0x20 {
			t.Errorf("appendString(%q)=%q holds raw control byte %#x", in, out, out[i])
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"\\\n\x00", "\u2028\u2029", "\xff\xfe", "\xe2\x80", "\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkJSONString(t, s, appendString(nil, s))
	})
}

func TestAppendPartner(t *testing.T) {
	name, url := "Display Name value", "Url value"
	p := &temgraph.Partner{
		ID: "47a3b399-b399-47a3-99b3-a34799b3a347", DisplayName: &name, URL: &url,
		AppAuthorized: true, Enabled: true,
		LastConnectionDateTime: time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC),
		ETag:                   "0a1b2c",
	}

	t.Run("Entity", func(t *testing.T) {
		got := string(appendPartner(nil, p, selectAll,
			"http://127.0.0.1:1/beta/$metadata#deviceManagement/telecomExpenseManagementPartners/$entity"))
		want := `{"@odata.context":"http://127.0.0.1:1/beta/$metadata#deviceManagement/` +
			`telecomExpenseManagementPartners/$entity",` +
			`"@odata.type":"#microsoft.graph.telecomExpenseManagementPartner","@odata.etag":"W/\"0a1b2c\"",` +
			`"id":"47a3b399-b399-47a3-99b3-a34799b3a347","displayName":"Display Name value","url":"Url value",` +
			`"appAuthorized":true,"enabled":true,"lastConnectionDateTime":"2017-01-01T07:58:36.6670033Z"}`
		if got != want {
			t.Errorf("appendPartner=\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("NullsAndZeroTime", func(t *testing.T) {
		q := &temgraph.Partner{ID: p.ID, LastConnectionDateTime: temgraph.ZeroTime, ETag: "e"}
		var got map[string]any
		if err := json.Unmarshal(appendPartner(nil, q, selectAll, ""), &got); err != nil {
			t.Fatalf("decode: %v", err)
		}
		want := map[string]any{
			"@odata.type": temgraph.ODataType, "@odata.etag": `W/"e"`, "id": p.ID,
			"displayName": nil, "url": nil, "appAuthorized": false, "enabled": false,
			"lastConnectionDateTime": "0001-01-01T00:00:00Z",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("appendPartner mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("HostileStrings", func(t *testing.T) {
		evil := "\",\"enabled\":false,\"x\":\"\u2028\x00\xff"
		q := &temgraph.Partner{ID: p.ID, DisplayName: &evil, URL: &evil, LastConnectionDateTime: temgraph.ZeroTime,
			ETag: "e"}
		out := appendPartner(nil, q, selectAll, "")
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("decode %s: %v", out, err)
		}
		if len(got) != 8 {
			t.Errorf("object has %d members, want 8: %s", len(got), out)
		}
		wantName := strings.ReplaceAll(evil, "\xff", "\ufffd")
		if got["displayName"] != wantName || got["url"] != wantName {
			t.Errorf("displayName=%q url=%q, want %q", got["displayName"], got["url"], wantName)
		}
	})

	t.Run("Selection", func(t *testing.T) {
		sel := selection{props: map[string]bool{temgraph.PropDisplayName: true}}
		var got map[string]any
		if err := json.Unmarshal(appendPartner(nil, p, sel, ""), &got); err != nil {
			t.Fatalf("decode: %v", err)
		}
		want := map[string]any{"@odata.type": temgraph.ODataType, "@odata.etag": `W/"0a1b2c"`,
			"displayName": "Display Name value"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("appendPartner mismatch (-want +got):\n%s", diff)
		}
	})
}
