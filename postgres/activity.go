package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/keyward/keyward"
)

var _ keyward.ActivityLog = (*Store)(nil)

// RecordActivity implements keyward.ActivityLog: one upsert a row, in one
// transaction of the database's default isolation, retried on conflict.
// Replicas recording the same row at once keep the later time.
func (s *Store) RecordActivity(ctx context.Context, acts []keyward.Activity) error {
	if len(acts) == 0 {
		return nil
	}
	for _, a := range acts {
		if err := checkArgs([]any{a.AccountID, a.Principal, a.Service, a.Action, a.Region}); err != nil {
			return err
		}
	}
	return s.retry(ctx, "record activity", func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for _, a := range acts {
				b.Queue(`INSERT INTO activity (account_id, principal, service, action, region, used_at)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (account_id, principal, service, action) DO UPDATE
					SET region = excluded.region, used_at = excluded.used_at
					WHERE excluded.used_at > activity.used_at`,
					a.AccountID, a.Principal, a.Service, a.Action, a.Region, a.Time.Unix())
			}
			return tx.SendBatch(ctx, b).Close()
		})
	})
}

// ListActivity implements keyward.ActivityLog, sorted in byte order as the
// SQLite store sorts.
func (s *Store) ListActivity(ctx context.Context, accountID string) ([]keyward.Activity, error) {
	rows, err := s.pool.Query(ctx, `SELECT principal, service, action, region, used_at FROM activity
		WHERE account_id = $1 ORDER BY principal COLLATE "C", service COLLATE "C", action COLLATE "C"`, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list activity: %w", err)
	}
	defer rows.Close()
	var out []keyward.Activity
	for rows.Next() {
		a := keyward.Activity{AccountID: accountID}
		var at int64
		if err := rows.Scan(&a.Principal, &a.Service, &a.Action, &a.Region, &at); err != nil {
			return nil, fmt.Errorf("postgres: list activity: %w", err)
		}
		a.Time = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list activity: %w", err)
	}
	return out, nil
}
