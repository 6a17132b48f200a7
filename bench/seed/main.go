// Command seed fills one tenant of a temgraph SQLite database with many
// partners, straight into the file, for the benchmark's paging and memory
// runs. Create the schema first (temgraph migrate or temgraph token) and
// stop any server on the file. Partner n (1..count) has the id
// "%08x-0000-4000-8000-%012x" of n, so load scripts can name any of them.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/temgraph/temgraph"
)

// defaultTenant is the tenant of the tokens temgraph token prints by default.
const defaultTenant = "11111111-1111-4111-8111-111111111111"

func main() {
	db := flag.String("db", "", "SQLite file that temgraph has created")
	tenant := flag.String("tenant", defaultTenant, "tenant id (the token's tid)")
	count := flag.Int("n", 100000, "number of partners to insert")
	flag.Parse()
	if *db == "" || *count < 1 {
		fmt.Fprintln(os.Stderr, "usage: seed -db FILE [-tenant GUID] [-n COUNT]")
		os.Exit(2)
	}
	start := time.Now()
	if err := seed(context.Background(), *db, *tenant, *count); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
	fmt.Printf("seeded %d partners in tenant %s in %s\n", *count, *tenant, time.Since(start).Round(time.Millisecond))
}

// partnerID is the id seed gives partner n.
func partnerID(n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

// seed inserts count partners into tenant in one transaction.
func seed(ctx context.Context, file, tenant string, count int) error {
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("database file: %w (create it with temgraph migrate)", err)
	}
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() + "?_busy_timeout=10000&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer db.Close()

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO partners (tenant, id, display_name, url,
		app_authorized, enabled, last_connection, etag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert (is the schema there?): %w", err)
	}
	defer stmt.Close()

	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for n := 1; n <= count; n++ {
		last := temgraph.Ticks(base.Add(time.Duration(n) * time.Second))
		_, err := stmt.ExecContext(ctx, tenant, partnerID(n), fmt.Sprintf("Partner %d", n),
			fmt.Sprintf("https://tem%d.example", n), n%2 == 0, true, last, fmt.Sprintf("seed%d", n))
		if err != nil {
			return fmt.Errorf("insert partner %d: %w", n, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
