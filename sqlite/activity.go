package sqlite

import (
	"context"
	"fmt"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var _ keyward.ActivityLog = (*Store)(nil)

// RecordActivity implements keyward.ActivityLog, in one transaction on the
// writer connection.
func (s *Store) RecordActivity(ctx context.Context, acts []keyward.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: record activity: %w", err)
	}
	defer tx.Rollback()
	for _, a := range acts {
		if _, err := tx.ExecContext(ctx, sqlcore.UpsertActivity, sqlcore.ActivityArgs(a)...); err != nil {
			return fmt.Errorf("sqlite: record activity: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: record activity: %w", err)
	}
	return nil
}

// ListActivity implements keyward.ActivityLog.
func (s *Store) ListActivity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	return sqlcore.ListActivity(&conn{ctx: ctx, q: s.reader}, dialect{}, accountID)
}
