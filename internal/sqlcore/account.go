package sqlcore

import (
	"database/sql"

	"github.com/keyward/keyward"
)

const accountCols = `id, alias, create_date, token_version, outbound_issuer, outbound_enabled`

func (t *Tx) scanAccount(r Row) (keyward.Account, error) {
	var a keyward.Account
	var alias sql.NullString
	err := r.Scan(&a.ID, &alias, t.d.Time(&a.CreateDate), &a.GlobalEndpointTokenVersion, &a.OutboundIssuer, &a.OutboundEnabled)
	a.Alias = alias.String
	return a, err
}

// CreateAccount implements keyward.Tx.
func (t *Tx) CreateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO accounts (id, alias, create_date, token_version, outbound_issuer, outbound_enabled)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		a.ID, nullString(a.Alias), timeArg(a.CreateDate), a.GlobalEndpointTokenVersion, a.OutboundIssuer, a.OutboundEnabled)
	if err != nil {
		return t.internal("create account", err)
	}
	if n == 0 {
		taken, err := t.count(`SELECT COUNT(*) FROM accounts WHERE id = ?`, a.ID)
		if err != nil {
			return t.internal("create account", err)
		}
		if taken > 0 {
			return errAccountExists(a.ID)
		}
		return errAliasExists(a.Alias)
	}
	return nil
}

// GetAccount implements keyward.Tx.
func (t *Tx) GetAccount(id string) (keyward.Account, error) {
	a, err := t.scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
	if err != nil {
		return keyward.Account{}, t.notFound("get account", err, errNoSuchAccount(id))
	}
	return a, nil
}

// GetAccountByAlias implements keyward.Tx.
func (t *Tx) GetAccountByAlias(alias string) (keyward.Account, error) {
	a, err := t.scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE alias = ?`, alias))
	if err != nil {
		return keyward.Account{}, t.notFound("get account", err, errNoSuchAlias(alias))
	}
	return a, nil
}

// UpdateAccount implements keyward.Tx.
func (t *Tx) UpdateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	if a.Alias != "" {
		taken, err := t.count(`SELECT COUNT(*) FROM accounts WHERE alias = ? AND id <> ?`, a.Alias, a.ID)
		if err != nil {
			return t.internal("update account", err)
		}
		if taken > 0 {
			return errAliasExists(a.Alias)
		}
	}
	n, err := t.exec(`UPDATE accounts SET alias = ?, token_version = ?, outbound_issuer = ?, outbound_enabled = ? WHERE id = ?`,
		nullString(a.Alias), a.GlobalEndpointTokenVersion, a.OutboundIssuer, a.OutboundEnabled, a.ID)
	if t.d.IsUniqueViolation(err) {
		return errAliasExists(a.Alias)
	}
	if err != nil {
		return t.internal("update account", err)
	}
	if n == 0 {
		return errNoSuchAccount(a.ID)
	}
	return nil
}

// ListAccounts implements keyward.Tx.
func (t *Tx) ListAccounts() ([]keyward.Account, error) {
	return collect(t, "list accounts", `SELECT `+accountCols+` FROM accounts ORDER BY id COLLATE BINARY`, nil, t.scanAccount)
}
