// Package sqlquery translates parsed OData query options into SQL for the
// storage backends: a WHERE condition for $filter, an ORDER BY list made
// total by the key, and a keyset condition that starts a page strictly
// after a given row. It writes SQLite and PostgreSQL.
//
// Every value from a query is a bind parameter; column names come from the
// caller. The SQL gives the same answers as odata.Eval: every condition is
// TRUE or FALSE, never NULL, so that NOT works as the client expects;
// strings compare bytewise on both databases; nulls sort first in
// ascending order and last in descending order.
package sqlquery
