package migration

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		fsys := fstest.MapFS{
			"m/0002_more.sql": {Data: []byte("B")},
			"m/0001_init.sql": {Data: []byte("A")},
			"m/README":        {Data: []byte("not a migration")},
		}
		got, err := Load(fsys, "m")
		if err != nil {
			t.Fatal(err)
		}
		want := []Migration{{1, "0001_init.sql", "A"}, {2, "0002_more.sql", "B"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Load mismatch (-want +got):\n%s", diff)
		}
		if v := Latest(got); v != 2 {
			t.Errorf("Latest=%d, want 2", v)
		}
	})
	for name, fsys := range map[string]fstest.MapFS{
		"ErrNoNumber":     {"m/init.sql": {Data: []byte("A")}},
		"ErrZero":         {"m/0000_init.sql": {Data: []byte("A")}},
		"ErrSameVersion":  {"m/0001_a.sql": {}, "m/01_b.sql": {}},
		"ErrNoMigrations": {},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(fsys, "m"); err == nil {
				t.Error("Load succeeded, want an error")
			}
		})
	}
}
