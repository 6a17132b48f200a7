// Package sqlite implements temgraph's storage contract on an embedded
// SQLite database file in WAL mode.
//
// Durability: every acknowledged write is on disk (synchronous=FULL). To get
// that at more than the disk's sync rate, writes share one connection and
// one commit: the first write that finds no commit under way leads, commits
// every write queued by then in one transaction, and passes the lead to the
// oldest write that queued meanwhile, so concurrent requests share one fsync
// (group commit). Each write is a single SQL statement, so it stays atomic
// on its own: a failed write leaves its row as it was while the others in
// the batch commit. Reads use a separate pool of read-only connections,
// which WAL lets run beside the writer.
//
// The serving process opens the file with OpenExclusive, which locks it
// against a second server and keeps recently used partners in memory.
package sqlite
