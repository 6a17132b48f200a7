package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

const (
	getSecretSQL    = `SELECT value FROM secrets WHERE name = $1`
	insertSecretSQL = `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`
)

// LoadOrCreateSecret returns the named secret, storing create's value first
// if there is none. The insert does nothing when another process stored the
// secret first (it waits for that process's insert to commit), and the read
// that follows sees the stored value, so every process agrees on it.
func (db *DB) LoadOrCreateSecret(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	value, err := db.secret(ctx, name)
	if err == nil {
		return value, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}

	fresh, err := create()
	if err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	wctx, cancel := writeContext(ctx)
	defer cancel()
	err = retry(wctx, func() error {
		_, err := db.pool.Exec(wctx, insertSecretSQL, name, fresh)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store secret: %w", classify(err))
	}
	return db.secret(ctx, name)
}

// secret reads one secret; a missing one is pgx.ErrNoRows.
func (db *DB) secret(ctx context.Context, name string) ([]byte, error) {
	var value []byte
	err := db.pool.QueryRow(ctx, getSecretSQL, name).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", classify(err))
	}
	return value, nil
}
