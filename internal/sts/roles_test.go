package sts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// TestRoleUse_Note checks what sts and rolesanywhere record of a role's
// use: the time to the second and the region (us-east-1 when none is
// given), written at most once an hour.
func TestRoleUse_Note(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	stored := func() keyward.Role {
		t.Helper()
		var r keyward.Role
		e.store.View(ctx, func(tx keyward.Tx) error {
			var err error
			r, err = tx.GetRole(acct, "r")
			return err
		})
		return r
	}
	var u RoleUse
	first := start.Add(90*time.Minute + 500*time.Millisecond)
	tests := []struct {
		name       string
		at         time.Time
		region     string
		wantDate   time.Time
		wantRegion string
	}{
		{"first use, no region", first, "", first.Truncate(time.Second), "us-east-1"},
		{"within the hour: not written", first.Add(59 * time.Minute), "eu-west-1", first.Truncate(time.Second), "us-east-1"},
		{"an hour later, a region", first.Add(time.Hour), "eu-west-1", first.Add(time.Hour).Truncate(time.Second), "eu-west-1"},
	}
	for _, tt := range tests {
		u.Note(ctx, e.store, &role, tt.at, tt.region)
		if r := stored(); !r.LastUsedDate.Equal(tt.wantDate) || r.LastUsedRegion != tt.wantRegion {
			t.Errorf("%s: LastUsedDate %v, LastUsedRegion %q; want %v, %q", tt.name, r.LastUsedDate, r.LastUsedRegion, tt.wantDate, tt.wantRegion)
		}
	}
}

// TestPackedPercent checks the packed size both issuers report: nothing
// packs to 0, white space in the policy does not count, and the size
// grows with what the session carries.
func TestPackedPercent(t *testing.T) {
	const compact = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	spaced := strings.ReplaceAll(strings.ReplaceAll(compact, ",", ",\n  "), ":", ": ")
	arns := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	tags := []keyward.Tag{{Key: "team", Value: "blue"}}
	if got := PackedPercent("", nil, nil); got != 0 {
		t.Errorf("PackedPercent(nothing) = %d, want 0", got)
	}
	p := PackedPercent(compact, nil, nil)
	if p < 1 || p > 100 {
		t.Errorf("PackedPercent(policy) = %d, want 1 to 100", p)
	}
	if got := PackedPercent(spaced, nil, nil); got != p {
		t.Errorf("PackedPercent(policy with white space) = %d, want %d, as without", got, p)
	}
	if all := PackedPercent(compact, arns, tags); all <= p {
		t.Errorf("PackedPercent(policy, ARN, tag) = %d, want more than the policy's %d", all, p)
	}
}
