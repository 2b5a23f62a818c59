package sqlcore

import "github.com/keyward/keyward"

const credentialSelect = `SELECT c.kind, c.id, c.account_id, COALESCE(u.name, ''), c.status, c.create_date, c.body,
	c.fingerprint, c.service_name, c.service_user_name, c.secret, c.expiration
	FROM user_credentials c LEFT JOIN users u ON u.id = c.user_id`

func (t *Tx) scanCredential(r Row) (keyward.UserCredential, error) {
	var c keyward.UserCredential
	var kind, status string
	err := r.Scan(&kind, &c.ID, &c.AccountID, &c.UserName, &status, t.d.Time(&c.CreateDate), &c.Body,
		&c.Fingerprint, &c.ServiceName, &c.ServiceUserName, &c.SecretCiphertext, t.d.Time(&c.Expiration))
	c.Kind, c.Status = keyward.CredentialKind(kind), keyward.AccessKeyStatus(status)
	if len(c.SecretCiphertext) == 0 {
		c.SecretCiphertext = nil
	}
	return c, err
}

// CreateUserCredential implements keyward.Tx.
func (t *Tx) CreateUserCredential(c keyward.UserCredential) error {
	if err := t.writable(); err != nil {
		return err
	}
	var uid any // NULL: root
	if c.UserName != "" {
		id, err := t.entityID(keyward.KindUser, c.AccountID, c.UserName)
		if err != nil {
			return err
		}
		uid = id
	}
	var secret any
	if c.SecretCiphertext != nil {
		secret = c.SecretCiphertext
	}
	n, err := t.exec(`INSERT INTO user_credentials (kind, id, account_id, user_id, status, create_date, body,
		fingerprint, service_name, service_user_name, secret, expiration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		string(c.Kind), c.ID, c.AccountID, uid, string(c.Status), timeArg(c.CreateDate), c.Body,
		c.Fingerprint, c.ServiceName, c.ServiceUserName, secret, timeArg(c.Expiration))
	if err != nil {
		return t.internal("create user credential", err)
	}
	if n == 0 {
		return errCredentialExists(c.Kind, c.ID)
	}
	return nil
}

// GetUserCredential implements keyward.Tx.
func (t *Tx) GetUserCredential(kind keyward.CredentialKind, id string) (keyward.UserCredential, error) {
	c, err := t.scanCredential(t.queryRow(credentialSelect+` WHERE c.kind = ? AND c.id = ?`, string(kind), id))
	if err != nil {
		return keyward.UserCredential{}, t.notFound("get user credential", err, errNoSuchCredential(kind, id))
	}
	return c, nil
}

// ListUserCredentials implements keyward.Tx.
func (t *Tx) ListUserCredentials(kind keyward.CredentialKind, accountID, userName string) ([]keyward.UserCredential, error) {
	const order = ` ORDER BY c.create_date IS NOT NULL, c.create_date, c.id COLLATE BINARY`
	if userName == "" {
		return collect(t, "list user credentials", credentialSelect+` WHERE c.kind = ? AND c.account_id = ? AND c.user_id IS NULL`+order,
			[]any{string(kind), accountID}, t.scanCredential)
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return nil, err
	}
	return collect(t, "list user credentials", credentialSelect+` WHERE c.kind = ? AND c.user_id = ?`+order,
		[]any{string(kind), uid}, t.scanCredential)
}

// ListAccountUserCredentials implements keyward.Tx.
func (t *Tx) ListAccountUserCredentials(kind keyward.CredentialKind, accountID string) ([]keyward.UserCredential, error) {
	return collect(t, "list account user credentials", credentialSelect+` WHERE c.kind = ? AND c.account_id = ?
		ORDER BY c.create_date IS NOT NULL, c.create_date, c.id COLLATE BINARY`, []any{string(kind), accountID}, t.scanCredential)
}

// UpdateUserCredential implements keyward.Tx.
func (t *Tx) UpdateUserCredential(c keyward.UserCredential) error {
	if err := t.writable(); err != nil {
		return err
	}
	var secret any
	if c.SecretCiphertext != nil {
		secret = c.SecretCiphertext
	}
	n, err := t.exec(`UPDATE user_credentials SET status = ?, secret = ? WHERE kind = ? AND id = ?`,
		string(c.Status), secret, string(c.Kind), c.ID)
	if err != nil {
		return t.internal("update user credential", err)
	}
	if n == 0 {
		return errNoSuchCredential(c.Kind, c.ID)
	}
	return nil
}

// DeleteUserCredential implements keyward.Tx.
func (t *Tx) DeleteUserCredential(kind keyward.CredentialKind, id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM user_credentials WHERE kind = ? AND id = ?`, string(kind), id)
	if err != nil {
		return t.internal("delete user credential", err)
	}
	if n == 0 {
		return errNoSuchCredential(kind, id)
	}
	return nil
}
