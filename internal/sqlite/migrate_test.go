package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore/legacy"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/storetest"
)

// legacyDB builds, at path, a database as the store wrote it before its
// migrations moved to internal/sqlcore: schema_migrations, then each old
// file in its own transaction with the row recording it. applied_at is
// version+1000, so that a row written again shows.
func legacyDB(t testing.TB, path string) {
	t.Helper()
	files, err := legacy.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(f.SQL); err != nil {
			t.Fatalf("old migration %s: %v", f.Name, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, f.Version, f.Version+1000); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// schema is what SQLite knows of a database's tables and indexes.
type schema struct {
	Master  []string            // sqlite_master: type, name, table, normalized SQL
	Columns map[string][]string // table: PRAGMA table_xinfo, one row a column
	Indexes map[string][]string // table: PRAGMA index_list, and each index's index_xinfo
	Foreign map[string][]string // table: PRAGMA foreign_key_list
}

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	space      = regexp.MustCompile(`\s+`)
	punctSpace = regexp.MustCompile(` ?([(),]) ?`)
)

// normalizeSQL drops comments and the layout of a CREATE statement, which
// SQLite keeps as written: what remains is the statement.
func normalizeSQL(q string) string {
	q = sqlComment.ReplaceAllString(q, "")
	q = space.ReplaceAllString(q, " ")
	return strings.TrimSpace(punctSpace.ReplaceAllString(q, "$1"))
}

func readSchema(t testing.TB, path string) schema {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := schema{Columns: map[string][]string{}, Indexes: map[string][]string{}, Foreign: map[string][]string{}}
	s.Master = rowsOf(t, db, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	for i, m := range s.Master {
		f := strings.SplitN(m, "|", 4)
		f[3] = normalizeSQL(f[3])
		s.Master[i] = strings.Join(f, "|")
	}
	for _, table := range rowsOf(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`) {
		s.Columns[table] = rowsOf(t, db, `SELECT cid, name, type, "notnull", COALESCE(dflt_value, 'NULL'), pk, hidden FROM pragma_table_xinfo(?)`, table)
		s.Foreign[table] = rowsOf(t, db, `SELECT id, seq, "table", "from", COALESCE("to", 'NULL'), on_update, on_delete, "match" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
		indexes := rowsOf(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name`, table)
		for _, ix := range indexes {
			name, _, _ := strings.Cut(ix, "|")
			for _, col := range rowsOf(t, db, `SELECT seqno, cid, COALESCE(name, 'NULL'), "desc", coll, "key" FROM pragma_index_xinfo(?)`, name) {
				s.Indexes[table] = append(s.Indexes[table], ix+" "+col)
			}
		}
	}
	return s
}

// rowsOf returns q's rows, each as its columns joined with "|".
func rowsOf(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrations_SameSchemaAsLegacy builds one database with the old
// migration files and opens it with the store, which applies only the
// migrations written after them, and opens another, empty: every table,
// column (type, NOT NULL, default, key), index, foreign key and CREATE
// statement must be the same. So sqlcore's files up to the old files' last
// version say what the old files said, and the later ones apply on top of
// a database the old store wrote.
func TestMigrations_SameSchemaAsLegacy(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	legacyDB(t, old)
	if l := readSchema(t, old); len(l.Columns) < 30 || len(l.Indexes) < 20 {
		t.Fatalf("the old schema has %d tables and %d with indexes: read too little to prove anything", len(l.Columns), len(l.Indexes))
	}
	openFile(t, old).Close()
	openFile(t, fresh).Close()

	want, got := readSchema(t, old), readSchema(t, fresh)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("schema from sqlcore's migrations differs from the old files' and the later ones' (-old +new):\n%s", d)
	}

	// The comparison sees a change: one more index.
	db, err := sql.Open("sqlite", fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE INDEX drift ON users (path)`); err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(want, readSchema(t, fresh)) {
		t.Errorf("an index added to the new database went unseen")
	}
}

// TestOpen_LegacyDatabase opens a database migrated by the old files: Open
// runs none of them again (their rows in schema_migrations stay as written)
// and records exactly the versions a fresh database has beyond them.
// (TestStore_LegacyDatabase shows the store works on it.)
func TestOpen_LegacyDatabase(t *testing.T) {
	dir := t.TempDir()
	path, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	legacyDB(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const versions = `SELECT version, applied_at FROM schema_migrations ORDER BY version`
	recorded := rowsOf(t, db, versions)
	if len(recorded) != 12 {
		t.Fatalf("the old files recorded %d versions, want 12", len(recorded))
	}

	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open of the old database: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after := rowsOf(t, db, versions)
	if len(after) < len(recorded) {
		t.Fatalf("schema_migrations lost rows on Open: %v", after)
	}
	if d := cmp.Diff(recorded, after[:len(recorded)]); d != "" {
		t.Errorf("the old files' rows in schema_migrations changed on Open (-before +after):\n%s", d)
	}

	openFile(t, fresh).Close()
	fdb, err := sql.Open("sqlite", fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer fdb.Close()
	const numbers = `SELECT version FROM schema_migrations ORDER BY version`
	if d := cmp.Diff(rowsOf(t, fdb, numbers), rowsOf(t, db, numbers)); d != "" {
		t.Errorf("versions recorded: a fresh database and the old one opened differ (-fresh +old):\n%s", d)
	}
}

// TestStore_LegacyDatabase runs the store suite on databases built by the
// old migration files.
func TestStore_LegacyDatabase(t *testing.T) {
	storetest.Run(t, func(t *testing.T) keyward.Store {
		path := filepath.Join(t.TempDir(), "old.db")
		legacyDB(t, path)
		return openFile(t, path)
	})
}
