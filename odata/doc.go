// Package odata parses the OData system query options that Graph clients
// send on a collection ($select, $filter, $orderby, $top, $skip, $count,
// $skiptoken) into typed values. It knows nothing of HTTP or SQL: callers
// hand it the raw option values and a Schema of the entity's properties.
//
// ParseQuery reads all options of a request at once; ParseFilter,
// ParseOrderBy, ParseSelect, ParseTop, ParseSkip and ParseCount read one
// each. Every mistake in client input is returned as an *Error whose
// message can be shown to the client. Eval evaluates a parsed filter in Go
// with the same null and ordering rules as the SQL the storage backends
// run, so that tests can check one against the other.
package odata
