package odata

import (
	"strconv"
	"strings"
)

// flipped maps an operator to the one that holds with its operands swapped.
var flipped = map[string]string{"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}

// compare builds the condition for "left op right".
func (p *filterParser) compare(opTok token, left, right operand) (operand, error) {
	op := strings.ToLower(opTok.text)
	if left.kind == opLit && right.kind != opLit {
		left, right, op = right, left, flipped[op]
	}
	switch {
	case left.kind == opProp && right.kind == opLit:
		v, err := p.checkLiteral(left.prop, op, right, opTok)
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opCond, pos: left.pos, cond: &Compare{Op: op, Prop: left.prop, Value: v}}, nil
	case left.kind == opCond && right.kind == opLit:
		return p.compareCondition(opTok, op, left, right)
	case left.kind == opProp && right.kind == opProp:
		return operand{}, p.typeError(opTok.pos, "comparing two properties (%s and %s) is not "+
			"supported; compare a property with a value", quote(left.prop.Name), quote(right.prop.Name))
	case left.kind == opLit && right.kind == opLit:
		return operand{}, p.typeError(opTok.pos, "%s compares two values; one side must be a property",
			quote(opTok.text))
	}
	return operand{}, p.typeError(opTok.pos, "%s can compare a property with a value, or a condition "+
		"with true or false, but not these operands", quote(opTok.text))
}

// compareCondition folds "condition eq/ne true/false" into the condition
// or its negation.
func (p *filterParser) compareCondition(opTok token, op string, c, l operand) (operand, error) {
	if (op != "eq" && op != "ne") || l.lit.typ != ltBool {
		return operand{}, p.typeError(opTok.pos, "a condition can only be compared with true or "+
			"false, using eq or ne")
	}
	if (op == "eq") == l.lit.b {
		return c, nil
	}
	return operand{kind: opCond, pos: c.pos, cond: &Not{X: c.cond}}, nil
}

// parseIn reads "in (v1, v2, ...)" after the property left.
func (p *filterParser) parseIn(left operand) (operand, error) {
	inTok := p.tok
	if left.kind != opProp {
		return operand{}, p.typeError(inTok.pos, "the left side of 'in' must be a property")
	}
	if err := p.advance(); err != nil {
		return operand{}, err
	}
	if p.tok.kind != tokLParen {
		return operand{}, p.closeError("'(' and a list of values after 'in'")
	}
	if err := p.advance(); err != nil {
		return operand{}, err
	}
	if p.tok.kind == tokRParen {
		return operand{}, p.syntax(p.tok.pos, "the list after 'in' is empty")
	}
	values, err := p.parseInValues(left.prop, inTok)
	if err != nil {
		return operand{}, err
	}
	return operand{kind: opCond, pos: left.pos, cond: &In{Prop: left.prop, Values: values}}, nil
}

// parseInValues reads the comma-separated literals of an in-list and its
// closing parenthesis.
func (p *filterParser) parseInValues(prop Property, inTok token) ([]Literal, error) {
	var values []Literal
	for {
		item, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if item.kind != opLit {
			return nil, p.typeError(item.pos, "the list after 'in' may hold only values")
		}
		v, err := p.checkLiteral(prop, "eq", item, inTok)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		case tokRParen:
			return values, p.advance()
		default:
			return nil, p.closeError("',' or ')' in the list after 'in' at position " +
				strconv.Itoa(position(p.lex.src, inTok.pos)))
		}
	}
}

// checkLiteral checks that l may be compared with prop using op and
// returns its value.
func (p *filterParser) checkLiteral(prop Property, op string, l operand, opTok token) (Literal, error) {
	if l.lit.typ == ltNull {
		if op != "eq" && op != "ne" {
			return Literal{}, p.typeError(opTok.pos, "null can only be compared using eq or ne")
		}
		return Literal{Kind: LitNull}, nil
	}
	switch {
	case prop.Type == TypeString && l.lit.typ == ltString:
		return Literal{Kind: LitString, Str: l.lit.str}, nil
	case prop.Type == TypeGuid && (l.lit.typ == ltString || l.lit.typ == ltGuid):
		return Literal{Kind: LitString, Str: strings.ToLower(l.lit.str)}, nil
	case prop.Type == TypeDateTimeOffset && l.lit.typ == ltDateTime:
		return Literal{Kind: LitDateTime, Time: l.lit.t}, nil
	case prop.Type == TypeBoolean && l.lit.typ == ltBool:
		if op != "eq" && op != "ne" {
			return Literal{}, p.typeError(opTok.pos, "the Edm.Boolean property %s can only be "+
				"compared using eq or ne", quote(prop.Name))
		}
		return Literal{Kind: LitBool, Bool: l.lit.b}, nil
	}
	return Literal{}, p.typeError(l.pos, "the %s property %s cannot be compared with %s%s",
		edmName(prop), quote(prop.Name), l.lit.describe(), mismatchHint(prop, l.lit))
}

// mismatchHint suggests how to write a value of the property's type.
func mismatchHint(prop Property, l lit) string {
	switch prop.Type {
	case TypeDateTimeOffset:
		return "; write a DateTimeOffset without quotes, as in 2024-01-31T12:00:00Z"
	case TypeBoolean:
		return "; use true or false without quotes"
	}
	if l.typ == ltString {
		return ""
	}
	return "; quote string values, as in " + quote(strings.ReplaceAll(l.text, "'", "''"))
}

// condition turns an operand used as a Boolean into an Expr.
func (p *filterParser) condition(x operand, where string) (Expr, error) {
	switch {
	case x.kind == opCond:
		return x.cond, nil
	case x.kind == opProp && x.prop.Type == TypeBoolean:
		return &BoolProp{Prop: x.prop}, nil
	case x.kind == opProp:
		return nil, p.typeError(x.pos, "%s must be a condition, but %s is an %s property; compare "+
			"it with a value using eq, ne, gt, ge, lt or le", where, quote(x.prop.Name), edmName(x.prop))
	}
	return nil, p.typeError(x.pos, "%s must be a condition, but it is %s", where, x.lit.describe())
}

// edmName is the EDM type name a client sees in $metadata for prop. The
// key is declared Edm.String there, as on every Graph entity.
func edmName(prop Property) string {
	switch prop.Type {
	case TypeBoolean:
		return "Edm.Boolean"
	case TypeDateTimeOffset:
		return "Edm.DateTimeOffset"
	}
	return "Edm.String"
}
