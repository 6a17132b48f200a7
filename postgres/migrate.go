package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/temgraph/temgraph/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockKey is the advisory lock that serialises migrations, so that
// several processes starting together on an empty database do not race to
// create the same tables. The number is arbitrary; it only has to differ
// from other advisory locks taken on the same database.
const migrationLockKey int64 = 0x74656d6772617068 // "temgraph" in ASCII

// migrations returns the embedded migrations in version order.
func migrations() ([]migration.Migration, error) {
	return migration.Load(migrationFS, "migrations")
}

// SchemaVersion is the newest schema version this binary knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return migration.Latest(ms)
}

// Migrate applies the migrations the database dsn names lacks and closes
// its connection. Open does the same before returning a store; Migrate is
// for tools that only want the schema brought up to date.
func Migrate(ctx context.Context, dsn string) error {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool)
}

// migrate applies the missing migrations in one transaction, recording each
// in schema_migrations, while holding the migration advisory lock. It
// refuses a database whose schema is newer than this binary.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback(ctx)

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if latest := migration.Latest(ms); current > latest {
		return fmt.Errorf("database schema version %d is newer than this temgraph (knows up to %d): "+
			"upgrade temgraph", current, latest)
	}
	for _, m := range ms {
		if m.Version > current {
			if err := apply(ctx, tx, m); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit migrations: %w", err)
	}
	return nil
}

// schemaVersion creates schema_migrations if needed and returns the newest
// version recorded in it, 0 for an empty database.
func schemaVersion(ctx context.Context, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return current, nil
}

// apply runs one migration and records it.
func apply(ctx context.Context, tx pgx.Tx, m migration.Migration) error {
	// Without arguments pgx sends the text as one simple query, so a
	// migration may hold several statements.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
		m.Version, m.Name); err != nil {
		return fmt.Errorf("record migration %s: %w", m.Name, err)
	}
	return nil
}
