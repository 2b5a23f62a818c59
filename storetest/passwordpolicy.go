package storetest

import (
	"testing"

	"github.com/keyward/keyward"
)

func testPasswordPolicy(t *testing.T, s keyward.Store) {
	p := keyward.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 14, RequireSymbols: true,
		RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, ExpirePasswords: true, MaxPasswordAge: 90, PasswordReusePrevention: 5,
		HardExpiry: true, HardExpirySet: true}
	update(t, s, func(tx keyward.Tx) error {
		_, err := tx.GetPasswordPolicy(acct)
		wantCode(t, "GetPasswordPolicy(unset)", err, keyward.ErrNoSuchEntity)
		wantCode(t, "DeletePasswordPolicy(unset)", tx.DeletePasswordPolicy(acct), keyward.ErrNoSuchEntity)
		wantOK(t, "PutPasswordPolicy", tx.PutPasswordPolicy(p))
		got, err := tx.GetPasswordPolicy(acct)
		wantOK(t, "GetPasswordPolicy", err)
		diff(t, "GetPasswordPolicy", p, got)
		p = keyward.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 8}
		wantOK(t, "PutPasswordPolicy(replace)", tx.PutPasswordPolicy(p))
		got, err = tx.GetPasswordPolicy(acct)
		wantOK(t, "GetPasswordPolicy", err)
		diff(t, "GetPasswordPolicy after replace", p, got)
		_, err = tx.GetPasswordPolicy(acct2)
		wantCode(t, "GetPasswordPolicy(other account)", err, keyward.ErrNoSuchEntity)
		wantOK(t, "DeletePasswordPolicy", tx.DeletePasswordPolicy(acct))
		_, err = tx.GetPasswordPolicy(acct)
		wantCode(t, "GetPasswordPolicy(deleted)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}
