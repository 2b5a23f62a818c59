package sqlite

import (
	"context"
	"fmt"

	"github.com/keyward/keyward/internal/sqlcore"
)

// Generation implements keyward.Generations: two processes on one database
// file are replicas too.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	return sqlcore.Generation(&conn{ctx: ctx, q: s.reader}, dialect{})
}

// BumpGeneration implements keyward.Generations, in a transaction of its
// own on the writer connection.
func (s *Store) BumpGeneration(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, sqlcore.BumpGeneration); err != nil {
		return fmt.Errorf("sqlite: bump generation: %w", err)
	}
	return nil
}
