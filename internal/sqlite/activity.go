package sqlite

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

// RecordActivity implements keyward.ActivityLog, in one transaction on the
// writer connection.
func (s *Store) RecordActivity(ctx context.Context, acts []keyward.Activity) error {
	return sqlcore.RecordActivity(dialect{}, acts, func(q string, rows [][]any) error {
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, args := range rows {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}

// ListActivity implements keyward.ActivityLog.
func (s *Store) ListActivity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	return sqlcore.ListActivity(&conn{ctx: ctx, q: s.reader}, dialect{}, accountID)
}
