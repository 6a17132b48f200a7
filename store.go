package temgraph

import (
	"context"

	"github.com/temgraph/temgraph/odata"
)

// PartnerSchema describes the partner's properties for query options.
var PartnerSchema = odata.Schema{
	{Name: PropID, Type: odata.TypeGuid},
	{Name: PropDisplayName, Type: odata.TypeString, Nullable: true},
	{Name: PropURL, Type: odata.TypeString, Nullable: true},
	{Name: PropAppAuthorized, Type: odata.TypeBoolean},
	{Name: PropEnabled, Type: odata.TypeBoolean},
	{Name: PropLastConnectionDateTime, Type: odata.TypeDateTimeOffset},
}

// ListOptions selects and orders a page of a tenant's partners.
type ListOptions struct {
	// Filter restricts the rows; nil means all.
	Filter odata.Expr
	// OrderBy is the client's sort order. Storage always appends the id as a
	// final key so that the order is total.
	OrderBy []odata.OrderItem
	// After, when set, is the last row of the previous page: the page starts
	// strictly after it in the sort order (keyset paging).
	After *Partner
	// Skip rows are passed over before the page starts.
	Skip int
	// Limit is the most rows to return (at least 1).
	Limit int
}

// PartnerPage is one page of a list.
type PartnerPage struct {
	Partners []*Partner
	// More reports whether rows exist after the last one returned.
	More bool
}

// NewPartnerPage makes a page from the rows a backend read: it asks for one
// row more than limit, and that extra row only tells that more follow.
func NewPartnerPage(rows []*Partner, limit int) *PartnerPage {
	if len(rows) > limit {
		return &PartnerPage{Partners: rows[:limit], More: true}
	}
	return &PartnerPage{Partners: rows}
}

// PartnerStore is the storage contract every backend implements. Every
// method is scoped to one tenant and is atomic on its own: a failed write
// leaves the stored partner as it was. ifMatch, when not empty, is "*"
// (any existing partner) or a comma-separated list of entity tags, one of
// which the stored partner must carry; otherwise the write fails with
// EPreconditionFailed. Entity tags never contain a comma.
type PartnerStore interface {
	// CreatePartner stores a new partner and fills in its ETag. It fails with
	// EConflict if the tenant already has a partner with that id.
	CreatePartner(ctx context.Context, tenant string, p *Partner) error
	// GetPartner returns the partner or an ENotFound error.
	GetPartner(ctx context.Context, tenant, id string) (*Partner, error)
	// UpdatePartner merges the patch into the stored partner inside the
	// database (no read-modify-write across round trips) and returns the
	// result. A missing partner is ENotFound.
	UpdatePartner(ctx context.Context, tenant, id string, patch *PartnerPatch, ifMatch string) (*Partner, error)
	// DeletePartner removes the partner; a missing one is ENotFound.
	DeletePartner(ctx context.Context, tenant, id, ifMatch string) error
	// ListPartners returns one page of partners.
	ListPartners(ctx context.Context, tenant string, opts ListOptions) (*PartnerPage, error)
	// CountPartners counts the partners matching filter (nil for all).
	CountPartners(ctx context.Context, tenant string, filter odata.Expr) (int, error)
}

// KeyStore keeps secrets that every process sharing the database must agree
// on, such as the built-in token issuer's signing key.
type KeyStore interface {
	// LoadOrCreateSecret returns the secret stored under name, first storing
	// the value create returns if there is none. Concurrent callers, in any
	// process, all get the same stored value.
	LoadOrCreateSecret(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error)
}

// Store is a complete storage backend.
type Store interface {
	PartnerStore
	KeyStore
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the backend's connections after pending writes finish.
	Close() error
}
