package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/temgraph/temgraph"
)

// applicationName identifies temgraph's sessions in pg_stat_activity unless
// the connection string names another.
const applicationName = "temgraph"

// DB is a temgraph store on a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
}

var _ temgraph.Store = (*DB)(nil)

// Open connects to the database dsn names (a postgres:// or postgresql://
// URL, or a key=value connection string), applies pending migrations and
// returns the store. Pool settings are read from the connection string (see
// the package documentation).
func Open(ctx context.Context, dsn string) (*DB, error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{pool: pool}, nil
}

// defaultMaxConns is the pool size when the URL sets none. PostgreSQL
// commits the writes of concurrent connections together (its WAL writer
// groups them), so a node needs about as many connections as it has
// writes in flight to get that benefit; pgx's own default (the larger of 4
// and the CPU count) halved PATCH throughput at 16 concurrent clients.
const defaultMaxConns = 16

// connect builds the connection pool. pgxpool connects lazily, so errors
// such as a refused connection surface on first use.
func connect(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres connection string: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["application_name"]; !ok {
		params["application_name"] = applicationName
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create postgres pool: %w", err)
	}
	return pool, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", classify(err))
	}
	return nil
}

// Close waits for the statements in progress to finish and closes the
// connections. It is safe to call more than once.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// SQLSTATE codes the adapter branches on.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// writeTimeout bounds how long a write may take once started.
const writeTimeout = 30 * time.Second

// writeContext detaches a write from the caller's cancellation: once sent,
// a write runs to its commit or its error, so that the caller learns which
// (as long as it still listens) and a client hanging up mid-request does
// not tear down a pooled connection. writeTimeout still bounds it.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
}

// maxAttempts bounds how often a statement is run when the database asks
// for a retry.
const maxAttempts = 5

// retry runs fn again when it fails with a serialization failure or a
// deadlock. Under the default READ COMMITTED isolation neither happens to
// temgraph's single-statement writes, but a database configured for
// SERIALIZABLE, or a distributed engine, reports concurrent updates of one
// row this way. fn's statement was rolled back, so running it again is safe.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = fn()
		if attempt == maxAttempts || !retryable(err) {
			return err
		}
		backoff := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return err
		}
	}
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected
}
