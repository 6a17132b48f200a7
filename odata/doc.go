// Package odata parses the OData system query options that Graph clients
// send on a collection ($select, $filter, $orderby, $top, $skip, $count,
// $skiptoken) into typed values. It knows nothing of HTTP or SQL: callers
// hand it the raw option values and a Schema of the entity's properties.
package odata
