package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testGroup(t *testing.T, s keyward.Store) {
	admins := newGroup(acct, "Admins")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateGroup", tx.CreateGroup(admins))
		wantCode(t, "CreateGroup(admins)", tx.CreateGroup(newGroup(acct, "admins")), keyward.ErrEntityAlreadyExists)
		wantOK(t, "CreateGroup(other account)", tx.CreateGroup(newGroup(acct2, "admins")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetGroup(acct, "ADMINS")
		wantOK(t, "GetGroup", err)
		diff(t, "GetGroup", admins, got)
		_, err = tx.GetGroup(acct, "ops")
		wantCode(t, "GetGroup(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		admins.Name, admins.Path, admins.ARN = "Root", "/x/", "arn:aws:iam::"+acct+":group/x/Root"
		wantOK(t, "UpdateGroup", tx.UpdateGroup(admins))
		wantCode(t, "UpdateGroup(missing)", tx.UpdateGroup(newGroup(acct, "ghost")), keyward.ErrNoSuchEntity)
		dup := newGroup(acct, "other")
		wantOK(t, "CreateGroup(other)", tx.CreateGroup(dup))
		dup.Name = "root"
		wantCode(t, "UpdateGroup(rename onto Root)", tx.UpdateGroup(dup), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetGroup(acct, "root")
		wantOK(t, "GetGroup(root)", err)
		diff(t, "GetGroup after rename", admins, got)
		gs, _, err := tx.ListGroups(acct, keyward.ListOptions{PathPrefix: "/x/"})
		wantOK(t, "ListGroups(/x/)", err)
		diff(t, "ListGroups(/x/)", []keyward.Group{admins}, gs)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteGroup", tx.DeleteGroup(acct, "Root"))
		wantCode(t, "DeleteGroup(again)", tx.DeleteGroup(acct, "Root"), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testGroupMembership(t *testing.T, s keyward.Store) {
	u1, u2 := newUser(acct, "u1"), newUser(acct, "u2")
	g1, g2 := newGroup(acct, "g1"), newGroup(acct, "G2")
	update(t, s, func(tx keyward.Tx) error {
		for _, u := range []keyward.User{u1, u2} {
			wantOK(t, "CreateUser", tx.CreateUser(u))
		}
		for _, g := range []keyward.Group{g2, g1} {
			wantOK(t, "CreateGroup", tx.CreateGroup(g))
		}
		wantOK(t, "AddUserToGroup(g1, u1)", tx.AddUserToGroup(acct, "g1", "u1"))
		wantOK(t, "AddUserToGroup(g1, u1) again", tx.AddUserToGroup(acct, "G1", "U1"))
		wantOK(t, "AddUserToGroup(g2, u1)", tx.AddUserToGroup(acct, "g2", "u1"))
		wantOK(t, "AddUserToGroup(g1, u2)", tx.AddUserToGroup(acct, "g1", "u2"))
		wantCode(t, "AddUserToGroup(missing group)", tx.AddUserToGroup(acct, "nope", "u1"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddUserToGroup(missing user)", tx.AddUserToGroup(acct, "g1", "nope"), keyward.ErrNoSuchEntity)
		wantCode(t, "AddUserToGroup(other account)", tx.AddUserToGroup(acct2, "g1", "u1"), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		gs, err := tx.ListGroupsForUser(acct, "U1")
		wantOK(t, "ListGroupsForUser(u1)", err)
		diff(t, "ListGroupsForUser(u1)", []keyward.Group{g1, g2}, gs)
		us, next, err := tx.ListGroupMembers(acct, "g1", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers(g1)", err)
		diff(t, "ListGroupMembers(g1)", []keyward.User{u1, u2}, us)
		if next != "" {
			t.Errorf("ListGroupMembers next = %q, want \"\"", next)
		}
		_, err = tx.ListGroupsForUser(acct, "nope")
		wantCode(t, "ListGroupsForUser(missing)", err, keyward.ErrNoSuchEntity)
		_, _, err = tx.ListGroupMembers(acct, "nope", keyward.ListOptions{})
		wantCode(t, "ListGroupMembers(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "RemoveUserFromGroup", tx.RemoveUserFromGroup(acct, "g1", "u1"))
		wantCode(t, "RemoveUserFromGroup(again)", tx.RemoveUserFromGroup(acct, "g1", "u1"), keyward.ErrNoSuchEntity)
		wantCode(t, "RemoveUserFromGroup(missing group)", tx.RemoveUserFromGroup(acct, "nope", "u1"), keyward.ErrNoSuchEntity)
		// Renaming a member keeps the membership.
		u2.Name = "u2-renamed"
		wantOK(t, "UpdateUser", tx.UpdateUser(u2))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		gs, err := tx.ListGroupsForUser(acct, "u1")
		wantOK(t, "ListGroupsForUser(u1)", err)
		diff(t, "ListGroupsForUser(u1) after remove", []keyward.Group{g2}, gs)
		us, _, err := tx.ListGroupMembers(acct, "g1", keyward.ListOptions{})
		wantOK(t, "ListGroupMembers(g1)", err)
		diff(t, "ListGroupMembers(g1) after rename", []keyward.User{u2}, us)
		return nil
	})
}
