package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

// testCountEntities checks each count against what the account holds, in
// two accounts sharing an AWS-managed policy, and that the counts follow a
// detach and a deletion.
func testCountEntities(t *testing.T, s keyward.Store) {
	managed := keyward.ManagedPolicy{AccountID: keyward.AWSAccountID, ID: newID("ANPA"), Name: "ReadOnlyAccess",
		Path: "/", ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", IsAttachable: true, CreateDate: t0, UpdateDate: t0}
	local := newPolicy(acct, "local")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy(managed)", tx.CreatePolicy(managed, doc1))
		wantOK(t, "CreatePolicy(local)", tx.CreatePolicy(local, doc1))
		wantOK(t, "CreatePolicy(acct2)", tx.CreatePolicy(newPolicy(acct2, "other"), doc1))
		for _, u := range []keyward.User{newUser(acct, "alice"), newUser(acct, "bob"), newUser(acct2, "carol")} {
			wantOK(t, "CreateUser("+u.Name+")", tx.CreateUser(u))
		}
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "devs")))
		wantOK(t, "CreateRole(r1)", tx.CreateRole(newRole(acct, "r1")))
		wantOK(t, "CreateRole(r2)", tx.CreateRole(newRole(acct, "r2")))
		wantOK(t, "CreateRole(acct2)", tx.CreateRole(newRole(acct2, "r1")))
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(newProfile(acct, "web")))
		wantOK(t, "CreateOIDCProvider", tx.CreateOIDCProvider(keyward.OIDCProvider{AccountID: acct,
			ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.example.com", URL: "https://token.example.com", CreateDate: t0}))
		for _, k := range []keyward.AccessKey{newKey(acct, ""), newKey(acct, ""), newKey(acct, "alice"), newKey(acct2, "")} {
			wantOK(t, "CreateAccessKey", tx.CreateAccessKey(k))
		}
		for _, a := range []struct {
			ref keyward.EntityRef
			arn string
		}{
			{keyward.UserRef(acct, "alice"), local.ARN},
			{keyward.UserRef(acct, "alice"), managed.ARN},
			{keyward.GroupRef(acct, "devs"), managed.ARN},
			{keyward.RoleRef(acct, "r1"), managed.ARN},
			{keyward.UserRef(acct2, "carol"), managed.ARN},
		} {
			wantOK(t, "AttachPolicy", tx.AttachPolicy(a.ref, a.arn))
		}
		return nil
	})
	check := func(when string, want map[string]keyward.EntityCounts) {
		t.Helper()
		view(t, s, func(tx keyward.Tx) error {
			for account, w := range want {
				got, err := tx.CountEntities(account)
				wantOK(t, "CountEntities("+account+")", err)
				diff(t, when+": CountEntities("+account+")", w, got)
			}
			return nil
		})
	}
	check("filled", map[string]keyward.EntityCounts{
		acct: {Users: 2, Groups: 1, Roles: 2, Policies: 1, InstanceProfiles: 1, OIDCProviders: 1,
			RootAccessKeys: 2, PolicyAttachments: 4},
		acct2: {Users: 1, Roles: 1, Policies: 1, RootAccessKeys: 1, PolicyAttachments: 1},
		// AWS-managed policies belong to no account that counts them.
		keyward.AWSAccountID: {Policies: 1},
		"999988887777":       {},
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DetachPolicy", tx.DetachPolicy(keyward.RoleRef(acct, "r1"), managed.ARN))
		wantOK(t, "DeleteUser(bob)", tx.DeleteUser(acct, "bob"))
		return nil
	})
	check("after a detach and a deletion", map[string]keyward.EntityCounts{
		acct: {Users: 1, Groups: 1, Roles: 2, Policies: 1, InstanceProfiles: 1, OIDCProviders: 1,
			RootAccessKeys: 2, PolicyAttachments: 3},
		acct2: {Users: 1, Roles: 1, Policies: 1, RootAccessKeys: 1, PolicyAttachments: 1},
	})
}
