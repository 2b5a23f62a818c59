package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func testOutbound(t *testing.T, s keyward.Store) {
	const issuer = "https://0f8fad5b-d9cb-469f-a165-70867728950e.tokens.sts.global.api.aws"
	rsa := keyward.OutboundKey{AccountID: acct, KeyID: "k-rsa", Algorithm: "RS256", PublicKey: []byte{1, 2}, PrivateKey: []byte{3, 0, 255}, CreateDate: t0}
	ec := keyward.OutboundKey{AccountID: acct, KeyID: "k-ec", Algorithm: "ES384", PublicKey: []byte{4}, PrivateKey: []byte{5, 6}, CreateDate: t0.Add(time.Second)}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateAccount", tx.CreateAccount(keyward.Account{ID: acct, CreateDate: t0, OutboundIssuer: issuer, OutboundEnabled: true}))
		wantOK(t, "CreateAccount(2)", tx.CreateAccount(keyward.Account{ID: acct2, CreateDate: t0}))
		wantOK(t, "CreateOutboundKey(ec)", tx.CreateOutboundKey(ec))
		wantOK(t, "CreateOutboundKey(rsa)", tx.CreateOutboundKey(rsa))
		wantCode(t, "CreateOutboundKey(rsa again)", tx.CreateOutboundKey(rsa), keyward.ErrEntityAlreadyExists)
		other := rsa
		other.AccountID = "999999999999"
		wantCode(t, "CreateOutboundKey(no such account)", tx.CreateOutboundKey(other), keyward.ErrNoSuchEntity)
		// The same kid in another account is another key.
		other.AccountID = acct2
		wantOK(t, "CreateOutboundKey(rsa in acct2)", tx.CreateOutboundKey(other))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListOutboundKeys(acct)
		wantOK(t, "ListOutboundKeys", err)
		diff(t, "ListOutboundKeys", []keyward.OutboundKey{rsa, ec}, got)
		got, err = tx.ListOutboundKeys("999999999999")
		wantOK(t, "ListOutboundKeys(unknown)", err)
		diff(t, "ListOutboundKeys(unknown)", []keyward.OutboundKey(nil), got)

		a, err := tx.GetAccountByOutboundIssuer(issuer)
		wantOK(t, "GetAccountByOutboundIssuer", err)
		diff(t, "GetAccountByOutboundIssuer.ID", acct, a.ID)
		_, err = tx.GetAccountByOutboundIssuer(issuer + "x")
		wantCode(t, "GetAccountByOutboundIssuer(other)", err, keyward.ErrNoSuchEntity)
		// acct2 never enabled the feature: its issuer is "", which names no account.
		_, err = tx.GetAccountByOutboundIssuer("")
		wantCode(t, "GetAccountByOutboundIssuer(\"\")", err, keyward.ErrNoSuchEntity)
		return nil
	})
	if err := s.View(t.Context(), func(tx keyward.Tx) error {
		return tx.CreateOutboundKey(keyward.OutboundKey{AccountID: acct, KeyID: "k-view"})
	}); err == nil {
		t.Errorf("CreateOutboundKey in View = nil, want an error")
	}
	if err := s.View(t.Context(), func(tx keyward.Tx) error {
		return tx.DeleteOutboundKey(acct, rsa.KeyID)
	}); err == nil {
		t.Errorf("DeleteOutboundKey in View = nil, want an error")
	}
	// A retired key goes; the account's other keys and another account's
	// key of the same kid stay.
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteOutboundKey(rsa)", tx.DeleteOutboundKey(acct, rsa.KeyID))
		wantCode(t, "DeleteOutboundKey(rsa again)", tx.DeleteOutboundKey(acct, rsa.KeyID), keyward.ErrNoSuchEntity)
		wantCode(t, "DeleteOutboundKey(no such account)", tx.DeleteOutboundKey("999999999999", ec.KeyID), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.ListOutboundKeys(acct)
		wantOK(t, "ListOutboundKeys after delete", err)
		diff(t, "ListOutboundKeys after delete", []keyward.OutboundKey{ec}, got)
		got, err = tx.ListOutboundKeys(acct2)
		wantOK(t, "ListOutboundKeys(acct2) after delete", err)
		if len(got) != 1 || got[0].KeyID != rsa.KeyID {
			t.Errorf("ListOutboundKeys(acct2) after deleting acct's key of the same kid = %+v, want its own key", got)
		}
		return nil
	})
}
