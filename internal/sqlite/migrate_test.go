package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
// migration files, then lets the store add the migrations written since
// (0015 on), and opens another, empty, with the store: every table, column
// (type, NOT NULL, default, key), index, foreign key and CREATE statement
// must be the same.
func TestMigrations_SameSchemaAsLegacy(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	legacyDB(t, old)
	openFile(t, old).Close()
	openFile(t, fresh).Close()

	want, got := readSchema(t, old), readSchema(t, fresh)
	if len(want.Columns) < 30 || len(want.Indexes) < 20 {
		t.Fatalf("the old schema has %d tables and %d with indexes: read too little to prove anything", len(want.Columns), len(want.Indexes))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("schema from sqlcore's migrations differs from the old files' (-old +new):\n%s", d)
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
// records no old version again and applies only the migrations written
// since the old files (0015 on); the old files' schema stays as it was,
// and a second Open changes nothing. (TestStore_LegacyDatabase shows the
// store works on it.)
func TestOpen_LegacyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	legacyDB(t, path)
	before := readSchema(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	versions := `SELECT version, applied_at FROM schema_migrations ORDER BY version`
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
		t.Fatalf("schema_migrations has %d rows after Open, want the old files' %d and more", len(after), len(recorded))
	}
	if d := cmp.Diff(recorded, after[:len(recorded)]); d != "" {
		t.Errorf("the old files' schema_migrations rows changed on Open (-before +after):\n%s", d)
	}
	for _, r := range after[len(recorded):] {
		if v, _, _ := strings.Cut(r, "|"); atoi(v) <= 14 {
			t.Errorf("Open applied version %s, want only versions after the old files' 14", v)
		}
	}
	// What the old files made is untouched: every old table, column and
	// index is as it was.
	got := readSchema(t, path)
	for table, cols := range before.Columns {
		if d := cmp.Diff(cols, got.Columns[table]); d != "" {
			t.Errorf("table %s changed on Open (-before +after):\n%s", table, d)
		}
		// 0015 adds an index to accounts; the rest are the old files'.
		kept := slices.DeleteFunc(slices.Clone(got.Indexes[table]), func(ix string) bool {
			return strings.HasPrefix(ix, "accounts_outbound_issuer|")
		})
		if d := cmp.Diff(before.Indexes[table], kept); d != "" {
			t.Errorf("indexes of %s changed on Open (-before +after):\n%s", table, d)
		}
	}
	// A second Open applies nothing.
	s, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(after, rowsOf(t, db, versions)); d != "" {
		t.Errorf("schema_migrations changed on a second Open (-before +after):\n%s", d)
	}
	if d := cmp.Diff(got, readSchema(t, path)); d != "" {
		t.Errorf("schema changed on a second Open (-before +after):\n%s", d)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
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
