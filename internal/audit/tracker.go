package audit

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
)

// Tracker keeps what IAM reports about use true: which principal last used
// which action of which service (keyward.ActivityLog, when the store has
// it), and a role's RoleLastUsed when one of its sessions makes a request.
// (Access keys' last use is authn's to record.) It writes each row at most
// once per Every, so that reads do not become writes; it is safe for
// concurrent use.
type Tracker struct {
	Store keyward.Store
	Clock func() time.Time // nil means time.Now
	Every time.Duration    // 0 means a minute

	mu   sync.Mutex
	last map[string]time.Time
}

// due reports whether key's row should be written at now, and notes it.
func (t *Tracker) due(key string, now time.Time) bool {
	every := t.Every
	if every == 0 {
		every = time.Minute
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	if at, ok := t.last[key]; ok && now.Sub(at) < every {
		return false
	}
	t.last[key] = now
	return true
}

// Principal is the entity whose use a caller's request counts as: the
// user (also for its GetSessionToken sessions), the role of a role
// session, the account's root user, or the federated user.
func Principal(c *keyward.Caller) string {
	if c.Kind == keyward.CallerAssumedRole && c.RoleARN != "" {
		return c.RoleARN
	}
	return c.ARN
}

// Used notes that c used service:action ("iam", "CreateUser") for region.
// Errors are the store's; the request they come from has succeeded anyway.
func (t *Tracker) Used(ctx context.Context, c *keyward.Caller, service, action, region string) error {
	if c == nil || t.Store == nil {
		return nil
	}
	now := time.Now()
	if t.Clock != nil {
		now = t.Clock()
	}
	now = now.UTC().Truncate(time.Second)
	principal := Principal(c)
	var err error
	if log, ok := t.Store.(keyward.ActivityLog); ok && t.due("a\x00"+principal+"\x00"+service+"\x00"+action, now) {
		err = log.RecordActivity(ctx, []keyward.Activity{{AccountID: c.AccountID, Principal: principal, Service: service, Action: action, Region: region, Time: now}})
	}
	if c.Kind == keyward.CallerAssumedRole && c.RoleName != "" && t.due("r\x00"+c.AccountID+"\x00"+strings.ToLower(c.RoleName), now) {
		rerr := t.Store.Update(ctx, func(tx keyward.Tx) error {
			r, err := tx.GetRole(c.AccountID, c.RoleName)
			if err != nil {
				return err
			}
			if !r.LastUsedDate.Before(now) {
				return nil
			}
			r.LastUsedDate, r.LastUsedRegion = now, region
			return tx.UpdateRole(r)
		})
		if rerr != nil && keyward.ErrorCode(rerr) != keyward.ErrNoSuchEntity && err == nil {
			err = rerr
		}
	}
	return err
}

// Region returns the region a SigV4 request was signed for, from its
// Authorization header or X-Amz-Credential query value
// (AKID/DATE/REGION/SERVICE/aws4_request); "" when absent.
func Region(authorization, credentialQuery string) string {
	cred := credentialQuery
	if i := strings.Index(authorization, "Credential="); i >= 0 {
		cred = authorization[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2]
}
