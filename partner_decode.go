package temgraph

import (
	"encoding/json"
	"unicode/utf8"
)

// members splits a JSON object into its members' names and raw values, in
// order, without building a token stream: the body is checked with
// json.Valid first, so the scan only has to find where each value ends.
// It returns ok=false when data is valid JSON but not an object.
func members(data []byte, each func(name string, raw []byte) error) (ok bool, err error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false, nil
	}
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return true, nil
	}
	for {
		end := stringEnd(data, i)
		name, err := jsonString(data[i:end])
		if err != nil {
			return true, err
		}
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the ':'
		vend := valueEnd(data, i)
		if err := each(name, data[i:vend]); err != nil {
			return true, err
		}
		i = skipSpace(data, vend)
		if data[i] == '}' {
			return true, nil
		}
		i = skipSpace(data, i+1) // the ','
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// valueEnd returns the index just past the JSON value starting at i.
func valueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = stringEnd(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' &&
		data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
		j++
	}
	return j
}

// hasLoneSurrogate reports whether a JSON string holds a \u escape of a
// UTF-16 surrogate that is not part of a high-then-low pair. Decoders
// replace such escapes with U+FFFD; temgraph refuses them instead of
// storing something other than what the client sent.
func hasLoneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r, ok := hex4(raw, i+2)
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
			i++
		case r >= 0xDC00:
			return true // a low half with no high half before it
		default:
			lo, ok := hex4(raw, i+8)
			if i+7 >= len(raw) || raw[i+6] != '\\' || raw[i+7] != 'u' || !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		}
	}
	return false
}

// hex4 reads the four hexadecimal digits at raw[at:].
func hex4(raw []byte, at int) (rune, bool) {
	if at+4 > len(raw) {
		return 0, false
	}
	var r rune
	for _, c := range raw[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// jsonString decodes a raw JSON string; without escapes it is the bytes
// between the quotes.
func jsonString(raw []byte) (string, error) {
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' {
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err
		}
	}
	if !utf8.Valid(inner) {
		return "", errInvalidUTF8
	}
	return string(inner), nil
}
