package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/sqlcore"
	"github.com/keyward/keyward/internal/sqlcore/legacy"
	"github.com/keyward/keyward/storetest"
)

// legacySchema migrates the (empty) schema of dsn as the store did before
// its migrations moved to internal/sqlcore: the bookkeeping tables, then
// each old file in its own transaction with the row recording it.
// applied_at is version+1000, so that a row written again shows.
func legacySchema(t testing.TB, dsn string) {
	t.Helper()
	files, err := legacy.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	conn := connect(t, dsn)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS keyward_schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	);
	CREATE TABLE IF NOT EXISTS keyward_migrations_lock (
		id     INT PRIMARY KEY,
		holder TEXT NOT NULL
	)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, f.SQL); err != nil {
				return fmt.Errorf("old migration %s: %w", f.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO keyward_schema_migrations (version, applied_at) VALUES ($1, $2)`, f.Version, f.Version+1000)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgSchema is what the catalogs say of one schema's tables, with the
// schema's name taken out (each test has its own).
type pgSchema struct {
	Columns     []string // information_schema.columns
	Indexes     []string // pg_indexes
	Constraints []string // pg_constraint, as pg_get_constraintdef writes them
}

func readPGSchema(t testing.TB, dsn string) pgSchema {
	t.Helper()
	conn := connect(t, dsn)
	var name string
	if err := conn.QueryRow(t.Context(), `SELECT current_schema()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	rows := func(q string) []string {
		out := pgRows(t, conn, q, name)
		for i := range out {
			out[i] = strings.ReplaceAll(out[i], name+".", "")
		}
		return out
	}
	return pgSchema{
		Columns: rows(`SELECT concat_ws('|', table_name, ordinal_position, column_name, data_type, is_nullable,
			COALESCE(column_default, 'NULL'), COALESCE(character_maximum_length, -1), COALESCE(numeric_precision, -1))
			FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`),
		Indexes: rows(`SELECT concat_ws('|', tablename, indexname, indexdef) FROM pg_indexes
			WHERE schemaname = $1 ORDER BY tablename, indexname`),
		Constraints: rows(`SELECT concat_ws('|', c.conrelid::regclass, c.conname, c.contype, pg_get_constraintdef(c.oid))
			FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
			WHERE n.nspname = $1 ORDER BY c.conrelid::regclass::text, c.conname`),
	}
}

// pgRows returns the text column of q's rows.
func pgRows(t testing.TB, conn *pgx.Conn, q string, args ...any) []string {
	t.Helper()
	rows, _ := conn.Query(t.Context(), q, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// TestMigrations_SameSchemaAsLegacy migrates one fresh schema with the old
// files (then the store adds the newer ones) and opens the store on another: columns (type, nullability,
// default), indexes and constraints must be the same.
func TestMigrations_SameSchemaAsLegacy(t *testing.T) {
	old, fresh := pgtest.DSN(t), pgtest.DSN(t)
	legacySchema(t, old)
	// The migrations written since the old files (0015 on) come from the
	// store, on both sides.
	for _, dsn := range []string{old, fresh} {
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		s.Close()
	}

	want, got := readPGSchema(t, old), readPGSchema(t, fresh)
	if len(want.Columns) < 200 || len(want.Indexes) < 40 || len(want.Constraints) < 40 {
		t.Fatalf("the old schema has %d columns, %d indexes, %d constraints: read too little to prove anything",
			len(want.Columns), len(want.Indexes), len(want.Constraints))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("schema from sqlcore's migrations differs from the old files' (-old +new):\n%s", d)
	}

	// The comparison sees a change: a default.
	if _, err := connect(t, fresh).Exec(t.Context(), `ALTER TABLE users ALTER COLUMN path SET DEFAULT '/'`); err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(want, readPGSchema(t, fresh)) {
		t.Errorf("a default set in the new schema went unseen")
	}
}

// TestOpen_LegacyDatabase opens a schema migrated by the old files: Open
// records no old version again, applies only the migrations written since
// (0015 on) and leaves the old schema as it was; a second Open applies
// nothing. (TestStore_LegacyDatabase shows the store works on it.)
func TestOpen_LegacyDatabase(t *testing.T) {
	dsn := pgtest.DSN(t)
	legacySchema(t, dsn)
	before := readPGSchema(t, dsn)
	conn := connect(t, dsn)
	versions := `SELECT concat_ws('|', version, applied_at) FROM keyward_schema_migrations ORDER BY version`
	recorded := pgRows(t, conn, versions)
	if len(recorded) != 12 {
		t.Fatalf("the old files recorded %d versions, want 12", len(recorded))
	}

	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open of the old schema: %v", err)
	}
	defer s.Close()
	// Only the migrations written since the old files' 14 are applied.
	newer := 0
	all, err := sqlcore.Migrations(dialect{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version > 14 {
			newer++
		}
	}
	if s.applied != newer {
		t.Errorf("Open of the old schema applied %d migrations, want %d (those after 14)", s.applied, newer)
	}
	after := pgRows(t, conn, versions)
	if len(after) != len(recorded)+newer {
		t.Fatalf("keyward_schema_migrations has %d rows after Open, want %d", len(after), len(recorded)+newer)
	}
	if d := cmp.Diff(recorded, after[:len(recorded)]); d != "" {
		t.Errorf("the old files' keyward_schema_migrations rows changed on Open (-before +after):\n%s", d)
	}
	// The old files' columns and constraints are untouched (0015 adds a
	// table, its constraint, and indexes).
	got := readPGSchema(t, dsn)
	for _, c := range before.Columns {
		if !slices.Contains(got.Columns, c) {
			t.Errorf("column %s changed on Open", c)
		}
	}
	for _, c := range before.Constraints {
		if !slices.Contains(got.Constraints, c) {
			t.Errorf("constraint %s changed on Open", c)
		}
	}
	for _, ix := range before.Indexes {
		if !slices.Contains(got.Indexes, ix) {
			t.Errorf("index %s changed on Open", ix)
		}
	}
	s.Close()
	s, err = Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if s.applied != 0 {
		t.Errorf("second Open applied %d migrations, want 0", s.applied)
	}
	if d := cmp.Diff(got, readPGSchema(t, dsn)); d != "" {
		t.Errorf("schema changed on a second Open (-before +after):\n%s", d)
	}
}

// TestStore_LegacyDatabase runs the store suite on schemas migrated by the
// old files.
func TestStore_LegacyDatabase(t *testing.T) {
	pgtest.DSN(t) // skips without a database
	storetest.Run(t, func(t *testing.T) keyward.Store {
		dsn := pgtest.DSN(t)
		legacySchema(t, dsn)
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
