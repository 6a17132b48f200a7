package throttle

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a fake clock that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// mustAllowN makes n requests and fails unless each is allowed.
func mustAllowN(tb testing.TB, l *Limiter, tenant, app string, write bool, n int) {
	tb.Helper()
	for i := range n {
		if wait := l.Allow(tenant, app, write); wait != 0 {
			tb.Fatalf("request %d of %d (tenant %s, app %s, write %v): wait=%v, want 0",
				i+1, n, tenant, app, write, wait)
		}
	}
}

// mustRefuse fails unless the request is refused with the given wait.
func mustRefuse(tb testing.TB, l *Limiter, tenant, app string, write bool, want time.Duration) {
	tb.Helper()
	if got := l.Allow(tenant, app, write); got != want {
		tb.Fatalf("Allow(%s, %s, write=%v)=%v, want %v", tenant, app, write, got, want)
	}
}

func TestLimiter_Allow(t *testing.T) {
	t.Run("WritesPerApp", func(t *testing.T) {
		c := newClock()
		l := New(Config{Now: c.Now})
		mustAllowN(t, l, "t1", "a1", true, 100)
		// One write comes back every 20s/100 = 200ms.
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
		c.Advance(150 * time.Millisecond)
		mustRefuse(t, l, "t1", "a1", true, 50*time.Millisecond)
		c.Advance(50 * time.Millisecond)
		mustAllowN(t, l, "t1", "a1", true, 1)
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
	})
	t.Run("WritesPerTenant", func(t *testing.T) {
		l := New(Config{Now: newClock().Now})
		mustAllowN(t, l, "t1", "a1", true, 100)
		mustAllowN(t, l, "t1", "a2", true, 100)
		// 20s/200 = 100ms until the tenant's bucket has a token again.
		mustRefuse(t, l, "t1", "a3", true, 100*time.Millisecond)
		mustAllowN(t, l, "t1", "a3", false, 10)
	})
	t.Run("AllPerApp", func(t *testing.T) {
		l := New(Config{Now: newClock().Now})
		mustAllowN(t, l, "t1", "a1", false, 1000)
		mustRefuse(t, l, "t1", "a1", false, 20*time.Millisecond)
		mustRefuse(t, l, "t1", "a1", true, 20*time.Millisecond)
		mustAllowN(t, l, "t1", "a2", false, 1)
	})
	t.Run("AllPerTenant", func(t *testing.T) {
		l := New(Config{Now: newClock().Now})
		mustAllowN(t, l, "t1", "a1", false, 1000)
		mustAllowN(t, l, "t1", "a2", false, 1000)
		mustRefuse(t, l, "t1", "a3", false, 10*time.Millisecond)
		mustAllowN(t, l, "t2", "a3", false, 1)
	})
	t.Run("WritesCountAsRequests", func(t *testing.T) {
		l := New(Config{Now: newClock().Now, Limits: Limits{WritesPerApp: 3, AllPerApp: 5}})
		mustAllowN(t, l, "t1", "a1", true, 3)
		mustAllowN(t, l, "t1", "a1", false, 2)
		mustRefuse(t, l, "t1", "a1", false, 4*time.Second)
	})
	t.Run("WritesDoNotStarveReads", func(t *testing.T) {
		l := New(Config{Now: newClock().Now})
		mustAllowN(t, l, "t1", "a1", true, 100)
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
		mustAllowN(t, l, "t1", "a1", false, 900)
	})
	t.Run("RefusalTakesNothing", func(t *testing.T) {
		l := New(Config{Now: newClock().Now, Limits: Limits{
			WritesPerApp: 2, WritesPerTenant: 3, AllPerApp: 5, AllPerTenant: 50, Window: 10 * time.Second,
		}})
		mustAllowN(t, l, "t1", "a1", true, 2)
		for range 20 {
			mustRefuse(t, l, "t1", "a1", true, 5*time.Second)
		}
		// Had the refusals taken from the tenant's write bucket or from the
		// all-requests buckets, these would fail.
		mustAllowN(t, l, "t1", "a2", true, 1)
		mustAllowN(t, l, "t1", "a1", false, 3)
	})
	t.Run("WaitIsTheLongest", func(t *testing.T) {
		c := newClock()
		l := New(Config{Now: c.Now, Limits: Limits{
			WritesPerApp: 2, WritesPerTenant: 4, AllPerApp: 100, AllPerTenant: 100, Window: 4 * time.Second,
		}})
		mustAllowN(t, l, "t1", "a1", true, 2)
		mustAllowN(t, l, "t1", "a2", true, 2)
		// a1's bucket refills in 2s, the tenant's in 1s: the caller must
		// wait for both.
		mustRefuse(t, l, "t1", "a1", true, 2*time.Second)
		c.Advance(time.Second)
		mustRefuse(t, l, "t1", "a1", true, time.Second)
		mustAllowN(t, l, "t1", "a3", true, 1)
	})
	t.Run("Refill", func(t *testing.T) {
		c := newClock()
		l := New(Config{Now: c.Now})
		mustAllowN(t, l, "t1", "a1", true, 100)
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
		c.Advance(10 * time.Second)
		mustAllowN(t, l, "t1", "a1", true, 50)
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
		// Idle far longer than a window still gives one window's worth.
		c.Advance(time.Hour)
		mustAllowN(t, l, "t1", "a1", true, 100)
		mustRefuse(t, l, "t1", "a1", true, 200*time.Millisecond)
	})
	t.Run("OtherTenant", func(t *testing.T) {
		l := New(Config{Now: newClock().Now})
		mustAllowN(t, l, "t1", "a1", true, 100)
		mustAllowN(t, l, "t1", "a2", true, 100)
		mustAllowN(t, l, "t2", "a1", true, 100)
		mustAllowN(t, l, "t2", "a2", true, 100)
	})
	t.Run("EmptyApp", func(t *testing.T) {
		l := New(Config{Now: newClock().Now, Limits: Limits{WritesPerApp: 1, WritesPerTenant: 2}})
		mustAllowN(t, l, "t1", "", true, 1)
		mustRefuse(t, l, "t1", "", true, 20*time.Second)
		mustAllowN(t, l, "t1", "a1", true, 1)
	})
}

