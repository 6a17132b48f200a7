package odata

import (
	"strings"
	"time"
)

// litType is the type of a literal as written, before it is checked
// against the property it is compared with.
type litType int

const (
	ltNull litType = iota + 1
	ltString
	ltBool
	ltDateTime
	ltGuid
	ltNumber
	ltDate
	ltTimeOfDay
)

// lit is a literal read from an expression.
type lit struct {
	typ  litType
	text string // the literal as written, for messages
	str  string
	b    bool
	t    time.Time
}

// describe names the literal for a message: "the Edm.String value 'x'".
func (l lit) describe() string {
	switch l.typ {
	case ltNull:
		return "null"
	case ltString:
		return "the Edm.String value " + quote(l.str)
	case ltBool:
		return "the Edm.Boolean value " + l.text
	case ltDateTime:
		return "the Edm.DateTimeOffset value " + quote(l.text)
	case ltGuid:
		return "the Edm.Guid value " + quote(l.text)
	case ltNumber:
		return "the number " + clip(l.text)
	case ltDate:
		return "the Edm.Date value " + quote(l.text)
	default:
		return "the Edm.TimeOfDay value " + quote(l.text)
	}
}

// wordClass tells what an unquoted word is.
type wordClass int

const (
	wordUnknown wordClass = iota
	wordKeyword
	wordIdent
	wordLiteral
	wordBadDateTime // shaped like a DateTimeOffset but not a valid one
)

// keywords are the reserved words of $filter and $orderby, matched
// case-insensitively. The arithmetic operators and "has" are listed so
// that they are reported as unsupported rather than as unknown properties.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "eq": true, "ne": true, "gt": true, "ge": true,
	"lt": true, "le": true, "in": true, "has": true, "add": true, "sub": true, "mul": true,
	"div": true, "divby": true, "mod": true, "true": true, "false": true, "null": true,
	"asc": true, "desc": true,
}

// classify decides what a word is and, for a literal, returns its value.
func classify(w string) (wordClass, lit) {
	lower := strings.ToLower(w)
	switch {
	case lower == "true" || lower == "false":
		return wordLiteral, lit{typ: ltBool, text: lower, b: lower == "true"}
	case lower == "null":
		return wordLiteral, lit{typ: ltNull, text: lower}
	case keywords[lower]:
		return wordKeyword, lit{}
	case isGUID(w):
		return wordLiteral, lit{typ: ltGuid, text: w, str: strings.ToLower(w)}
	case looksLikeDateTime(w):
		t, ok := ParseDateTimeOffset(w)
		if !ok {
			return wordBadDateTime, lit{text: w}
		}
		return wordLiteral, lit{typ: ltDateTime, text: w, t: t}
	case isDate(w):
		return wordLiteral, lit{typ: ltDate, text: w}
	case isTimeOfDay(w):
		return wordLiteral, lit{typ: ltTimeOfDay, text: w}
	case isNumber(w):
		return wordLiteral, lit{typ: ltNumber, text: w}
	case isIdent(w):
		return wordIdent, lit{}
	}
	return wordUnknown, lit{}
}

// isGUID reports whether s has the 8-4-4-4-12 hexadecimal form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	_, ok := digits(s)
	return ok && s != ""
}

// isDate reports whether s has the yyyy-mm-dd form of an Edm.Date.
func isDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' &&
		allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// looksLikeDateTime reports whether s starts as yyyy-mm-ddT does.
func looksLikeDateTime(s string) bool {
	return len(s) > 10 && isDate(s[:10]) && (s[10] == 'T' || s[10] == 't')
}

// isTimeOfDay reports whether s has the hh:mm form that starts an
// Edm.TimeOfDay.
func isTimeOfDay(s string) bool {
	return len(s) >= 5 && s[2] == ':' && allDigits(s[:2]) && allDigits(s[3:5])
}

// isNumber reports whether s is an integer, decimal or floating-point
// literal, with an optional sign, exponent and type suffix, or INF or NaN.
func isNumber(s string) bool {
	if s == "INF" || s == "-INF" || s == "NaN" {
		return true
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s != "" && strings.ContainsRune("LlMmDdFf", rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, hasFrac := strings.Cut(mant, ".")
	if !allDigits(whole) || hasFrac && !allDigits(frac) {
		return false
	}
	if hasExp {
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		return allDigits(exp)
	}
	return true
}

// isIdent reports whether s is an OData identifier: a letter or underscore
// followed by letters, digits and underscores.
func isIdent(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80) {
			return false
		}
	}
	return true
}
