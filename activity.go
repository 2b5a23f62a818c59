package keyward

import (
	"context"
	"time"
)

// Activity is one principal's last use of one action, as the server saw it:
// what IAM's last-accessed reports (GetServiceLastAccessedDetails) are made
// of. A role session's use counts for its role.
type Activity struct {
	AccountID string
	Principal string // the user's or role's ARN, or the account's root ARN
	Service   string // the service namespace: "iam", "sts"
	Action    string // the action's name: "CreateUser"
	Region    string // the region the request was signed for
	Time      time.Time
}

// ActivityLog is an optional capability of a Store: it keeps, for each
// account, principal, service and action, the last time it was used.
// Callers record at most about once a minute per row, so that reads do not
// become writes.
type ActivityLog interface {
	// RecordActivity keeps each a as the last use of its row when it is
	// later than the one kept (a row is AccountID, Principal, Service and
	// Action, compared exactly). It runs in its own transaction.
	RecordActivity(ctx context.Context, a []Activity) error
	// ListActivity returns the account's rows, sorted by principal,
	// service and action.
	ListActivity(ctx context.Context, accountID string) ([]Activity, error)
}
