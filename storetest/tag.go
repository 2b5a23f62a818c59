package storetest

import (
	"fmt"
	"testing"

	"github.com/keyward/keyward"
)

func testTag(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "p")
	oidc := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.example.com",
		URL: "https://token.example.com", ClientIDs: []string{"sts.amazonaws.com"}, CreateDate: t0}
	refs := []keyward.EntityRef{
		keyward.UserRef(acct, "u"), keyward.GroupRef(acct, "g"), keyward.RoleRef(acct, "r"),
		keyward.InstanceProfileRef(acct, "ip"), keyward.PolicyRef(p.ARN), keyward.OIDCProviderRef(oidc.ARN),
	}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(newProfile(acct, "ip")))
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		wantOK(t, "CreateOIDCProvider", tx.CreateOIDCProvider(oidc))
		return nil
	})
	for _, ref := range refs {
		t.Run(string(ref.Kind), func(t *testing.T) {
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "TagEntity", tx.TagEntity(ref, []keyward.Tag{{Key: "team", Value: "a"}, {Key: "Env", Value: "prod"}, {Key: "empty", Value: ""}}))
				wantOK(t, "TagEntity(TEAM)", tx.TagEntity(ref, []keyward.Tag{{Key: "TEAM", Value: "b"}}))
				return nil
			})
			view(t, s, func(tx keyward.Tx) error {
				got, err := tx.ListTags(ref)
				wantOK(t, "ListTags", err)
				diff(t, "ListTags", []keyward.Tag{{Key: "empty", Value: ""}, {Key: "Env", Value: "prod"}, {Key: "TEAM", Value: "b"}}, got)
				return nil
			})
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "UntagEntity", tx.UntagEntity(ref, []string{"env", "absent"}))
				got, err := tx.ListTags(ref)
				wantOK(t, "ListTags", err)
				diff(t, "ListTags after untag", []keyward.Tag{{Key: "empty", Value: ""}, {Key: "TEAM", Value: "b"}}, got)
				return nil
			})
		})
	}
	// Tags are per entity: another user has none.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(v)", tx.CreateUser(newUser(acct, "v")))
		got, err := tx.ListTags(keyward.UserRef(acct, "v"))
		wantOK(t, "ListTags(v)", err)
		diff(t, "ListTags(v)", []keyward.Tag(nil), got)
		for _, ref := range []keyward.EntityRef{keyward.UserRef(acct, "nope"), keyward.PolicyRef("arn:aws:iam::" + acct + ":policy/nope"),
			keyward.OIDCProviderRef("arn:aws:iam::" + acct + ":oidc-provider/nope"), keyward.InstanceProfileRef(acct, "nope")} {
			wantCode(t, fmt.Sprintf("TagEntity(missing %s)", ref.Kind), tx.TagEntity(ref, []keyward.Tag{{Key: "k", Value: "v"}}), keyward.ErrNoSuchEntity)
			_, err := tx.ListTags(ref)
			wantCode(t, fmt.Sprintf("ListTags(missing %s)", ref.Kind), err, keyward.ErrNoSuchEntity)
			wantCode(t, fmt.Sprintf("UntagEntity(missing %s)", ref.Kind), tx.UntagEntity(ref, []string{"k"}), keyward.ErrNoSuchEntity)
		}
		return nil
	})
	// Deleting an entity deletes its tags: a new entity of the same name starts bare.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteUser", tx.DeleteUser(acct, "u"))
		wantOK(t, "CreateUser(u again)", tx.CreateUser(newUser(acct, "u")))
		got, err := tx.ListTags(keyward.UserRef(acct, "u"))
		wantOK(t, "ListTags(new u)", err)
		diff(t, "ListTags(new u)", []keyward.Tag(nil), got)
		wantOK(t, "DeletePolicy", tx.DeletePolicy(p.ARN))
		wantOK(t, "DeleteOIDCProvider", tx.DeleteOIDCProvider(oidc.ARN))
		wantOK(t, "CreateOIDCProvider(again)", tx.CreateOIDCProvider(oidc))
		got, err = tx.ListTags(keyward.OIDCProviderRef(oidc.ARN))
		wantOK(t, "ListTags(new oidc)", err)
		diff(t, "ListTags(new oidc)", []keyward.Tag(nil), got)
		return nil
	})
}
