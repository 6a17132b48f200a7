package sqlite

import (
	"strings"
	"sync"

	"github.com/temgraph/temgraph"
)

// defaultCacheBytes bounds the partner cache by the estimated size of what
// it holds: about 10,000 partners of ordinary size, fewer long ones.
const defaultCacheBytes = 4 << 20

// rowKey names one partner.
type rowKey struct{ tenant, id string }

// rowCache keeps partners in memory so that reading a partner that was
// recently read or written skips SQLite. It is sound only while this
// process is the only one writing partners to the file (see Exclusive):
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
}

func newRowCache(limit int) *rowCache {
	return &rowCache{rows: make(map[rowKey]*temgraph.Partner), limit: limit}
}

// get returns a copy of the cached partner, which the caller may change.
func (c *rowCache) get(k rowKey) (*temgraph.Partner, bool) {
	c.mu.RLock()
	p, ok := c.rows[k]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	cp := *p
	return &cp, true
}

// generation returns the count a later fill must still see.
func (c *rowCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
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

// settle records that a write of k ended: p is the partner as committed, or
// nil when the write removed it, failed or may not have committed.
func (c *rowCache) settle(k rowKey, p *temgraph.Partner) {
	var cp *temgraph.Partner
	if p != nil {
		v := *p
		cp = &v
	}
	c.mu.Lock()
	c.gen++
	switch old, cached := c.rows[k]; {
	case c.off:
	case cp != nil:
		c.putLocked(k, cp)
	case cached:
		c.bytes -= rowSize(k, old)
		delete(c.rows, k)
	}
	c.mu.Unlock()
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
	} else {
		// The key's strings may share memory with a whole request.
		k = rowKey{strings.Clone(k.tenant), strings.Clone(k.id)}
	}
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
