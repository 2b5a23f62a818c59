package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testInlinePolicy(t *testing.T, s keyward.Store) {
	owners := []keyward.EntityRef{keyward.UserRef(acct, "u"), keyward.GroupRef(acct, "g"), keyward.RoleRef(acct, "r")}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		return nil
	})
	for _, owner := range owners {
		t.Run(string(owner.Kind), func(t *testing.T) {
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "PutInlinePolicy(Beta)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "Beta", Document: doc1}))
				wantOK(t, "PutInlinePolicy(alpha)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "alpha", Document: doc1}))
				wantOK(t, "PutInlinePolicy(BETA replaces)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: owner, PolicyName: "BETA", Document: doc2}))
				missing := owner
				missing.Name = "nope"
				wantCode(t, "PutInlinePolicy(missing owner)", tx.PutInlinePolicy(keyward.InlinePolicy{Owner: missing, PolicyName: "x", Document: doc1}), keyward.ErrNoSuchEntity)
				return nil
			})
			view(t, s, func(tx keyward.Tx) error {
				got, err := tx.GetInlinePolicy(owner, "beta")
				wantOK(t, "GetInlinePolicy(beta)", err)
				diff(t, "GetInlinePolicy(beta)", keyward.InlinePolicy{Owner: owner, PolicyName: "Beta", Document: doc2}, got)
				_, err = tx.GetInlinePolicy(owner, "gamma")
				wantCode(t, "GetInlinePolicy(gamma)", err, keyward.ErrNoSuchEntity)
				all, err := tx.ListInlinePolicies(owner)
				wantOK(t, "ListInlinePolicies", err)
				diff(t, "ListInlinePolicies", []keyward.InlinePolicy{
					{Owner: owner, PolicyName: "alpha", Document: doc1},
					{Owner: owner, PolicyName: "Beta", Document: doc2},
				}, all)
				return nil
			})
			update(t, s, func(tx keyward.Tx) error {
				wantOK(t, "DeleteInlinePolicy(ALPHA)", tx.DeleteInlinePolicy(owner, "ALPHA"))
				wantCode(t, "DeleteInlinePolicy(alpha again)", tx.DeleteInlinePolicy(owner, "alpha"), keyward.ErrNoSuchEntity)
				all, err := tx.ListInlinePolicies(owner)
				wantOK(t, "ListInlinePolicies", err)
				if len(all) != 1 {
					t.Errorf("ListInlinePolicies after delete = %d policies, want 1", len(all))
				}
				return nil
			})
		})
	}
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.ListInlinePolicies(keyward.UserRef(acct, "nope"))
		wantCode(t, "ListInlinePolicies(missing user)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}
