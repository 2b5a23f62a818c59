package sqlcore

import (
	"time"

	"github.com/keyward/keyward"
)

const samlCols = `arn, account_id, name, metadata, create_date, valid_until`

func (t *Tx) scanSAML(r Row) (keyward.SAMLProvider, error) {
	var p keyward.SAMLProvider
	err := r.Scan(&p.ARN, &p.AccountID, &p.Name, &p.Metadata, t.d.Time(&p.CreateDate), t.d.Time(&p.ValidUntil))
	return p, err
}

// CreateSAMLProvider implements keyward.Tx.
func (t *Tx) CreateSAMLProvider(p keyward.SAMLProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO saml_providers (arn, arn_fold, account_id, name, metadata, create_date, valid_until)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ARN, fold(p.ARN), p.AccountID, p.Name, p.Metadata, timeArg(p.CreateDate), timeArg(p.ValidUntil))
	if err != nil {
		return t.internal("create saml provider", err)
	}
	if n == 0 {
		return errSAMLProviderExists(p.ARN)
	}
	return nil
}

// GetSAMLProvider implements keyward.Tx.
func (t *Tx) GetSAMLProvider(arn string) (keyward.SAMLProvider, error) {
	p, err := t.scanSAML(t.queryRow(`SELECT `+samlCols+` FROM saml_providers WHERE arn = ?`, arn))
	if err != nil {
		return keyward.SAMLProvider{}, t.notFound("get saml provider", err, errNoSuchSAMLProvider(arn))
	}
	return p, nil
}

// UpdateSAMLProvider implements keyward.Tx.
func (t *Tx) UpdateSAMLProvider(p keyward.SAMLProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE saml_providers SET metadata = ?, valid_until = ? WHERE arn = ?`,
		p.Metadata, timeArg(p.ValidUntil), p.ARN)
	if err != nil {
		return t.internal("update saml provider", err)
	}
	if n == 0 {
		return errNoSuchSAMLProvider(p.ARN)
	}
	return nil
}

// DeleteSAMLProvider implements keyward.Tx.
func (t *Tx) DeleteSAMLProvider(arn string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.SAMLProviderRef(arn))
	if err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM saml_assertions WHERE provider_arn = ?`, arn); err != nil {
		return t.internal("delete saml provider", err)
	}
	return t.deleteEntity("delete saml provider", keyward.KindSAMLProvider, id, `DELETE FROM saml_providers WHERE arn = ?`)
}

// ListSAMLProviders implements keyward.Tx.
func (t *Tx) ListSAMLProviders(accountID string) ([]keyward.SAMLProvider, error) {
	return collect(t, "list saml providers", `SELECT `+samlCols+` FROM saml_providers WHERE account_id = ?
		ORDER BY arn COLLATE BINARY`, []any{accountID}, t.scanSAML)
}

// RecordSAMLAssertion implements keyward.Tx.
func (t *Tx) RecordSAMLAssertion(providerARN, id string, notOnOrAfter, now time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM saml_assertions WHERE not_after < ?`, now.UnixNano()); err != nil {
		return t.internal("record saml assertion", err)
	}
	n, err := t.exec(`INSERT INTO saml_assertions (provider_arn, id, not_after) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		providerARN, id, notOnOrAfter.UnixNano())
	if err != nil {
		return t.internal("record saml assertion", err)
	}
	if n == 0 {
		return errSAMLAssertionUsed(providerARN)
	}
	return nil
}
