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
