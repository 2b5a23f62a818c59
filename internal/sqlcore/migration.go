package sqlcore

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// MigrationFS holds the schema of both stores, as written: the files
// migrations/NNNN_what.sql, with a word in double braces wherever the
// databases differ. Migrations renders them for one database.
//
//go:embed migrations/*.sql
var MigrationFS embed.FS

// Migration is one numbered change of a store's schema, rendered in its
// database's SQL.
type Migration struct {
	Version int
	Name    string // the file's, e.g. 0001_init.sql
	SQL     string
}

// The databases migrations are rendered for, by their Dialect's Name.
const (
	sqliteName   = "sqlite"
	postgresName = "postgres"
)

// word is what a token stands for in each database.
type word struct{ sqlite, postgres string }

func (w word) in(dialect string) string {
	if dialect == sqliteName {
		return w.sqlite
	}
	return w.postgres
}

// words are the tokens a migration may use, {{name}}, for what the two
// databases spell differently. SQLite stores integers and booleans as
// INTEGER (and INTEGER PRIMARY KEY is its rowid); PostgreSQL has sized
// integers, BOOLEAN and BYTEA, and reads an x-prefixed literal as a bit
// string, not bytes.
var words = map[string]word{
	"int32":   {"INTEGER", "INT"},
	"int64":   {"INTEGER", "BIGINT"},
	"bool":    {"INTEGER", "BOOLEAN"},
	"false":   {"0", "FALSE"},
	"true":    {"1", "TRUE"},
	"bytes":   {"BLOB", "BYTEA"},
	"nobytes": {"x''", "''::bytea"}, // the empty byte string, as a default
}

// onlyPrefix starts a line that one database runs and the other must not:
// "{{only sqlite}} CREATE INDEX ...". Keep such lines rare, each with a
// comment saying why: the point of one source is one schema.
const onlyPrefix = "{{only "

// Migrations returns the migrations rendered in d's SQL, in version order.
// A file name not of the form NNNN_what.sql, two files of one version, a
// token no database defines, or a Dialect no migration is rendered for is
// an error: the build carries them, so it is the developer's.
func Migrations(d Dialect) ([]Migration, error) {
	return migrations(MigrationFS, d.Name())
}

func migrations(fsys fs.FS, dialect string) ([]Migration, error) {
	if dialect != sqliteName && dialect != postgresName {
		return nil, fmt.Errorf("migrations: no schema for dialect %q", dialect)
	}
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", base)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s have one version", other, base)
		}
		seen[v] = base
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		sql, err := render(string(src), dialect)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		ms = append(ms, Migration{v, base, sql})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// render replaces each {{token}} of src with its word in dialect, keeps
// the lines marked {{only dialect}} (without the mark) and drops those
// marked for the other database. Braces that are not a known token, in SQL
// or in a comment, are an error: a typo must not reach a database.
func render(src, dialect string) (string, error) {
	var b strings.Builder
	for i, line := range strings.SplitAfter(src, "\n") {
		if rest, ok := strings.CutPrefix(line, onlyPrefix); ok {
			only, body, ok := strings.Cut(rest, "}}")
			if !ok || (only != sqliteName && only != postgresName) {
				return "", fmt.Errorf("line %d: %q: want {{only sqlite}} or {{only postgres}}", i+1, strings.TrimSpace(line))
			}
			if only != dialect {
				continue
			}
			line = strings.TrimPrefix(body, " ")
		}
		for rest := line; ; {
			text, token, found := strings.Cut(rest, "{{")
			if strings.Contains(text, "}}") {
				return "", fmt.Errorf("line %d: stray }} in %q", i+1, strings.TrimSpace(line))
			}
			b.WriteString(text)
			if !found {
				break
			}
			name, after, closed := strings.Cut(token, "}}")
			w, known := words[name]
			if !closed || !known {
				return "", fmt.Errorf("line %d: unknown token in %q", i+1, strings.TrimSpace(line))
			}
			b.WriteString(w.in(dialect))
			rest = after
		}
	}
	return b.String(), nil
}
