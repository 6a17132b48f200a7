package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/temgraph/temgraph"
)

// generation is the count a fill of k must still see.
func generation(c *rowCache, k rowKey) uint64 {
	_, gen, _ := c.lookup(k)
	return gen
}

// settleOne records one write of k that left p (nil: removed it).
func settleOne(c *rowCache, k rowKey, p *temgraph.Partner) {
	c.settle([]*writeOp{{key: k, row: p}}, []error{nil})
}

func TestRowCache_FillAfterWriteIsRefused(t *testing.T) {
	c := newRowCache(1 << 20)
	k := rowKey{"tenant", "id"}
	stale := &temgraph.Partner{ID: "id", ETag: "old"}
	gen := generation(c, k)
	settleOne(c, k, &temgraph.Partner{ID: "id", ETag: "new"})
	c.fill(k, stale, gen) // read began before the write ended
	if p, _, ok := c.lookup(k); !ok || p.ETag != "new" {
		t.Fatalf("lookup=%v,%v, want the written partner", p, ok)
	}
	settleOne(c, k, nil)
	if _, _, ok := c.lookup(k); ok {
		t.Fatal("entry survived a write that removed it")
	}
	c.fill(k, stale, generation(c, k))
	if p, _, ok := c.lookup(k); !ok || p.ETag != "old" {
		t.Fatalf("fill with a current generation did not cache: %v,%v", p, ok)
	}
}

func TestRowCache_LookupReturnsCopy(t *testing.T) {
	c := newRowCache(1 << 20)
	k := rowKey{"tenant", "id"}
	settleOne(c, k, &temgraph.Partner{ID: "id", ETag: "e"})
	p, _, _ := c.lookup(k)
	p.ETag = "changed by the caller"
	if q, _, _ := c.lookup(k); q.ETag != "e" {
		t.Fatalf("cached ETag=%q after the caller changed its copy", q.ETag)
	}
}

// TestRowCache_KeysAreCopied: a key's strings may be slices of a large
// request; whether the entry is new, replaced or filled, the cache must not
// keep that request alive.
func TestRowCache_KeysAreCopied(t *testing.T) {
	c := newRowCache(1 << 20)
	const prefix = "PATCH /beta/partners/"
	line := prefix + "p1?pad=" + strings.Repeat("a", 1<<16)
	id := line[len(prefix) : len(prefix)+2]
	settleOne(c, rowKey{"t", id}, &temgraph.Partner{ID: "p1", ETag: "1"})
	settleOne(c, rowKey{"t", id}, &temgraph.Partner{ID: "p1", ETag: "2"})
	c.fill(rowKey{"t", id}, &temgraph.Partner{ID: "p1", ETag: "3"}, generation(c, rowKey{"t", id}))
	if len(c.rows) != 1 {
		t.Fatalf("%d entries, want 1", len(c.rows))
	}
	for k := range c.rows {
		if unsafe.StringData(k.id) == unsafe.StringData(id) {
			t.Fatal("the cached key shares memory with the request line")
		}
	}
}

// TestRowCache_BatchSettlesInOrder: two writes of one partner in one commit
// leave the later one cached; a failed write drops its entry.
func TestRowCache_BatchSettlesInOrder(t *testing.T) {
	c := newRowCache(1 << 20)
	a, b := rowKey{"t", "a"}, rowKey{"t", "b"}
	settleOne(c, b, &temgraph.Partner{ID: "b", ETag: "b0"})
	batch := []*writeOp{
		{key: a, row: &temgraph.Partner{ID: "a", ETag: "a1"}},
		{key: b, row: &temgraph.Partner{ID: "b", ETag: "b1"}},
		{key: a, row: &temgraph.Partner{ID: "a", ETag: "a2"}},
	}
	c.settle(batch, []error{nil, errors.New("failed"), nil})
	if p, _, ok := c.lookup(a); !ok || p.ETag != "a2" {
		t.Fatalf("a: %v %v, want the batch's last write a2", p, ok)
	}
	if p, _, ok := c.lookup(b); ok {
		t.Fatalf("b: cached %v after its write failed", p)
	}
}

