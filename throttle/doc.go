// Package throttle limits request rates per tenant and per application
// within a tenant, the way Microsoft Graph throttles the Intune telecom
// expense management API.
//
// Each key (a tenant, or a tenant and an application) has two buckets: one
// for writes (POST, PUT, PATCH, DELETE) and one for all requests. A write
// must pass both its write buckets and both its all-requests buckets; a read
// passes only the all-requests buckets, so writes can never use up the
// budget of reads beyond their own, smaller limit.
//
// The buckets follow the generic cell rate algorithm (GCRA), an exact
// token bucket that keeps one timestamp per bucket: a bucket with limit N
// per window W holds at most N tokens and earns one back every W/N. A key
// whose buckets are full again carries no information and is dropped, so
// memory follows the keys active within the last window, bounded by
// Config.MaxKeys.
package throttle
