//go:build !unix

package sqlite

import "os"

// lockExclusive does nothing where flock is not available: there,
// OpenExclusive trusts the operator to run one server per file.
func lockExclusive(*os.File) error { return nil }
