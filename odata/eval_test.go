package odata

import (
	"testing"
	"time"
)

// row is a partner's values for Eval.
type row map[string]Value

func (r row) get(name string) Value {
	if v, ok := r[name]; ok {
		return v
	}
	return Value{Kind: LitNull}
}

func sp(s string) *string { return &s }

func TestEval(t *testing.T) {
	t0 := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	named := row{
		"id": str("47a3b399-b399-47a3-99b3-a34799b3a347"), "displayName": StringValue(sp("Contoso")),
		"url": StringValue(nil), "appAuthorized": BoolValue(true), "enabled": BoolValue(false),
		"lastConnectionDateTime": TimeValue(t0),
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{"displayName eq 'Contoso'", true},
		{"displayName eq 'contoso'", false},
		{"displayName gt 'C'", true},
		{"displayName gt 'c'", false}, // bytewise: 'C' < 'c'
		{"displayName lt 'Contoso '", true},
		{"displayName ge 'Contoso'", true},
		{"displayName le 'Contos'", false},
		{"url eq null", true},
		{"url ne null", false},
		{"url ne 'x'", true},
		{"url eq 'x'", false},
		{"url gt 'a'", false},
		{"not (url gt 'a')", true},
		{"url lt 'a'", false},
		{"not (url lt 'a')", true},
		{"displayName eq null", false},
		{"displayName ne null", true},
		{"enabled eq null", false},
		{"enabled ne null", true},
		{"url in ('a', null)", true},
		{"url in ('a')", false},
		{"not (url in ('a'))", true},
		{"displayName in ('x', 'Contoso')", true},
		{"startswith(displayName,'Con')", true},
		{"startswith(displayName,'con')", false},
		{"startswith(displayName,'')", true},
		{"startswith(url,'')", false},
		{"not startswith(url,'a')", true},
		{"endswith(displayName,'oso')", true},
		{"contains(displayName,'nto')", true},
		{"contains(url,'')", false},
		{"appAuthorized", true},
		{"enabled", false},
		{"not enabled", true},
		{"enabled eq false and appAuthorized eq true", true},
		{"enabled or appAuthorized", true},
		{"enabled and appAuthorized", false},
		{"lastConnectionDateTime eq 2024-01-31T13:00:00+01:00", true},
		{"lastConnectionDateTime gt 2024-01-31T11:59:59.9999999Z", true},
		{"lastConnectionDateTime lt 2024-01-31T12:00:00.0000001Z", true},
		{"lastConnectionDateTime ne 2024-01-31T12:00:00Z", false},
		{"id eq 47A3B399-B399-47A3-99B3-A34799B3A347", true},
		{"startswith(id,'47A3')", true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e := MustParseFilter(t, tt.filter)
			if got := Eval(e, named.get); got != tt.want {
				t.Errorf("Eval(%q) = %t, want %t", tt.filter, got, tt.want)
			}
		})
	}
	t.Run("NilFilter", func(t *testing.T) {
		if !Eval(nil, named.get) {
			t.Error("Eval(nil) = false, want true")
		}
	})
}

func TestCompareValues(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Value
		want int
	}{
		{"NullFirst", Value{Kind: LitNull}, str(""), -1},
		{"NullsEqual", Value{Kind: LitNull}, Value{Kind: LitNull}, 0},
		{"Bytewise", str("B"), str("a"), -1},
		{"Prefix", str("ab"), str("a"), 1},
		{"Utf8", str("z"), str("é"), -1},
		{"FalseFirst", BoolValue(false), BoolValue(true), -1},
		{"Instants", TimeValue(t0.Add(100)), TimeValue(t0), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareValues(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareValues = %d, want %d", got, tt.want)
			}
		})
	}
}
