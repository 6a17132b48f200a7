package odata

import (
	"testing"
	"time"
)

// testSchema mirrors the partner's schema.
var testSchema = Schema{
	pID, pName, pURL, pApp, pEnabled, pLast,
}

var (
	pID      = Property{Name: "id", Type: TypeGuid}
	pName    = Property{Name: "displayName", Type: TypeString, Nullable: true}
	pURL     = Property{Name: "url", Type: TypeString, Nullable: true}
	pApp     = Property{Name: "appAuthorized", Type: TypeBoolean}
	pEnabled = Property{Name: "enabled", Type: TypeBoolean}
	pLast    = Property{Name: "lastConnectionDateTime", Type: TypeDateTimeOffset}
)

const testType = "microsoft.graph.telecomExpenseManagementPartner"

func str(s string) Literal        { return Literal{Kind: LitString, Str: s} }
func boolean(b bool) Literal      { return Literal{Kind: LitBool, Bool: b} }
func null() Literal               { return Literal{Kind: LitNull} }
func instant(t time.Time) Literal { return Literal{Kind: LitDateTime, Time: t} }

func cmpx(op string, p Property, v Literal) *Compare { return &Compare{Op: op, Prop: p, Value: v} }
func and(l, r Expr) *Logical                         { return &Logical{Op: "and", Left: l, Right: r} }
func or(l, r Expr) *Logical                          { return &Logical{Op: "or", Left: l, Right: r} }
func not(x Expr) *Not                                { return &Not{X: x} }
func bp(p Property) *BoolProp                        { return &BoolProp{Prop: p} }

// MustParseFilter parses s against testSchema or fails the test.
func MustParseFilter(tb testing.TB, s string) Expr {
	tb.Helper()
	e, err := ParseFilter(s, testSchema)
	if err != nil {
		tb.Fatalf("ParseFilter(%q): %v", s, err)
	}
	return e
}
