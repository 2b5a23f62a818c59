package sqlcore

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMigrations(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		files   []string
		want    []Migration
		wantErr bool
	}{
		{"in version order, not name order", []string{"migrations/0010_b.sql", "migrations/0002_a.sql", "migrations/0001_z.sql"},
			[]Migration{{1, "migrations/0001_z.sql"}, {2, "migrations/0002_a.sql"}, {10, "migrations/0010_b.sql"}}, false},
		{"other files ignored", []string{"migrations/0001_a.sql", "migrations/README", "other/0002_b.sql"},
			[]Migration{{1, "migrations/0001_a.sql"}}, false},
		{"none", nil, nil, false},
		{"no number", []string{"migrations/init.sql"}, nil, true},
		{"no underscore", []string{"migrations/0001.sql"}, nil, true},
		{"version zero", []string{"migrations/0000_a.sql"}, nil, true},
		{"one version twice", []string{"migrations/0001_a.sql", "migrations/001_b.sql"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys[f] = file
			}
			got, err := Migrations(fsys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Migrations(%q) error = %v, want error %v", tt.files, err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Migrations(%q) mismatch (-want +got):\n%s", tt.files, d)
			}
		})
	}
}
