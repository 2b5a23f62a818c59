package sqlcore

import "github.com/keyward/keyward"

// GetPasswordPolicy implements keyward.Tx.
func (t *Tx) GetPasswordPolicy(accountID string) (keyward.PasswordPolicy, error) {
	p := keyward.PasswordPolicy{AccountID: accountID}
	err := t.queryRow(`SELECT minimum_password_length, require_symbols, require_numbers,
		require_uppercase_characters, require_lowercase_characters, allow_users_to_change, expire_passwords,
		max_password_age, password_reuse_prevention, hard_expiry, hard_expiry_set FROM password_policies WHERE account_id = ?`,
		accountID).Scan(&p.MinimumPasswordLength, &p.RequireSymbols, &p.RequireNumbers, &p.RequireUppercaseCharacters,
		&p.RequireLowercaseCharacters, &p.AllowUsersToChangePassword, &p.ExpirePasswords, &p.MaxPasswordAge,
		&p.PasswordReusePrevention, &p.HardExpiry, &p.HardExpirySet)
	if err != nil {
		return keyward.PasswordPolicy{}, t.notFound("get password policy", err, errNoPasswordPolicy(accountID))
	}
	return p, nil
}

// PutPasswordPolicy implements keyward.Tx.
func (t *Tx) PutPasswordPolicy(p keyward.PasswordPolicy) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO password_policies (account_id, minimum_password_length, require_symbols,
		require_numbers, require_uppercase_characters, require_lowercase_characters, allow_users_to_change,
		expire_passwords, max_password_age, password_reuse_prevention, hard_expiry, hard_expiry_set)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET minimum_password_length = excluded.minimum_password_length,
			require_symbols = excluded.require_symbols, require_numbers = excluded.require_numbers,
			require_uppercase_characters = excluded.require_uppercase_characters,
			require_lowercase_characters = excluded.require_lowercase_characters,
			allow_users_to_change = excluded.allow_users_to_change, expire_passwords = excluded.expire_passwords,
			max_password_age = excluded.max_password_age,
			password_reuse_prevention = excluded.password_reuse_prevention, hard_expiry = excluded.hard_expiry,
			hard_expiry_set = excluded.hard_expiry_set`,
		p.AccountID, p.MinimumPasswordLength, p.RequireSymbols, p.RequireNumbers,
		p.RequireUppercaseCharacters, p.RequireLowercaseCharacters,
		p.AllowUsersToChangePassword, p.ExpirePasswords, p.MaxPasswordAge,
		p.PasswordReusePrevention, p.HardExpiry, p.HardExpirySet)
	if err != nil {
		return t.internal("put password policy", err)
	}
	return nil
}

// DeletePasswordPolicy implements keyward.Tx.
func (t *Tx) DeletePasswordPolicy(accountID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM password_policies WHERE account_id = ?`, accountID)
	if err != nil {
		return t.internal("delete password policy", err)
	}
	if n == 0 {
		return errNoPasswordPolicy(accountID)
	}
	return nil
}
