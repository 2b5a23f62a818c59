package legacy

import (
	"strings"
	"testing"
)

// TestMigrations checks that each archive splits into the twelve files the
// stores had (versions 1 to 10, 13 and 14), none empty and none swallowing
// the next one's marker.
func TestMigrations(t *testing.T) {
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14}
	for _, store := range []string{"sqlite", "postgres"} {
		files, err := Migrations(store)
		if err != nil {
			t.Fatalf("Migrations(%q): %v", store, err)
		}
		if len(files) != len(want) {
			t.Fatalf("Migrations(%q) = %d files, want %d", store, len(files), len(want))
		}
		for i, f := range files {
			if f.Version != want[i] {
				t.Errorf("Migrations(%q)[%d].Version = %d, want %d", store, i, f.Version, want[i])
			}
			if !strings.Contains(f.SQL, "CREATE ") && !strings.Contains(f.SQL, "ALTER ") {
				t.Errorf("Migrations(%q): %s holds no DDL:\n%s", store, f.Name, f.SQL)
			}
			if strings.Contains(f.SQL, ".sql --") {
				t.Errorf("Migrations(%q): %s holds a file marker", store, f.Name)
			}
		}
	}
	if _, err := Migrations("mysql"); err == nil {
		t.Errorf(`Migrations("mysql") = nil error, want one`)
	}
}
