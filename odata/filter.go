package odata

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on a $filter expression, so that no input can exhaust the stack
// or build a statement the database refuses.
const (
	// MaxExpressionLength is the longest $filter or $orderby, in bytes.
	MaxExpressionLength = 8192
	// MaxFilterDepth is how deeply parentheses, "not" and function calls
	// may nest in $filter.
	MaxFilterDepth = 100
)

// ParseFilter parses a $filter expression against schema. Operator names,
// function names, true, false and null match case-insensitively, property
// names as Schema.Lookup does. The precedence is OData's: not binds
// tightest, then gt ge lt le in, then eq ne, then and, then or; all binary
// operators associate to the left.
//
// A literal on the left of a comparison is moved to the right, flipping
// the operator. Every literal is checked against the property's type:
// strings for Edm.String, true or false for Edm.Boolean (eq and ne only),
// an unquoted DateTimeOffset for Edm.DateTimeOffset, and for the id a
// quoted string or an unquoted GUID, lower-cased. null may be compared
// with any property using eq or ne; on a property that cannot be null,
// "eq null" is simply never true and "ne null" always.
//
// A function call or other condition may be compared with true or false
// using eq or ne; the comparison is folded away ("startswith(x,'a') eq
// false" becomes Not{Func}).
func ParseFilter(s string, schema Schema) (Expr, error) {
	return parseFilter(s, schema, "")
}

// parseFilter is ParseFilter with the entity type's name for messages.
func parseFilter(s string, schema Schema, typeName string) (Expr, error) {
	if err := checkText("$filter", s); err != nil {
		return nil, err
	}
	p := &filterParser{lex: lexer{src: s, option: "$filter"}, schema: schema, typeName: typeName}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, errorf("The '$filter' option is empty; give a condition or leave the option out.")
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		hint := ""
		if p.prev.kind == tokString && p.prev.end == p.tok.pos {
			hint = " (a quote inside a string is written as '')"
		}
		return nil, p.syntax(p.tok.pos, "expected 'and', 'or' or the end of the expression, but found %s%s",
			quote(p.tok.text), hint)
	}
	return p.condition(x, "the whole expression")
}

// checkText rejects option values that are too long or not UTF-8.
func checkText(option, s string) error {
	if len(s) > MaxExpressionLength {
		return errorf("The '%s' option is %d bytes long; the limit is %d.", option, len(s),
			MaxExpressionLength)
	}
	if !utf8.ValidString(s) {
		return errorf("The '%s' option is not valid UTF-8 text.", option)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errorf("The '%s' option contains a NUL character, which no value can hold.", option)
	}
	return nil
}

// operandKind tells what an operand of a comparison is.
type operandKind int

const (
	opProp operandKind = iota + 1 // a property
	opLit                         // a literal
	opCond                        // a Boolean condition: a comparison, function call, not, and, or
)

// operand is a parsed sub-expression before it is known how it is used.
type operand struct {
	kind operandKind
	pos  int
	prop Property
	lit  lit
	cond Expr
}

// filterParser is a recursive-descent parser over the lexer's tokens.
type filterParser struct {
	lex      lexer
	tok      token // the current token
	prev     token // the token before it, for messages
	peeked   *token
	schema   Schema
	typeName string
	depth    int
}

// advance moves to the next token.
func (p *filterParser) advance() error {
	p.prev = p.tok
	if p.peeked != nil {
		p.tok, p.peeked = *p.peeked, nil
		return nil
	}
	t, err := p.lex.next()
	p.tok = t
	return err
}

// peek returns the token after the current one without consuming it.
func (p *filterParser) peek() (token, error) {
	if p.peeked == nil {
		t, err := p.lex.next()
		if err != nil {
			return token{}, err
		}
		p.peeked = &t
	}
	return *p.peeked, nil
}

// isWord reports whether the current token is the keyword w.
func (p *filterParser) isWord(w string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.text, w)
}

func (p *filterParser) syntax(pos int, format string, args ...any) error {
	return errorf("Syntax error at position %d in '%s': %s.", position(p.lex.src, pos),
		p.lex.option, fmt.Sprintf(format, args...))
}

func (p *filterParser) typeError(pos int, format string, args ...any) error {
	return errorf("Type error at position %d in '%s': %s.", position(p.lex.src, pos),
		p.lex.option, fmt.Sprintf(format, args...))
}

