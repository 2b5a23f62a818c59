package sqlcore

import "github.com/keyward/keyward"

const serverCertCols = `c.id, c.account_id, c.name, c.path, c.arn, c.body, c.chain, c.private_key, c.upload_date, c.expiration`

func (t *Tx) scanServerCert(r Row) (keyward.ServerCertificate, error) {
	var c keyward.ServerCertificate
	err := r.Scan(&c.ID, &c.AccountID, &c.Name, &c.Path, &c.ARN, &c.Body, &c.Chain, &c.PrivateKeyCiphertext,
		t.d.Time(&c.UploadDate), t.d.Time(&c.Expiration))
	return c, err
}

func serverCertKey(c keyward.ServerCertificate) (string, string) { return fold(c.Name), c.ID }

// CreateServerCertificate implements keyward.Tx.
func (t *Tx) CreateServerCertificate(c keyward.ServerCertificate) error {
	if err := t.writable(); err != nil {
		return err
	}
	key := c.PrivateKeyCiphertext
	if key == nil {
		key = []byte{}
	}
	n, err := t.exec(`INSERT INTO server_certificates (id, account_id, name, name_fold, path, arn, body, chain,
		private_key, upload_date, expiration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.ID, c.AccountID, c.Name, fold(c.Name), c.Path, c.ARN, c.Body, c.Chain, key,
		timeArg(c.UploadDate), timeArg(c.Expiration))
	if err != nil {
		return t.internal("create server certificate", err)
	}
	if n == 0 {
		return errServerCertExists(c.Name)
	}
	return nil
}

// GetServerCertificate implements keyward.Tx.
func (t *Tx) GetServerCertificate(accountID, name string) (keyward.ServerCertificate, error) {
	c, err := t.scanServerCert(t.queryRow(`SELECT `+serverCertCols+` FROM server_certificates c
		WHERE c.account_id = ? AND c.name_fold = ?`, accountID, fold(name)))
	if err != nil {
		return keyward.ServerCertificate{}, t.notFound("get server certificate", err, errNoSuchServerCert(name))
	}
	return c, nil
}

// UpdateServerCertificate implements keyward.Tx.
func (t *Tx) UpdateServerCertificate(c keyward.ServerCertificate) error {
	if err := t.writable(); err != nil {
		return err
	}
	taken, err := t.nameTaken("update server certificate", "server_certificates", c.ID, c.Name)
	if err != nil {
		return err
	}
	if taken {
		return errServerCertExists(c.Name)
	}
	n, err := t.exec(`UPDATE server_certificates SET name = ?, name_fold = ?, path = ?, arn = ? WHERE id = ?`,
		c.Name, fold(c.Name), c.Path, c.ARN, c.ID)
	if t.d.IsUniqueViolation(err) {
		return errServerCertExists(c.Name)
	}
	if err != nil {
		return t.internal("update server certificate", err)
	}
	if n == 0 {
		return errNoSuchServerCert(c.Name)
	}
	return nil
}

// DeleteServerCertificate implements keyward.Tx.
func (t *Tx) DeleteServerCertificate(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindServerCertificate, accountID, name)
	if err != nil {
		return err
	}
	return t.deleteEntity("delete server certificate", keyward.KindServerCertificate, id,
		`DELETE FROM server_certificates WHERE id = ?`)
}

// ListServerCertificates implements keyward.Tx.
func (t *Tx) ListServerCertificates(accountID string, opts keyward.ListOptions) ([]keyward.ServerCertificate, string, error) {
	cond, args := pathCond("c.path", opts.PathPrefix)
	return page(t, "list server certificates", `SELECT `+serverCertCols+` FROM server_certificates c WHERE c.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "c.name_fold", "c.id", t.scanServerCert, serverCertKey)
}