func TestLimiter_Allow_Concurrent(t *testing.T) {
	l := New(Config{Now: newClock().Now})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if l.Allow("t1", "a1", true) == 0 {
					allowed.Add(1)
				}
				l.Allow(fmt.Sprintf("t%d", g*1000+i), "a1", false)
			}
		}()
	}
	wg.Wait()
	if got := allowed.Load(); got != 100 {
		t.Fatalf("allowed=%d, want 100", got)
	}
}

func TestLimiter_Allow_Sweep(t *testing.T) {
	c := newClock()
	l := New(Config{Now: c.Now})
	probes := shardProbes(l)
	for _, p := range probes {
		l.Allow(p, "a1", false)
	}
	for i := range 1000 {
		l.Allow(fmt.Sprintf("tenant-%d", i), "a1", i%2 == 0)
	}
	c.Advance(10 * time.Second)
	mustAllowN(t, l, "busy", "a1", true, 100)
	if got, want := l.Len(), 2*(len(probes)+1000+1); got != want {
		t.Fatalf("Len()=%d, want %d", got, want)
	}

	// A window after the first requests, a request in each shard sweeps
	// it. Only busy's app write bucket is still short of tokens.
	c.Advance(11 * time.Second)
	for _, p := range probes {
		l.Allow(p, "a1", false)
	}
	if got, want := l.Len(), 2*len(probes)+1; got != want {
		t.Fatalf("after sweep Len()=%d, want %d", got, want)
	}
	// 11s at one write per 200ms gave back 55 writes, no more.
	mustAllowN(t, l, "busy", "a1", true, 55)
	mustRefuse(t, l, "busy", "a1", true, 200*time.Millisecond)
}

// shardProbes returns one tenant name for each shard.
func shardProbes(l *Limiter) []string {
	names := make([]string, shardCount)
	found := 0
	for i := 0; found < shardCount; i++ {
		name := fmt.Sprintf("probe-%d", i)
		if n := &names[maphash.String(l.seed, name)%shardCount]; *n == "" {
			*n = name
			found++
		}
	}
	return names
}

func TestLimiter_Allow_MaxKeys(t *testing.T) {
	c := newClock()
	l := New(Config{Now: c.Now, MaxKeys: 4 * shardCount})
	for i := range 20_000 {
		l.Allow(fmt.Sprintf("tenant-%d", i), fmt.Sprintf("app-%d", i), true)
	}
	if got, max := l.Len(), 2*4*shardCount; got > max {
		t.Fatalf("Len()=%d, want at most %d", got, max)
	}
}

func TestLimiter_Allow_NoAllocs(t *testing.T) {
	c := newClock()
	l := New(Config{Now: c.Now})
	l.Allow("t1", "a1", true)
	allocs := testing.AllocsPerRun(1000, func() {
		l.Allow("t1", "a1", false)
		c.Advance(10 * time.Millisecond)
	})
	if allocs != 0 {
		t.Fatalf("allocs per Allow=%v, want 0", allocs)
	}
}

func TestLimits_Validate(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		ok     bool
	}{
		{"Defaults", DefaultLimits(), true},
		{"Zero", Limits{}, true},
		{"Custom", Limits{WritesPerApp: 5, Window: time.Second}, true},
		{"NegativeLimit", Limits{AllPerApp: -1}, false},
		{"NegativeWindow", Limits{Window: -time.Second}, false},
		{"TooFine", Limits{WritesPerTenant: 1001, Window: time.Microsecond}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.limits.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate()=%v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func BenchmarkLimiter_Allow(b *testing.B) {
	l := New(Config{Limits: Limits{AllPerApp: 1 << 30, AllPerTenant: 1 << 30}})
	tenants := make([]string, 256)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.Allow(tenants[i%len(tenants)], "44444444-4444-4444-8444-444444444444", false)
			i++
		}
	})
}
