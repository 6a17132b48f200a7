package temgraph_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph"
)

// seedBody is the request body of the example on Graph's "Update
// telecomExpenseManagementPartner" page.
const seedBody = `{
  "@odata.type": "#microsoft.graph.telecomExpenseManagementPartner",
  "displayName": "Display Name value",
  "url": "Url value",
  "appAuthorized": true,
  "enabled": true,
  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"
}`

func ptr[T any](v T) *T { return &v }

func set(s string) temgraph.OptionalString { return temgraph.OptionalString{Set: true, Value: &s} }

func TestDecodePartnerPatch(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *temgraph.PartnerPatch
	}{
		{"Seed", seedBody, &temgraph.PartnerPatch{
			DisplayName:            set("Display Name value"),
			URL:                    set("Url value"),
			AppAuthorized:          ptr(true),
			Enabled:                ptr(true),
			LastConnectionDateTime: ptr(time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC)),
		}},
		{"SeedWithCRLF", strings.ReplaceAll(seedBody, "\n", "\r\n"), &temgraph.PartnerPatch{
			DisplayName:            set("Display Name value"),
			URL:                    set("Url value"),
			AppAuthorized:          ptr(true),
			Enabled:                ptr(true),
			LastConnectionDateTime: ptr(time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC)),
		}},
		{"EmptyObject", `{}`, &temgraph.PartnerPatch{}},
		{"EscapedKey", `{"display\u004eame":"x"}`, &temgraph.PartnerPatch{DisplayName: set("x")}},
		{"WhitespaceAround", " \r\n\t{ } \n", &temgraph.PartnerPatch{}},
		{"ID", `{"id":"47a3b399-b399-47a3-99b3-a34799b3a347"}`,
			&temgraph.PartnerPatch{ID: ptr("47a3b399-b399-47a3-99b3-a34799b3a347")}},
		{"IDUpperCaseIsCanonicalised", `{"id":"47A3B399-B399-47A3-99B3-A34799B3A347"}`,
			&temgraph.PartnerPatch{ID: ptr("47a3b399-b399-47a3-99b3-a34799b3a347")}},
		{"DisplayName", `{"displayName":"Contoso TEM"}`, &temgraph.PartnerPatch{DisplayName: set("Contoso TEM")}},
		{"DisplayNameNull", `{"displayName":null}`,
			&temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true}}},
		{"DisplayNameEmpty", `{"displayName":""}`, &temgraph.PartnerPatch{DisplayName: set("")}},
		{"DisplayNameLongest", `{"displayName":"` + strings.Repeat("é", temgraph.MaxDisplayNameLength) + `"}`,
			&temgraph.PartnerPatch{DisplayName: set(strings.Repeat("é", temgraph.MaxDisplayNameLength))}},
		{"EscapedBackslashBeforeU", `{"displayName":"\\ud800"}`, &temgraph.PartnerPatch{DisplayName: set(`\ud800`)}},
		{"UpperCasePair", `{"displayName":"\uD83D\uDE00"}`, &temgraph.PartnerPatch{DisplayName: set("\U0001F600")}},
		{"DisplayNameEscapes", `{"displayName":"a\"b\\c\n\u00e9\ud83d\ude00\u2028"}`,
			&temgraph.PartnerPatch{DisplayName: set("a\"b\\c\n\u00e9\U0001F600\u2028")}},
		{"URL", `{"url":"https://tem.example/admin"}`, &temgraph.PartnerPatch{URL: set("https://tem.example/admin")}},
		{"URLNull", `{"url":null}`, &temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true}}},
		{"AppAuthorizedFalse", `{"appAuthorized":false}`, &temgraph.PartnerPatch{AppAuthorized: ptr(false)}},
		{"EnabledTrue", `{"enabled":true}`, &temgraph.PartnerPatch{Enabled: ptr(true)}},
		{"LastConnectionZ", `{"lastConnectionDateTime":"0001-01-01T00:00:00Z"}`,
			&temgraph.PartnerPatch{LastConnectionDateTime: ptr(temgraph.ZeroTime)}},
		{"ODataTypeWithoutHash", `{"@odata.type":"microsoft.graph.telecomExpenseManagementPartner"}`,
			&temgraph.PartnerPatch{}},
		{"ODataTypeShortNamespace", `{"@odata.type":"#graph.telecomExpenseManagementPartner"}`,
			&temgraph.PartnerPatch{}},
		{"AnnotationsIgnored", `{"@odata.context":"https://graph.microsoft.com/beta/$metadata#x",` +
			`"@odata.etag":"W/\"abc\"","@odata.id":{"nested":[1,2]},"displayName@odata.type":"#String",` +
			`"enabled":false}`, &temgraph.PartnerPatch{Enabled: ptr(false)}},
		{"ExportedEntity", `{"@odata.type":"#microsoft.graph.telecomExpenseManagementPartner",` +
			`"@odata.etag":"W/\"0a1b\"","id":"47a3b399-b399-47a3-99b3-a34799b3a347","displayName":null,` +
			`"url":null,"appAuthorized":false,"enabled":false,"lastConnectionDateTime":"0001-01-01T00:00:00Z"}`,
			&temgraph.PartnerPatch{
				ID:                     ptr("47a3b399-b399-47a3-99b3-a34799b3a347"),
				DisplayName:            temgraph.OptionalString{Set: true},
				URL:                    temgraph.OptionalString{Set: true},
				AppAuthorized:          ptr(false),
				Enabled:                ptr(false),
				LastConnectionDateTime: ptr(temgraph.ZeroTime),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := temgraph.DecodePartnerPatch([]byte(tt.in))
			if err != nil {
				t.Fatalf("DecodePartnerPatch(%s) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodePartnerPatch(%s) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDecodePartnerPatch_Errors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// names is a substring the message must hold: the property, quoted.
		names string
	}{
		// Wrong JSON types.
		{"DisplayNameNumber", `{"displayName":42}`, "'displayName'"},
		{"DisplayNameBool", `{"displayName":true}`, "'displayName'"},
		{"DisplayNameObject", `{"displayName":{"value":"x"}}`, "'displayName'"},
		{"DisplayNameArray", `{"displayName":["x"]}`, "'displayName'"},
		{"URLNumber", `{"url":1}`, "'url'"},
		{"AppAuthorizedString", `{"appAuthorized":"true"}`, "'appAuthorized'"},
		{"AppAuthorizedNumber", `{"appAuthorized":1}`, "'appAuthorized'"},
		{"EnabledString", `{"enabled":"yes"}`, "'enabled'"},
		{"EnabledObject", `{"enabled":{}}`, "'enabled'"},
		{"LastConnectionNumber", `{"lastConnectionDateTime":1483228800}`, "'lastConnectionDateTime'"},
		{"LastConnectionBool", `{"lastConnectionDateTime":false}`, "'lastConnectionDateTime'"},
		{"IDNumber", `{"id":12}`, "'id'"},
		{"ODataTypeNumber", `{"@odata.type":7}`, "'@odata.type'"},

		// null for a non-nullable property.
		{"AppAuthorizedNull", `{"appAuthorized":null}`, "'appAuthorized'"},
		{"EnabledNull", `{"enabled":null}`, "'enabled'"},
		{"LastConnectionNull", `{"lastConnectionDateTime":null}`, "'lastConnectionDateTime'"},
		{"IDNull", `{"id":null}`, "'id'"},
		{"ODataTypeNull", `{"@odata.type":null}`, "'@odata.type'"},

		// Bad values.
		{"LastConnectionNoOffset", `{"lastConnectionDateTime":"2016-12-31T23:58:36.6670033"}`,
			"'lastConnectionDateTime'"},
		{"LastConnectionFeb30", `{"lastConnectionDateTime":"2017-02-30T00:00:00Z"}`, "'lastConnectionDateTime'"},
		{"LastConnectionEmpty", `{"lastConnectionDateTime":""}`, "'lastConnectionDateTime'"},
		{"IDNotGUID", `{"id":"partner-1"}`, "'id'"},
		{"IDBraced", `{"id":"{47a3b399-b399-47a3-99b3-a34799b3a347}"}`, "'id'"},
		{"DisplayNameNUL", `{"displayName":"a\u0000b"}`, "'displayName'"},
		{"URLNUL", `{"url":"\u0000"}`, "'url'"},
		{"DisplayNameTooLong", `{"displayName":"` + strings.Repeat("é", temgraph.MaxDisplayNameLength+1) + `"}`,
			"'displayName'"},
		{"URLTooLong", `{"url":"` + strings.Repeat("u", temgraph.MaxURLLength+1) + `"}`, "'url'"},
		{"InvalidUTF8", "{\"displayName\":\"caf\xe9\"}", "UTF-8"},
		{"ByteOrderMark", "\xef\xbb\xbf{\"displayName\":\"x\"}", "byte order mark"},
		{"LoneHighSurrogate", `{"displayName":"a\ud800"}`, "'displayName'"},
		{"LoneLowSurrogate", `{"url":"\udc00b"}`, "'url'"},
		{"HighThenNonLow", `{"displayName":"\ud800\u0041"}`, "'displayName'"},
		{"HighThenHigh", `{"displayName":"\uD800\uDBFF\uDC00"}`, "'displayName'"},
		{"SwappedPair", `{"displayName":"\ude00\ud83d"}`, "'displayName'"},
		{"HighAtEnd", `{"displayName":"x\\\ud83d"}`, "'displayName'"},

		// Unknown properties and foreign types.
		{"UnknownProperty", `{"displayName":"x","vendor":"Contoso"}`, "'vendor'"},
		{"WrongCaseProperty", `{"DisplayName":"x"}`, "'DisplayName'"},
		{"TrailingAt", `{"displayName@":"x"}`, "'displayName@'"},
		{"ForeignODataType", `{"@odata.type":"#microsoft.graph.user"}`, "'@odata.type'"},
		{"ForeignODataTypeSuffix", `{"@odata.type":"#microsoft.graph.telecomExpenseManagementPartnerX"}`,
			"'@odata.type'"},

		// Duplicates.
		{"DuplicateProperty", `{"enabled":true,"enabled":false}`, "'enabled'"},
		{"DuplicateEscapedKey", `{"enabled":true,"\u0065nabled":false}`, "'enabled'"},
		{"DuplicateNullable", `{"displayName":null,"displayName":"x"}`, "'displayName'"},
		{"DuplicateODataType", `{"@odata.type":"#microsoft.graph.telecomExpenseManagementPartner",` +
			`"@odata.type":"#microsoft.graph.telecomExpenseManagementPartner"}`, "'@odata.type'"},

		// Not one JSON object.
		{"Empty", ``, ""},
		{"Whitespace", "  \n", ""},
		{"Null", `null`, ""},
		{"Array", `[{"enabled":true}]`, ""},
		{"String", `"enabled"`, ""},
		{"Number", `1`, ""},
		{"Truncated", `{"enabled":true`, ""},
		{"TruncatedString", `{"displayName":"abc`, ""},
		{"TrailingComma", `{"enabled":true,}`, ""},
		{"MissingColon", `{"enabled" true}`, ""},
		{"SingleQuotes", `{'enabled':true}`, ""},
		{"BareKey", `{enabled:true}`, ""},
		{"Comment", `{"enabled":true /* no */}`, ""},
		{"TrailingObject", `{"enabled":true}{"enabled":false}`, ""},
		{"TrailingGarbage", `{"enabled":true}x`, ""},
		{"TrailingComma2", `{"enabled":true},`, ""},
		{"TwoValuesNoObject", `{} []`, ""},
		{"BadEscape", `{"displayName":"\x"}`, ""},
		{"ControlCharInString", "{\"displayName\":\"a\x01b\"}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := temgraph.DecodePartnerPatch([]byte(tt.in))
			if err == nil {
				t.Fatalf("DecodePartnerPatch(%q)=%+v, want an error", tt.in, got)
			}
			var e *temgraph.Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodePartnerPatch(%q) error %T %v, want *temgraph.Error", tt.in, err, err)
			}
			if e.Code != temgraph.EBadRequest {
				t.Errorf("code=%q, want %q", e.Code, temgraph.EBadRequest)
			}
			if e.Message == "" {
				t.Errorf("message is empty")
			}
			if !strings.Contains(e.Message, tt.names) {
				t.Errorf("message=%q, want it to name %s", e.Message, tt.names)
			}
			assertNoGoErrorText(t, e.Message)
		})
	}
}

