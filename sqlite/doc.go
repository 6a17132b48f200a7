// Package sqlite implements temgraph's storage contract on an embedded
// SQLite database file in WAL mode.
//
// Durability: every acknowledged write is on disk (synchronous=FULL). To get
// that at more than the disk's sync rate, all writes go through one writer
// goroutine that commits the writes queued at that moment in one
// transaction, so concurrent requests share one fsync (group commit). Each
// write is a single SQL statement, so it stays atomic on its own: a failed
// write leaves its row as it was while the others in the batch commit.
// Reads use a separate pool of read-only connections, which WAL lets run
// beside the writer.
package sqlite
