package sqlite

import (
	"context"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/odata"
)

// ListPartners returns one page of the tenant's partners.
// TODO(query): filter and order translation.
func (db *DB) ListPartners(ctx context.Context, tenant string, opts temgraph.ListOptions) (*temgraph.PartnerPage, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+partnerColumns+` FROM partners WHERE tenant = ? ORDER BY id LIMIT ?`, tenant, opts.Limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &temgraph.PartnerPage{}
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, err
		}
		page.Partners = append(page.Partners, p)
	}
	if len(page.Partners) > opts.Limit {
		page.Partners = page.Partners[:opts.Limit]
		page.More = true
	}
	return page, rows.Err()
}

// CountPartners counts the tenant's partners.
func (db *DB) CountPartners(ctx context.Context, tenant string, filter odata.Expr) (int, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM partners WHERE tenant = ?`, tenant).Scan(&n)
	return n, err
}
