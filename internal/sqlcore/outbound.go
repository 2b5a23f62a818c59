package sqlcore

import "github.com/keyward/keyward"

// GetAccountByOutboundIssuer implements keyward.Tx.
func (t *Tx) GetAccountByOutboundIssuer(issuer string) (keyward.Account, error) {
	if issuer == "" {
		// Accounts that never enabled the feature have "": they have no issuer.
		return keyward.Account{}, errNoSuch("account of outbound issuer", issuer)
	}
	a, err := t.scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE outbound_issuer = ?`, issuer))
	if err != nil {
		return keyward.Account{}, t.notFound("get account by outbound issuer", err, errNoSuch("account of outbound issuer", issuer))
	}
	return a, nil
}

// CreateOutboundKey implements keyward.Tx.
func (t *Tx) CreateOutboundKey(k keyward.OutboundKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.count(`SELECT COUNT(*) FROM accounts WHERE id = ?`, k.AccountID)
	if err != nil {
		return t.internal("create outbound key", err)
	}
	if n == 0 {
		return errNoSuchAccount(k.AccountID)
	}
	n64, err := t.exec(`INSERT INTO outbound_keys (account_id, kid, alg, public_key, private_key, create_date)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.AccountID, k.KeyID, k.Algorithm, nonNil(k.PublicKey), nonNil(k.PrivateKey), timeArg(k.CreateDate))
	if err != nil {
		return t.internal("create outbound key", err)
	}
	if n64 == 0 {
		return errKeyExists(k.KeyID)
	}
	return nil
}

// ListOutboundKeys implements keyward.Tx.
func (t *Tx) ListOutboundKeys(accountID string) ([]keyward.OutboundKey, error) {
	return collect(t, "list outbound keys", `SELECT account_id, kid, alg, public_key, private_key, create_date FROM outbound_keys
		WHERE account_id = ? ORDER BY create_date IS NOT NULL, create_date, kid COLLATE BINARY`, []any{accountID},
		func(r Row) (keyward.OutboundKey, error) {
			var k keyward.OutboundKey
			err := r.Scan(&k.AccountID, &k.KeyID, &k.Algorithm, &k.PublicKey, &k.PrivateKey, t.d.Time(&k.CreateDate))
			return k, err
		})
}

// DeleteOutboundKey implements keyward.Tx.
func (t *Tx) DeleteOutboundKey(accountID, keyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM outbound_keys WHERE account_id = ? AND kid = ?`, accountID, keyID)
	if err != nil {
		return t.internal("delete outbound key", err)
	}
	if n == 0 {
		return errNoSuch("outbound key", keyID)
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
