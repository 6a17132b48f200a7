package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runMigrate applies pending migrations to --db and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", defaultDB, "database: a SQLite path or file: URL, or a postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs); err != nil {
		return err
	}
	store, err := openStore(ctx, *db, false)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(stdout, "database %s is at schema version %d\n", redactDSN(*db), schemaVersion(*db))
	return nil
}