// enter counts one more level of nesting and fails past MaxFilterDepth.
func (p *filterParser) enter(pos int) error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return p.syntax(pos, "the expression nests parentheses, 'not' and function calls more than %d levels deep",
			MaxFilterDepth)
	}
	return nil
}

func (p *filterParser) leave() { p.depth-- }

// parseOr reads and-expressions joined by "or".
func (p *filterParser) parseOr() (operand, error) {
	return p.parseChain("or", p.parseAnd)
}

// parseAnd reads comparisons joined by "and".
func (p *filterParser) parseAnd() (operand, error) {
	return p.parseChain("and", p.parseEquality)
}

// parseChain reads next-level operands joined by the keyword op.
func (p *filterParser) parseChain(op string, next func() (operand, error)) (operand, error) {
	left, err := next()
	if err != nil {
		return operand{}, err
	}
	for p.isWord(op) {
		if err := p.advance(); err != nil {
			return operand{}, err
		}
		right, err := next()
		if err != nil {
			return operand{}, err
		}
		l, err := p.condition(left, "the left side of '"+op+"'")
		if err != nil {
			return operand{}, err
		}
		r, err := p.condition(right, "the right side of '"+op+"'")
		if err != nil {
			return operand{}, err
		}
		left = operand{kind: opCond, pos: left.pos, cond: &Logical{Op: op, Left: l, Right: r}}
	}
	return left, nil
}

// parseEquality reads relational expressions joined by eq or ne.
func (p *filterParser) parseEquality() (operand, error) {
	left, err := p.parseRelational()
	if err != nil {
		return operand{}, err
	}
	for p.isWord("eq") || p.isWord("ne") {
		opTok := p.tok
		if err := p.advance(); err != nil {
			return operand{}, err
		}
		right, err := p.parseRelational()
		if err != nil {
			return operand{}, err
		}
		if left, err = p.compare(opTok, left, right); err != nil {
			return operand{}, err
		}
	}
	return left, nil
}

// parseRelational reads unary expressions joined by gt, ge, lt, le or in.
func (p *filterParser) parseRelational() (operand, error) {
	left, err := p.parseUnary()
	if err != nil {
		return operand{}, err
	}
	for {
		switch {
		case p.isWord("gt") || p.isWord("ge") || p.isWord("lt") || p.isWord("le"):
			opTok := p.tok
			if err := p.advance(); err != nil {
				return operand{}, err
			}
			right, err := p.parseUnary()
			if err != nil {
				return operand{}, err
			}
			if left, err = p.compare(opTok, left, right); err != nil {
				return operand{}, err
			}
		case p.isWord("in"):
			if left, err = p.parseIn(left); err != nil {
				return operand{}, err
			}
		case p.tok.kind == tokWord && isUnsupportedOperator(p.tok.text):
			return operand{}, p.syntax(p.tok.pos, "the operator %s is not supported "+
				"(supported: eq, ne, gt, ge, lt, le, in, and, or, not)", quote(strings.ToLower(p.tok.text)))
		default:
			return left, nil
		}
	}
}

func isUnsupportedOperator(w string) bool {
	switch strings.ToLower(w) {
	case "has", "add", "sub", "mul", "div", "divby", "mod":
		return true
	}
	return false
}

// parseUnary reads "not" followed by a unary expression, or a primary.
func (p *filterParser) parseUnary() (operand, error) {
	if !p.isWord("not") {
		return p.parsePrimary()
	}
	notTok := p.tok
	if err := p.enter(notTok.pos); err != nil {
		return operand{}, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return operand{}, err
	}
	x, err := p.parseUnary()
	if err != nil {
		return operand{}, err
	}
	if x.kind == opProp && x.prop.Type != TypeBoolean {
		return operand{}, p.typeError(x.pos, "'not' applies to a Boolean condition, but %s is an %s "+
			"property; 'not' binds tighter than comparisons, so write not (%s eq ...)",
			quote(x.prop.Name), edmName(x.prop), x.prop.Name)
	}
	c, err := p.condition(x, "the operand of 'not'")
	if err != nil {
		return operand{}, err
	}
	return operand{kind: opCond, pos: notTok.pos, cond: &Not{X: c}}, nil
}
