package sqlquery_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/sqlquery"
)

// postgresDB is a partners table in a PostgreSQL session. Its text columns
// use the database's default collation, so that the tests show the SQL
// does not depend on it.
type postgresDB struct{ conn *pgx.Conn }

// MustOpenPostgres connects to the database named by TEMGRAPH_TEST_POSTGRES
// and creates a temporary partners table, or skips the test.
func MustOpenPostgres(tb testing.TB) *postgresDB {
	tb.Helper()
	dsn := os.Getenv("TEMGRAPH_TEST_POSTGRES")
	if dsn == "" {
		tb.Skip("set TEMGRAPH_TEST_POSTGRES to a PostgreSQL connection string to run this test")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(ctx) })
	_, err = conn.Exec(ctx, `CREATE TEMPORARY TABLE partners (
		tenant TEXT NOT NULL,
		id TEXT NOT NULL,
		display_name TEXT,
		url TEXT,
		app_authorized BOOLEAN NOT NULL,
		enabled BOOLEAN NOT NULL,
		last_connection BIGINT NOT NULL,
		PRIMARY KEY (tenant, id))`)
	if err != nil {
		tb.Fatal(err)
	}
	return &postgresDB{conn: conn}
}

func (p *postgresDB) dialect() sqlquery.Dialect { return sqlquery.Postgres }

func (p *postgresDB) insert(t testing.TB, tenant string, r partner) {
	t.Helper()
	_, err := p.conn.Exec(context.Background(), `INSERT INTO partners VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		tenant, r.id, r.name, r.url, r.app, r.enable, temgraph.Ticks(r.last))
	if err != nil {
		t.Fatal(err)
	}
}

func (p *postgresDB) ids(t testing.TB, query string, args []any) []string {
	t.Helper()
	rows, err := p.conn.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("query %.300s: %v", query, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("query %.300s: %v", query, err)
	}
	if len(ids) == 0 {
		return nil
	}
	return ids
}

func TestBuilder_Postgres(t *testing.T) {
	runDifferential(t, MustOpenPostgres(t), 2, 300)
}

func TestBuilder_PostgresLimits(t *testing.T) {
	runLimits(t, MustOpenPostgres(t))
}
