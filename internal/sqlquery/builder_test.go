package sqlquery

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/temgraph/temgraph/odata"
)

var (
	pID      = odata.Property{Name: "id", Type: odata.TypeGuid}
	pName    = odata.Property{Name: "displayName", Type: odata.TypeString, Nullable: true}
	pURL     = odata.Property{Name: "url", Type: odata.TypeString, Nullable: true}
	pApp     = odata.Property{Name: "appAuthorized", Type: odata.TypeBoolean}
	pEnabled = odata.Property{Name: "enabled", Type: odata.TypeBoolean}
	pLast    = odata.Property{Name: "lastConnectionDateTime", Type: odata.TypeDateTimeOffset}

	testSchema  = odata.Schema{pID, pName, pURL, pApp, pEnabled, pLast}
	testColumns = map[string]string{
		"id": "id", "displayName": "display_name", "url": "url", "appAuthorized": "app_authorized",
		"enabled": "enabled", "lastConnectionDateTime": "last_connection",
	}
)

func TestBuilder_Where(t *testing.T) {
	tests := []struct {
		filter   string
		sqlite   string
		postgres string
		args     []any
	}{
		{"displayName eq 'a'",
			"(display_name IS NOT NULL AND display_name COLLATE BINARY = ?)",
			`(display_name IS NOT NULL AND display_name COLLATE "C" = $1)`, []any{"a"}},
		{"displayName ne 'a'",
			"(display_name IS NULL OR display_name COLLATE BINARY <> ?)",
			`(display_name IS NULL OR display_name COLLATE "C" <> $1)`, []any{"a"}},
		{"url eq null", "(url IS NULL)", "(url IS NULL)", nil},
		{"url ne null", "(url IS NOT NULL)", "(url IS NOT NULL)", nil},
		{"enabled eq null", "FALSE", "FALSE", nil},
		{"enabled ne null", "TRUE", "TRUE", nil},
		{"enabled eq true", "enabled = ?", "enabled = $1", []any{true}},
		{"not appAuthorized", "NOT ((app_authorized = TRUE))", "NOT ((app_authorized = TRUE))", nil},
		{"id ge 'AB'", "id COLLATE BINARY >= ?", `id COLLATE "C" >= $1`, []any{"ab"}},
		{"lastConnectionDateTime lt 0001-01-01T00:00:01.0000002Z", "last_connection < ?", "last_connection < $1",
			[]any{int64(10_000_002)}},
		{"url in ('a', null, 'b')",
			"((url IS NOT NULL AND url COLLATE BINARY IN (?, ?)) OR url IS NULL)",
			`((url IS NOT NULL AND url COLLATE "C" IN ($1, $2)) OR url IS NULL)`, []any{"a", "b"}},
		{"enabled in (null)", "FALSE", "FALSE", nil},
		{"startswith(url,'a')",
			"(url IS NOT NULL AND substr(url, 1, length(?)) = ?)",
			`(url IS NOT NULL AND left(url, char_length($1::text)) COLLATE "C" = $1::text)`, []any{"a"}},
		{"endswith(id,'A')",
			"(substr(id, -length(?)) = ?)",
			`(right(id, char_length($1::text)) COLLATE "C" = $1::text)`, []any{"a"}},
		{"contains(url,'x')", "(url IS NOT NULL AND instr(url, ?) > 0)",
			"(url IS NOT NULL AND strpos(url, $1::text) > 0)", []any{"x"}},
		{"endswith(url,'')", "(url IS NOT NULL)", "(url IS NOT NULL)", nil},
		{"contains(id,'')", "TRUE", "TRUE", nil},
		{"enabled or appAuthorized or enabled or appAuthorized",
			"(((enabled = TRUE) OR (app_authorized = TRUE)) OR ((enabled = TRUE) OR (app_authorized = TRUE)))",
			"(((enabled = TRUE) OR (app_authorized = TRUE)) OR ((enabled = TRUE) OR (app_authorized = TRUE)))", nil},
		{"enabled and (appAuthorized or enabled eq false)",
			"((enabled = TRUE) AND ((app_authorized = TRUE) OR enabled = ?))",
			"((enabled = TRUE) AND ((app_authorized = TRUE) OR enabled = $1))", []any{false}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := odata.ParseFilter(tt.filter, testSchema)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range []struct {
				dialect Dialect
				want    string
			}{{SQLite, tt.sqlite}, {Postgres, tt.postgres}} {
				b := New(d.dialect, testColumns, pID)
				got, err := b.Where(e)
				if err != nil {
					t.Fatalf("Where: %v", err)
				}
				if got != d.want {
					t.Errorf("dialect %d:\n got %s\nwant %s", d.dialect, got, d.want)
				}
				wantArgs := tt.args
				if d.dialect == SQLite {
					wantArgs = sqliteArgs(tt.filter, tt.args)
				}
				if diff := cmp.Diff(wantArgs, b.Args()); diff != "" {
					t.Errorf("dialect %d: args mismatch (-want +got):\n%s", d.dialect, diff)
				}
			}
		})
	}
}

