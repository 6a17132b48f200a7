package sqlquery_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/temgraph/temgraph"
	"github.com/temgraph/temgraph/internal/sqlquery"
)

// sqliteDB is a partners table in a SQLite file.
type sqliteDB struct{ db *sql.DB }

// MustOpenSQLite creates the partners table in a new SQLite database.
func MustOpenSQLite(tb testing.TB) *sqliteDB {
	tb.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE partners (
		tenant TEXT NOT NULL,
		id TEXT NOT NULL,
		display_name TEXT,
		url TEXT,
		app_authorized INTEGER NOT NULL,
		enabled INTEGER NOT NULL,
		last_connection INTEGER NOT NULL,
		PRIMARY KEY (tenant, id))`)
	if err != nil {
		tb.Fatal(err)
	}
	return &sqliteDB{db: db}
}

func (s *sqliteDB) dialect() sqlquery.Dialect { return sqlquery.SQLite }

func (s *sqliteDB) insert(t testing.TB, tenant string, p partner) {
	t.Helper()
	_, err := s.db.Exec(`INSERT INTO partners VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tenant, p.id, p.name, p.url, p.app, p.enable, temgraph.Ticks(p.last))
	if err != nil {
		t.Fatal(err)
	}
}

func (s *sqliteDB) ids(t testing.TB, query string, args []any) []string {
	t.Helper()
	rows, err := s.db.Query(query, args...)
	if err != nil {
		t.Fatalf("query %.300s: %v", query, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestBuilder_SQLite(t *testing.T) {
	db := MustOpenSQLite(t)
	runDifferential(t, db, 1, 400)
}

func TestBuilder_SQLiteLimits(t *testing.T) {
	runLimits(t, MustOpenSQLite(t))
}
