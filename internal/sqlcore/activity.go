package sqlcore

import (
	"time"

	"github.com/keyward/keyward"
)

// UpsertActivity records one keyward.Activity (its arguments are
// ActivityArgs'), keeping the later of two uses of a row. The stores run it
// in their own transactions: SQLite one statement after another on its
// writer, PostgreSQL in one pipelined batch, retried on conflict.
const UpsertActivity = `INSERT INTO activity (account_id, principal, service, action, region, used_at)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (account_id, principal, service, action) DO UPDATE
	SET region = excluded.region, used_at = excluded.used_at
	WHERE excluded.used_at > activity.used_at`

// ActivityArgs returns UpsertActivity's arguments for a. Times are kept to
// the second.
func ActivityArgs(a keyward.Activity) []any {
	return []any{a.AccountID, a.Principal, a.Service, a.Action, a.Region, a.Time.Unix()}
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
