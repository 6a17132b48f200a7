package odata

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		noDollar bool
		want     *Query
	}{
		{"None", "", false, &Query{}},
		{"All", "$select=id,displayName&$filter=enabled&$orderby=url desc&$top=5&$skip=10&$count=true" +
			"&$skiptoken=abc&$format=json", false, &Query{
			Select: []string{"id", "displayName"}, Filter: bp(pEnabled),
			OrderBy: []OrderItem{{Prop: pURL, Desc: true}}, Top: 5, HasTop: true, Skip: 10, Count: true,
			SkipToken: "abc",
		}},
		{"NamesCaseInsensitive", "$TOP=0&$Count=false", false, &Query{HasTop: true}},
		{"FormatMediaType", "$format=application/json%3Bodata.metadata=minimal", false, &Query{}},
		{"CustomParamsIgnored", "top=3&api-version=1&x=y", false, &Query{}},
		{"NoDollar", "top=3&Filter=enabled", true, &Query{Top: 3, HasTop: true, Filter: bp(pEnabled)}},
		{"NoDollarOtherIgnored", "foo=bar&top=1", true, &Query{Top: 1, HasTop: true}},
		{"EmptySelect", "$select=", false, &Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseQuery(values, QueryOptions{Schema: testSchema, TypeName: testType,
				OptionalDollar: tt.noDollar})
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseQuery(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestParseQuery_Errors(t *testing.T) {
	tests := []struct {
		query    string
		noDollar bool
		want     string
	}{
		{"$top=1&$top=2", false, "The query option '$top' is given more than once."},
		{"$top=1&$TOP=2", false, "The query option '$top' is given more than once."},
		{"top=1&$top=2", true, "The query option '$top' is given more than once."},
		{"$expand=foo", false, "The query option '$expand' cannot be used: type '" + testType +
			"' has no navigation properties."},
		{"expand=*", true, "The query option '$expand' cannot be used: type '" + testType +
			"' has no navigation properties."},
		{"$search=abc", false, "The query option '$search' is not supported on this resource; use '$filter' instead."},
		{"$apply=groupby((url))", false, "The query option '$apply' is not supported."},
		{"$Foo=1", false, "The query option '$Foo' is not supported."},
		{"$format=xml", false, "The '$format' value 'xml' is not supported; the only format is json."},
		{"$skiptoken=", false, "The '$skiptoken' option is empty; use the @odata.nextLink URL exactly as returned."},
		{"$filter=", false, "The '$filter' option is empty; give a condition or leave the option out."},
		{"$filter=bogus eq 1", false, "Could not find a property named 'bogus' on type '" + testType + "'."},
		{"$orderby=bogus", false, "Could not find a property named 'bogus' on type '" + testType + "'."},
		{"$select=bogus", false, "Could not find a property named 'bogus' on type '" + testType + "'."},
		{"$top=-1", false, "The value of '$top' must be a whole number from 0 to 2147483647, but it is '-1'."},
		{"$skip=x", false, "The value of '$skip' must be a whole number from 0 to 2147483647, but it is 'x'."},
		{"$count=yes", false, "The value of '$count' must be true or false, but it is 'yes'."},
		{"$filter=displayName%20eq%20%27%FF%27", false, "The '$filter' option is not valid UTF-8 text."},
		{"$filter=displayName%20eq%20%27%00%27", false,
			"The '$filter' option contains a NUL character, which no value can hold."},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			values, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseQuery(values, QueryOptions{Schema: testSchema, TypeName: testType,
				OptionalDollar: tt.noDollar})
			if got := errorMessage(err); got != tt.want {
				t.Errorf("ParseQuery(%q)\n got %s\nwant %s", tt.query, got, tt.want)
			}
		})
	}
}
