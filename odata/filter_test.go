package odata

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestParseFilter(t *testing.T) {
	day := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want Expr
	}{
		{"Eq", "displayName eq 'Contoso'", cmpx("eq", pName, str("Contoso"))},
		{"AllOperators", "url ne 'a' or url gt 'b' or url ge 'c' or url lt 'd' or url le 'e'",
			or(or(or(or(cmpx("ne", pURL, str("a")), cmpx("gt", pURL, str("b"))), cmpx("ge", pURL, str("c"))),
				cmpx("lt", pURL, str("d"))), cmpx("le", pURL, str("e")))},
		{"QuoteEscape", "displayName eq 'it''s'", cmpx("eq", pName, str("it's"))},
		{"EmptyString", "displayName eq ''", cmpx("eq", pName, str(""))},
		{"Unicode", "displayName eq 'Grüße 世界'", cmpx("eq", pName, str("Grüße 世界"))},
		{"CaseInsensitiveNames", "DISPLAYNAME EQ 'x' AND Enabled Eq TRUE",
			and(cmpx("eq", pName, str("x")), cmpx("eq", pEnabled, boolean(true)))},
		{"LiteralFirstFlips", "'m' lt displayName", cmpx("gt", pName, str("m"))},
		{"LiteralFirstGe", "2024-01-31T12:00:00Z ge lastConnectionDateTime", cmpx("le", pLast, instant(day))},
		{"BoolProp", "enabled", bp(pEnabled)},
		{"NotBoolProp", "not enabled", not(bp(pEnabled))},
		{"NotBindsTighterThanEq", "not enabled eq false", not(not(bp(pEnabled)))},
		{"NotParens", "not (displayName eq 'a')", not(cmpx("eq", pName, str("a")))},
		{"NotNoSpace", "not(enabled)", not(bp(pEnabled))},
		{"AndBeforeOr", "enabled or appAuthorized and url eq null",
			or(bp(pEnabled), and(bp(pApp), cmpx("eq", pURL, null())))},
		{"ParensOverride", "(enabled or appAuthorized) and url ne null",
			and(or(bp(pEnabled), bp(pApp)), cmpx("ne", pURL, null()))},
		{"AndLeftAssociative", "enabled and appAuthorized and enabled",
			and(and(bp(pEnabled), bp(pApp)), bp(pEnabled))},
		{"NullOnNonNullable", "enabled eq null", cmpx("eq", pEnabled, null())},
		{"NullFirst", "null ne displayName", cmpx("ne", pName, null())},
		{"DateTimeZ", "lastConnectionDateTime gt 2024-01-31T12:00:00Z", cmpx("gt", pLast, instant(day))},
		{"DateTimeOffset", "lastConnectionDateTime eq 2024-01-31T13:30:00.5+01:30",
			cmpx("eq", pLast, instant(day.Add(500*time.Millisecond)))},
		{"DateTimeRounded", "lastConnectionDateTime eq 2024-01-31T12:00:00.123456789012Z",
			cmpx("eq", pLast, instant(day.Add(123456800)))},
		{"GUIDUnquoted", "id eq 47A3B399-B399-47A3-99B3-A34799B3A347",
			cmpx("eq", pID, str("47a3b399-b399-47a3-99b3-a34799b3a347"))},
		{"GUIDQuoted", "id eq '47A3B399-B399-47A3-99B3-A34799B3A347'",
			cmpx("eq", pID, str("47a3b399-b399-47a3-99b3-a34799b3a347"))},
		{"IDString", "id gt 'AB'", cmpx("gt", pID, str("ab"))},
		{"In", "displayName in ('a', 'b',null)",
			&In{Prop: pName, Values: []Literal{str("a"), str("b"), null()}}},
		{"InGUIDs", "id in (00000000-0000-0000-0000-00000000000A)",
			&In{Prop: pID, Values: []Literal{str("00000000-0000-0000-0000-00000000000a")}}},
		{"InBool", "enabled in (true)", &In{Prop: pEnabled, Values: []Literal{boolean(true)}}},
		{"StartsWith", "startswith(displayName,'Con')", &Func{Name: "startswith", Prop: pName, Arg: "Con"}},
		{"GraphSpelling", "startsWith(displayName, 'a') or endsWith(url, '.com')",
			or(&Func{Name: "startswith", Prop: pName, Arg: "a"}, &Func{Name: "endswith", Prop: pURL, Arg: ".com"})},
		{"Contains", "CONTAINS( url , 'x' )", &Func{Name: "contains", Prop: pURL, Arg: "x"}},
		{"FuncOnID", "startswith(id,'AB')", &Func{Name: "startswith", Prop: pID, Arg: "ab"}},
		{"FuncEqTrue", "contains(url,'x') eq true", &Func{Name: "contains", Prop: pURL, Arg: "x"}},
		{"FuncEqFalse", "contains(url,'x') eq false", not(&Func{Name: "contains", Prop: pURL, Arg: "x"})},
		{"FuncNeFalse", "false ne contains(url,'x')", &Func{Name: "contains", Prop: pURL, Arg: "x"}},
		{"ConditionNeTrue", "(enabled and appAuthorized) ne true", not(and(bp(pEnabled), bp(pApp)))},
		{"ComparisonEqBool", "displayName eq 'a' eq false", not(cmpx("eq", pName, str("a")))},
		{"ParenthesisedOperands", "(displayName) eq ('a')", cmpx("eq", pName, str("a"))},
		{"Whitespace", "\tenabled\r\n  and\nappAuthorized ", and(bp(pEnabled), bp(pApp))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(tt.in, testSchema)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFilter(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestParseFilter_Errors checks the message for each malformed filter in
// testdata/filter/errors.txt. Each case there is a line "> filter"
// followed by the expected message; run with -update to rewrite them.
func TestParseFilter_Errors(t *testing.T) {
	path := filepath.Join("testdata", "filter", "errors.txt")
	cases := readErrorCases(t, path)
	var out strings.Builder
	for _, c := range cases {
		_, err := parseFilter(c.input, testSchema, testType)
		var oe *Error
		if !errors.As(err, &oe) {
			t.Errorf("ParseFilter(%q) error = %v, want an *Error", c.input, err)
			continue
		}
		out.WriteString("> " + c.input + "\n" + oe.Message + "\n\n")
		if !*update && oe.Message != c.message {
			t.Errorf("ParseFilter(%q)\n got %s\nwant %s", c.input, oe.Message, c.message)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type errorCase struct{ input, message string }

// readErrorCases reads "> input" lines, each followed by one message line.
func readErrorCases(t *testing.T, path string) []errorCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []errorCase
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "> ") {
			continue
		}
		c := errorCase{input: strings.TrimPrefix(lines[i], "> ")}
		if i+1 < len(lines) {
			c.message = lines[i+1]
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", path)
	}
	return cases
}

func TestParseFilter_Limits(t *testing.T) {
	t.Run("DepthAtLimit", func(t *testing.T) {
		s := strings.Repeat("not (", MaxFilterDepth/2) + "enabled" + strings.Repeat(")", MaxFilterDepth/2)
		MustParseFilter(t, s)
	})
	t.Run("ErrDepthParens", func(t *testing.T) {
		s := strings.Repeat("(", MaxFilterDepth+1) + "enabled" + strings.Repeat(")", MaxFilterDepth+1)
		_, err := ParseFilter(s, testSchema)
		if err == nil || !strings.Contains(err.Error(), "more than 100 levels deep") {
			t.Fatalf("err = %v, want a nesting error", err)
		}
	})
	t.Run("ErrDepthNot", func(t *testing.T) {
		s := strings.Repeat("not ", MaxFilterDepth+1) + "enabled"
		if _, err := ParseFilter(s, testSchema); err == nil {
			t.Fatal("err = nil, want a nesting error")
		}
	})
	t.Run("LongChainWithinLength", func(t *testing.T) {
		s := strings.Repeat("enabled or ", (MaxExpressionLength-7)/11) + "enabled"
		if len(s) > MaxExpressionLength {
			t.Fatalf("test input is %d bytes", len(s))
		}
		MustParseFilter(t, s)
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		s := "displayName eq '" + strings.Repeat("x", MaxExpressionLength) + "'"
		_, err := ParseFilter(s, testSchema)
		if err == nil || !strings.Contains(err.Error(), "the limit is 8192") {
			t.Fatalf("err = %v, want a length error", err)
		}
	})
}
