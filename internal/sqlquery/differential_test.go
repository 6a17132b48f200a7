package sqlquery_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/sqlquery"
	"github.com/temgraph/temgraph/odata"
)

// This file checks the SQL against odata.Eval on random data: every random
// filter and order must select the same rows in the same order, and keyset
// paging must visit every row once. database runs it on one backend.

// database is a backend under test holding the partners table.
type database interface {
	dialect() sqlquery.Dialect
	insert(t testing.TB, tenant string, p partner)
	ids(t testing.TB, query string, args []any) []string
}

// columns maps the partner's properties to the test table's columns.
var columns = map[string]string{
	"id": "id", "displayName": "display_name", "url": "url", "appAuthorized": "app_authorized",
	"enabled": "enabled", "lastConnectionDateTime": "last_connection",
}

// keyProp is the partner's key property.
var keyProp, _ = temgraph.PartnerSchema.Lookup("id")

// partner is one row.
type partner struct {
	id          string
	name, url   *string
	app, enable bool
	last        time.Time
}

// get returns a property value for odata.Eval.
func (p partner) get(name string) odata.Value {
	switch name {
	case "id":
		return odata.Value{Kind: odata.LitString, Str: p.id}
	case "displayName":
		return odata.StringValue(p.name)
	case "url":
		return odata.StringValue(p.url)
	case "appAuthorized":
		return odata.BoolValue(p.app)
	case "enabled":
		return odata.BoolValue(p.enable)
	case "lastConnectionDateTime":
		return odata.TimeValue(p.last)
	}
	panic("unknown property " + name)
}

// strPool holds strings that stress ordering and the string functions:
// case, accents, multi-byte characters, LIKE wildcards, quotes and
// prefixes of one another.
var strPool = []string{
	"", "a", "A", "ab", "aB", "abc", "b", "B", "e", "é", "É", "z", "Z", "ä", "a'b", "'", "%", "_",
	"a%", "ab_", "Zürich", "日本", "😀", " a", "a ", "ß", "ss", "\u00e9", "e\u0301", "~", "0", "10", "9",
}

// timePool holds instants including the extremes and 100 ns neighbours.
var timePool = []time.Time{
	time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC),
	time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC),
	time.Date(2024, 1, 31, 12, 0, 0, 100, time.UTC),
	time.Date(2024, 1, 31, 11, 59, 59, 999_999_900, time.UTC),
	time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Date(2016, 12, 31, 23, 58, 36, 667_003_300, time.UTC),
}

// newPartners returns n random partners with unique ids from a small
// alphabet, so that ids share prefixes.
func newPartners(rng *rand.Rand, n int) []partner {
	seen := map[string]bool{}
	var ps []partner
	for len(ps) < n {
		id := randomID(rng)
		if seen[id] {
			continue
		}
		seen[id] = true
		ps = append(ps, partner{
			id: id, name: maybeString(rng), url: maybeString(rng), app: rng.IntN(2) == 0,
			enable: rng.IntN(2) == 0, last: timePool[rng.IntN(len(timePool))],
		})
	}
	return ps
}

// randomID returns a lower-case GUID whose hex digits come from "0a9f".
func randomID(rng *rand.Rand) string {
	b := []byte("00000000-0000-0000-0000-000000000000")
	for i := range b {
		if b[i] != '-' {
			b[i] = "0a9f"[rng.IntN(4)]
		}
	}
	return string(b)
}

func maybeString(rng *rand.Rand) *string {
	if rng.IntN(4) == 0 {
		return nil
	}
	s := strPool[rng.IntN(len(strPool))]
	return &s
}

// filterGen writes random $filter text.
type filterGen struct {
	rng *rand.Rand
	ids []string
}

func (g *filterGen) pick(list ...string) string { return list[g.rng.IntN(len(list))] }

func (g *filterGen) expr(depth int) string {
	if depth == 0 || g.rng.IntN(3) == 0 {
		return g.atom()
	}
	switch g.rng.IntN(4) {
	case 0:
		return "not (" + g.expr(depth-1) + ")"
	case 1:
		return "(" + g.expr(depth-1) + ") and (" + g.expr(depth-1) + ")"
	case 2:
		return g.expr(depth-1) + " or " + g.expr(depth-1)
	}
	return g.expr(depth-1) + " and " + g.expr(depth-1)
}

func (g *filterGen) atom() string {
	op := g.pick("eq", "ne", "gt", "ge", "lt", "le")
	switch g.rng.IntN(9) {
	case 0:
		return g.pick("displayName", "url") + " " + op + " " + g.stringLit()
	case 1:
		return g.pick("displayName", "url", "enabled", "lastConnectionDateTime") + " " + g.pick("eq", "ne") + " null"
	case 2:
		return "id " + op + " " + g.idLit()
	case 3:
		return g.pick("enabled", "appAuthorized", "not enabled", "enabled eq true", "appAuthorized ne true",
			"false eq enabled")
	case 4:
		return "lastConnectionDateTime " + op + " " + g.timeLit()
	case 5:
		return g.pick("displayName", "url") + " in (" + g.stringLit() + ", " + g.pick("null", g.stringLit()) + ")"
	case 6:
		return g.pick("startswith", "endsWith", "contains") + "(" + g.pick("displayName", "url") + "," +
			g.stringLit() + ")" + g.pick("", " eq false", " eq true")
	case 7:
		return g.pick("startswith", "endswith", "contains") + "(id,'" + g.pick("0", "a", "A0", "f-", "", "-0") + "')"
	}
	return g.stringLit() + " " + op + " " + g.pick("displayName", "url")
}

