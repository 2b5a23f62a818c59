package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testInstanceProfile(t *testing.T, s keyward.Store) {
	ip := newProfile(acct, "Web")
	r := newRole(acct, "r")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRole", tx.CreateRole(r))
		ip.Roles = []keyward.Role{r} // ignored
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ip))
		ip.Roles = nil
		wantCode(t, "CreateInstanceProfile(web)", tx.CreateInstanceProfile(newProfile(acct, "web")), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetInstanceProfile(acct, "WEB")
		wantOK(t, "GetInstanceProfile", err)
		diff(t, "GetInstanceProfile", ip, got)
		_, err = tx.GetInstanceProfile(acct, "nope")
		wantCode(t, "GetInstanceProfile(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "AddRoleToInstanceProfile", tx.AddRoleToInstanceProfile(acct, "web", "R"))
		wantCode(t, "AddRoleToInstanceProfile(again)", tx.AddRoleToInstanceProfile(acct, "web", "r"), keyward.ErrEntityAlreadyExists)
		wantCode(t, "AddRoleToInstanceProfile(missing role)", tx.AddRoleToInstanceProfile(acct, "web", "nope"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddRoleToInstanceProfile(missing profile)", tx.AddRoleToInstanceProfile(acct, "nope", "r"), keyward.ErrNoSuchEntity)
		return nil
	})
	ip.Roles = []keyward.Role{r}
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetInstanceProfile(acct, "web")
		wantOK(t, "GetInstanceProfile", err)
		diff(t, "GetInstanceProfile with role", ip, got)
		all, next, err := tx.ListInstanceProfiles(acct, keyward.ListOptions{})
		wantOK(t, "ListInstanceProfiles", err)
		diff(t, "ListInstanceProfiles", []keyward.InstanceProfile{ip}, all)
		if next != "" {
			t.Errorf("ListInstanceProfiles next = %q, want \"\"", next)
		}
		forRole, _, err := tx.ListInstanceProfilesForRole(acct, "r", keyward.ListOptions{})
		wantOK(t, "ListInstanceProfilesForRole", err)
		diff(t, "ListInstanceProfilesForRole", []keyward.InstanceProfile{ip}, forRole)
		_, _, err = tx.ListInstanceProfilesForRole(acct, "nope", keyward.ListOptions{})
		wantCode(t, "ListInstanceProfilesForRole(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantCode(t, "DeleteInstanceProfile(with role)", tx.DeleteInstanceProfile(acct, "web"), keyward.ErrDeleteConflict)
		wantOK(t, "RemoveRoleFromInstanceProfile", tx.RemoveRoleFromInstanceProfile(acct, "web", "r"))
		wantCode(t, "RemoveRoleFromInstanceProfile(again)", tx.RemoveRoleFromInstanceProfile(acct, "web", "r"), keyward.ErrNoSuchEntity)
		wantOK(t, "DeleteInstanceProfile", tx.DeleteInstanceProfile(acct, "web"))
		wantCode(t, "DeleteInstanceProfile(again)", tx.DeleteInstanceProfile(acct, "web"), keyward.ErrNoSuchEntity)
		return nil
	})
}
