package sqlcore

import "github.com/keyward/keyward"

const accessKeySelect = `SELECT k.id, k.account_id, COALESCE(u.name, ''), k.secret, k.status, k.create_date,
	k.last_used_date, k.last_used_service, k.last_used_region
	FROM access_keys k LEFT JOIN users u ON u.id = k.user_id`

var qGetAccessKey = prepared(accessKeySelect + ` WHERE k.id = ?`)

func (t *Tx) scanAccessKey(r Row) (keyward.AccessKey, error) {
	var k keyward.AccessKey
	var status string
	err := r.Scan(&k.AccessKeyID, &k.AccountID, &k.UserName, &k.SecretCiphertext, &status,
		t.d.Time(&k.CreateDate), t.d.Time(&k.LastUsedDate), &k.LastUsedService, &k.LastUsedRegion)
	k.Status = keyward.AccessKeyStatus(status)
	return k, err
}

// CreateAccessKey implements keyward.Tx.
func (t *Tx) CreateAccessKey(k keyward.AccessKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	var userID any // NULL: root
	if k.UserName != "" {
		id, err := t.entityID(keyward.KindUser, k.AccountID, k.UserName)
		if err != nil {
			return err
		}
		userID = id
	}
	secret := k.SecretCiphertext
	if secret == nil {
		secret = []byte{}
	}
	n, err := t.exec(`INSERT INTO access_keys (id, account_id, user_id, secret, status, create_date,
		last_used_date, last_used_service, last_used_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		k.AccessKeyID, k.AccountID, userID, secret, string(k.Status), timeArg(k.CreateDate),
		timeArg(k.LastUsedDate), k.LastUsedService, k.LastUsedRegion)
	if err != nil {
		return t.internal("create access key", err)
	}
	if n == 0 {
		return errAccessKeyExists(k.AccessKeyID)
	}
	return nil
}

// GetAccessKey implements keyward.Tx.
func (t *Tx) GetAccessKey(accessKeyID string) (keyward.AccessKey, error) {
	k, err := t.scanAccessKey(t.queryRow(qGetAccessKey, accessKeyID))
	if err != nil {
		return keyward.AccessKey{}, t.notFound("get access key", err, errNoSuchAccessKey(accessKeyID))
	}
	return k, nil
}

// ListAccessKeys implements keyward.Tx.
func (t *Tx) ListAccessKeys(accountID, userName string) ([]keyward.AccessKey, error) {
	const order = ` ORDER BY k.create_date IS NOT NULL, k.create_date, k.id COLLATE BINARY`
	if userName == "" {
		return collect(t, "list access keys", accessKeySelect+` WHERE k.account_id = ? AND k.user_id IS NULL`+order,
			[]any{accountID}, t.scanAccessKey)
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return nil, err
	}
	return collect(t, "list access keys", accessKeySelect+` WHERE k.user_id = ?`+order, []any{uid}, t.scanAccessKey)
}

// ListAccountAccessKeys implements keyward.Tx.
func (t *Tx) ListAccountAccessKeys(accountID string) ([]keyward.AccessKey, error) {
	return collect(t, "list account access keys", accessKeySelect+` WHERE k.account_id = ?
		ORDER BY k.create_date IS NOT NULL, k.create_date, k.id COLLATE BINARY`, []any{accountID}, t.scanAccessKey)
}

// SetAccessKeyStatus implements keyward.Tx.
func (t *Tx) SetAccessKeyStatus(accessKeyID string, status keyward.AccessKeyStatus) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE access_keys SET status = ? WHERE id = ?`, string(status), accessKeyID)
	if err != nil {
		return t.internal("set access key status", err)
	}
	if n == 0 {
		return errNoSuchAccessKey(accessKeyID)
	}
	return nil
}

// SetAccessKeyLastUsed implements keyward.Tx.
func (t *Tx) SetAccessKeyLastUsed(accessKeyID string, u keyward.AccessKeyLastUsed) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE access_keys SET last_used_date = ?, last_used_service = ?, last_used_region = ?
		WHERE id = ?`, timeArg(u.Date), u.Service, u.Region, accessKeyID)
	if err != nil {
		return t.internal("set access key last used", err)
	}
	if n == 0 {
		return errNoSuchAccessKey(accessKeyID)
	}
	return nil
}

// DeleteAccessKey implements keyward.Tx.
func (t *Tx) DeleteAccessKey(accessKeyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM access_keys WHERE id = ?`, accessKeyID)
	if err != nil {
		return t.internal("delete access key", err)
	}
	if n == 0 {
		return errNoSuchAccessKey(accessKeyID)
	}
	return nil
}
