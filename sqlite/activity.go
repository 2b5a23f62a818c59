package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/keyward/keyward"
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
		_, err := tx.ExecContext(ctx, `INSERT INTO activity (account_id, principal, service, action, region, used_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, principal, service, action) DO UPDATE
			SET region = excluded.region, used_at = excluded.used_at
			WHERE excluded.used_at > activity.used_at`,
			a.AccountID, a.Principal, a.Service, a.Action, a.Region, a.Time.Unix())
		if err != nil {
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
	rows, err := s.reader.QueryContext(ctx, `SELECT principal, service, action, region, used_at FROM activity
		WHERE account_id = ? ORDER BY principal, service, action`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list activity: %w", err)
	}
	defer rows.Close()
	var out []keyward.Activity
	for rows.Next() {
		a := keyward.Activity{AccountID: accountID}
		var at int64
		if err := rows.Scan(&a.Principal, &a.Service, &a.Action, &a.Region, &at); err != nil {
			return nil, fmt.Errorf("sqlite: list activity: %w", err)
		}
		a.Time = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list activity: %w", err)
	}
	return out, nil
}
