package sqlquery

import (
	"fmt"

	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/odata"
)

// PartnerColumns maps the partner's properties to the columns every
// backend's partners table uses.
var PartnerColumns = map[string]string{
	temgraph.PropID:                     "id",
	temgraph.PropDisplayName:            "display_name",
	temgraph.PropURL:                    "url",
	temgraph.PropAppAuthorized:          "app_authorized",
	temgraph.PropEnabled:                "enabled",
	temgraph.PropLastConnectionDateTime: "last_connection",
}

// partnerKeyProp is the key that ends every partner sort order.
var partnerKeyProp, _ = temgraph.PartnerSchema.Lookup(temgraph.PropID)

// ListPartners writes the SELECT of one page of a tenant's partners:
// selectList from the partners table, filtered, after opts.After in the
// sort order when set, sorted, reading limit+1 rows so the caller learns
// whether more follow.
func ListPartners(d Dialect, selectList, tenant string, opts temgraph.ListOptions, limit int) (string, []any, error) {
	b := New(d, PartnerColumns, partnerKeyProp)
	q := "SELECT " + selectList + " FROM partners WHERE tenant = " + b.Arg(tenant)
	where, err := b.Where(opts.Filter)
	if err != nil {
		return "", nil, err
	}
	q += " AND " + where
	if opts.After != nil {
		after, err := b.After(opts.OrderBy, PartnerKey(opts.After))
		if err != nil {
			return "", nil, err
		}
		q += " AND " + after
	}
	order, err := b.OrderBy(opts.OrderBy)
	if err != nil {
		return "", nil, err
	}
	q += " ORDER BY " + order + " " + b.LimitOffset(limit+1, max(opts.Skip, 0))
	return q, b.Args(), nil
}

// CountPartners writes the SELECT that counts a tenant's partners matching
// filter.
func CountPartners(d Dialect, tenant string, filter odata.Expr) (string, []any, error) {
	b := New(d, PartnerColumns, partnerKeyProp)
	q := "SELECT count(*) FROM partners WHERE tenant = " + b.Arg(tenant)
	where, err := b.Where(filter)
	if err != nil {
		return "", nil, err
	}
	return q + " AND " + where, b.Args(), nil
}

// PartnerKey returns p's value of each property, for the keyset condition.
func PartnerKey(p *temgraph.Partner) RowKey {
	return func(name string) odata.Value {
		switch name {
		case temgraph.PropID:
			return odata.StringValue(&p.ID)
		case temgraph.PropDisplayName:
			return odata.StringValue(p.DisplayName)
		case temgraph.PropURL:
			return odata.StringValue(p.URL)
		case temgraph.PropAppAuthorized:
			return odata.BoolValue(p.AppAuthorized)
		case temgraph.PropEnabled:
			return odata.BoolValue(p.Enabled)
		case temgraph.PropLastConnectionDateTime:
			return odata.TimeValue(p.LastConnectionDateTime)
		}
		return odata.Value{Kind: odata.LitNull}
	}
}

// Rows is what both backends' result sets offer: *sql.Rows and pgx.Rows.
type Rows interface {
	Next() bool
	Err() error
}

// CollectPartners reads the rows of a ListPartners query, scan turning the
// current row into a partner, and makes the page of at most limit partners.
func CollectPartners(rows Rows, scan func() (*temgraph.Partner, error), limit int) (*temgraph.PartnerPage, error) {
	partners := make([]*temgraph.Partner, 0, min(limit+1, 128))
	for rows.Next() {
		p, err := scan()
		if err != nil {
			return nil, fmt.Errorf("scan partner: %w", err)
		}
		partners = append(partners, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return temgraph.NewPartnerPage(partners, limit), nil
}
