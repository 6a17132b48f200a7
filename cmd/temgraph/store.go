package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/postgres"
	"github.com/temgraph/temgraph/sqlite"
)

// defaultDB is the SQLite file used when --db is not given.
const defaultDB = "temgraph.db"

// openStore opens the backend a --db value names: a postgres:// or
// postgresql:// URL means PostgreSQL; anything else is a SQLite path or
// file: URL. serving opens a SQLite file as the one server writing
// partners to it (sqlite.OpenExclusive); token and migrate share it.
func openStore(ctx context.Context, dsn string, serving bool) (temgraph.Store, error) {
	if isPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	open := sqlite.Open
	if serving {
		open = sqlite.OpenExclusive
	}
	db, err := open(ctx, dsn)
	if errors.Is(err, sqlite.ErrInUse) {
		return nil, fmt.Errorf("open %s: another temgraph server is using this file; stop it, or give this server its own --db", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	return db, nil
}

// sqliteFile is the file a SQLite --db value names: the path without a
// "file:" prefix or a query.
func sqliteFile(dsn string) string {
	f := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(f, '?'); i >= 0 {
		f = f[:i]
	}
	return f
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isPostgres(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// schemaVersion is the newest schema this binary knows for the backend a
// --db value names; after a successful open, the database is at it.
func schemaVersion(dsn string) int {
	if isPostgres(dsn) {
		return postgres.SchemaVersion()
	}
	return sqlite.SchemaVersion()
}
