package odata

import (
	"strings"
	"time"
)

// Value is a property value handed to Eval. It has the same form as a
// Literal: Kind LitNull for a null, LitString for strings and ids (ids in
// their stored, lower-case form), LitBool and LitDateTime.
type Value = Literal

// StringValue returns a string Value, or a null one when s is nil.
func StringValue(s *string) Value {
	if s == nil {
		return Value{Kind: LitNull}
	}
	return Value{Kind: LitString, Str: *s}
}

// BoolValue returns a Boolean Value.
func BoolValue(b bool) Value { return Value{Kind: LitBool, Bool: b} }

// TimeValue returns a DateTimeOffset Value.
func TimeValue(t time.Time) Value { return Value{Kind: LitDateTime, Time: t} }

// Eval reports whether a row passes the filter e; get returns the row's
// value of a property, by its canonical name. A nil filter passes every
// row.
//
// The logic is two-valued, as the SQL translation's is: a comparison with a
// null property value is false, except that "eq null" is true and "ne x"
// (x not null) is true; so "not (displayName gt 'a')" holds for a row whose
// displayName is null. Strings compare bytewise (case-sensitive),
// DateTimeOffsets as instants, Booleans with false before true.
func Eval(e Expr, get func(name string) Value) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *Logical:
		if e.Op == "and" {
			return Eval(e.Left, get) && Eval(e.Right, get)
		}
		return Eval(e.Left, get) || Eval(e.Right, get)
	case *Not:
		return !Eval(e.X, get)
	case *Compare:
		return compareHolds(e.Op, get(e.Prop.Name), e.Value)
	case *In:
		v := get(e.Prop.Name)
		for _, x := range e.Values {
			if compareHolds("eq", v, x) {
				return true
			}
		}
		return false
	case *Func:
		return funcHolds(e.Name, get(e.Prop.Name), e.Arg)
	case *BoolProp:
		v := get(e.Prop.Name)
		return v.Kind == LitBool && v.Bool
	}
	return false
}

// compareHolds evaluates "v op x" with Eval's null rules.
func compareHolds(op string, v, x Value) bool {
	if v.Kind == LitNull || x.Kind == LitNull {
		same := v.Kind == x.Kind
		switch op {
		case "eq":
			return same
		case "ne":
			return !same
		}
		return false
	}
	c := CompareValues(v, x)
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

// funcHolds evaluates a string function; it is false for a null value.
func funcHolds(name string, v Value, arg string) bool {
	if v.Kind != LitString {
		return false
	}
	switch name {
	case "startswith":
		return strings.HasPrefix(v.Str, arg)
	case "endswith":
		return strings.HasSuffix(v.Str, arg)
	case "contains":
		return strings.Contains(v.Str, arg)
	}
	return false
}

// CompareValues orders two values as $orderby does: null before any other
// value, strings bytewise, false before true, instants in time order. It
// returns -1, 0 or +1. Values of different kinds order by kind.
func CompareValues(a, b Value) int {
	if a.Kind != b.Kind {
		return cmpInt(int(a.Kind), int(b.Kind))
	}
	switch a.Kind {
	case LitString:
		return strings.Compare(a.Str, b.Str)
	case LitBool:
		return cmpInt(boolInt(a.Bool), boolInt(b.Bool))
	case LitDateTime:
		return a.Time.Compare(b.Time)
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
