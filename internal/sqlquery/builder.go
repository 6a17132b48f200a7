package sqlquery

import (
	"fmt"
	"strconv"
	"time"

	"github.com/temgraph/temgraph/odata"
)

// Dialect is the SQL flavour a Builder writes.
type Dialect int

// The supported dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

// Builder writes SQL fragments and collects their bind parameters in the
// order their placeholders appear. Use one Builder per statement, writing
// the fragments in the order they appear in it: placeholders are "?" for
// SQLite and "$1", "$2", ... for PostgreSQL.
//
// The columns are expected to be TEXT for strings and ids, INTEGER 0/1
// (SQLite) or BOOLEAN (PostgreSQL) for Booleans, and BIGINT ticks (100 ns
// since 0001-01-01 UTC) for DateTimeOffsets. Text columns should use the
// byte-order collation (SQLite's default BINARY; COLLATE "C" on
// PostgreSQL) so that indexes serve the comparisons written here.
type Builder struct {
	// Dialect selects SQLite or PostgreSQL.
	Dialect Dialect
	// Columns maps each property's canonical name to its column. The names
	// are written into the SQL as given and must be trusted identifiers.
	Columns map[string]string
	// Key is the property that identifies a row (non-nullable); it ends
	// every sort order so that the order is total.
	Key odata.Property

	args []any
}

// New returns a Builder for the dialect, columns and key property.
func New(d Dialect, columns map[string]string, key odata.Property) *Builder {
	return &Builder{Dialect: d, Columns: columns, Key: key}
}

// Arg adds a bind parameter and returns its placeholder.
func (b *Builder) Arg(v any) string {
	b.args = append(b.args, v)
	if b.Dialect == Postgres {
		return "$" + strconv.Itoa(len(b.args))
	}
	return "?"
}

// Args returns the bind parameters in placeholder order.
func (b *Builder) Args() []any {
	return b.args
}

// LimitOffset returns "LIMIT ? OFFSET ?" with both numbers as parameters.
func (b *Builder) LimitOffset(limit, offset int) string {
	l := b.Arg(int64(limit))
	return "LIMIT " + l + " OFFSET " + b.Arg(int64(offset))
}

// argTwice adds v for two placeholders that must hold the same value.
// PostgreSQL reuses one numbered parameter; SQLite's "?" needs two.
func (b *Builder) argTwice(v any) (string, string) {
	p := b.Arg(v)
	if b.Dialect == Postgres {
		return p, p
	}
	return p, b.Arg(v)
}

// value converts a literal to the parameter a column of the property's
// type is compared with.
func value(v odata.Value) any {
	switch v.Kind {
	case odata.LitString:
		return v.Str
	case odata.LitBool:
		return v.Bool
	case odata.LitDateTime:
		return ticks(v.Time)
	}
	return nil
}

// column returns the column of a property.
func (b *Builder) column(p odata.Property) (string, error) {
	c, ok := b.Columns[p.Name]
	if !ok || c == "" {
		return "", fmt.Errorf("sqlquery: no column for property %q", p.Name)
	}
	if b.Dialect != SQLite && b.Dialect != Postgres {
		return "", fmt.Errorf("sqlquery: unknown dialect %d", b.Dialect)
	}
	return c, nil
}

// sortable returns the column as written where it is compared or sorted:
// text columns get the byte-order collation explicitly.
func (b *Builder) sortable(p odata.Property, c string) string {
	if p.Type != odata.TypeString && p.Type != odata.TypeGuid {
		return c
	}
	if b.Dialect == Postgres {
		return c + ` COLLATE "C"`
	}
	return c + " COLLATE BINARY"
}

// minUnix is 0001-01-01T00:00:00Z in Unix seconds.
var minUnix = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// ticks returns t as 100 ns ticks since 0001-01-01T00:00:00Z, the integer
// form in which storage keeps DateTimeOffsets.
func ticks(t time.Time) int64 {
	return (t.Unix()-minUnix)*10_000_000 + int64(t.Nanosecond()/100)
}