func TestRowCache_StaysWithinLimit(t *testing.T) {
	const limit = 64 << 10
	c := newRowCache(limit)
	name := string(make([]byte, 1000))
	for i := range 1000 {
		k := rowKey{"tenant", fmt.Sprint(i)}
		settleOne(c, k, &temgraph.Partner{ID: k.id, DisplayName: &name, ETag: "e"})
		if c.bytes > limit {
			t.Fatalf("after %d writes the cache holds %d bytes, limit %d", i+1, c.bytes, limit)
		}
		if _, _, ok := c.lookup(k); !ok {
			t.Fatalf("the entry just written (%d) was evicted", i)
		}
	}
	sum := 0
	for k, p := range c.rows {
		sum += rowSize(k, p)
	}
	if sum != c.bytes || len(c.rows) < 30 {
		t.Fatalf("accounted %d bytes, entries hold %d, %d entries", c.bytes, sum, len(c.rows))
	}
}

// TestDB_CacheReadsCounted: item reads count as hits or misses; a write's
// own lookup of the partner's state does not count.
func TestDB_CacheReadsCounted(t *testing.T) {
	ctx := context.Background()
	db, _ := openServing(t)
	p := &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime}
	if err := db.CreatePartner(ctx, "tenant", p); err != nil {
		t.Fatalf("CreatePartner: %v", err)
	}
	on := true
	if _, err := db.UpdatePartner(ctx, "tenant", p.ID, &temgraph.PartnerPatch{Enabled: &on}, ""); err != nil {
		t.Fatalf("UpdatePartner: %v", err)
	}
	if hits, misses, ok := db.CacheReads(); !ok || hits != 0 || misses != 0 {
		t.Fatalf("after a create and an update: hits=%d misses=%d ok=%v, want 0 0 true", hits, misses, ok)
	}
	if _, err := db.GetPartner(ctx, "tenant", p.ID); err != nil {
		t.Fatalf("GetPartner: %v", err)
	}
	if _, err := db.GetPartner(ctx, "tenant", temgraph.NewGUID()); err == nil {
		t.Fatal("GetPartner of a missing partner succeeded")
	}
	if hits, misses, _ := db.CacheReads(); hits != 1 || misses != 1 {
		t.Fatalf("after one read of a cached and one of a missing partner: hits=%d misses=%d, want 1 1", hits, misses)
	}
}

// TestDB_CacheReadsYourWrites drives reads of one partner from several
// goroutines while another patches, deletes and re-creates it: after every
// acknowledged write, a read must return what the write left, and at the end
// the cache must agree with the file as another connection reads it.
func TestDB_CacheReadsYourWrites(t *testing.T) {
	ctx := context.Background()
	db, path := openServing(t)
	const tenant = "tenant"
	id := temgraph.NewGUID()
	create := func() *temgraph.Partner {
		p := &temgraph.Partner{ID: id, LastConnectionDateTime: temgraph.ZeroTime}
		if err := db.CreatePartner(ctx, tenant, p); err != nil {
			t.Fatalf("CreatePartner: %v", err)
		}
		return p
	}
	create()

	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				_, err := db.GetPartner(ctx, tenant, id)
				var te *temgraph.Error
				if err != nil && !(errors.As(err, &te) && te.Code == temgraph.ENotFound) {
					t.Errorf("GetPartner: %v", err)
					return
				}
				reads.Add(1)
			}
		}()
	}
	for i := range 300 {
		switch i % 50 {
		case 48:
			if err := db.DeletePartner(ctx, tenant, id, ""); err != nil {
				t.Fatalf("DeletePartner: %v", err)
			}
			if _, err := db.GetPartner(ctx, tenant, id); err == nil {
				t.Fatalf("round %d: the deleted partner is still read", i)
			}
		case 49:
			p := create()
			if got, err := db.GetPartner(ctx, tenant, id); err != nil || got.ETag != p.ETag {
				t.Fatalf("round %d: read after create got %v, %v; want ETag %q", i, got, err, p.ETag)
			}
		default:
			name := fmt.Sprint("name ", i)
			out, err := db.UpdatePartner(ctx, tenant, id, &temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: &name}}, "")
			if err != nil {
				t.Fatalf("UpdatePartner: %v", err)
			}
			got, err := db.GetPartner(ctx, tenant, id)
			if err != nil || got.ETag != out.ETag || got.DisplayName == nil || *got.DisplayName != name {
				t.Fatalf("round %d: read after update got %+v, %v; want ETag %q and name %q", i, got, err, out.ETag, name)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("the readers read nothing")
	}

	onDisk := readFromFile(t, path, tenant, id)
	// The last write re-created the partner, so the cache holds it.
	cached, _, ok := db.cache.lookup(rowKey{tenant, id})
	if !ok || cached.ETag != onDisk.ETag || cached.DisplayName != nil || onDisk.DisplayName != nil {
		t.Fatalf("cache holds %+v (%v), the file %+v", cached, ok, onDisk)
	}
}

