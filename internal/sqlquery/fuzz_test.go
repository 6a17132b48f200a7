package sqlquery_test

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/odata"
)

// FuzzBuilder_SQLite runs every filter the parser accepts on SQLite and
// checks that it selects the rows odata.Eval selects.
func FuzzBuilder_SQLite(f *testing.F) {
	for _, s := range []string{
		"displayName eq 'a' and not (enabled or startswith(url,'x'))",
		"endswith(displayName,'é') or contains(url,'%') or url in ('a', null)",
		"not (lastConnectionDateTime lt 2024-01-31T12:00:00.0000001Z) and id gt '9'",
	} {
		f.Add(s)
	}
	db := MustOpenSQLite(f)
	rows := newPartners(rand.New(rand.NewPCG(3, 7)), 120)
	for _, p := range rows {
		db.insert(f, "t1", p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := odata.ParseFilter(s, temgraph.PartnerSchema)
		if err != nil {
			return
		}
		want := expected(rows, e, nil)
		q, args := selectSQL(t, db.dialect(), e, nil, nil, 0)
		if diff := cmp.Diff(want, db.ids(t, q, args)); diff != "" {
			t.Fatalf("filter %q\nSQL %s\nargs %v\n(-eval +sql):\n%s", s, q, args, diff)
		}
	})
}
