package temgraph

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// typeName is the qualified type name used in error messages.
const typeName = "microsoft.graph.telecomExpenseManagementPartner"

// Longest values accepted, in characters. They bound what one partner can
// make a list page or a batch response cost.
const (
	MaxDisplayNameLength = 1024
	MaxURLLength         = 2048
)

// DecodePartnerPatch reads a create or update body strictly: it must be one
// JSON object whose members are known partner properties of the right JSON
// type. A null for a non-nullable property, an unknown or repeated property,
// a foreign @odata.type, a malformed date or trailing data is an EBadRequest
// error naming the property. Instance annotations other than @odata.type
// (such as @odata.etag in a re-imported export) are ignored.
func DecodePartnerPatch(data []byte) (*PartnerPatch, error) {
	if !utf8.Valid(data) {
		return nil, errInvalidUTF8
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, Errorf(EBadRequest, "The request body starts with a byte order mark (U+FEFF); send the JSON without it.")
	}
	if !json.Valid(data) {
		var v any
		return nil, malformed(json.Unmarshal(data, &v))
	}
	p := &PartnerPatch{}
	seen := make(map[string]bool, 8)
	isObject, err := members(data, func(name string, raw []byte) error {
		if seen[name] {
			return Errorf(EBadRequest, "The property '%s' appears more than once in the request body.", name)
		}
		seen[name] = true
		return p.set(name, raw)
	})
	if !isObject {
		return nil, Errorf(EBadRequest, "The request body must be a JSON object.")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// errInvalidUTF8 answers a body that is not UTF-8.
var errInvalidUTF8 = Errorf(EBadRequest, "The request body is not valid UTF-8; send JSON encoded as UTF-8.")

func malformed(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return Errorf(EBadRequest, "The request body is not valid JSON: error at byte %d.", syn.Offset)
	}
	return Errorf(EBadRequest, "The request body is not valid JSON.")
}

// set assigns one body member to the patch.
func (p *PartnerPatch) set(name string, raw json.RawMessage) error {
	switch name {
	case "@odata.type":
		s, err := stringValue(name, raw, false)
		if err != nil {
			return err
		}
		if t := strings.TrimPrefix(*s, "#"); t != typeName && t != "graph.telecomExpenseManagementPartner" {
			return Errorf(EBadRequest, "The property '@odata.type' must be '%s', not '%s'.", ODataType, *s)
		}
	case PropID:
		s, err := stringValue(name, raw, false)
		if err != nil {
			return err
		}
		if !IsGUID(*s) {
			return Errorf(EBadRequest, "The property 'id' must be a GUID such as '47a3b399-b399-47a3-99b3-a34799b3a347'.")
		}
		id := CanonicalID(*s)
		p.ID = &id
	case PropDisplayName, PropURL:
		s, err := stringValue(name, raw, true)
		if err != nil {
			return err
		}
		limit := MaxDisplayNameLength
		if name == PropURL {
			limit = MaxURLLength
		}
		if s != nil && utf8.RuneCountInString(*s) > limit {
			return Errorf(EBadRequest, "The property '%s' is longer than %d characters.", name, limit)
		}
		opt := OptionalString{Set: true, Value: s}
		if name == PropDisplayName {
			p.DisplayName = opt
		} else {
			p.URL = opt
		}
	case PropAppAuthorized, PropEnabled:
		b, err := boolValue(name, raw)
		if err != nil {
			return err
		}
		if name == PropAppAuthorized {
			p.AppAuthorized = &b
		} else {
			p.Enabled = &b
		}
	case PropLastConnectionDateTime:
		s, err := stringValue(name, raw, false)
		if err != nil {
			return err
		}
		t, ok := ParseDateTimeOffset(*s)
		if !ok {
			return Errorf(EBadRequest, "The property 'lastConnectionDateTime' must be an RFC 3339 "+
				"date and time with a 'Z' or an offset, such as '2016-12-31T23:58:36.6670033-08:00'.")
		}
		p.LastConnectionDateTime = &t
	default:
		if strings.HasPrefix(name, "@") || strings.Contains(name, "@") && !strings.HasSuffix(name, "@") {
			return nil // an instance or property annotation
		}
		return Errorf(EBadRequest, "The property '%s' does not exist on type '%s'. Make sure to only "+
			"use property names that are defined by the type.", name, typeName)
	}
	return nil
}

// stringValue decodes a JSON string member; null is allowed when nullable.
func stringValue(name string, raw json.RawMessage, nullable bool) (*string, error) {
	if isNull(raw) {
		if nullable {
			return nil, nil
		}
		return nil, Errorf(EBadRequest, "The property '%s' cannot be null.", name)
	}
	if raw[0] != '"' {
		return nil, Errorf(EBadRequest, "The property '%s' must be a JSON string.", name)
	}
	if hasLoneSurrogate(raw) {
		return nil, Errorf(EBadRequest, "The property '%s' holds a \\u escape of half a UTF-16 surrogate pair "+
			"(\\uD800 to \\uDFFF) without its other half; such text cannot be stored as UTF-8.", name)
	}
	s, err := jsonString(raw)
	if err != nil {
		return nil, Errorf(EBadRequest, "The property '%s' must be a JSON string.", name)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, Errorf(EBadRequest, "The property '%s' must not contain the character U+0000.", name)
	}
	return &s, nil
}

// boolValue decodes a non-nullable JSON boolean member.
func boolValue(name string, raw json.RawMessage) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return false, Errorf(EBadRequest, "The property '%s' cannot be null.", name)
	}
	return false, Errorf(EBadRequest, "The property '%s' must be a JSON boolean (true or false).", name)
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }
