package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testKeyRing(t *testing.T, s keyward.Store) {
	old := keyward.KeyRingEntry{ID: "k-old", Material: []byte{1, 2, 3}, CreateDate: t0, NotAfter: t0.Add(48 * time.Hour)}
	cur := keyward.KeyRingEntry{ID: "k-cur", Material: []byte{4, 5, 6, 0, 255}, CreateDate: t0.Add(time.Hour)}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateKeyRingEntry(cur)", tx.CreateKeyRingEntry(cur))
		wantOK(t, "CreateKeyRingEntry(old)", tx.CreateKeyRingEntry(old))
		wantCode(t, "CreateKeyRingEntry(old again)", tx.CreateKeyRingEntry(old), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListKeyRingEntries()
		wantOK(t, "ListKeyRingEntries", err)
		diff(t, "ListKeyRingEntries", []keyward.KeyRingEntry{old, cur}, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteKeyRingEntry", tx.DeleteKeyRingEntry(old.ID))
		wantCode(t, "DeleteKeyRingEntry(again)", tx.DeleteKeyRingEntry(old.ID), keyward.ErrNoSuchEntity)
		got, err := tx.ListKeyRingEntries()
		wantOK(t, "ListKeyRingEntries", err)
		diff(t, "ListKeyRingEntries after delete", []keyward.KeyRingEntry{cur}, got)
		return nil
	})
}
