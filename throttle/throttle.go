package throttle

import (
	"fmt"
	"hash/maphash"
	"sync"
	"time"
)

// shardCount is the number of independently locked parts of the key space.
// A request locks one shard only: the one its tenant hashes to, which holds
// the tenant's buckets and those of every application in it.
const shardCount = 64

// DefaultMaxKeys bounds the tenants, and separately the (tenant,
// application) pairs, tracked at once when Config.MaxKeys is zero.
const DefaultMaxKeys = 1 << 18

// evictSample is how many entries a full shard looks at to choose one to
// drop for a new key.
const evictSample = 8

// Limits are the number of requests allowed per Window. A zero field takes
// its value from DefaultLimits.
type Limits struct {
	// WritesPerTenant bounds POST, PUT, PATCH and DELETE requests of all
	// applications in a tenant together.
	WritesPerTenant int
	// WritesPerApp bounds the writes of one application in one tenant.
	WritesPerApp int
	// AllPerTenant bounds all requests, writes included, of a tenant.
	AllPerTenant int
	// AllPerApp bounds all requests of one application in one tenant.
	AllPerApp int
	// Window is the period the limits are counted over.
	Window time.Duration
}

// DefaultLimits returns the limits Microsoft publishes for the Intune
// telecom expense management service.
func DefaultLimits() Limits {
	return Limits{
		WritesPerTenant: 200,
		WritesPerApp:    100,
		AllPerTenant:    2000,
		AllPerApp:       1000,
		Window:          20 * time.Second,
	}
}

// Validate reports a negative limit or window, or a limit too large for its
// window (more than one request per nanosecond).
func (l Limits) Validate() error {
	if l.Window < 0 {
		return fmt.Errorf("window %v is negative", l.Window)
	}
	w := l.withDefaults().Window
	for _, c := range []struct {
		name string
		n    int
	}{
		{"writes per tenant", l.WritesPerTenant}, {"writes per app", l.WritesPerApp},
		{"requests per tenant", l.AllPerTenant}, {"requests per app", l.AllPerApp},
	} {
		if c.n < 0 {
			return fmt.Errorf("%s: %d is negative", c.name, c.n)
		}
		if int64(c.n) > int64(w) {
			return fmt.Errorf("%s: %d is more than one per nanosecond of the %v window", c.name, c.n, w)
		}
	}
	return nil
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	l.WritesPerTenant = pick(l.WritesPerTenant, d.WritesPerTenant)
	l.WritesPerApp = pick(l.WritesPerApp, d.WritesPerApp)
	l.AllPerTenant = pick(l.AllPerTenant, d.AllPerTenant)
	l.AllPerApp = pick(l.AllPerApp, d.AllPerApp)
	if l.Window <= 0 {
		l.Window = d.Window
	}
	return l
}

// Config configures a Limiter.
type Config struct {
	Limits
	// Now is the clock; time.Now when nil. Tests pass a fake one.
	Now func() time.Time
	// MaxKeys bounds the tenants, and separately the (tenant, application)
	// pairs, tracked at once; DefaultMaxKeys when zero. When a shard of the
	// key space is full, a new key replaces a sampled idle one, or failing
	// that the sampled one closest to idle, which forgets that key's recent
	// use.
	MaxKeys int
}

// Limiter enforces Limits per tenant and per application within a tenant.
// It is safe for concurrent use.
type Limiter struct {
	writesTenant, writesApp, allTenant, allApp rate

	window      int64 // ns
	clock       func() time.Time
	epoch       time.Time
	seed        maphash.Seed
	maxPerShard int
	shards      [shardCount]shard
}

// New returns a Limiter for cfg. Zero or negative limits take their
// default values; callers that want them refused call Limits.Validate
// first.
func New(cfg Config) *Limiter {
	lim := cfg.Limits.withDefaults()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	l := &Limiter{
		writesTenant: newRate(lim.WritesPerTenant, lim.Window),
		writesApp:    newRate(lim.WritesPerApp, lim.Window),
		allTenant:    newRate(lim.AllPerTenant, lim.Window),
		allApp:       newRate(lim.AllPerApp, lim.Window),
		window:       int64(lim.Window),
		clock:        cfg.Now,
		epoch:        cfg.Now(),
		seed:         maphash.MakeSeed(),
		maxPerShard:  max(1, cfg.MaxKeys/shardCount),
	}
	for i := range l.shards {
		l.shards[i].tenants = make(map[string]*state)
		l.shards[i].apps = make(map[appKey]*state)
	}
	return l
}