// goErrorTexts are fragments of Go runtime, encoding/json, compress and
// database error strings that must never reach a client; leakWords must not
// appear in any case.
var (
	goErrorTexts = []string{
		"invalid character", "unexpected end of JSON input", "cannot unmarshal", "json:", "EOF",
		"runtime error", "goroutine", "%!", "<nil>", "gzip:", "flate:", "http:",
	}
	leakWords = []string{"sql", "panic"}
)

func assertNoGoErrorText(t *testing.T, msg string) {
	t.Helper()
	for _, frag := range goErrorTexts {
		if strings.Contains(msg, frag) {
			t.Errorf("message %q holds %q, internal error text", msg, frag)
		}
	}
	for _, w := range leakWords {
		if strings.Contains(strings.ToLower(msg), w) {
			t.Errorf("message %q holds %q, internal error text", msg, w)
		}
	}
}

// withoutEchoes removes from msg every JSON string of body, since an error
// message may quote the client's own property names and values, and these
// may hold any word: a property named "sql" is the client's text, not a
// leak.
func withoutEchoes(msg string, body []byte) string {
	var echoes []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if s, ok := tok.(string); ok && s != "" {
			echoes = append(echoes, s)
		}
	}
	// Longest first, so that a string holding a shorter one goes whole.
	sort.Slice(echoes, func(i, j int) bool { return len(echoes[i]) > len(echoes[j]) })
	for _, s := range echoes {
		msg = strings.ReplaceAll(msg, s, "")
	}
	return msg
}

