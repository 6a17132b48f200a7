package main

import (
	"context"
	"fmt"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/postgres"
)

// openPostgres opens the PostgreSQL store dsn names and brings its schema up
// to date. The connection pool is configured in the URL's query, with pgx's
// parameters: pool_max_conns (default 16), pool_min_conns,
// pool_max_conn_lifetime, pool_max_conn_idle_time and
// pool_health_check_period, for example
// postgres://temgraph@db/temgraph?sslmode=verify-full&pool_max_conns=20.
func openPostgres(ctx context.Context, dsn string) (temgraph.Store, error) {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	return db, nil
}
