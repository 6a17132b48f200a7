package postgres_test

import (
	"context"
	"testing"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/storetest"
	"github.com/temgraph/temgraph/internal/storetest/pgtest"
	"github.com/temgraph/temgraph/postgres"
)

// TestDB_Store runs the storage contract suite on one fresh database; each
// test opens its own pool on it.
func TestDB_Store(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	storetest.Run(t, func(t *testing.T) temgraph.Store {
		return mustOpen(t, dsn)
	})
}

func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return db
}
