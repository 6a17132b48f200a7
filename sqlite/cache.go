package sqlite

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/temgraph/temgraph"
)

// defaultCacheBytes bounds the partner cache by the estimated size of what
// it holds: about 10,000 partners of ordinary size, fewer long ones.
const defaultCacheBytes = 4 << 20

// rowKey names one partner.
type rowKey struct{ tenant, id string }

// rowCache keeps partners in memory so that reading a partner that was
// recently read or written skips SQLite. It is sound only while this
// process is the only one writing partners to the file (see OpenExclusive):
// every write replaces or drops its partner's entry after its transaction
// ends and before its caller learns the result, so a client that saw a
// write acknowledged never reads the partner as it was before.
//
// A reader that missed fills the entry with the row it read from SQLite
// only if no write ended in between (gen is unchanged): otherwise the row
// it read may be older than the entry the writer just left.
type rowCache struct {
	mu    sync.RWMutex
	rows  map[rowKey]*temgraph.Partner
	bytes int
	limit int
	gen   uint64 // counts the writes that ended
	off   bool   // set when the database closes: nothing is served or kept

	hits, misses atomic.Uint64 // partner reads answered here or not
}

func newRowCache(limit int) *rowCache {
	return &rowCache{rows: make(map[rowKey]*temgraph.Partner), limit: limit}
}

// read returns a copy of the cached partner, which the caller may change,
// and counts the read as a hit or a miss. gen is what a fill after a miss
// must still see.
func (c *rowCache) read(k rowKey) (p *temgraph.Partner, gen uint64, ok bool) {
	p, gen, ok = c.lookup(k)
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return p, gen, ok
}

// lookup is read without counting, for the writer's own lookups.
func (c *rowCache) lookup(k rowKey) (*temgraph.Partner, uint64, bool) {
	c.mu.RLock()
	p, ok := c.rows[k]
	gen := c.gen
	c.mu.RUnlock()
	if !ok {
		return nil, gen, false
	}
	cp := *p
	return &cp, gen, true
}

// fill caches a partner read from SQLite, unless a write ended since gen.
func (c *rowCache) fill(k rowKey, p *temgraph.Partner, gen uint64) {
	cp := *p
	c.mu.Lock()
	if c.gen == gen && !c.off {
		c.putLocked(k, &cp)
	}
	c.mu.Unlock()
}

// settle records how a commit's writes ended, in the order they ran: each
// write's partner as committed, or dropped when the write removed it or
// failed (results[i] != nil). One critical section covers the whole batch,
// so two writes of one partner in a commit never show a reader the older
// one after the newer.
func (c *rowCache) settle(batch []*writeOp, results []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, op := range batch {
		if op.key.id == "" {
			continue
		}
		c.gen++
		switch old, cached := c.rows[op.key]; {
		case c.off:
		case results[i] == nil && op.row != nil:
			cp := *op.row
			c.putLocked(op.key, &cp)
		case cached:
			c.bytes -= rowSize(op.key, old)
			delete(c.rows, op.key)
		}
	}
}

// close empties the cache for good, so that reads after the database
// closed fail as they do without a cache.
func (c *rowCache) close() {
	c.mu.Lock()
	c.off = true
	clear(c.rows)
	c.bytes = 0
	c.mu.Unlock()
}

func (c *rowCache) putLocked(k rowKey, p *temgraph.Partner) {
	if old, ok := c.rows[k]; ok {
		c.bytes -= rowSize(k, old)
	}
	// The key's strings may be slices of a whole request line or $batch
	// item url. Storing under a key the map already holds replaces the
	// map's copy of the key too, so the key is copied on every store.
	k = rowKey{strings.Clone(k.tenant), strings.Clone(k.id)}
	c.rows[k] = p
	c.bytes += rowSize(k, p)
	// Evict arbitrary entries (map order is random) until within bounds;
	// the entry just stored stays.
	for victim, old := range c.rows {
		if c.bytes <= c.limit {
			break
		}
		if victim == k {
			continue
		}
		c.bytes -= rowSize(victim, old)
		delete(c.rows, victim)
	}
}

// rowSize estimates the memory an entry takes: the strings it holds plus
// the struct, the key and the map's own overhead.
func rowSize(k rowKey, p *temgraph.Partner) int {
	n := 160 + len(k.tenant) + len(k.id) + len(p.ID) + len(p.ETag)
	if p.DisplayName != nil {
		n += len(*p.DisplayName)
	}
	if p.URL != nil {
		n += len(*p.URL)
	}
	return n
}
