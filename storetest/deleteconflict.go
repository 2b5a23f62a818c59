package storetest

import (
	"errors"
	"testing"

	"github.com/keyward/keyward"
)

// testDeleteConflict checks that the store refuses to delete entities that
// others still depend on, and that each dependency, once gone, unblocks.
func testDeleteConflict(t *testing.T, s keyward.Store) {
	p := newPolicy(acct, "p")
	key := newKey(acct, "u")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreatePolicy", tx.CreatePolicy(p, doc1))
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "u")))
		wantOK(t, "CreateGroup", tx.CreateGroup(newGroup(acct, "g")))
		wantOK(t, "CreateRole", tx.CreateRole(newRole(acct, "r")))
		wantOK(t, "CreateInstanceProfile", tx.CreateInstanceProfile(newProfile(acct, "ip")))
		return nil
	})
	type step struct {
		name   string
		add    func(tx keyward.Tx) error
		remove func(tx keyward.Tx) error
	}
	tests := []struct {
		name   string
		delete func(tx keyward.Tx) error
		deps   []step
	}{
		{"user", func(tx keyward.Tx) error { return tx.DeleteUser(acct, "u") }, []step{
			{"access key", func(tx keyward.Tx) error { return tx.CreateAccessKey(key) },
				func(tx keyward.Tx) error { return tx.DeleteAccessKey(key.AccessKeyID) }},
			{"group", func(tx keyward.Tx) error { return tx.AddUserToGroup(acct, "g", "u") },
				func(tx keyward.Tx) error { return tx.RemoveUserFromGroup(acct, "g", "u") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.UserRef(acct, "u"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.UserRef(acct, "u"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.UserRef(acct, "u"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.UserRef(acct, "u"), "i") }},
		}},
		{"group", func(tx keyward.Tx) error { return tx.DeleteGroup(acct, "g") }, []step{
			{"member", func(tx keyward.Tx) error { return tx.AddUserToGroup(acct, "g", "u") },
				func(tx keyward.Tx) error { return tx.RemoveUserFromGroup(acct, "g", "u") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.GroupRef(acct, "g"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.GroupRef(acct, "g"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.GroupRef(acct, "g"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.GroupRef(acct, "g"), "i") }},
		}},
		{"role", func(tx keyward.Tx) error { return tx.DeleteRole(acct, "r") }, []step{
			{"instance profile", func(tx keyward.Tx) error { return tx.AddRoleToInstanceProfile(acct, "ip", "r") },
				func(tx keyward.Tx) error { return tx.RemoveRoleFromInstanceProfile(acct, "ip", "r") }},
			{"attached", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.RoleRef(acct, "r"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.RoleRef(acct, "r"), p.ARN) }},
			{"inline", func(tx keyward.Tx) error {
				return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(acct, "r"), PolicyName: "i", Document: doc1})
			}, func(tx keyward.Tx) error { return tx.DeleteInlinePolicy(keyward.RoleRef(acct, "r"), "i") }},
		}},
		{"policy", func(tx keyward.Tx) error { return tx.DeletePolicy(p.ARN) }, []step{
			{"attached to a group", func(tx keyward.Tx) error { return tx.AttachPolicy(keyward.GroupRef(acct, "g"), p.ARN) },
				func(tx keyward.Tx) error { return tx.DetachPolicy(keyward.GroupRef(acct, "g"), p.ARN) }},
		}},
	}
	errRollback := errors.New("roll back")
	for _, tt := range tests {
		for _, dep := range tt.deps {
			t.Run(tt.name+"/"+dep.name, func(t *testing.T) {
				err := s.Update(t.Context(), func(tx keyward.Tx) error {
					wantOK(t, "add "+dep.name, dep.add(tx))
					wantCode(t, "delete "+tt.name+" with "+dep.name, tt.delete(tx), keyward.ErrDeleteConflict)
					wantOK(t, "remove "+dep.name, dep.remove(tx))
					wantOK(t, "delete "+tt.name+" without "+dep.name, tt.delete(tx))
					return errRollback // keep the entity for the next case
				})
				if !errors.Is(err, errRollback) {
					t.Fatalf("Update = %v, want %v", err, errRollback)
				}
			})
		}
	}
}
