package main

import (
	"context"
	"errors"

	"github.com/temgraph/temgraph"
)

// openPostgres opens a PostgreSQL store.
// TODO(postgres): the PostgreSQL backend is not built yet.
func openPostgres(ctx context.Context, dsn string) (temgraph.Store, error) {
	return nil, errors.New("the PostgreSQL backend is not available in this build")
}
