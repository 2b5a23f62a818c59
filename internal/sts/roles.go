package sts

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// What every issuer of role sessions shares: sts's AssumeRole actions and
// rolesanywhere's CreateSession keep the same caches, build the same
// session and measure its policies the same way.

// TrustPolicies keeps roles' compiled trust policies, each while its text
// is unchanged, so that a role's trust policy is parsed once, not at every
// session. The zero value is ready; it is safe for concurrent use.
type TrustPolicies struct {
	mu sync.Mutex
	m  map[string]*trustEntry // role ID -> its compiled trust policy
}

// trustEntry is a role's compiled trust policy and the text it was
// compiled from.
type trustEntry struct {
	doc string
	set *policy.Set
}

// Of returns the compiled trust policy doc of the role with that ID and
// ARN. A stored trust policy that does not parse is an internal error: it
// was checked when saved.
func (c *TrustPolicies) Of(roleID, roleARN, doc string) (*policy.Set, error) {
	c.mu.Lock()
	e := c.m[roleID]
	c.mu.Unlock()
	if e != nil && e.doc == doc {
		return e.set, nil
	}
	d, err := policy.ParseWith([]byte(doc), policy.Trust, policy.Options{Stored: true})
	if err != nil {
		return nil, fmt.Errorf("stored trust policy of role %s: %w", roleARN, err)
	}
	e = &trustEntry{doc: doc, set: policy.NewSet(policy.Policy{ID: roleARN, Document: d})}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = make(map[string]*trustEntry)
	}
	c.m[roleID] = e
	c.mu.Unlock()
	return e.set, nil
}

// Throttle tells when a record that a read writes (a role's or a
// certificate subject's last use) is due again: at most once every period
// per key, so that the read stays a read. It remembers the last write of at
// most 10,000 keys (past that it starts over, and some records are written
// once more than needed). The zero value is ready; it is safe for
// concurrent use.
type Throttle[K comparable] struct {
	mu   sync.Mutex
	last map[K]time.Time
}

// Due reports whether key's record is due at now, and if so takes it as
// written then. written is when the store last wrote it, as the caller
// read it (zero: unknown), for a key the Throttle has not seen.
func (t *Throttle[K]) Due(key K, written, now time.Time, period time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.last[key]; ok {
		written = last
	}
	if now.Sub(written) < period {
		return false
	}
	if t.last == nil || len(t.last) > 10000 {
		t.last = make(map[K]time.Time)
	}
	t.last[key] = now
	return true
}

// Forget makes key due again: its write failed.
func (t *Throttle[K]) Forget(key K) {
	t.mu.Lock()
	delete(t.last, key)
	t.mu.Unlock()
}

// RoleUse records roles' LastUsedDate and LastUsedRegion, at most once an
// hour per role, so that opening a session stays a read. The zero value is
// ready; it is safe for concurrent use.
type RoleUse struct {
	due Throttle[string] // by role ID
}

// Note records in st that role was used at now, in region ("" means
// us-east-1), unless it did within the hour. Failures are ignored: they
// must not fail the request that used the role.
func (u *RoleUse) Note(ctx context.Context, st keyward.Store, role *keyward.Role, now time.Time, region string) {
	if !u.due.Due(role.ID, role.LastUsedDate, now, time.Hour) {
		return
	}
	if region == "" {
		region = "us-east-1"
	}
	_ = st.Update(ctx, func(tx keyward.Tx) error {
		r, err := tx.GetRoleByID(role.ID)
		if err != nil {
			return err
		}
		r.LastUsedDate = now.UTC().Truncate(time.Second)
		r.LastUsedRegion = region
		return tx.UpdateRole(r)
	})
}

// NewRoleSession returns the caller of a new session of role named
// sessionName: the assumed-role ARN and its role-ID:name user ID.
func NewRoleSession(role *keyward.Role, sessionName string) *keyward.Caller {
	return &keyward.Caller{
		Kind:        keyward.CallerAssumedRole,
		AccountID:   role.AccountID,
		ARN:         "arn:aws:sts::" + role.AccountID + ":assumed-role/" + role.Name + "/" + sessionName,
		UserID:      role.ID + ":" + sessionName,
		PrincipalID: role.ID,
		RoleName:    role.Name,
		RoleARN:     role.ARN,
		SessionName: sessionName,
	}
}

// deflaters keeps flate writers for PackedPercent: a new one allocates
// about 750 KB, several times what the rest of opening a session does.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression)
	return w
}}

// PackedPercent is a session's PackedPolicySize: the deflated size of its
// inline session policy (without insignificant space), its managed
// session policies' ARNs and its session tags, as a percentage of
// PackedLimit, rounded up. Past 100 the session is too large; 0 means it
// carries none of them.
func PackedPercent(inline string, arns []string, tags []keyward.Tag) int {
	var raw bytes.Buffer
	if inline != "" {
		if err := json.Compact(&raw, []byte(inline)); err != nil {
			raw.WriteString(inline)
		}
	}
	for _, a := range arns {
		raw.WriteString("\x00" + a)
	}
	for _, t := range tags {
		raw.WriteString("\x00" + t.Key + "\x00" + t.Value)
	}
	if raw.Len() == 0 {
		return 0
	}
	var z bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&z)
	w.Write(raw.Bytes())
	w.Close()
	deflaters.Put(w)
	return (z.Len()*100 + PackedLimit - 1) / PackedLimit
}