// TestDB_UpdateResultsMatchTheFile patches one partner from several
// goroutines at once, each its own property, so that commits carry several
// writes of the partner: every write's result must carry its own value and
// the ETag it set, and at the end the partner as the server returns it must
// equal the partner as another connection reads it from the file.
func TestDB_UpdateResultsMatchTheFile(t *testing.T) {
	ctx := context.Background()
	db, path := openServing(t)
	const tenant = "tenant"
	p := &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime}
	if err := db.CreatePartner(ctx, tenant, p); err != nil {
		t.Fatalf("CreatePartner: %v", err)
	}
	patches := []func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool){
		func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool) {
			v := fmt.Sprint("name ", i)
			return &temgraph.PartnerPatch{DisplayName: temgraph.OptionalString{Set: true, Value: &v}},
				func(p *temgraph.Partner) bool { return p.DisplayName != nil && *p.DisplayName == v }
		},
		func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool) {
			if i%3 == 0 {
				return &temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true}},
					func(p *temgraph.Partner) bool { return p.URL == nil }
			}
			v := fmt.Sprint("https://tem.example.test/", i)
			return &temgraph.PartnerPatch{URL: temgraph.OptionalString{Set: true, Value: &v}},
				func(p *temgraph.Partner) bool { return p.URL != nil && *p.URL == v }
		},
		func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool) {
			v := i%2 == 0
			return &temgraph.PartnerPatch{Enabled: &v}, func(p *temgraph.Partner) bool { return p.Enabled == v }
		},
		func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool) {
			v := i%2 == 1
			return &temgraph.PartnerPatch{AppAuthorized: &v}, func(p *temgraph.Partner) bool { return p.AppAuthorized == v }
		},
		func(i int) (*temgraph.PartnerPatch, func(*temgraph.Partner) bool) {
			// Local time with more than 100 ns precision: stored truncated, in UTC.
			v := time.Date(2020, 1, 1, 0, 0, i, 123456789, time.FixedZone("x", -8*3600))
			want := temgraph.FromTicks(temgraph.Ticks(v))
			return &temgraph.PartnerPatch{LastConnectionDateTime: &v},
				func(p *temgraph.Partner) bool {
					return p.LastConnectionDateTime.Equal(want) && p.LastConnectionDateTime.Location() == time.UTC
				}
		},
	}
	var wg sync.WaitGroup
	for _, mk := range patches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				patch, ok := mk(i)
				out, err := db.UpdatePartner(ctx, tenant, p.ID, patch, "")
				if err != nil {
					t.Errorf("UpdatePartner: %v", err)
					return
				}
				if !ok(out) || out.ID != p.ID || out.ETag == "" {
					t.Errorf("write %d: result %+v does not carry its own change", i, out)
					return
				}
			}
		}()
	}
	wg.Wait()

	got, err := db.GetPartner(ctx, tenant, p.ID)
	if err != nil {
		t.Fatalf("GetPartner: %v", err)
	}
	want := readFromFile(t, path, tenant, p.ID)
	if !samePartner(got, want) {
		t.Fatalf("the server returns %s\nthe file holds %s", describe(got), describe(want))
	}
}

// openServing opens a new file as the serving process does, cache on.
func openServing(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := OpenExclusive(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenExclusive: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// readFromFile reads a partner through a connection of its own, with no
// cache.
func readFromFile(t *testing.T, path, tenant, id string) *temgraph.Partner {
	t.Helper()
	other, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer other.Close()
	p, err := other.GetPartner(context.Background(), tenant, id)
	if err != nil {
		t.Fatalf("GetPartner on a second connection: %v", err)
	}
	return p
}

func samePartner(a, b *temgraph.Partner) bool {
	return describe(a) == describe(b)
}

func describe(p *temgraph.Partner) string {
	str := func(s *string) string {
		if s == nil {
			return "<null>"
		}
		return *s
	}
	return fmt.Sprintf("{id %s name %s url %s app %v enabled %v last %s etag %s}", p.ID, str(p.DisplayName),
		str(p.URL), p.AppAuthorized, p.Enabled, p.LastConnectionDateTime.Format(time.RFC3339Nano), p.ETag)
}
