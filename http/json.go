package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/temgraph/temgraph"
)

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, "0123456789abcdef"[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendNullableString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// selection says which partner properties a response carries.
type selection struct {
	all   bool
	props map[string]bool
}

var selectAll = selection{all: true}

func (s selection) has(name string) bool { return s.all || s.props[name] }

// appendPartner appends the partner's JSON object. context, when not empty,
// becomes its @odata.context.
func appendPartner(b []byte, p *temgraph.Partner, sel selection, context string) []byte {
	b = append(b, '{')
	if context != "" {
		b = append(b, `"@odata.context":`...)
		b = appendString(b, context)
		b = append(b, ',')
	}
	b = append(b, `"@odata.type":"`+temgraph.ODataType+`","@odata.etag":`...)
	b = appendString(b, etagValue(p.ETag))
	if sel.has(temgraph.PropID) {
		b = append(b, `,"id":`...)
		b = appendString(b, p.ID)
	}
	if sel.has(temgraph.PropDisplayName) {
		b = append(b, `,"displayName":`...)
		b = appendNullableString(b, p.DisplayName)
	}
	if sel.has(temgraph.PropURL) {
		b = append(b, `,"url":`...)
		b = appendNullableString(b, p.URL)
	}
	if sel.has(temgraph.PropAppAuthorized) {
		b = append(b, `,"appAuthorized":`...)
		b = strconv.AppendBool(b, p.AppAuthorized)
	}
	if sel.has(temgraph.PropEnabled) {
		b = append(b, `,"enabled":`...)
		b = strconv.AppendBool(b, p.Enabled)
	}
	if sel.has(temgraph.PropLastConnectionDateTime) {
		b = append(b, `,"lastConnectionDateTime":"`...)
		b = temgraph.AppendDateTimeOffset(b, p.LastConnectionDateTime)
		b = append(b, '"')
	}
	return append(b, '}')
}

// etagValue is the quoted weak entity tag clients see and send back.
func etagValue(tag string) string { return `W/"` + tag + `"` }

// errNotObject marks JSON that is valid but not an object.
var errNotObject = errors.New("not a JSON object")

// utf8BOM is the byte order mark some Windows tools put before UTF-8 text.
var utf8BOM = []byte("\xef\xbb\xbf")

// duplicateMemberError is a JSON object that names a member twice; its
// text completes a sentence about the object.
type duplicateMemberError struct{ name string }

func (e *duplicateMemberError) Error() string {
	return "names the member '" + e.name + "' more than once"
}

// decodeObject reads one JSON object into its members, matching names
// exactly and refusing a member given twice (encoding/json would match
// names case-insensitively and let the last duplicate win).
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	obj := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, dup := obj[name]; dup {
			return nil, &duplicateMemberError{name}
		}
		obj[name] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return obj, nil
}