// Allow takes one request from every bucket that applies to it and returns
// 0, or, when any of them is empty, takes nothing and returns how long until
// all of them hold a token again. write is true for POST, PUT, PATCH and
// DELETE.
func (l *Limiter) Allow(tenant, app string, write bool) time.Duration {
	now := l.now()
	sh := &l.shards[maphash.String(l.seed, tenant)%shardCount]
	sh.mu.Lock()
	defer sh.mu.Unlock()

	if now >= sh.nextSweep {
		sweep(sh.tenants, now)
		sweep(sh.apps, now)
		sh.nextSweep = now + l.window
	}
	t := lookup(sh.tenants, tenant, l.maxPerShard, now)
	a := lookup(sh.apps, appKey{tenant, app}, l.maxPerShard, now)

	wait := max(l.allTenant.wait(t.all, now), l.allApp.wait(a.all, now))
	if write {
		wait = max(wait, l.writesTenant.wait(t.writes, now), l.writesApp.wait(a.writes, now))
	}
	if wait > 0 {
		return time.Duration(wait)
	}

	t.all = l.allTenant.take(t.all, now)
	a.all = l.allApp.take(a.all, now)
	if write {
		t.writes = l.writesTenant.take(t.writes, now)
		a.writes = l.writesApp.take(a.writes, now)
	}
	return 0
}

// Len returns the number of tenants and (tenant, application) pairs tracked.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.tenants) + len(sh.apps)
		sh.mu.Unlock()
	}
	return n
}

// now is the clock reading in nanoseconds since the limiter was made.
func (l *Limiter) now() int64 { return int64(l.clock().Sub(l.epoch)) }

// shard is one locked part of the key space.
type shard struct {
	mu        sync.Mutex
	tenants   map[string]*state
	apps      map[appKey]*state
	nextSweep int64
}

// appKey names an application within a tenant.
type appKey struct{ tenant, app string }

// state holds the two buckets of one key as GCRA theoretical arrival times,
// in nanoseconds since the limiter's epoch. A bucket is full when its time
// is not after now, so the zero state is two full buckets.
type state struct{ writes, all int64 }

// full reports whether both buckets are full, so that dropping the state
// changes nothing.
func (s *state) full(now int64) bool { return s.writes <= now && s.all <= now }

// rate is one bucket's limit: a token comes back every interval, and
// tolerance is how far ahead of now the arrival time may run (capacity - 1
// intervals).
type rate struct{ interval, tolerance int64 }

func newRate(n int, window time.Duration) rate {
	iv := max(1, int64(window)/int64(n))
	return rate{interval: iv, tolerance: iv * int64(n-1)}
}

// wait returns how long until the bucket holds a token; zero or less means
// it holds one now.
func (r rate) wait(tat, now int64) int64 { return max(tat, now) - now - r.tolerance }

// take returns the arrival time after one token is taken.
func (r rate) take(tat, now int64) int64 { return max(tat, now) + r.interval }

// lookup returns the state for k, adding a full one if k is new. When the
// map holds limit keys already, it first drops one to make room.
func lookup[K comparable](m map[K]*state, k K, limit int, now int64) *state {
	if s, ok := m[k]; ok {
		return s
	}
	if len(m) >= limit {
		evict(m, now)
	}
	s := &state{}
	m[k] = s
	return s
}

// evict drops one entry: the first full one among a few sampled at random,
// else the sampled one whose buckets fill up soonest.
func evict[K comparable](m map[K]*state, now int64) {
	var victim K
	best, seen := int64(0), 0
	for k, s := range m {
		if s.full(now) {
			delete(m, k)
			return
		}
		if t := max(s.writes, s.all); seen == 0 || t < best {
			victim, best = k, t
		}
		if seen++; seen == evictSample {
			break
		}
	}
	delete(m, victim)
}

// sweep drops every entry whose buckets are full.
func sweep[K comparable](m map[K]*state, now int64) {
	for k, s := range m {
		if s.full(now) {
			delete(m, k)
		}
	}
}
