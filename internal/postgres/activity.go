package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

// RecordActivity implements keyward.ActivityLog: the upserts sent in one
// batch, in one transaction of the database's default isolation, retried
// on conflict. Replicas recording the same row at once keep the later time.
func (s *Store) RecordActivity(ctx context.Context, acts []keyward.Activity) error {
	return sqlcore.RecordActivity(dialect{}, acts, func(q string, rows [][]any) error {
		for _, args := range rows {
			if err := checkArgs(args); err != nil {
				return err
			}
		}
		return s.retry(ctx, func(ctx context.Context) error {
			return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
				b := &pgx.Batch{}
				for _, args := range rows {
					b.Queue(q, args...)
				}
				return tx.SendBatch(ctx, b).Close()
			})
		})
	})
}

// ListActivity implements keyward.ActivityLog.
func (s *Store) ListActivity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	return sqlcore.ListActivity(&conn{ctx: ctx, q: s.pool}, dialect{}, accountID)
}
