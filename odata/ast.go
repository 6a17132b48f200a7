package odata

import "time"

// Type is the EDM type of a property or literal.
type Type int

// The EDM types the partner entity uses.
const (
	TypeString Type = iota + 1
	TypeBoolean
	TypeDateTimeOffset
	TypeGuid
)

// Property describes one property of an entity type.
type Property struct {
	Name     string
	Type     Type
	Nullable bool
}

// Schema is the ordered list of an entity type's properties.
type Schema []Property

// Lookup finds a property by name. Names match exactly first and then
// case-insensitively, as Graph's query options do.
func (s Schema) Lookup(name string) (Property, bool) {
	for _, p := range s {
		if p.Name == name {
			return p, true
		}
	}
	for _, p := range s {
		if equalFold(p.Name, name) {
			return p, true
		}
	}
	return Property{}, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Expr is a node of a parsed $filter expression. Its concrete types are
// *Logical, *Not, *Compare, *In, *Func and *BoolProp.
type Expr interface{ expr() }

// Logical is "Left and Right" or "Left or Right".
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Expr
}

// Not negates X.
type Not struct{ X Expr }

// Compare compares a property with a literal. The parser puts the property
// on the left, flipping the operator when the literal came first.
type Compare struct {
	Op    string // "eq", "ne", "gt", "ge", "lt", "le"
	Prop  Property
	Value Literal
}

// In is "Prop in (Values...)".
type In struct {
	Prop   Property
	Values []Literal
}

// Func is a string function: startswith, endswith or contains (Graph's
// spellings startsWith and endsWith are normalised to lower case).
type Func struct {
	Name string // "startswith", "endswith", "contains"
	Prop Property
	Arg  string
}

// BoolProp is a Boolean property used alone as a predicate ("enabled").
type BoolProp struct{ Prop Property }

func (*Logical) expr()  {}
func (*Not) expr()      {}
func (*Compare) expr()  {}
func (*In) expr()       {}
func (*Func) expr()     {}
func (*BoolProp) expr() {}

// LiteralKind tells which field of a Literal holds its value.
type LiteralKind int

// Literal kinds. A GUID literal is carried as a lower-case string of kind
// LitString, since GUID-typed properties are compared as strings.
const (
	LitNull LiteralKind = iota + 1
	LitString
	LitBool
	LitDateTime
)

// Literal is a constant in a $filter expression, already checked against
// the type of the property it is compared with.
type Literal struct {
	Kind LiteralKind
	Str  string
	Bool bool
	Time time.Time // UTC, rounded to 100 ns
}

// OrderItem is one key of $orderby.
type OrderItem struct {
	Prop Property
	Desc bool
}
