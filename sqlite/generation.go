package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/keyward/keyward"
)

var _ keyward.Generations = (*Store)(nil)

// Generation implements keyward.Generations: two processes on one database
// file are replicas too.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	var v int64
	err := s.reader.QueryRowContext(ctx, `SELECT value FROM keyward_generation WHERE id = 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // emptied by Reset
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: read generation: %w", err)
	}
	return uint64(v), nil
}

// BumpGeneration implements keyward.Generations, in a transaction of its
// own on the writer connection.
func (s *Store) BumpGeneration(ctx context.Context) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO keyward_generation (id, value) VALUES (1, 1)
		ON CONFLICT (id) DO UPDATE SET value = value + 1`)
	if err != nil {
		return fmt.Errorf("sqlite: bump generation: %w", err)
	}
	return nil
}
