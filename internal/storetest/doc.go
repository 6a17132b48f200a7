// Package storetest is the storage contract suite: one set of tests that
// every temgraph.Store implementation must pass, run by each backend's own
// tests (SQLite always, PostgreSQL when a server is available). A backend
// that passes it behaves the same as every other one, down to its error
// codes and messages.
package storetest
