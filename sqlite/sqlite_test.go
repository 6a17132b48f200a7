package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/storetest"
	"github.com/temgraph/temgraph/sqlite"
)

// TestDB_Store runs the storage contract suite, each test on a new file.
func TestDB_Store(t *testing.T) {
	storetest.Run(t, func(t *testing.T) temgraph.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "temgraph.db"))
	})
}

// TestDB_StoreExclusive runs the contract suite on the serving store, whose
// partner cache is on.
func TestDB_StoreExclusive(t *testing.T) {
	storetest.Run(t, func(t *testing.T) temgraph.Store {
		db, err := sqlite.OpenExclusive(context.Background(), filepath.Join(t.TempDir(), "temgraph.db"))
		if err != nil {
			t.Fatalf("OpenExclusive: %v", err)
		}
		return db
	})
}

func TestDB_Open(t *testing.T) {
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "temgraph.db")
		db := mustOpen(t, path)
		p := &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime}
		created := storetest.MustCreate(t, db, "tenant", p)
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		db = mustOpen(t, path)
		defer db.Close()
		if got := storetest.MustGet(t, db, "tenant", p.ID); got.ETag != created.ETag {
			t.Fatalf("ETag after reopen=%q, want %q", got.ETag, created.ETag)
		}
		if n := countMigrations(t, path); n != sqlite.SchemaVersion() {
			t.Fatalf("schema_migrations has %d rows, want %d", n, sqlite.SchemaVersion())
		}
	})
	t.Run("ExclusiveLock", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "temgraph.db")
		first, err := sqlite.OpenExclusive(context.Background(), path)
		if err != nil {
			t.Fatalf("OpenExclusive: %v", err)
		}
		if db, err := sqlite.OpenExclusive(context.Background(), path); !errors.Is(err, sqlite.ErrInUse) {
			if err == nil {
				db.Close()
			}
			t.Fatalf("second OpenExclusive: err=%v, want ErrInUse", err)
		}
		// A process that does not serve (token, migrate) still shares the file,
		// and the server's SQLite locks survive the refused attempt.
		shared := mustOpen(t, path)
		p := storetest.MustCreate(t, first, "tenant", &temgraph.Partner{ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime})
		if got := storetest.MustGet(t, shared, "tenant", p.ID); got.ETag != p.ETag {
			t.Fatalf("shared reader sees ETag %q, want %q", got.ETag, p.ETag)
		}
		if err := errors.Join(shared.Close(), first.Close()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		again, err := sqlite.OpenExclusive(context.Background(), path)
		if err != nil {
			t.Fatalf("OpenExclusive after Close: %v", err)
		}
		if got := storetest.MustGet(t, again, "tenant", p.ID); got.ETag != p.ETag {
			t.Fatalf("after reopen ETag %q, want %q", got.ETag, p.ETag)
		}
		again.Close()
	})
	t.Run("InMemoryRefused", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		for _, path := range []string{":memory:", "file::memory:", "file:x.db?mode=memory&cache=shared"} {
			db, err := sqlite.OpenExclusive(context.Background(), path)
			if err == nil {
				db.Close()
				t.Fatalf("OpenExclusive(%q) succeeded", path)
			}
			if !strings.Contains(err.Error(), "give a file path") {
				t.Errorf("OpenExclusive(%q): %v, want it to ask for a file path", path, err)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("refused opens left %d files behind, first %q", len(entries), entries[0].Name())
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "temgraph.db")
		if err := mustOpen(t, path).Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		newer := sqlite.SchemaVersion() + 1
		execSQL(t, path, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', '')`, newer)

		db, err := sqlite.Open(context.Background(), path)
		if err == nil {
			db.Close()
			t.Fatalf("Open succeeded on a database at schema version %d", newer)
		}
		if !strings.Contains(err.Error(), "newer than this temgraph") {
			t.Fatalf("err=%q, want it to say the schema is newer than this temgraph", err)
		}
	})
}

func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return db
}

// execSQL runs one statement on the file directly.
func execSQL(tb testing.TB, path, stmt string, args ...any) {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

func countMigrations(tb testing.TB, path string) int {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		tb.Fatalf("count migrations: %v", err)
	}
	return n
}
