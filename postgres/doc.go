// Package postgres implements temgraph's storage contract on PostgreSQL, so
// that any number of stateless temgraph processes can serve one database.
//
// Every write is a single SQL statement run in its own transaction: an
// update merges the properties a request carries inside the UPDATE itself,
// so concurrent updates of one partner, from any process, never lose each
// other's changes. PostgreSQL's row lock orders them and each sees the row
// its predecessor committed. Once started, a write runs to its commit or its
// error even if the caller's context is cancelled, bounded by a timeout.
//
// Every key and index of tenant data leads with the tenant and no statement
// touches more than one tenant, so the schema can move to a distributed
// PostgreSQL-compatible engine sharded by tenant. docs/scaling.md lists the
// statements such an engine must support.
//
// The connection pool is configured through the connection string: pgx's
// pool_max_conns, pool_min_conns, pool_max_conn_lifetime,
// pool_max_conn_idle_time and pool_health_check_period query parameters
// are honoured, for example
// postgres://temgraph@db:5432/temgraph?sslmode=verify-full&pool_max_conns=20.
package postgres
