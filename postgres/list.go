package postgres

import (
	"context"
	"fmt"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/sqlquery"
	"github.com/temgraph/temgraph/odata"
)

// ListPartners returns one page of the tenant's partners: those matching
// the filter, in the requested order, after opts.After when set.
func (db *DB) ListPartners(ctx context.Context, tenant string,
	opts temgraph.ListOptions) (*temgraph.PartnerPage, error) {
	limit := max(opts.Limit, 1)
	q, args, err := sqlquery.ListPartners(sqlquery.Postgres, partnerColumns, tenant, opts, limit)
	if err != nil {
		return nil, fmt.Errorf("build list query: %w", err)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", classify(err))
	}
	defer rows.Close()
	scan := func() (*temgraph.Partner, error) { return scanPartner(rows) }
	page, err := sqlquery.CollectPartners(rows, scan, limit)
	return page, classify(err)
}

// CountPartners counts the tenant's partners that match filter.
func (db *DB) CountPartners(ctx context.Context, tenant string, filter odata.Expr) (int, error) {
	q, args, err := sqlquery.CountPartners(sqlquery.Postgres, tenant, filter)
	if err != nil {
		return 0, fmt.Errorf("build count query: %w", err)
	}
	var n int
	if err := db.pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count partners: %w", classify(err))
	}
	return n, nil
}
