package sqlcore

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMigrations_Files(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		files   []string
		want    []Migration
		wantErr bool
	}{
		{"in version order, not name order", []string{"migrations/0010_b.sql", "migrations/0002_a.sql", "migrations/0001_z.sql"},
			[]Migration{{1, "0001_z.sql", "SELECT 1;"}, {2, "0002_a.sql", "SELECT 1;"}, {10, "0010_b.sql", "SELECT 1;"}}, false},
		{"other files ignored", []string{"migrations/0001_a.sql", "migrations/README", "other/0002_b.sql"},
			[]Migration{{1, "0001_a.sql", "SELECT 1;"}}, false},
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
			got, err := migrations(fsys, sqliteName)
			if (err != nil) != tt.wantErr {
				t.Fatalf("migrations(%q) error = %v, want error %v", tt.files, err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("migrations(%q) mismatch (-want +got):\n%s", tt.files, d)
			}
		})
	}
}

func TestMigrations_UnknownDialect(t *testing.T) {
	fsys := fstest.MapFS{"migrations/0001_a.sql": {Data: []byte("SELECT 1;")}}
	for _, name := range []string{"", "mysql", "SQLite"} {
		if ms, err := migrations(fsys, name); err == nil {
			t.Errorf("migrations(%q) = %d migrations, want an error", name, len(ms))
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name         string
		src          string
		sqlite, pg   string
		wantErrMatch string // both dialects fail with it
	}{
		{name: "types",
			src:    "a {{int64}}, b {{bool}} NOT NULL DEFAULT {{false}}, c {{bytes}} DEFAULT {{nobytes}}, d {{int32}}\n",
			sqlite: "a INTEGER, b INTEGER NOT NULL DEFAULT 0, c BLOB DEFAULT x'', d INTEGER\n",
			pg:     "a BIGINT, b BOOLEAN NOT NULL DEFAULT FALSE, c BYTEA DEFAULT ''::bytea, d INT\n"},
		{name: "no tokens, no final newline",
			src: "SELECT 1;", sqlite: "SELECT 1;", pg: "SELECT 1;"},
		{name: "dialect-only lines",
			src:    "A;\n{{only sqlite}} B {{int64}};\n{{only postgres}} C {{int64}};\nD;\n",
			sqlite: "A;\nB INTEGER;\nD;\n",
			pg:     "A;\nC BIGINT;\nD;\n"},
		{name: "dialect-only last line",
			src: "A;\n{{only postgres}} C;", sqlite: "A;\n", pg: "A;\nC;"},
		{name: "unknown token", src: "a {{int}}\n", wantErrMatch: "line 1: unknown token"},
		{name: "token in a comment", src: "-- {{tokens}}\n", wantErrMatch: "line 1: unknown token"},
		{name: "token not closed", src: "a\nb {{int64\n", wantErrMatch: "line 2: unknown token"},
		{name: "stray closing braces", src: "a }} {{int64}}\n", wantErrMatch: "line 1: stray }}"},
		{name: "stray closing braces after a token", src: "a {{int64}} }}\n", wantErrMatch: "line 1: stray }}"},
		{name: "upper-case token", src: "a {{INT64}}\n", wantErrMatch: "unknown token"},
		{name: "only for an unknown database", src: "{{only mysql}} A;\n", wantErrMatch: "line 1: \"{{only mysql}} A;\": want"},
		{name: "only not closed", src: "{{only sqlite A;\n", wantErrMatch: "want {{only sqlite}}"},
		{name: "only in the middle of a line", src: "A {{only sqlite}} B;\n", wantErrMatch: "unknown token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for dialect, want := range map[string]string{sqliteName: tt.sqlite, postgresName: tt.pg} {
				got, err := render(tt.src, dialect)
				if tt.wantErrMatch != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErrMatch) {
						t.Errorf("render(%q, %s) = %q, %v; want an error containing %q", tt.src, dialect, got, err, tt.wantErrMatch)
					}
					continue
				}
				if err != nil || got != want {
					t.Errorf("render(%q, %s) = %q, %v; want %q", tt.src, dialect, got, err, want)
				}
			}
		})
	}
}

// TestMigrations_Embedded renders the real migrations for each database:
// every token is known (or rendering fails), none is left, every word of
// the table is used, and both databases get the same versions.
func TestMigrations_Embedded(t *testing.T) {
	wantVersions := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15}
	for _, dialect := range []string{sqliteName, postgresName} {
		ms, err := migrations(MigrationFS, dialect)
		if err != nil {
			t.Fatalf("migrations(MigrationFS, %s): %v", dialect, err)
		}
		var versions []int
		for _, m := range ms {
			versions = append(versions, m.Version)
			if strings.Contains(m.SQL, "{{") || strings.Contains(m.SQL, "}}") {
				t.Errorf("migration %s for %s still holds braces:\n%s", m.Name, dialect, m.SQL)
			}
			if strings.TrimSpace(m.SQL) == "" {
				t.Errorf("migration %s for %s is empty", m.Name, dialect)
			}
		}
		// Versions already recorded in databases must keep their numbers;
		// later ones come after them.
		if len(versions) < len(wantVersions) {
			t.Fatalf("versions for %s: %v, want %v first", dialect, versions, wantVersions)
		}
		if d := cmp.Diff(wantVersions, versions[:len(wantVersions)]); d != "" {
			t.Errorf("versions for %s (-want +got):\n%s", dialect, d)
		}
		for _, v := range versions[len(wantVersions):] {
			if v <= wantVersions[len(wantVersions)-1] {
				t.Errorf("versions for %s: %d is new but numbered among the recorded ones %v", dialect, v, wantVersions)
			}
		}
	}

	used := map[string]bool{}
	token := regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	err := fs.WalkDir(MigrationFS, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(MigrationFS, p)
		for _, m := range token.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range words {
		if !used[name] {
			t.Errorf("token {{%s}} is in the table but no migration uses it", name)
		}
	}
}
