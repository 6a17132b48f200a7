package sqlquery

import (
	"strings"

	"github.com/temgraph/temgraph/odata"
)

// RowKey returns a row's value of a property, by canonical name, as
// odata.Eval's getter does. The key property's value must not be null.
type RowKey func(name string) odata.Value

// Keys returns the sort keys that make items a total order: items up to
// the key property, with the key appended in ascending order if items do
// not name it. Keys after the key could never decide and are dropped.
func Keys(items []odata.OrderItem, key odata.Property) []odata.OrderItem {
	keys := make([]odata.OrderItem, 0, len(items)+1)
	for _, it := range items {
		keys = append(keys, it)
		if it.Prop.Name == key.Name {
			return keys
		}
	}
	return append(keys, odata.OrderItem{Prop: key})
}

// OrderBy returns the list for ORDER BY (without the keyword) that sorts
// by items and then by the key. Nulls come first in ascending order and
// last in descending order, as OData specifies.
func (b *Builder) OrderBy(items []odata.OrderItem) (string, error) {
	var parts []string
	for _, k := range Keys(items, b.Key) {
		c, err := b.column(k.Prop)
		if err != nil {
			return "", err
		}
		part := b.sortable(k.Prop, c)
		switch {
		case k.Desc && k.Prop.Nullable:
			part += " DESC NULLS LAST"
		case k.Desc:
			part += " DESC"
		case k.Prop.Nullable:
			part += " ASC NULLS FIRST"
		default:
			part += " ASC"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", "), nil
}

// After returns a condition that holds for the rows that come strictly
// after the row last in the order OrderBy(items) writes. For keys k1..kn
// it is "k1 after OR (k1 equal AND (k2 after OR (... kn after)))", with
// nulls placed as OrderBy places them.
func (b *Builder) After(items []odata.OrderItem, last RowKey) (string, error) {
	keys := Keys(items, b.Key)
	var sb strings.Builder
	for i, k := range keys {
		c, err := b.column(k.Prop)
		if err != nil {
			return "", err
		}
		v := last(k.Prop.Name)
		if i == len(keys)-1 {
			sb.WriteString(b.after(k, c, v))
			break
		}
		a := b.after(k, c, v)
		e := b.equal(k, c, v)
		sb.WriteString("(" + a + " OR (" + e + " AND ")
	}
	sb.WriteString(strings.Repeat("))", len(keys)-1))
	return sb.String(), nil
}

// after writes "column sorts after v" for one key.
func (b *Builder) after(k odata.OrderItem, c string, v odata.Value) string {
	if v.Kind == odata.LitNull {
		// Nulls are first ascending: every non-null follows. They are last
		// descending: nothing follows.
		if k.Desc {
			return "FALSE"
		}
		return "(" + c + " IS NOT NULL)"
	}
	op := ">"
	if k.Desc {
		op = "<"
	}
	test := b.sortable(k.Prop, c) + " " + op + " " + b.Arg(value(v))
	switch {
	case !k.Prop.Nullable:
		return test
	case k.Desc:
		return "(" + c + " IS NULL OR " + test + ")"
	}
	return "(" + c + " IS NOT NULL AND " + test + ")"
}

// equal writes "column equals v" for one key, nulls being equal.
func (b *Builder) equal(k odata.OrderItem, c string, v odata.Value) string {
	if v.Kind == odata.LitNull {
		return "(" + c + " IS NULL)"
	}
	test := b.sortable(k.Prop, c) + " = " + b.Arg(value(v))
	if !k.Prop.Nullable {
		return test
	}
	return "(" + c + " IS NOT NULL AND " + test + ")"
}
