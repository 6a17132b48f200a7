package odata

import "strings"

// tokenKind classifies the tokens of $filter and $orderby.
type tokenKind int

const (
	tokEOF    tokenKind = iota + 1
	tokLParen           // (
	tokRParen           // )
	tokComma            // ,
	tokString           // a quoted string; text holds the unescaped value
	tokWord             // an identifier, keyword or unquoted literal
	tokBad              // a character that starts no token
)

// token is one lexeme. pos and end are the byte offsets of its first
// byte and of the byte after it.
type token struct {
	kind tokenKind
	text string
	pos  int
	end  int
}

// lexer splits an expression into tokens.
type lexer struct {
	src    string
	option string // the option being read, for messages: "$filter"
	off    int
}

// next returns the next token, or an *Error for an unterminated string.
func (l *lexer) next() (token, error) {
	t, err := l.scan()
	t.end = l.off
	return t, err
}

// scan reads one token.
func (l *lexer) scan() (token, error) {
	l.skipSpace()
	start := l.off
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[l.off]
	switch {
	case c == '(':
		l.off++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.off++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == ',':
		l.off++
		return token{kind: tokComma, text: ",", pos: start}, nil
	case c == '\'':
		return l.quoted()
	case isWordByte(c):
		for l.off < len(l.src) && isWordByte(l.src[l.off]) {
			l.off++
		}
		return token{kind: tokWord, text: l.src[start:l.off], pos: start}, nil
	}
	l.off++
	return token{kind: tokBad, text: l.src[start:l.off], pos: start}, nil
}

// quoted reads a single-quoted string, in which a doubled quote stands for one.
func (l *lexer) quoted() (token, error) {
	start := l.off
	var b strings.Builder
	l.off++
	for {
		i := strings.IndexByte(l.src[l.off:], '\'')
		if i < 0 {
			return token{}, errorf("Syntax error at position %d in '%s': the string literal "+
				"that starts here has no closing quote (write a quote inside a string as '').",
				position(l.src, start), l.option)
		}
		b.WriteString(l.src[l.off : l.off+i])
		l.off += i + 1
		if l.off < len(l.src) && l.src[l.off] == '\'' {
			b.WriteByte('\'')
			l.off++
			continue
		}
		return token{kind: tokString, text: b.String(), pos: start}, nil
	}
}

func (l *lexer) skipSpace() {
	for l.off < len(l.src) && isSpace(l.src[l.off]) {
		l.off++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// isWordByte reports whether c can be part of an identifier, a keyword or
// an unquoted literal such as 2024-01-31T12:00:00.5+01:00, a GUID or a
// number. Bytes of multi-byte UTF-8 characters count, so that a misspelt
// property name with accents is reported as an unknown property.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '+' || c == '-' || c >= 0x80
}
