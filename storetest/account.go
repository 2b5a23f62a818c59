package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testAccount(t *testing.T, s keyward.Store) {
	a := keyward.Account{ID: acct, CreateDate: t0}
	b := keyward.Account{ID: acct2, Alias: "example-corp", CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateAccount(a)", tx.CreateAccount(a))
		wantOK(t, "CreateAccount(b)", tx.CreateAccount(b))
		wantCode(t, "CreateAccount(a again)", tx.CreateAccount(a), keyward.ErrEntityAlreadyExists)
		wantCode(t, "CreateAccount(alias taken)",
			tx.CreateAccount(keyward.Account{ID: "999988887777", Alias: "example-corp"}), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccount(acct)
		wantOK(t, "GetAccount", err)
		diff(t, "GetAccount", a, got)
		got, err = tx.GetAccountByAlias("example-corp")
		wantOK(t, "GetAccountByAlias", err)
		diff(t, "GetAccountByAlias", b, got)
		_, err = tx.GetAccount("000000000000")
		wantCode(t, "GetAccount(missing)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetAccountByAlias("nope")
		wantCode(t, "GetAccountByAlias(missing)", err, keyward.ErrNoSuchEntity)
		all, err := tx.ListAccounts()
		wantOK(t, "ListAccounts", err)
		diff(t, "ListAccounts", []keyward.Account{a, b}, all)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantCode(t, "UpdateAccount(alias of b)", tx.UpdateAccount(keyward.Account{ID: acct, Alias: "example-corp"}),
			keyward.ErrEntityAlreadyExists)
		wantCode(t, "UpdateAccount(missing)", tx.UpdateAccount(keyward.Account{ID: "000000000000"}),
			keyward.ErrNoSuchEntity)
		b.Alias = ""
		wantOK(t, "UpdateAccount(b no alias)", tx.UpdateAccount(b))
		a.Alias = "example-corp"
		// The account's settings travel with UpdateAccount too.
		a.GlobalEndpointTokenVersion, a.OutboundIssuer, a.OutboundEnabled = 2, "https://example.tokens.sts.global.api.aws", true
		wantOK(t, "UpdateAccount(a takes alias)", tx.UpdateAccount(a))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetAccountByAlias("example-corp")
		wantOK(t, "GetAccountByAlias", err)
		diff(t, "GetAccountByAlias after move", a, got)
		got, err = tx.GetAccount(acct2)
		wantOK(t, "GetAccount(b)", err)
		diff(t, "GetAccount(b)", b, got)
		return nil
	})
}
