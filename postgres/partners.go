package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/temgraph/temgraph"
)

// partnerColumns is the column list every partner query reads, in scan order.
const partnerColumns = `id, display_name, url, app_authorized, enabled, last_connection, etag`

const (
	insertPartnerSQL = `INSERT INTO partners (tenant, id, display_name, url, app_authorized,
		enabled, last_connection, etag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant, id) DO NOTHING`

	getPartnerSQL = `SELECT ` + partnerColumns + ` FROM partners WHERE tenant = $1 AND id = $2`

	// updatePartnerSQL merges inside the statement: each property is
	// replaced only when the request carried it. The row lock and READ
	// COMMITTED's re-check of the updated row make concurrent merges apply
	// one after the other, each to the row the previous one committed.
	updatePartnerSQL = `UPDATE partners SET
		display_name    = CASE WHEN $1::boolean THEN $2::text ELSE display_name END,
		url             = CASE WHEN $3::boolean THEN $4::text ELSE url END,
		app_authorized  = CASE WHEN $5::boolean THEN $6::boolean ELSE app_authorized END,
		enabled         = CASE WHEN $7::boolean THEN $8::boolean ELSE enabled END,
		last_connection = CASE WHEN $9::boolean THEN $10::bigint ELSE last_connection END,
		etag            = $11
		WHERE tenant = $12 AND id = $13 AND ($14::text IN ('', '*') OR strpos(',' || $14::text || ',', ',' || etag || ',') > 0)
		RETURNING ` + partnerColumns

	deletePartnerSQL = `DELETE FROM partners
		WHERE tenant = $1 AND id = $2 AND ($3::text IN ('', '*') OR strpos(',' || $3::text || ',', ',' || etag || ',') > 0)`

	partnerETagSQL = `SELECT etag FROM partners WHERE tenant = $1 AND id = $2`
)

// CreatePartner stores a new partner; an id the tenant already has is EConflict.
func (db *DB) CreatePartner(ctx context.Context, tenant string, p *temgraph.Partner) error {
	ctx, cancel := writeContext(ctx)
	defer cancel()
	etag := temgraph.NewETag()
	err := retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, insertPartnerSQL, tenant, p.ID, p.DisplayName, p.URL,
			p.AppAuthorized, p.Enabled, temgraph.Ticks(p.LastConnectionDateTime), etag)
		if err != nil {
			return fmt.Errorf("insert partner: %w", classify(err))
		}
		if tag.RowsAffected() == 0 {
			return temgraph.Errorf(temgraph.EConflict, "A partner with the id '%s' already exists.", p.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.ETag = etag
	return nil
}

// GetPartner returns one partner of the tenant.
func (db *DB) GetPartner(ctx context.Context, tenant, id string) (*temgraph.Partner, error) {
	p, err := scanPartner(db.pool.QueryRow(ctx, getPartnerSQL, tenant, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, temgraph.ErrPartnerNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get partner: %w", classify(err))
	}
	return p, nil
}

// UpdatePartner merges patch into the stored partner in one statement.
func (db *DB) UpdatePartner(ctx context.Context, tenant, id string, patch *temgraph.PartnerPatch,
	ifMatch string) (*temgraph.Partner, error) {
	var last int64
	if patch.LastConnectionDateTime != nil {
		last = temgraph.Ticks(*patch.LastConnectionDateTime)
	}
	args := []any{
		patch.DisplayName.Set, patch.DisplayName.Value,
		patch.URL.Set, patch.URL.Value,
		patch.AppAuthorized != nil, deref(patch.AppAuthorized),
		patch.Enabled != nil, deref(patch.Enabled),
		patch.LastConnectionDateTime != nil, last,
		temgraph.NewETag(), tenant, id, ifMatch,
	}
	ctx, cancel := writeContext(ctx)
	defer cancel()
	var out *temgraph.Partner
	err := retry(ctx, func() error {
		var err error
		out, err = scanPartner(db.pool.QueryRow(ctx, updatePartnerSQL, args...))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, db.missOrMismatch(ctx, tenant, id)
	}
	if err != nil {
		return nil, fmt.Errorf("update partner: %w", classify(err))
	}
	return out, nil
}

// DeletePartner removes one partner of the tenant.
func (db *DB) DeletePartner(ctx context.Context, tenant, id, ifMatch string) error {
	ctx, cancel := writeContext(ctx)
	defer cancel()
	var deleted int64
	err := retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, deletePartnerSQL, tenant, id, ifMatch)
		deleted = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete partner: %w", classify(err))
	}
	if deleted == 0 {
		return db.missOrMismatch(ctx, tenant, id)
	}
	return nil
}

// missOrMismatch tells why a conditional write touched no row: the partner
// is missing (ENotFound) or its entity tag differs (EPreconditionFailed).
// A missing partner wins, whatever If-Match said.
func (db *DB) missOrMismatch(ctx context.Context, tenant, id string) error {
	var etag string
	err := db.pool.QueryRow(ctx, partnerETagSQL, tenant, id).Scan(&etag)
	if errors.Is(err, pgx.ErrNoRows) {
		return temgraph.ErrPartnerNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("read etag: %w", classify(err))
	}
	return temgraph.ErrPartnerChanged(id)
}

func scanPartner(r pgx.Row) (*temgraph.Partner, error) {
	var p temgraph.Partner
	var ticks int64
	if err := r.Scan(&p.ID, &p.DisplayName, &p.URL, &p.AppAuthorized, &p.Enabled, &ticks, &p.ETag); err != nil {
		return nil, err
	}
	p.LastConnectionDateTime = temgraph.FromTicks(ticks)
	return &p, nil
}

func deref(b *bool) bool { return b != nil && *b }
