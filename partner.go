package temgraph

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// ODataType is the value of @odata.type on every partner payload.
const ODataType = "#microsoft.graph.telecomExpenseManagementPartner"

// Partner is a telecom expense management partner: the record of a TEM
// service connected to one tenant. Every partner belongs to exactly one
// tenant; (tenant, ID) is its key.
type Partner struct {
	ID                     string
	DisplayName            *string // nullable
	URL                    *string // nullable
	AppAuthorized          bool
	Enabled                bool
	LastConnectionDateTime time.Time // UTC, 100 ns resolution
	// ETag changes on every write; it is opaque to clients.
	ETag string
}

// Property names of the partner, as they appear in JSON and in query options.
const (
	PropID                     = "id"
	PropDisplayName            = "displayName"
	PropURL                    = "url"
	PropAppAuthorized          = "appAuthorized"
	PropEnabled                = "enabled"
	PropLastConnectionDateTime = "lastConnectionDateTime"
)

// PartnerPatch holds the properties present in a create or update body. A
// nil pointer means "absent"; for the nullable strings, Set reports presence
// and Value may then be nil (an explicit JSON null).
type PartnerPatch struct {
	ID                     *string
	DisplayName            OptionalString
	URL                    OptionalString
	AppAuthorized          *bool
	Enabled                *bool
	LastConnectionDateTime *time.Time
}

// OptionalString is a nullable string property that may be absent.
type OptionalString struct {
	Set   bool
	Value *string
}

// Empty reports whether the patch names no property other than the id.
func (p *PartnerPatch) Empty() bool {
	return !p.DisplayName.Set && !p.URL.Set && p.AppAuthorized == nil &&
		p.Enabled == nil && p.LastConnectionDateTime == nil
}

// Apply merges the properties present in p into dst.
func (p *PartnerPatch) Apply(dst *Partner) {
	if p.DisplayName.Set {
		dst.DisplayName = p.DisplayName.Value
	}
	if p.URL.Set {
		dst.URL = p.URL.Value
	}
	if p.AppAuthorized != nil {
		dst.AppAuthorized = *p.AppAuthorized
	}
	if p.Enabled != nil {
		dst.Enabled = *p.Enabled
	}
	if p.LastConnectionDateTime != nil {
		dst.LastConnectionDateTime = *p.LastConnectionDateTime
	}
}

// NewPartner builds the partner a create body describes: omitted booleans
// are false and an omitted lastConnectionDateTime is ZeroTime. The id is the
// client's if it sent one, else a new GUID.
func NewPartner(p *PartnerPatch) *Partner {
	dst := &Partner{LastConnectionDateTime: ZeroTime}
	p.Apply(dst)
	if p.ID != nil {
		dst.ID = *p.ID
	} else {
		dst.ID = NewGUID()
	}
	return dst
}

// NewGUID returns a random (version 4) GUID in lower-case canonical form.
func NewGUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// NewETag returns a fresh opaque entity tag value (without quotes).
func NewETag() string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// IsGUID reports whether s is a GUID in the 8-4-4-4-12 hexadecimal form.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// CanonicalID returns a GUID in lower case, the form in which ids are stored,
// so that ids compare case-insensitively as Graph's do.
func CanonicalID(id string) string {
	return strings.ToLower(id)
}
