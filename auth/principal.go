package auth

import "github.com/temgraph/temgraph"

// Permission names that grant access to TEM partners. Intune also honours
// the older "DeviceManagementServiceConfiguration" spelling.
const (
	ScopeRead      = "DeviceManagementServiceConfig.Read.All"
	ScopeReadWrite = "DeviceManagementServiceConfig.ReadWrite.All"

	legacyRead      = "DeviceManagementServiceConfiguration.Read.All"
	legacyReadWrite = "DeviceManagementServiceConfiguration.ReadWrite.All"
)

// PersonalTenant is the tenant id of personal Microsoft accounts, which the
// partner API does not serve.
const PersonalTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

// Principal is the verified caller of one request.
type Principal struct {
	Tenant   string // tid, lower case
	ObjectID string // oid
	AppID    string // azp or appid
	// Delegated is true for user tokens (scp) and false for app-only
	// tokens (roles).
	Delegated   bool
	Permissions []string
	// ExpiresUnix is the token's exp claim.
	ExpiresUnix int64
}

// CanRead reports whether the principal may list and get partners.
func (p *Principal) CanRead() bool {
	return p.has(ScopeRead) || p.has(legacyRead) || p.CanWrite()
}

// CanWrite reports whether the principal may create, update and delete.
func (p *Principal) CanWrite() bool {
	return p.has(ScopeReadWrite) || p.has(legacyReadWrite)
}

func (p *Principal) has(perm string) bool {
	for _, s := range p.Permissions {
		// ASCII folding only: Unicode folding would let the long s (U+017F)
		// or the Kelvin sign stand for ASCII letters of a permission name.
		if temgraph.EqualFoldASCII(s, perm) {
			return true
		}
	}
	return false
}
