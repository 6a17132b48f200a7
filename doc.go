// Package temgraph holds the domain of the telecom expense management (TEM)
// partner service: the Partner entity and its validation, the error type
// whose codes are Microsoft Graph's error codes, and the storage contract
// that every backend implements.
//
// Adapters live in packages named after their technology (http, sqlite,
// postgres, auth); they import this package and never each other. The
// cmd/temgraph program wires them together.
package temgraph
