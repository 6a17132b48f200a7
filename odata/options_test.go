package odata

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOrderBy(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []OrderItem
	}{
		{"One", "displayName", []OrderItem{{Prop: pName}}},
		{"Directions", "displayName desc, ID ASC,enabled", []OrderItem{
			{Prop: pName, Desc: true}, {Prop: pID}, {Prop: pEnabled}}},
		{"Spaces", "  lastConnectionDateTime   DESC  ", []OrderItem{{Prop: pLast, Desc: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOrderBy(tt.in, testSchema)
			if err != nil {
				t.Fatalf("ParseOrderBy(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseOrderBy(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseOrderBy_Errors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "The '$orderby' option is empty; give a property name or leave the option out."},
		{"foo", "Could not find a property named 'foo' on type '" + testType + "'."},
		{"displayName,DISPLAYNAME desc", "The property 'displayName' appears more than once in '$orderby'."},
		{"displayName,", "Syntax error at position 13 in '$orderby': expected a property name after ',', " +
			"but the text ended."},
		{"displayName descending", "Syntax error at position 13 in '$orderby': expected 'asc', 'desc', ',' " +
			"or the end of the list, but found 'descending'."},
		{"displayName asc desc", "Syntax error at position 17 in '$orderby': expected ',' or the end of the " +
			"list, but found 'desc'."},
		{"tolower(displayName)", "Syntax error at position 1 in '$orderby': only property names can be " +
			"sorted on; functions such as 'tolower' are not supported."},
		{"'displayName'", "Syntax error at position 1 in '$orderby': expected a property name, but found " +
			"'displayName'."},
		{"desc", "Syntax error at position 1 in '$orderby': expected a property name, but found 'desc'."},
		{"displayName,'x", "Syntax error at position 13 in '$orderby': the string literal that starts " +
			"here has no closing quote (write a quote inside a string as '')."},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseOrderBy(tt.in, testSchema, testType)
			if got := errorMessage(err); got != tt.want {
				t.Errorf("ParseOrderBy(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// errorMessage returns the message of an *Error, or a description of any
// other result.
func errorMessage(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Message
	}
	if err == nil {
		return "<nil>"
	}
	return "not an *Error: " + err.Error()
}

func TestParseSelect(t *testing.T) {
	all := []string{"id", "displayName", "url", "appAuthorized", "enabled", "lastConnectionDateTime"}
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"Canonical", "DisplayName, ID", []string{"displayName", "id"}},
		{"Repeats", "url,url,URL", []string{"url"}},
		{"Star", "*", all},
		{"StarWithOthers", "id,*", all},
		{"Empty", " ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSelect(tt.in, testSchema)
			if err != nil {
				t.Fatalf("ParseSelect(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSelect(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseSelect_Errors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x", "Could not find a property named 'x' on type 'microsoft.graph.telecomExpenseManagementPartner'."},
		{"id,,url", "The '$select' option has an empty item; separate property names with single commas."},
		{"id desc", "Could not find a property named 'id desc' on type '" + testType + "'."},
		{"id,\xff", "The '$select' option is not valid UTF-8 text."},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseSelect(tt.in, testSchema, testType)
			if got := errorMessage(err); got != tt.want {
				t.Errorf("ParseSelect(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTop(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"0", 0, false},
		{"5", 5, false},
		{"007", 7, false},
		{"2147483647", 2147483647, false},
		{"2147483648", 0, true},
		{"99999999999999999999999", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{"1.0", 0, true},
		{" 1", 0, true},
		{"", 0, true},
		{"ten", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTop(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseTop(%q) = %d, %v; want %d, error %t", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseSkip(t *testing.T) {
	got, err := ParseSkip("12")
	if err != nil || got != 12 {
		t.Errorf("ParseSkip(12) = %d, %v; want 12", got, err)
	}
	_, err = ParseSkip("-3")
	want := "The value of '$skip' must be a whole number from 0 to 2147483647, but it is '-3'."
	if got := errorMessage(err); got != want {
		t.Errorf("ParseSkip(-3)\n got %s\nwant %s", got, want)
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		wantErr bool
	}{
		{"true", true, false},
		{"TRUE", true, false},
		{"false", false, false},
		{"False", false, false},
		{"1", false, true},
		{"", false, true},
		{"yes", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCount(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseCount(%q) = %t, %v; want %t, error %t", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
