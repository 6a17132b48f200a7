package odata

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a query option the client got wrong. Message is a plain sentence,
// safe to show to the client, that names the option and, for expressions,
// the position and token at fault. The HTTP layer reports it as BadRequest.
type Error struct {
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return "odata: " + e.Message
}

// errorf returns an *Error with a formatted message.
func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// maxQuoted is the most characters of client input echoed in one message.
const maxQuoted = 40

// quote prepares client input for a message: invalid UTF-8 and control
// characters are replaced, long values are cut short, and the result is
// put in single quotes.
func quote(s string) string {
	return "'" + clip(s) + "'"
}

// clip is quote without the quotes.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > maxQuoted {
		n := 0
		for i := range s {
			if n == maxQuoted {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return s
}

// position turns a byte offset in src into the 1-based character position
// used in messages.
func position(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return utf8.RuneCountInString(src[:off]) + 1
}
