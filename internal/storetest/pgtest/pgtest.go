// Package pgtest gives tests a fresh PostgreSQL database on the server
// named by TEMGRAPH_TEST_POSTGRES (scripts/pg-test.sh starts one), and skips
// them when the variable is not set.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/temgraph/temgraph"
)

// EnvVar names the connection string of a server on which tests may create
// and drop databases.
const EnvVar = "TEMGRAPH_TEST_POSTGRES"

// SkipMessage is why PostgreSQL tests are skipped without EnvVar.
const SkipMessage = "set TEMGRAPH_TEST_POSTGRES=postgres://... to run the PostgreSQL suite " +
	"(scripts/pg-test.sh start prints one)"

// ServerDSN returns EnvVar's value, skipping the test when it is unset.
func ServerDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvVar)
	if dsn == "" {
		tb.Skip(SkipMessage)
	}
	return dsn
}

// NewDatabase creates an empty database on the test server, drops it when
// the test ends, and returns its connection string. It skips the test when
// EnvVar is unset.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := ServerDSN(tb)
	name := "temgraph_test_" + strings.ReplaceAll(temgraph.NewGUID(), "-", "")
	admin(tb, server, "CREATE DATABASE "+name)
	tb.Cleanup(func() { admin(tb, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	dsn, err := WithDatabase(server, name)
	if err != nil {
		tb.Fatalf("%s: %v", EnvVar, err)
	}
	return dsn
}

// WithDatabase returns the postgres:// URL dsn with its database replaced.
func WithDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("want a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// admin runs one statement on the server's own database.
func admin(tb testing.TB, server, stmt string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}
