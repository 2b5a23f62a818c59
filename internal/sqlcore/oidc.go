package sqlcore

import "github.com/keyward/keyward"

// client_ids and thumbprints are JSON arrays of strings.
const oidcCols = `arn, account_id, url, client_ids, thumbprints, create_date`

func (t *Tx) scanOIDC(r Row) (keyward.OIDCProvider, error) {
	var p keyward.OIDCProvider
	err := r.Scan(&p.ARN, &p.AccountID, &p.URL, jsonList{&p.ClientIDs}, jsonList{&p.Thumbprints},
		t.d.Time(&p.CreateDate))
	return p, err
}

// CreateOIDCProvider implements keyward.Tx.
func (t *Tx) CreateOIDCProvider(p keyward.OIDCProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO oidc_providers (`+oidcCols+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ARN, p.AccountID, p.URL, jsonListArg(p.ClientIDs), jsonListArg(p.Thumbprints), timeArg(p.CreateDate))
	if err != nil {
		return t.internal("create oidc provider", err)
	}
	if n == 0 {
		return errOIDCProviderExists(p.URL)
	}
	return nil
}

// GetOIDCProvider implements keyward.Tx.
func (t *Tx) GetOIDCProvider(arn string) (keyward.OIDCProvider, error) {
	p, err := t.scanOIDC(t.queryRow(`SELECT `+oidcCols+` FROM oidc_providers WHERE arn = ?`, arn))
	if err != nil {
		return keyward.OIDCProvider{}, t.notFound("get oidc provider", err, errNoSuchOIDCProvider(arn))
	}
	return p, nil
}

// UpdateOIDCProvider implements keyward.Tx.
func (t *Tx) UpdateOIDCProvider(p keyward.OIDCProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE oidc_providers SET client_ids = ?, thumbprints = ? WHERE arn = ?`,
		jsonListArg(p.ClientIDs), jsonListArg(p.Thumbprints), p.ARN)
	if err != nil {
		return t.internal("update oidc provider", err)
	}
	if n == 0 {
		return errNoSuchOIDCProvider(p.ARN)
	}
	return nil
}

// DeleteOIDCProvider implements keyward.Tx.
func (t *Tx) DeleteOIDCProvider(arn string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.OIDCProviderRef(arn))
	if err != nil {
		return err
	}
	return t.deleteEntity("delete oidc provider", keyward.KindOIDCProvider, id, `DELETE FROM oidc_providers WHERE arn = ?`)
}

// ListOIDCProviders implements keyward.Tx.
func (t *Tx) ListOIDCProviders(accountID string) ([]keyward.OIDCProvider, error) {
	return collect(t, "list oidc providers", `SELECT `+oidcCols+` FROM oidc_providers WHERE account_id = ?
		ORDER BY arn COLLATE BINARY`, []any{accountID}, t.scanOIDC)
}
