package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/storetest"
	"github.com/temgraph/temgraph/internal/storetest/pgtest"
	"github.com/temgraph/temgraph/postgres"
)

// appliedMigration is a row of schema_migrations.
type appliedMigration struct {
	version   int
	name      string
	appliedAt time.Time
}

func TestMigrate(t *testing.T) {
	t.Run("FreshDatabase", testMigrateFresh)
	t.Run("RerunIsNoOp", testMigrateRerun)
}

func TestOpen(t *testing.T) {
	t.Run("ConcurrentMigrations", testOpenConcurrent)
	t.Run("ErrNewerSchema", testOpenNewerSchema)
	t.Run("ErrBadConnectionString", testOpenBadConnectionString)
}

// testMigrateFresh migrates an empty database.
func testMigrateFresh(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	if err := postgres.Migrate(context.Background(), dsn); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	applied := migrations(t, dsn)
	if len(applied) != postgres.SchemaVersion() || applied[0].name != "0001_init.sql" {
		t.Fatalf("applied=%+v, want %d migrations from 0001_init.sql", applied, postgres.SchemaVersion())
	}
	for _, table := range []string{"partners", "secrets"} {
		var n int
		if err := queryRow(t, dsn, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		if n != 0 {
			t.Fatalf("%s has %d rows, want 0", table, n)
		}
	}
}

// testMigrateRerun checks that migrating an up-to-date database changes nothing.
func testMigrateRerun(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := mustOpen(t, dsn)
	p := storetest.MustCreate(t, db, "tenant", &temgraph.Partner{
		ID: temgraph.NewGUID(), LastConnectionDateTime: temgraph.ZeroTime})
	db.Close()
	before := migrations(t, dsn)

	if err := postgres.Migrate(context.Background(), dsn); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	db = mustOpen(t, dsn)
	defer db.Close()
	after := migrations(t, dsn)
	if len(after) != len(before) || after[0] != before[0] {
		t.Fatalf("migrations after rerun=%+v, want %+v", after, before)
	}
	if got := storetest.MustGet(t, db, "tenant", p.ID); got.ETag != p.ETag {
		t.Fatalf("partner ETag after rerun=%q, want %q", got.ETag, p.ETag)
	}
}

// testOpenConcurrent opens several stores at once on an empty database:
// processes starting together must not race to create the schema.
func testOpenConcurrent(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	if got := migrations(t, dsn); len(got) != postgres.SchemaVersion() {
		t.Fatalf("applied=%+v, want %d migrations", got, postgres.SchemaVersion())
	}
}

// testOpenNewerSchema checks that a schema newer than the binary is refused.
func testOpenNewerSchema(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	if err := postgres.Migrate(context.Background(), dsn); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	newer := postgres.SchemaVersion() + 1
	exec(t, dsn, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')`, newer)

	db, err := postgres.Open(context.Background(), dsn)
	if err == nil {
		db.Close()
		t.Fatalf("Open succeeded on a database at schema version %d", newer)
	}
	want := fmt.Sprintf("database schema version %d is newer than this temgraph (knows up to %d)",
		newer, postgres.SchemaVersion())
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err=%q, want it to contain %q", err, want)
	}
}

// testOpenBadConnectionString checks that pool settings in the URL are validated.
func testOpenBadConnectionString(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://127.0.0.1:1/x?pool_max_conns=zero")
	if err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Fatalf("err=%v, want a complaint about pool_max_conns", err)
	}
}

// migrations reads schema_migrations in version order.
func migrations(tb testing.TB, dsn string) []appliedMigration {
	tb.Helper()
	conn := connect(tb, dsn)
	rows, err := conn.Query(context.Background(),
		`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatalf("read schema_migrations: %v", err)
	}
	var out []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.version, &m.name, &m.appliedAt); err != nil {
			tb.Fatalf("scan schema_migrations: %v", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("read schema_migrations: %v", err)
	}
	return out
}

func exec(tb testing.TB, dsn, stmt string, args ...any) {
	tb.Helper()
	if _, err := connect(tb, dsn).Exec(context.Background(), stmt, args...); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

func queryRow(tb testing.TB, dsn, q string, args ...any) pgx.Row {
	tb.Helper()
	return connect(tb, dsn).QueryRow(context.Background(), q, args...)
}

// connect opens a single connection, closed when the test ends.
func connect(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
