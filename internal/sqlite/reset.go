package sqlite

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotMemory is returned by Reset on a database kept in a file.
var ErrNotMemory = errors.New("sqlite: only an in-memory database can be reset")

// Reset empties an in-memory database, back to the state a fresh Open leaves
// it in (the schema stays). It is for test suites that share one server; a
// database in a file is never reset.
func (s *Store) Reset(ctx context.Context) error {
	if s.reader != s.writer {
		return ErrNotMemory
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Foreign keys cannot be switched inside a transaction; delete with
	// them deferred to the commit instead, when every table is empty.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q`, t)); err != nil {
			return fmt.Errorf("sqlite: reset %s: %w", t, err)
		}
	}
	return tx.Commit()
}
