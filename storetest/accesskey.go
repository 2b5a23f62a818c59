package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testAccessKey(t *testing.T, s keyward.Store) {
	root := newKey(acct, "")
	k1 := newKey(acct, "alice")
	k2 := newKey(acct, "alice")
	k2.CreateDate = t0.Add(time.Second)
	k2.Status = keyward.StatusInactive
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "Alice")))
		wantOK(t, "CreateAccessKey(root)", tx.CreateAccessKey(root))
		wantOK(t, "CreateAccessKey(k2)", tx.CreateAccessKey(k2))
		wantOK(t, "CreateAccessKey(k1)", tx.CreateAccessKey(k1))
		wantCode(t, "CreateAccessKey(k1 again)", tx.CreateAccessKey(k1), keyward.ErrEntityAlreadyExists)
		other := k1
		other.AccountID = acct2
		other.UserName = ""
		wantCode(t, "CreateAccessKey(k1's ID in another account)", tx.CreateAccessKey(other), keyward.ErrEntityAlreadyExists)
		wantCode(t, "CreateAccessKey(missing user)", tx.CreateAccessKey(newKey(acct, "nope")), keyward.ErrNoSuchEntity)
		return nil
	})
	k1.UserName, k2.UserName = "Alice", "Alice" // the user's name as created
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccessKey(k1.AccessKeyID)
		wantOK(t, "GetAccessKey(k1)", err)
		diff(t, "GetAccessKey(k1)", k1, got)
		got, err = tx.GetAccessKey(root.AccessKeyID)
		wantOK(t, "GetAccessKey(root)", err)
		diff(t, "GetAccessKey(root)", root, got)
		_, err = tx.GetAccessKey(strings.ToLower(k1.AccessKeyID))
		wantCode(t, "GetAccessKey(lower-case ID)", err, keyward.ErrNoSuchEntity)
		keys, err := tx.ListAccessKeys(acct, "alice")
		wantOK(t, "ListAccessKeys(alice)", err)
		diff(t, "ListAccessKeys(alice)", []keyward.AccessKey{k1, k2}, keys)
		keys, err = tx.ListAccessKeys(acct, "")
		wantOK(t, "ListAccessKeys(root)", err)
		diff(t, "ListAccessKeys(root)", []keyward.AccessKey{root}, keys)
		keys, err = tx.ListAccessKeys(acct2, "")
		wantOK(t, "ListAccessKeys(other root)", err)
		diff(t, "ListAccessKeys(other root)", []keyward.AccessKey(nil), keys)
		_, err = tx.ListAccessKeys(acct, "nope")
		wantCode(t, "ListAccessKeys(missing user)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	used := keyward.AccessKeyLastUsed{Date: t0.Add(time.Hour), Service: "sts", Region: "us-east-1"}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "SetAccessKeyStatus", tx.SetAccessKeyStatus(k1.AccessKeyID, keyward.StatusInactive))
		wantOK(t, "SetAccessKeyLastUsed", tx.SetAccessKeyLastUsed(k1.AccessKeyID, used))
		wantCode(t, "SetAccessKeyStatus(missing)", tx.SetAccessKeyStatus("AKIANOPE", keyward.StatusActive), keyward.ErrNoSuchEntity)
		wantCode(t, "SetAccessKeyLastUsed(missing)", tx.SetAccessKeyLastUsed("AKIANOPE", used), keyward.ErrNoSuchEntity)
		// Renaming the user carries the keys along.
		u, err := tx.GetUser(acct, "alice")
		wantOK(t, "GetUser", err)
		u.Name = "Alicia"
		wantOK(t, "UpdateUser", tx.UpdateUser(u))
		return nil
	})
	k1.Status = keyward.StatusInactive
	k1.LastUsedDate, k1.LastUsedService, k1.LastUsedRegion = used.Date, used.Service, used.Region
	k1.UserName, k2.UserName = "Alicia", "Alicia"
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccessKey(k1.AccessKeyID)
		wantOK(t, "GetAccessKey", err)
		diff(t, "GetAccessKey after update", k1, got)
		keys, err := tx.ListAccessKeys(acct, "alicia")
		wantOK(t, "ListAccessKeys(alicia)", err)
		diff(t, "ListAccessKeys(alicia)", []keyward.AccessKey{k1, k2}, keys)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteAccessKey", tx.DeleteAccessKey(k1.AccessKeyID))
		wantCode(t, "DeleteAccessKey(again)", tx.DeleteAccessKey(k1.AccessKeyID), keyward.ErrNoSuchEntity)
		_, err := tx.GetAccessKey(k1.AccessKeyID)
		wantCode(t, "GetAccessKey(deleted)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}
