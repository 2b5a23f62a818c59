package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/sqlcore"
)

var _ keyward.ActivityLog = (*Store)(nil)

// RecordActivity implements keyward.ActivityLog: one upsert a row, sent in
// one batch, in one transaction of the database's default isolation,
// retried on conflict. Replicas recording the same row at once keep the
// later time.
func (s *Store) RecordActivity(ctx context.Context, acts []keyward.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	args := make([][]any, len(acts))
	for i, a := range acts {
		args[i] = sqlcore.ActivityArgs(a)
		if err := checkArgs(args[i]); err != nil {
			return err
		}
	}
	q := rebind(sqlcore.UpsertActivity)
	return s.retry(ctx, "record activity", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for _, a := range args {
				b.Queue(q, a...)
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
}

// ListActivity implements keyward.ActivityLog.
func (s *Store) ListActivity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	return sqlcore.ListActivity(&conn{ctx: ctx, q: s.pool}, dialect{}, accountID)
}
