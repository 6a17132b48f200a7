package odata

import (
	"sort"
	"strings"
)

// QueryOptions configures ParseQuery.
type QueryOptions struct {
	// Schema lists the entity's properties.
	Schema Schema
	// TypeName is the entity type's qualified name, used in messages:
	// "microsoft.graph.telecomExpenseManagementPartner".
	TypeName string
	// OptionalDollar lets clients leave out the "$" of option names, as
	// Graph's beta endpoint allows: "top=5" then means "$top=5".
	OptionalDollar bool
}

// Query is the parsed set of a collection request's query options.
type Query struct {
	// Select holds canonical property names; nil when $select is absent
	// or empty.
	Select []string
	// Filter is nil when $filter is absent.
	Filter Expr
	// OrderBy is the client's sort order; nil when $orderby is absent.
	OrderBy []OrderItem
	// Top is the value of $top when HasTop is set.
	Top    int
	HasTop bool
	// Skip is the value of $skip, 0 when absent.
	Skip int
	// Count reports $count=true.
	Count bool
	// SkipToken is the raw $skiptoken, "" when absent. The HTTP layer,
	// which issues the tokens, decodes it.
	SkipToken string
}

// optionNames are the options ParseQuery knows, without their "$".
var optionNames = map[string]bool{
	"select": true, "filter": true, "orderby": true, "top": true, "skip": true, "count": true,
	"skiptoken": true, "format": true, "expand": true, "search": true,
}

// ParseQuery reads every query option of a collection request at once.
// Option names match case-insensitively. An option given twice, $expand,
// $search and any other "$" option is an error; parameters without "$" are
// ignored, as Graph ignores them, unless OptionalDollar is set and they
// are one of the option names. values is typically a url.Values.
func ParseQuery(values map[string][]string, opts QueryOptions) (*Query, error) {
	raw, err := collectOptions(values, opts.OptionalDollar)
	if err != nil {
		return nil, err
	}
	if err := rejectUnsupported(raw, opts.TypeName); err != nil {
		return nil, err
	}
	q := &Query{}
	steps := []func(map[string]string, QueryOptions) error{
		q.readSelect, q.readFilter, q.readOrderBy, q.readPaging, q.readCount, q.readSkipToken, readFormat,
	}
	for _, step := range steps {
		if err := step(raw, opts); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// collectOptions maps each option's name, lower-cased and without "$", to
// its one value.
func collectOptions(values map[string][]string, optionalDollar bool) (map[string]string, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	raw := make(map[string]string)
	for _, k := range keys {
		name, dollar := strings.CutPrefix(lowerASCII(k), "$")
		if !dollar && !(optionalDollar && optionNames[name]) {
			continue
		}
		if !optionNames[name] {
			return nil, errorf("The query option %s is not supported.", quote(k))
		}
		if _, dup := raw[name]; dup || len(values[k]) > 1 {
			return nil, errorf("The query option '$%s' is given more than once.", name)
		}
		if len(values[k]) == 1 {
			raw[name] = values[k][0]
		}
	}
	return raw, nil
}

// rejectUnsupported fails on $expand and $search.
func rejectUnsupported(raw map[string]string, typeName string) error {
	if _, ok := raw["expand"]; ok {
		if typeName == "" {
			return errorf("The query option '$expand' cannot be used: the entity has no navigation properties.")
		}
		return errorf("The query option '$expand' cannot be used: type '%s' has no navigation properties.",
			typeName)
	}
	if _, ok := raw["search"]; ok {
		return errorf("The query option '$search' is not supported on this resource; use '$filter' instead.")
	}
	return nil
}

func (q *Query) readSelect(raw map[string]string, opts QueryOptions) error {
	s, ok := raw["select"]
	if !ok {
		return nil
	}
	names, err := parseSelect(s, opts.Schema, opts.TypeName)
	q.Select = names
	return err
}

func (q *Query) readFilter(raw map[string]string, opts QueryOptions) error {
	s, ok := raw["filter"]
	if !ok {
		return nil
	}
	e, err := parseFilter(s, opts.Schema, opts.TypeName)
	q.Filter = e
	return err
}

func (q *Query) readOrderBy(raw map[string]string, opts QueryOptions) error {
	s, ok := raw["orderby"]
	if !ok {
		return nil
	}
	items, err := parseOrderBy(s, opts.Schema, opts.TypeName)
	q.OrderBy = items
	return err
}

func (q *Query) readPaging(raw map[string]string, _ QueryOptions) error {
	if s, ok := raw["top"]; ok {
		n, err := ParseTop(s)
		if err != nil {
			return err
		}
		q.Top, q.HasTop = n, true
	}
	if s, ok := raw["skip"]; ok {
		n, err := ParseSkip(s)
		if err != nil {
			return err
		}
		q.Skip = n
	}
	return nil
}

func (q *Query) readCount(raw map[string]string, _ QueryOptions) error {
	s, ok := raw["count"]
	if !ok {
		return nil
	}
	c, err := ParseCount(s)
	q.Count = c
	return err
}

func (q *Query) readSkipToken(raw map[string]string, _ QueryOptions) error {
	s, ok := raw["skiptoken"]
	if !ok {
		return nil
	}
	if s == "" {
		return errorf("The '$skiptoken' option is empty; use the @odata.nextLink URL exactly as returned.")
	}
	if len(s) > MaxExpressionLength {
		return errorf("The '$skiptoken' option is %d bytes long; the limit is %d.", len(s), MaxExpressionLength)
	}
	q.SkipToken = s
	return nil
}

// readFormat accepts $format=json or application/json, with or without
// parameters; JSON is the only format served.
func readFormat(raw map[string]string, _ QueryOptions) error {
	s, ok := raw["format"]
	if !ok {
		return nil
	}
	media, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ";")
	if media == "json" || media == "application/json" {
		return nil
	}
	return errorf("The '$format' value %s is not supported; the only format is json.", quote(s))
}

// lowerASCII lower-cases ASCII letters only: option names fold as Graph
// folds them, and no look-alike Unicode letter stands for an ASCII one.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