// FuzzDecodePartnerPatch checks that the decoder never panics, that every
// refusal is a BadRequest with a clean message, and that what it accepts is
// one valid JSON object whose meaning survives a re-encoding.
func FuzzDecodePartnerPatch(f *testing.F) {
	for _, s := range []string{
		seedBody, `{}`, `{"displayName":null}`, `{"enabled":null}`, `{"id":"47A3B399-B399-47A3-99B3-A34799B3A347"}`,
		`{"@odata.etag":"W/\"x\"","a@b":1}`, `{"enabled":true}x`, `[`, `{"lastConnectionDateTime":"2017-02-30T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := temgraph.DecodePartnerPatch(data)
		if err != nil {
			var e *temgraph.Error
			if !errors.As(err, &e) || e.Code != temgraph.EBadRequest || e.Message == "" {
				t.Fatalf("DecodePartnerPatch(%q) error %v, want a BadRequest *temgraph.Error", data, err)
			}
			assertNoGoErrorText(t, withoutEchoes(e.Message, data))
			return
		}
		if !json.Valid(data) {
			t.Fatalf("DecodePartnerPatch accepted invalid JSON %q", data)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("DecodePartnerPatch accepted %q, which is not a JSON object: %v", data, err)
		}
		again, err := temgraph.DecodePartnerPatch(encodePatch(t, p))
		if err != nil {
			t.Fatalf("re-encoded patch of %q refused: %v", data, err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("re-encoded patch of %q differs (-first +second):\n%s", data, diff)
		}
	})
}

// encodePatch writes a patch back as a JSON body.
func encodePatch(t *testing.T, p *temgraph.PartnerPatch) []byte {
	t.Helper()
	m := map[string]any{}
	if p.ID != nil {
		m["id"] = *p.ID
	}
	if p.DisplayName.Set {
		m["displayName"] = p.DisplayName.Value
	}
	if p.URL.Set {
		m["url"] = p.URL.Value
	}
	if p.AppAuthorized != nil {
		m["appAuthorized"] = *p.AppAuthorized
	}
	if p.Enabled != nil {
		m["enabled"] = *p.Enabled
	}
	if p.LastConnectionDateTime != nil {
		m["lastConnectionDateTime"] = temgraph.FormatDateTimeOffset(*p.LastConnectionDateTime)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("marshal patch: %v", err)
	}
	return b
}
