package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/temgraph/temgraph"
)

// partnerColumns is the column list every partner query reads, in scan order.
const partnerColumns = `id, display_name, url, app_authorized, enabled, last_connection, etag`

// statements are prepared once: the writes on the writer connection, the
// reads on the read pool.
type statements struct {
	insert, update, delete, etag *sql.Stmt
	read                         *sql.Stmt // reads a row on the writer connection
	get                          *sql.Stmt
}

func (db *DB) prepare(ctx context.Context) error {
	var err error
	prep := func(on *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = on.PrepareContext(ctx, q)
		return s
	}
	db.stmts = statements{
		insert: prep(db.writer, `INSERT INTO partners (tenant, id, display_name, url, app_authorized,
			enabled, last_connection, etag) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		// The merge happens in the statement itself: each property is
		// replaced only when the request carried it. There is no RETURNING
		// clause: SQLite runs RETURNING as a trigger, which gives every
		// update a statement journal whose memory is allocated and freed
		// (and trimmed back to the kernel) on each write; reading the row
		// back with "written" afterwards is cheaper.
		update: prep(db.writer, `UPDATE partners SET
			display_name = CASE WHEN ?1 THEN ?2 ELSE display_name END,
			url = CASE WHEN ?3 THEN ?4 ELSE url END,
			app_authorized = CASE WHEN ?5 THEN ?6 ELSE app_authorized END,
			enabled = CASE WHEN ?7 THEN ?8 ELSE enabled END,
			last_connection = CASE WHEN ?9 THEN ?10 ELSE last_connection END,
			etag = ?11
			WHERE tenant = ?12 AND id = ?13 AND (?14 = '' OR ?14 = '*' OR instr(',' || ?14 || ',', ',' || etag || ',') > 0)`),
		delete: prep(db.writer, `DELETE FROM partners
			WHERE tenant = ?1 AND id = ?2 AND (?3 = '' OR ?3 = '*' OR instr(',' || ?3 || ',', ',' || etag || ',') > 0)`),
		etag: prep(db.writer, `SELECT etag FROM partners WHERE tenant = ? AND id = ?`),
		read: prep(db.writer, `SELECT `+partnerColumns+` FROM partners WHERE tenant = ? AND id = ?`),
		get:  prep(db.reader, `SELECT `+partnerColumns+` FROM partners WHERE tenant = ? AND id = ?`),
	}
	if err != nil {
		return fmt.Errorf("prepare statements: %w", err)
	}
	return nil
}

func (s *statements) close() {
	for _, st := range []*sql.Stmt{s.insert, s.update, s.delete, s.etag, s.read, s.get} {
		if st != nil {
			st.Close()
		}
	}
}

// CreatePartner stores a new partner; an id the tenant already has is EConflict.
func (db *DB) CreatePartner(ctx context.Context, tenant string, p *temgraph.Partner) error {
	etag := temgraph.NewETag()
	err := db.write(ctx, rowKey{tenant, p.ID}, func(tx *sql.Tx) (*temgraph.Partner, error) {
		res, err := tx.Stmt(db.stmts.insert).Exec(tenant, p.ID, p.DisplayName, p.URL,
			p.AppAuthorized, p.Enabled, temgraph.Ticks(p.LastConnectionDateTime), etag)
		if err != nil {
			return nil, fmt.Errorf("insert partner: %w", classify(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, temgraph.Errorf(temgraph.EConflict, "A partner with the id '%s' already exists.", p.ID)
		}
		stored := *p
		stored.LastConnectionDateTime = temgraph.FromTicks(temgraph.Ticks(p.LastConnectionDateTime))
		stored.ETag = etag
		return &stored, nil
	})
	if err != nil {
		return err
	}
	p.ETag = etag
	return nil
}

// GetPartner returns one partner of the tenant.
func (db *DB) GetPartner(ctx context.Context, tenant, id string) (*temgraph.Partner, error) {
	var gen uint64
	if db.cache != nil {
		p, g, ok := db.cache.read(rowKey{tenant, id})
		if ok {
			return p, nil
		}
		gen = g
	}
	p, err := scanPartner(db.stmts.get.QueryRowContext(ctx, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, temgraph.ErrPartnerNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get partner: %w", classify(err))
	}
	if db.cache != nil {
		db.cache.fill(rowKey{tenant, id}, p, gen)
	}
	return p, nil
}

// UpdatePartner merges patch into the stored partner with one writing
// statement. The result is the partner as it stood before, merged with the
// patch in Go, when the cache or an earlier write in the same transaction
// knows that state; otherwise it is read back in the same transaction.
func (db *DB) UpdatePartner(ctx context.Context, tenant, id string, patch *temgraph.PartnerPatch, ifMatch string) (*temgraph.Partner, error) {
	etag := temgraph.NewETag()
	key := rowKey{tenant, id}
	var out *temgraph.Partner
	err := db.write(ctx, key, func(tx *sql.Tx) (*temgraph.Partner, error) {
		var last int64
		if patch.LastConnectionDateTime != nil {
			last = temgraph.Ticks(*patch.LastConnectionDateTime)
		}
		res, err := tx.Stmt(db.stmts.update).Exec(
			patch.DisplayName.Set, patch.DisplayName.Value,
			patch.URL.Set, patch.URL.Value,
			patch.AppAuthorized != nil, deref(patch.AppAuthorized),
			patch.Enabled != nil, deref(patch.Enabled),
			patch.LastConnectionDateTime != nil, last,
			etag, tenant, id, ifMatch)
		if err != nil {
			return nil, fmt.Errorf("update partner: %w", classify(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, db.missOrMismatch(tx, tenant, id)
		}
		if before, ok := db.stateBefore(key); ok {
			p := *before
			patch.Apply(&p)
			p.LastConnectionDateTime = temgraph.FromTicks(temgraph.Ticks(p.LastConnectionDateTime))
			p.ETag = etag
			out = &p
			return out, nil
		}
		p, err := scanPartner(tx.Stmt(db.stmts.read).QueryRow(tenant, id))
		if err != nil {
			return nil, fmt.Errorf("read updated partner: %w", classify(err))
		}
		out = p
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// stateBefore returns the partner as the running write transaction sees it
// before the current write, when that is known without reading SQLite: an
// earlier write in the transaction left it, or the cache holds it (the
// cache holds only committed states, settled before the next transaction
// begins).
func (db *DB) stateBefore(k rowKey) (*temgraph.Partner, bool) {
	if p, ok := db.written[k]; ok {
		return p, p != nil
	}
	if db.cache == nil {
		return nil, false
	}
	p, _, ok := db.cache.lookup(k)
	return p, ok
}

// DeletePartner removes one partner of the tenant.
func (db *DB) DeletePartner(ctx context.Context, tenant, id, ifMatch string) error {
	return db.write(ctx, rowKey{tenant, id}, func(tx *sql.Tx) (*temgraph.Partner, error) {
		res, err := tx.Stmt(db.stmts.delete).Exec(tenant, id, ifMatch)
		if err != nil {
			return nil, fmt.Errorf("delete partner: %w", classify(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, db.missOrMismatch(tx, tenant, id)
		}
		return nil, nil
	})
}

// missOrMismatch tells why a conditional write touched no row: the partner
// is missing (ENotFound) or its entity tag differs (EPreconditionFailed).
func (db *DB) missOrMismatch(tx *sql.Tx, tenant, id string) error {
	var etag string
	err := tx.Stmt(db.stmts.etag).QueryRow(tenant, id).Scan(&etag)
	if errors.Is(err, sql.ErrNoRows) {
		return temgraph.ErrPartnerNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("read etag: %w", classify(err))
	}
	return temgraph.ErrPartnerChanged(id)
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanPartner(r rowScanner) (*temgraph.Partner, error) {
	var p temgraph.Partner
	var name, url sql.NullString
	var ticks int64
	if err := r.Scan(&p.ID, &name, &url, &p.AppAuthorized, &p.Enabled, &ticks, &p.ETag); err != nil {
		return nil, err
	}
	if name.Valid {
		p.DisplayName = &name.String
	}
	if url.Valid {
		p.URL = &url.String
	}
	p.LastConnectionDateTime = temgraph.FromTicks(ticks)
	return &p, nil
}

func deref(b *bool) bool { return b != nil && *b }
