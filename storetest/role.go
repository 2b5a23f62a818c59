package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testRole(t *testing.T, s keyward.Store) {
	r := newRole(acct, "Deployer")
	r.Description = "deploys things"
	r.MaxSessionDuration = 7200
	r.PermissionsBoundaryARN = "arn:aws:iam::" + acct + ":policy/B"
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRole", tx.CreateRole(r))
		wantCode(t, "CreateRole(deployer)", tx.CreateRole(newRole(acct, "deployer")), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "DEPLOYER")
		wantOK(t, "GetRole", err)
		diff(t, "GetRole", r, got)
		got, err = tx.GetRoleByID(r.ID)
		wantOK(t, "GetRoleByID", err)
		diff(t, "GetRoleByID", r, got)
		_, err = tx.GetRole(acct, "nope")
		wantCode(t, "GetRole(missing)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetRole(acct2, "Deployer")
		wantCode(t, "GetRole(other account)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetRoleByID("AROANOPE")
		wantCode(t, "GetRoleByID(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		r.AssumeRolePolicyDocument = doc2
		r.Description = ""
		r.MaxSessionDuration = 43200
		r.PermissionsBoundaryARN = ""
		r.LastUsedDate = t0.Add(time.Minute)
		r.LastUsedRegion = "eu-west-1"
		r.TrustPrincipalIDs = map[string]string{"arn:aws:iam::" + acct + ":user/alice": "AIDAALICEALICEALICE12"}
		wantOK(t, "UpdateRole", tx.UpdateRole(r))
		wantCode(t, "UpdateRole(missing)", tx.UpdateRole(newRole(acct, "ghost")), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRole(acct, "deployer")
		wantOK(t, "GetRole", err)
		diff(t, "GetRole after update", r, got)
		rs, next, err := tx.ListRoles(acct, keyward.ListOptions{})
		wantOK(t, "ListRoles", err)
		diff(t, "ListRoles", []keyward.Role{r}, rs)
		if next != "" {
			t.Errorf("ListRoles next = %q, want \"\"", next)
		}
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteRole", tx.DeleteRole(acct, "Deployer"))
		wantCode(t, "DeleteRole(again)", tx.DeleteRole(acct, "Deployer"), keyward.ErrNoSuchEntity)
		return nil
	})
}
