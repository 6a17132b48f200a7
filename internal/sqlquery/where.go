package sqlquery

import (
	"fmt"
	"strings"

	"github.com/temgraph/temgraph/odata"
)

// sqlOps maps comparison operators to SQL.
var sqlOps = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}

// Where returns a condition equivalent to the filter e under odata.Eval's
// rules; it is TRUE for a nil filter. The condition is never NULL.
// Chains of "and" or "or" are written as balanced trees, so that SQLite's
// limit on expression depth is never reached.
func (b *Builder) Where(e odata.Expr) (string, error) {
	if e == nil {
		return "TRUE", nil
	}
	return b.where(e)
}

func (b *Builder) where(e odata.Expr) (string, error) {
	switch e := e.(type) {
	case *odata.Logical:
		return b.chain(e.Op, flatten(e, e.Op, nil))
	case *odata.Not:
		x, err := b.where(e.X)
		if err != nil {
			return "", err
		}
		return "NOT (" + x + ")", nil
	case *odata.Compare:
		return b.compare(e)
	case *odata.In:
		return b.in(e)
	case *odata.Func:
		return b.function(e)
	case *odata.BoolProp:
		c, err := b.column(e.Prop)
		if err != nil {
			return "", err
		}
		return "(" + c + " = TRUE)", nil
	}
	return "", fmt.Errorf("sqlquery: unknown expression %T", e)
}

// flatten lists the operands of a chain of one logical operator.
func flatten(e odata.Expr, op string, out []odata.Expr) []odata.Expr {
	if l, ok := e.(*odata.Logical); ok && l.Op == op {
		out = flatten(l.Left, op, out)
		return flatten(l.Right, op, out)
	}
	return append(out, e)
}

// chain writes terms joined by op as a balanced tree.
func (b *Builder) chain(op string, terms []odata.Expr) (string, error) {
	if len(terms) == 1 {
		return b.where(terms[0])
	}
	mid := len(terms) / 2
	l, err := b.chain(op, terms[:mid])
	if err != nil {
		return "", err
	}
	r, err := b.chain(op, terms[mid:])
	if err != nil {
		return "", err
	}
	return "(" + l + " " + strings.ToUpper(op) + " " + r + ")", nil
}

// compare writes "prop op value". On a nullable column a null value makes
// eq (and gt, ge, lt, le) FALSE and ne TRUE, as in odata.Eval.
func (b *Builder) compare(e *odata.Compare) (string, error) {
	c, err := b.column(e.Prop)
	if err != nil {
		return "", err
	}
	sqlOp, ok := sqlOps[e.Op]
	if !ok {
		return "", fmt.Errorf("sqlquery: unknown operator %q", e.Op)
	}
	if e.Value.Kind == odata.LitNull {
		return nullTest(e.Op == "eq", e.Prop.Nullable, c), nil
	}
	test := b.sortable(e.Prop, c) + " " + sqlOp + " " + b.Arg(value(e.Value))
	switch {
	case !e.Prop.Nullable:
		return test, nil
	case e.Op == "ne":
		return "(" + c + " IS NULL OR " + test + ")", nil
	}
	return "(" + c + " IS NOT NULL AND " + test + ")", nil
}

// nullTest writes "c eq null" (isNull) or "c ne null".
func nullTest(isNull, nullable bool, c string) string {
	switch {
	case !nullable && isNull:
		return "FALSE"
	case !nullable:
		return "TRUE"
	case isNull:
		return "(" + c + " IS NULL)"
	}
	return "(" + c + " IS NOT NULL)"
}

// in writes "prop in (values)"; a null in the list matches a null value.
func (b *Builder) in(e *odata.In) (string, error) {
	c, err := b.column(e.Prop)
	if err != nil {
		return "", err
	}
	var marks []string
	hasNull := false
	for _, v := range e.Values {
		if v.Kind == odata.LitNull {
			hasNull = true
			continue
		}
		marks = append(marks, b.Arg(value(v)))
	}
	var parts []string
	if len(marks) > 0 {
		test := b.sortable(e.Prop, c) + " IN (" + strings.Join(marks, ", ") + ")"
		if e.Prop.Nullable {
			test = "(" + c + " IS NOT NULL AND " + test + ")"
		}
		parts = append(parts, test)
	}
	if hasNull && e.Prop.Nullable {
		parts = append(parts, c+" IS NULL")
	}
	if len(parts) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", nil
}

// function writes startswith, endswith or contains without LIKE, whose
// case rules differ between the databases. An empty argument matches every
// non-null value.
func (b *Builder) function(e *odata.Func) (string, error) {
	c, err := b.column(e.Prop)
	if err != nil {
		return "", err
	}
	if e.Arg == "" {
		return nullTest(false, e.Prop.Nullable, c), nil
	}
	var test string
	if b.Dialect == Postgres {
		test, err = b.postgresFunction(e.Name, c, e.Arg)
	} else {
		test, err = b.sqliteFunction(e.Name, c, e.Arg)
	}
	if err != nil {
		return "", err
	}
	if e.Prop.Nullable {
		return "(" + c + " IS NOT NULL AND " + test + ")", nil
	}
	return "(" + test + ")", nil
}

// sqliteFunction compares substrings; SQLite's substr and length count
// characters, so for valid UTF-8 this is a byte-prefix (or suffix) test.
// The argument is never empty here: substr(c, -0) is the whole string.
func (b *Builder) sqliteFunction(name, c, arg string) (string, error) {
	switch name {
	case "startswith":
		p1, p2 := b.argTwice(arg)
		return "substr(" + c + ", 1, length(" + p1 + ")) = " + p2, nil
	case "endswith":
		p1, p2 := b.argTwice(arg)
		return "substr(" + c + ", -length(" + p1 + ")) = " + p2, nil
	case "contains":
		return "instr(" + c + ", " + b.Arg(arg) + ") > 0", nil
	}
	return "", fmt.Errorf("sqlquery: unknown function %q", name)
}

// postgresFunction is sqliteFunction for PostgreSQL. The casts settle the
// parameter's type, which length() alone leaves ambiguous.
func (b *Builder) postgresFunction(name, c, arg string) (string, error) {
	switch name {
	case "startswith":
		p, _ := b.argTwice(arg)
		return "left(" + c + ", char_length(" + p + `::text)) COLLATE "C" = ` + p + "::text", nil
	case "endswith":
		p, _ := b.argTwice(arg)
		return "right(" + c + ", char_length(" + p + `::text)) COLLATE "C" = ` + p + "::text", nil
	case "contains":
		return "strpos(" + c + ", " + b.Arg(arg) + "::text) > 0", nil
	}
	return "", fmt.Errorf("sqlquery: unknown function %q", name)
}
