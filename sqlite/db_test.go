package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/temgraph/temgraph"
)

// TestDB_BusyBeginFailsBatchOnce: while another process holds SQLite's
// write lock, a commit's BEGIN fails after busy_timeout; every write of the
// batch gets that failure (a 503 for the client) at once, instead of each
// being retried alone and waiting out busy_timeout again.
func TestDB_BusyBeginFailsBatchOnce(t *testing.T) {
	defer func(ms int) { busyTimeoutMillis = ms }(busyTimeoutMillis)
	busyTimeoutMillis = 300
	ctx := context.Background()
	db, path := openServing(t)
	ids := make([]string, 6)
	for i := range ids {
		p := &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime}
		if err := db.CreatePartner(ctx, "tenant", p); err != nil {
			t.Fatalf("CreatePartner: %v", err)
		}
		ids[i] = p.ID
	}

	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=100")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatalf("conn: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("BEGIN IMMEDIATE in another connection: %v", err)
	}

	start := time.Now()
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			on := true
			_, errs[i] = db.UpdatePartner(ctx, "tenant", id, &temgraph.PartnerPatch{Enabled: &on}, "")
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatalf("ROLLBACK: %v", err)
	}
	for i, err := range errs {
		if !errors.Is(err, temgraph.ErrUnavailable) {
			t.Errorf("write %d: err=%v, want ErrUnavailable", i, err)
		}
	}
	// Two commits wait out the timeout: the first write's own, and one for
	// everything that queued meanwhile (0.6 s here). Retrying each write
	// alone would take one timeout per write (1.8 s); the bound leaves room
	// for a slow machine between the two.
	if limit := 4 * time.Duration(busyTimeoutMillis) * time.Millisecond; took > limit {
		t.Errorf("%d blocked writes took %v, want under %v", len(ids), took, limit)
	}
	on := false
	if _, err := db.UpdatePartner(ctx, "tenant", ids[0], &temgraph.PartnerPatch{Enabled: &on}, ""); err != nil {
		t.Fatalf("UpdatePartner once the lock is released: %v", err)
	}
}
