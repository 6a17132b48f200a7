package odata

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseFilter checks that no input panics, that every failure is an
// *Error with a printable one-sentence message, and that every accepted
// filter prints back to text that parses to the same tree. The seed corpus
// is in testdata/fuzz/FuzzParseFilter.
func FuzzParseFilter(f *testing.F) {
	f.Add("displayName eq 'a' and not (enabled or startswith(url,'x'))")
	rows := fuzzRows()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseFilter(s, testSchema, testType)
		if err != nil {
			checkError(t, s, err)
			return
		}
		for _, r := range rows {
			Eval(e, r.get)
		}
		text := format(e)
		again, err := ParseFilter(text, testSchema)
		if err != nil {
			if isLimitError(err) {
				return
			}
			t.Fatalf("ParseFilter(%q) failed on the printed form %q of %q: %v", text, text, s, err)
		}
		if diff := cmp.Diff(e, again); diff != "" {
			t.Fatalf("printed form %q of %q parses differently (-first +second):\n%s", text, s, diff)
		}
	})
}

// FuzzParseQuery checks that no query string panics ParseQuery and that
// every failure is an *Error with a printable message.
func FuzzParseQuery(f *testing.F) {
	f.Add("$filter=enabled&$top=5&$select=id,displayName&$orderby=url desc&$count=true")
	f.Fuzz(func(t *testing.T, s string) {
		values, _ := url.ParseQuery(s)
		for _, noDollar := range []bool{false, true} {
			q, err := ParseQuery(values, QueryOptions{Schema: testSchema, TypeName: testType,
				OptionalDollar: noDollar})
			if err != nil {
				checkError(t, s, err)
				continue
			}
			if q.Top < 0 || q.Top > MaxCount || q.Skip < 0 || q.Skip > MaxCount {
				t.Fatalf("ParseQuery(%q): top=%d skip=%d out of range", s, q.Top, q.Skip)
			}
		}
	})
}

// checkError fails unless err is an *Error whose message is one line of
// valid UTF-8 ending in a full stop.
func checkError(t *testing.T, input string, err error) {
	t.Helper()
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("input %q: error %v is not an *Error", input, err)
	}
	m := oe.Message
	if !utf8.ValidString(m) || strings.ContainsAny(m, "\x00\r\n") || !strings.HasSuffix(m, ".") {
		t.Fatalf("input %q: bad message %q", input, m)
	}
}

// isLimitError reports an error for a printed form that grew past a limit.
func isLimitError(err error) bool {
	m := err.Error()
	return strings.Contains(m, "levels deep") || strings.Contains(m, "the limit is")
}

// fuzzRows are rows with nulls, empty strings and extreme values.
func fuzzRows() []row {
	return []row{
		{"id": str("00000000-0000-0000-0000-000000000000"), "displayName": StringValue(nil),
			"url": StringValue(sp("")), "appAuthorized": BoolValue(false), "enabled": BoolValue(true),
			"lastConnectionDateTime": TimeValue(minTime)},
		{"id": str("ffffffff-ffff-ffff-ffff-ffffffffffff"), "displayName": StringValue(sp("é'x")),
			"url": StringValue(nil), "appAuthorized": BoolValue(true), "enabled": BoolValue(false),
			"lastConnectionDateTime": TimeValue(maxTime)},
	}
}

// format prints a filter so that ParseFilter reads back the same tree.
func format(e Expr) string {
	switch e := e.(type) {
	case *Logical:
		return formatOperand(e.Left, e.Op, true) + " " + e.Op + " " + formatOperand(e.Right, e.Op, false)
	case *Not:
		switch e.X.(type) {
		case *BoolProp, *Func, *Not:
			return "not " + format(e.X)
		}
		return "not (" + format(e.X) + ")"
	case *Compare:
		return e.Prop.Name + " " + e.Op + " " + formatLiteral(e.Value)
	case *In:
		items := make([]string, len(e.Values))
		for i, v := range e.Values {
			items[i] = formatLiteral(v)
		}
		return e.Prop.Name + " in (" + strings.Join(items, ",") + ")"
	case *Func:
		return e.Name + "(" + e.Prop.Name + "," + formatLiteral(str(e.Arg)) + ")"
	case *BoolProp:
		return e.Prop.Name
	}
	return "?"
}

// formatOperand prints an operand of "and" or "or", adding parentheses
// where precedence or left associativity need them.
func formatOperand(x Expr, op string, left bool) string {
	l, ok := x.(*Logical)
	if !ok || (left && l.Op == op) || (op == "or" && l.Op == "and") {
		return format(x)
	}
	return "(" + format(x) + ")"
}

func formatLiteral(v Literal) string {
	switch v.Kind {
	case LitNull:
		return "null"
	case LitBool:
		if v.Bool {
			return "true"
		}
		return "false"
	case LitDateTime:
		return v.Time.Format("2006-01-02T15:04:05.0000000Z07:00")
	}
	return "'" + strings.ReplaceAll(v.Str, "'", "''") + "'"
}

func TestFormat_RoundTrip(t *testing.T) {
	for _, s := range []string{
		"enabled or appAuthorized and url eq null",
		"(enabled or appAuthorized) and not (url ne 'it''s')",
		"enabled and (appAuthorized and enabled)",
		"not not enabled or not startswith(displayName,'a')",
		"lastConnectionDateTime gt 2024-01-31T12:00:00.1234567-01:00",
		"displayName in ('a', null)",
	} {
		e := MustParseFilter(t, s)
		if diff := cmp.Diff(e, MustParseFilter(t, format(e))); diff != "" {
			t.Errorf("format(%q) = %q parses differently:\n%s", s, format(e), diff)
		}
	}
}
