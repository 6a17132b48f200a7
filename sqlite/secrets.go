package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/temgraph/temgraph"
)

// LoadOrCreateSecret returns the named secret, storing create's value first
// if there is none. INSERT OR IGNORE makes concurrent creators agree on the
// first stored value, even across processes sharing the file.
func (db *DB) LoadOrCreateSecret(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	var value []byte
	err := db.reader.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	if err == nil {
		return value, nil
	}
	if err != sql.ErrNoRows {
		return nil, fmt.Errorf("read secret: %w", classify(err))
	}

	fresh, err := create()
	if err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	err = db.write(ctx, rowKey{}, func(tx *sql.Tx) (*temgraph.Partner, error) {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)`, name, fresh); err != nil {
			return nil, fmt.Errorf("store secret: %w", classify(err))
		}
		return nil, tx.QueryRow(`SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}