func (g *filterGen) stringLit() string {
	s := strPool[g.rng.IntN(len(strPool))]
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (g *filterGen) idLit() string {
	id := g.ids[g.rng.IntN(len(g.ids))]
	switch g.rng.IntN(3) {
	case 0:
		return strings.ToUpper(id)
	case 1:
		return "'" + id[:g.rng.IntN(len(id))] + "'"
	}
	return "'" + id + "'"
}

func (g *filterGen) timeLit() string {
	t := timePool[g.rng.IntN(len(timePool))]
	if g.rng.IntN(2) == 0 && t.Year() > 1 && t.Year() < 9999 {
		return t.In(time.FixedZone("", -8*3600)).Format("2006-01-02T15:04:05.9999999-07:00")
	}
	return t.Format("2006-01-02T15:04:05.9999999Z07:00")
}

// randomOrder returns up to three distinct sort keys, sometimes the key.
func randomOrder(rng *rand.Rand) []odata.OrderItem {
	props := slices.Clone(temgraph.PartnerSchema)
	rng.Shuffle(len(props), func(i, j int) { props[i], props[j] = props[j], props[i] })
	items := make([]odata.OrderItem, rng.IntN(4))
	for i := range items {
		items[i] = odata.OrderItem{Prop: props[i], Desc: rng.IntN(2) == 0}
	}
	return items
}

// expected filters and sorts rows as the SQL must.
func expected(rows []partner, e odata.Expr, items []odata.OrderItem) []string {
	var out []partner
	for _, r := range rows {
		if odata.Eval(e, r.get) {
			out = append(out, r)
		}
	}
	keys := sqlquery.Keys(items, keyProp)
	slices.SortFunc(out, func(a, b partner) int {
		for _, k := range keys {
			c := odata.CompareValues(a.get(k.Prop.Name), b.get(k.Prop.Name))
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	var ids []string
	for _, r := range out {
		ids = append(ids, r.id)
	}
	return ids
}

// selectSQL writes the query for one tenant's filtered, ordered rows,
// starting after the row last if it is set.
func selectSQL(t testing.TB, d sqlquery.Dialect, e odata.Expr, items []odata.OrderItem, last *partner,
	limit int) (string, []any) {
	t.Helper()
	b := sqlquery.New(d, columns, keyProp)
	q := "SELECT id FROM partners WHERE tenant = " + b.Arg("t1")
	where, err := b.Where(e)
	if err != nil {
		t.Fatal(err)
	}
	q += " AND " + where
	if last != nil {
		after, err := b.After(items, last.get)
		if err != nil {
			t.Fatal(err)
		}
		q += " AND " + after
	}
	order, err := b.OrderBy(items)
	if err != nil {
		t.Fatal(err)
	}
	q += " ORDER BY " + order
	if limit > 0 {
		q += " " + b.LimitOffset(limit, 0)
	}
	return q, b.Args()
}

// runDifferential fills db with random partners and compares random
// queries with odata.Eval.
func runDifferential(t *testing.T, db database, seed uint64, trials int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	rows := newPartners(rng, 150)
	byID := map[string]partner{}
	for _, p := range rows {
		db.insert(t, "t1", p)
		byID[p.id] = p
	}
	for _, p := range newPartners(rng, 20) {
		db.insert(t, "t2", p) // another tenant's rows must never appear
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	gen := &filterGen{rng: rng, ids: ids}
	for i := 0; i < trials; i++ {
		text := gen.expr(3)
		e, err := odata.ParseFilter(text, temgraph.PartnerSchema)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", text, err)
		}
		items := randomOrder(rng)
		want := expected(rows, e, items)
		q, args := selectSQL(t, db.dialect(), e, items, nil, 0)
		got := db.ids(t, q, args)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("filter %q order %s\nSQL %s\nargs %v\n(-eval +sql):\n%s", text, describe(items), q, args, diff)
		}
		checkPaging(t, db, e, items, want, byID, 1+rng.IntN(7))
	}
}

// checkPaging pages through the rows with After and checks that the pages
// join up to want.
func checkPaging(t *testing.T, db database, e odata.Expr, items []odata.OrderItem, want []string,
	byID map[string]partner, size int) {
	t.Helper()
	var got []string
	var last *partner
	for page := 0; page <= len(want)+1; page++ {
		q, args := selectSQL(t, db.dialect(), e, items, last, size)
		ids := db.ids(t, q, args)
		got = append(got, ids...)
		if len(ids) < size {
			break
		}
		p := byID[ids[len(ids)-1]]
		last = &p
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("paging by %d with order %s (-want +got):\n%s", size, describe(items), diff)
	}
}

func describe(items []odata.OrderItem) string {
	var parts []string
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%s desc=%t", it.Prop.Name, it.Desc))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// runLimits checks that the largest and deepest filters the parser
// accepts run on the database.
func runLimits(t *testing.T, db database) {
	deep := strings.Repeat("not (", odata.MaxFilterDepth/2) + "displayName eq 'a'" +
		strings.Repeat(")", odata.MaxFilterDepth/2)
	chain := strings.Repeat("startswith(url,'a') or ", (odata.MaxExpressionLength-24)/23) + "enabled"
	list := "displayName in (" + strings.Repeat("'',", (odata.MaxExpressionLength-20)/3) + "'')"
	mixed := strings.Repeat("(enabled and not (url eq 'x' or ", 30) + "appAuthorized" + strings.Repeat("))", 30)
	nots := strings.Repeat("not ", odata.MaxFilterDepth) + "enabled"
	cases := map[string]string{"Deep": deep, "Nots": nots, "Chain": chain, "InList": list, "Mixed": mixed}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := odata.ParseFilter(text, temgraph.PartnerSchema)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			q, args := selectSQL(t, db.dialect(), e, nil, nil, 0)
			db.ids(t, q, args)
		})
	}
}
