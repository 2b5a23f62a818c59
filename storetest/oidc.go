package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testOIDCProvider(t *testing.T, s keyward.Store) {
	p := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.example.com/x",
		URL: "https://token.example.com/x", ClientIDs: []string{"a", "b"},
		Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}, CreateDate: t0}
	q := keyward.OIDCProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":oidc-provider/a.example.com",
		URL: "https://a.example.com", CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateOIDCProvider(p)", tx.CreateOIDCProvider(p))
		wantOK(t, "CreateOIDCProvider(q)", tx.CreateOIDCProvider(q))
		wantCode(t, "CreateOIDCProvider(p again)", tx.CreateOIDCProvider(p), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetOIDCProvider(p.ARN)
		wantOK(t, "GetOIDCProvider", err)
		diff(t, "GetOIDCProvider", p, got)
		_, err = tx.GetOIDCProvider("arn:aws:iam::" + acct + ":oidc-provider/nope")
		wantCode(t, "GetOIDCProvider(missing)", err, keyward.ErrNoSuchEntity)
		all, err := tx.ListOIDCProviders(acct)
		wantOK(t, "ListOIDCProviders", err)
		diff(t, "ListOIDCProviders", []keyward.OIDCProvider{q, p}, all)
		all, err = tx.ListOIDCProviders(acct2)
		wantOK(t, "ListOIDCProviders(other)", err)
		diff(t, "ListOIDCProviders(other)", []keyward.OIDCProvider(nil), all)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		p.ClientIDs = []string{"c"}
		p.Thumbprints = nil
		wantOK(t, "UpdateOIDCProvider", tx.UpdateOIDCProvider(p))
		wantCode(t, "UpdateOIDCProvider(missing)", tx.UpdateOIDCProvider(keyward.OIDCProvider{ARN: "arn:aws:iam::" + acct + ":oidc-provider/nope"}), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetOIDCProvider(p.ARN)
		wantOK(t, "GetOIDCProvider", err)
		diff(t, "GetOIDCProvider after update", p, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteOIDCProvider", tx.DeleteOIDCProvider(p.ARN))
		wantCode(t, "DeleteOIDCProvider(again)", tx.DeleteOIDCProvider(p.ARN), keyward.ErrNoSuchEntity)
		return nil
	})
}
