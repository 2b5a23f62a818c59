package sqlcore

import (
	"time"

	"github.com/keyward/keyward"
)

// RecordActivity implements keyward.ActivityLog's RecordActivity with
// exec, which runs q (an upsert that keeps the later of two uses of a row)
// once for each row's arguments, in one transaction of the store's own:
// SQLite one statement after another on its writer, PostgreSQL in one
// pipelined batch, retried on conflict. Nothing to record runs nothing.
func RecordActivity(d Dialect, acts []keyward.Activity, exec func(q string, rows [][]any) error) error {
	if len(acts) == 0 {
		return nil
	}
	rows := make([][]any, len(acts))
	for i, a := range acts {
		rows[i] = []any{a.AccountID, a.Principal, a.Service, a.Action, a.Region, a.Time.Unix()} // to the second
	}
	err := exec(d.Rebind(`INSERT INTO activity (account_id, principal, service, action, region, used_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, principal, service, action) DO UPDATE
		SET region = excluded.region, used_at = excluded.used_at
		WHERE excluded.used_at > activity.used_at`), rows)
	if err != nil {
		return wrap(d, "record activity", err)
	}
	return nil
}

// ListActivity implements keyward.ActivityLog's ListActivity on c: the
// account's rows in byte order of principal, service and action.
func ListActivity(c Conn, d Dialect, accountID string) ([]keyward.Activity, error) {
	t := MakeTx(c, d, true)
	return collect(&t, "list activity", `SELECT principal, service, action, region, used_at FROM activity
		WHERE account_id = ? ORDER BY principal COLLATE BINARY, service COLLATE BINARY, action COLLATE BINARY`,
		[]any{accountID}, func(r Row) (keyward.Activity, error) {
			a := keyward.Activity{AccountID: accountID}
			var at int64
			err := r.Scan(&a.Principal, &a.Service, &a.Action, &a.Region, &at)
			a.Time = time.Unix(at, 0).UTC()
			return a, err
		})
}
