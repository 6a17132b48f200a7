package odata

import (
	"math"
	"strings"
)

// ParseOrderBy parses $orderby: a comma-separated list of property names,
// each optionally followed by asc (the default) or desc. Naming a property
// twice is an error.
func ParseOrderBy(s string, schema Schema) ([]OrderItem, error) {
	return parseOrderBy(s, schema, "")
}

// parseOrderBy is ParseOrderBy with the entity type's name for messages.
func parseOrderBy(s string, schema Schema, typeName string) ([]OrderItem, error) {
	if err := checkText("$orderby", s); err != nil {
		return nil, err
	}
	p := &filterParser{lex: lexer{src: s, option: "$orderby"}, schema: schema, typeName: typeName}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, errorf("The '$orderby' option is empty; give a property name or leave the option out.")
	}
	var items []OrderItem
	for {
		item, err := p.orderItem(items)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		switch p.tok.kind {
		case tokEOF:
			return items, nil
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		default:
			want := "'asc', 'desc', ',' or the end of the list"
			if p.prev.kind == tokWord && (strings.EqualFold(p.prev.text, "asc") ||
				strings.EqualFold(p.prev.text, "desc")) {
				want = "',' or the end of the list"
			}
			return nil, p.syntax(p.tok.pos, "expected %s, but found %s", want, quote(p.tok.text))
		}
	}
}

// orderItem reads "property [asc|desc]".
func (p *filterParser) orderItem(seen []OrderItem) (OrderItem, error) {
	t := p.tok
	if t.kind == tokEOF {
		return OrderItem{}, p.syntax(t.pos, "expected a property name after ',', but the text ended")
	}
	if class, _ := classify(t.text); t.kind != tokWord || class != wordIdent {
		return OrderItem{}, p.syntax(t.pos, "expected a property name, but found %s", quote(t.text))
	}
	next, err := p.peek()
	if err != nil {
		return OrderItem{}, err
	}
	if next.kind == tokLParen {
		return OrderItem{}, p.syntax(t.pos, "only property names can be sorted on; functions such as %s "+
			"are not supported", quote(t.text))
	}
	prop, err := p.lookup(t)
	if err != nil {
		return OrderItem{}, err
	}
	for _, it := range seen {
		if it.Prop.Name == prop.Name {
			return OrderItem{}, errorf("The property %s appears more than once in '$orderby'.",
				quote(prop.Name))
		}
	}
	if err := p.advance(); err != nil {
		return OrderItem{}, err
	}
	item := OrderItem{Prop: prop}
	if p.isWord("asc") || p.isWord("desc") {
		item.Desc = p.isWord("desc")
		return item, p.advance()
	}
	return item, nil
}

// ParseSelect parses $select: a comma-separated list of property names,
// matched case-insensitively, returned in their canonical spelling, in the
// order given and without repeats. "*" selects every property, in schema
// order. An empty value selects nothing in particular and gives nil, as if
// $select were absent.
func ParseSelect(s string, schema Schema) ([]string, error) {
	return parseSelect(s, schema, "")
}

// parseSelect is ParseSelect with the entity type's name for messages.
func parseSelect(s string, schema Schema, typeName string) ([]string, error) {
	if err := checkText("$select", s); err != nil {
		return nil, err
	}
	if strings.Trim(s, " \t\r\n") == "" {
		return nil, nil
	}
	var names []string
	for _, item := range strings.Split(s, ",") {
		item = strings.Trim(item, " \t\r\n")
		switch {
		case item == "*":
			return allNames(schema), nil
		case item == "":
			return nil, errorf("The '$select' option has an empty item; separate property names with single commas.")
		}
		prop, ok := schema.Lookup(item)
		if !ok {
			return nil, unknownProperty(item, typeName)
		}
		if !contains(names, prop.Name) {
			names = append(names, prop.Name)
		}
	}
	return names, nil
}

func allNames(schema Schema) []string {
	names := make([]string, len(schema))
	for i, p := range schema {
		names[i] = p.Name
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MaxCount is the largest value $top and $skip accept.
const MaxCount = math.MaxInt32

// ParseTop parses $top: a non-negative integer. 0 is allowed and asks for
// an empty page, which with $count=true gives the count alone.
func ParseTop(s string) (int, error) {
	return parseCount("$top", s)
}

// ParseSkip parses $skip: a non-negative integer.
func ParseSkip(s string) (int, error) {
	return parseCount("$skip", s)
}

// parseCount parses a decimal number from 0 to MaxCount.
func parseCount(option, s string) (int, error) {
	n := 0
	ok := s != "" && len(s) <= 20
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			ok = false
			break
		}
		n = n*10 + int(c-'0')
		if n > MaxCount {
			ok = false
		}
	}
	if !ok {
		return 0, errorf("The value of '%s' must be a whole number from 0 to %d, but it is %s.",
			option, MaxCount, quote(s))
	}
	return n, nil
}

// ParseCount parses $count: true or false, in any case.
func ParseCount(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errorf("The value of '$count' must be true or false, but it is %s.", quote(s))
}
