package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testUser(t *testing.T, s keyward.Store) {
	alice := newUser(acct, "Alice")
	alice.Path = "/eng/"
	alice.ARN = "arn:aws:iam::" + acct + ":user/eng/Alice"
	alice.PermissionsBoundaryARN = "arn:aws:iam::" + acct + ":policy/Boundary"
	alice.PasswordLastUsed = t0.Add(time.Hour)
	other := newUser(acct2, "alice") // same name, other account: allowed
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(Alice)", tx.CreateUser(alice))
		wantOK(t, "CreateUser(other account)", tx.CreateUser(other))
		err := tx.CreateUser(newUser(acct, "ALICE"))
		wantCode(t, "CreateUser(ALICE)", err, keyward.ErrEntityAlreadyExists)
		dupID := newUser(acct, "bob")
		dupID.ID = alice.ID
		wantCode(t, "CreateUser(duplicate ID)", tx.CreateUser(dupID), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		for _, name := range []string{"Alice", "alice", "ALICE"} {
			got, err := tx.GetUser(acct, name)
			wantOK(t, fmt.Sprintf("GetUser(%q)", name), err)
			diff(t, fmt.Sprintf("GetUser(%q)", name), alice, got)
		}
		got, err := tx.GetUserByID(alice.ID)
		wantOK(t, "GetUserByID", err)
		diff(t, "GetUserByID", alice, got)
		got, err = tx.GetUser(acct2, "alice")
		wantOK(t, "GetUser(other account)", err)
		diff(t, "GetUser(other account)", other, got)
		_, err = tx.GetUser(acct, "bob")
		wantCode(t, "GetUser(bob)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetUserByID("AIDANOTHERE")
		wantCode(t, "GetUserByID(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})

	// Rename, and the old name is free again.
	bob := newUser(acct, "bob")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser(bob)", tx.CreateUser(bob))
		renamed := alice
		renamed.Name = "BOB"
		wantCode(t, "UpdateUser(rename onto bob)", tx.UpdateUser(renamed), keyward.ErrEntityAlreadyExists)
		alice.Name, alice.Path, alice.ARN = "Alicia", "/", "arn:aws:iam::"+acct+":user/Alicia"
		alice.PermissionsBoundaryARN = ""
		alice.PasswordLastUsed = time.Time{}
		wantOK(t, "UpdateUser(rename)", tx.UpdateUser(alice))
		missing := newUser(acct, "ghost")
		wantCode(t, "UpdateUser(missing)", tx.UpdateUser(missing), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetUser(acct, "alicia")
		wantOK(t, "GetUser(alicia)", err)
		diff(t, "GetUser after rename", alice, got)
		_, err = tx.GetUser(acct, "Alice")
		wantCode(t, "GetUser(old name)", err, keyward.ErrNoSuchEntity)
		users, next, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		diff(t, "ListUsers", []keyward.User{alice, bob}, users)
		if next != "" {
			t.Errorf("ListUsers next = %q, want \"\"", next)
		}
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteUser(ALICIA)", tx.DeleteUser(acct, "ALICIA"))
		wantCode(t, "DeleteUser(again)", tx.DeleteUser(acct, "alicia"), keyward.ErrNoSuchEntity)
		wantOK(t, "CreateUser(Alice again)", tx.CreateUser(newUser(acct, "Alice")))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetUserByID(alice.ID)
		wantCode(t, "GetUserByID(deleted)", err, keyward.ErrNoSuchEntity)
		users, _, err := tx.ListUsers(acct, keyward.ListOptions{})
		wantOK(t, "ListUsers", err)
		if len(users) != 2 {
			t.Errorf("ListUsers after delete = %d users, want 2", len(users))
		}
		return nil
	})
}