// sqliteArgs doubles the argument of startswith and endswith, which
// SQLite's anonymous placeholders need twice.
func sqliteArgs(filter string, args []any) []any {
	for _, f := range []string{"startswith(", "endswith("} {
		if len(filter) >= len(f) && filter[:len(f)] == f && len(args) == 1 {
			return []any{args[0], args[0]}
		}
	}
	return args
}

func TestBuilder_Where_Nil(t *testing.T) {
	got, err := New(SQLite, testColumns, pID).Where(nil)
	if err != nil || got != "TRUE" {
		t.Errorf("Where(nil) = %q, %v; want TRUE", got, err)
	}
}

func TestBuilder_Where_UnknownColumn(t *testing.T) {
	e, err := odata.ParseFilter("url eq 'x'", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(SQLite, map[string]string{"id": "id"}, pID).Where(e); err == nil {
		t.Error("Where with an unmapped property: err = nil, want an error")
	}
}

func TestBuilder_OrderBy(t *testing.T) {
	tests := []struct {
		name     string
		items    []odata.OrderItem
		sqlite   string
		postgres string
	}{
		{"KeyOnly", nil, "id COLLATE BINARY ASC", `id COLLATE "C" ASC`},
		{"Nullable", []odata.OrderItem{{Prop: pName}, {Prop: pURL, Desc: true}},
			"display_name COLLATE BINARY ASC NULLS FIRST, url COLLATE BINARY DESC NULLS LAST, id COLLATE BINARY ASC",
			`display_name COLLATE "C" ASC NULLS FIRST, url COLLATE "C" DESC NULLS LAST, id COLLATE "C" ASC`},
		{"KeyGiven", []odata.OrderItem{{Prop: pEnabled, Desc: true}, {Prop: pID, Desc: true}, {Prop: pLast}},
			"enabled DESC, id COLLATE BINARY DESC", `enabled DESC, id COLLATE "C" DESC`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for d, want := range map[Dialect]string{SQLite: tt.sqlite, Postgres: tt.postgres} {
				got, err := New(d, testColumns, pID).OrderBy(tt.items)
				if err != nil || got != want {
					t.Errorf("dialect %d: OrderBy = %q, %v\nwant %q", d, got, err, want)
				}
			}
		})
	}
}

func TestBuilder_After(t *testing.T) {
	last := func(name string) odata.Value {
		switch name {
		case "id":
			return odata.Value{Kind: odata.LitString, Str: "k"}
		case "url":
			return odata.Value{Kind: odata.LitString, Str: "u"}
		case "lastConnectionDateTime":
			return odata.TimeValue(time.Date(1, 1, 1, 0, 0, 0, 100, time.UTC))
		}
		return odata.Value{Kind: odata.LitNull}
	}
	tests := []struct {
		name  string
		items []odata.OrderItem
		want  string
		args  []any
	}{
		{"KeyOnly", nil, `id COLLATE "C" > $1`, []any{"k"}},
		{"NullAscending", []odata.OrderItem{{Prop: pName}},
			`((display_name IS NOT NULL) OR ((display_name IS NULL) AND id COLLATE "C" > $1))`, []any{"k"}},
		{"NullDescending", []odata.OrderItem{{Prop: pName, Desc: true}},
			`(FALSE OR ((display_name IS NULL) AND id COLLATE "C" > $1))`, []any{"k"}},
		{"ValueDescending", []odata.OrderItem{{Prop: pURL, Desc: true}, {Prop: pLast}},
			`((url IS NULL OR url COLLATE "C" < $1) OR ((url IS NOT NULL AND url COLLATE "C" = $2) AND ` +
				`(last_connection > $3 OR (last_connection = $4 AND id COLLATE "C" > $5))))`,
			[]any{"u", "u", int64(1), int64(1), "k"}},
		{"KeyDescending", []odata.OrderItem{{Prop: pID, Desc: true}}, `id COLLATE "C" < $1`, []any{"k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Postgres, testColumns, pID)
			got, err := b.After(tt.items, last)
			if err != nil || got != tt.want {
				t.Errorf("After = %q, %v\nwant %q", got, err, tt.want)
			}
			if diff := cmp.Diff(tt.args, b.Args()); diff != "" {
				t.Errorf("args mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuilder_LimitOffset(t *testing.T) {
	b := New(Postgres, testColumns, pID)
	b.Arg("tenant")
	if got, want := b.LimitOffset(10, 20), "LIMIT $2 OFFSET $3"; got != want {
		t.Errorf("LimitOffset = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]any{"tenant", int64(10), int64(20)}, b.Args()); diff != "" {
		t.Errorf("args mismatch (-want +got):\n%s", diff)
	}
}
