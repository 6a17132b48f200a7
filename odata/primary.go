package odata

import (
	"fmt"
	"strings"
)

// parsePrimary reads a parenthesised expression, a literal, a property or
// a function call.
func (p *filterParser) parsePrimary() (operand, error) {
	t := p.tok
	switch t.kind {
	case tokLParen:
		return p.parseParens()
	case tokString:
		if err := p.advance(); err != nil {
			return operand{}, err
		}
		return operand{kind: opLit, pos: t.pos, lit: lit{typ: ltString, text: t.text, str: t.text}}, nil
	case tokWord:
		return p.parseWord()
	case tokEOF:
		return operand{}, p.syntax(t.pos, "%s, but the expression ended", p.expected())
	case tokBad:
		return operand{}, p.badChar(t)
	}
	return operand{}, p.syntax(t.pos, "%s, but found %s", p.expected(), quote(t.text))
}

// expected describes what was wanted at the current token.
func (p *filterParser) expected() string {
	if p.prev.kind == 0 {
		return "expected a condition"
	}
	return "expected a property, a value or '(' after " + quote(p.prev.text)
}

// badChar reports a character that starts no token.
func (p *filterParser) badChar(t token) error {
	switch t.text {
	case "\"":
		return p.syntax(t.pos, "unexpected '\"'; string literals use single quotes, as in 'text'")
	case "/":
		return p.syntax(t.pos, "unexpected '/'; the entity has no navigation or complex properties, "+
			"and lambda operators are not supported")
	}
	return p.syntax(t.pos, "unexpected character %s", quote(t.text))
}

// parseParens reads "(" expression ")".
func (p *filterParser) parseParens() (operand, error) {
	open := p.tok
	if err := p.enter(open.pos); err != nil {
		return operand{}, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return operand{}, err
	}
	x, err := p.parseOr()
	if err != nil {
		return operand{}, err
	}
	if p.tok.kind != tokRParen {
		return operand{}, p.closeError(fmt.Sprintf("')' to close the '(' at position %d",
			position(p.lex.src, open.pos)))
	}
	return x, p.advance()
}

// closeError reports that the current token is not the wanted one.
func (p *filterParser) closeError(want string) error {
	if p.tok.kind == tokEOF {
		return p.syntax(p.tok.pos, "expected %s, but the expression ended", want)
	}
	return p.syntax(p.tok.pos, "expected %s, but found %s", want, quote(p.tok.text))
}

// parseWord reads a keyword literal, a property, a function call or an
// unquoted literal.
func (p *filterParser) parseWord() (operand, error) {
	t := p.tok
	next, err := p.peek()
	if err != nil {
		return operand{}, err
	}
	class, l := classify(t.text)
	if next.kind == tokLParen && class == wordIdent {
		return p.parseCall()
	}
	switch class {
	case wordLiteral:
		return operand{kind: opLit, pos: t.pos, lit: l}, p.advance()
	case wordIdent:
		prop, err := p.lookup(t)
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opProp, pos: t.pos, prop: prop}, p.advance()
	case wordBadDateTime:
		return operand{}, p.badDateTime(t)
	case wordKeyword:
		return operand{}, p.syntax(t.pos, "%s, but found the keyword %s", p.expected(), quote(t.text))
	}
	return operand{}, p.syntax(t.pos, "%s is not a property name or a value of a supported type "+
		"(strings are quoted, as in 'text')", quote(t.text))
}

// badDateTime reports a word shaped like a DateTimeOffset that is not one.
func (p *filterParser) badDateTime(t token) error {
	hint := "use RFC 3339 with 'Z' or an offset, as in 2024-01-31T12:00:00Z or 2024-01-31T12:00:00.5+01:00"
	if !strings.ContainsAny(t.text[10:], "Zz+-") {
		hint = "a DateTimeOffset needs 'Z' or an offset such as +01:00 after the time"
	}
	return p.syntax(t.pos, "%s is not a valid DateTimeOffset; %s", quote(t.text), hint)
}

// lookup finds the property a word names.
func (p *filterParser) lookup(t token) (Property, error) {
	prop, ok := p.schema.Lookup(t.text)
	if !ok {
		return Property{}, unknownProperty(t.text, p.typeName)
	}
	return prop, nil
}

// unknownProperty is the error for a property name the schema lacks.
func unknownProperty(name, typeName string) error {
	if typeName == "" {
		return errorf("Could not find a property named %s.", quote(name))
	}
	return errorf("Could not find a property named %s on type '%s'.", quote(name), typeName)
}

// parseCall reads startswith(prop,'x'), endswith(prop,'x') or
// contains(prop,'x'). Function names match case-insensitively.
func (p *filterParser) parseCall() (operand, error) {
	nameTok := p.tok
	name := strings.ToLower(nameTok.text)
	if name != "startswith" && name != "endswith" && name != "contains" {
		return operand{}, p.syntax(nameTok.pos, "the function %s is not supported "+
			"(supported: startswith, endswith and contains)", quote(nameTok.text))
	}
	if err := p.enter(nameTok.pos); err != nil {
		return operand{}, err
	}
	defer p.leave()
	if err := p.advance(); err != nil { // the name
		return operand{}, err
	}
	open := p.tok
	if err := p.advance(); err != nil { // "("
		return operand{}, err
	}
	args, err := p.parseArgs(open, name)
	if err != nil {
		return operand{}, err
	}
	return p.call(nameTok, name, args[0], args[1])
}

// parseArgs reads the two arguments of a string function and the closing
// parenthesis.
func (p *filterParser) parseArgs(open token, name string) ([2]operand, error) {
	var args [2]operand
	for i := range args {
		if i == 1 {
			if p.tok.kind != tokComma {
				return args, p.closeError(fmt.Sprintf("',' and a second argument for %s", name))
			}
			if err := p.advance(); err != nil {
				return args, err
			}
		}
		a, err := p.parseOr()
		if err != nil {
			return args, err
		}
		args[i] = a
	}
	if p.tok.kind != tokRParen {
		return args, p.closeError(fmt.Sprintf("')' to close the call of %s at position %d",
			name, position(p.lex.src, open.pos)))
	}
	return args, p.advance()
}

// call checks a function's arguments and builds the condition.
func (p *filterParser) call(nameTok token, name string, a, b operand) (operand, error) {
	if a.kind != opProp || (a.prop.Type != TypeString && a.prop.Type != TypeGuid) {
		return operand{}, p.typeError(a.pos, "the first argument of %s must be a string property, "+
			"such as displayName", name)
	}
	if b.kind != opLit || b.lit.typ != ltString {
		return operand{}, p.typeError(b.pos, "the second argument of %s must be a quoted string, "+
			"such as 'text'", name)
	}
	arg := b.lit.str
	if a.prop.Type == TypeGuid {
		arg = strings.ToLower(arg)
	}
	f := &Func{Name: name, Prop: a.prop, Arg: arg}
	return operand{kind: opCond, pos: nameTok.pos, cond: f}, nil
}
