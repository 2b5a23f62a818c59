package sqlcore

import "github.com/keyward/keyward"

const loginProfileSelect = `SELECT p.account_id, u.name, p.password_hash, p.reset_required, p.create_date,
	p.changed_date, p.history FROM login_profiles p JOIN users u ON u.id = p.user_id`

func (t *Tx) scanLoginProfile(r Row) (keyward.LoginProfile, error) {
	var p keyward.LoginProfile
	err := r.Scan(&p.AccountID, &p.UserName, &p.PasswordHash, &p.PasswordResetRequired,
		t.d.Time(&p.CreateDate), t.d.Time(&p.PasswordChangedDate), jsonList{&p.PasswordHistory})
	return p, err
}

// CreateLoginProfile implements keyward.Tx.
func (t *Tx) CreateLoginProfile(p keyward.LoginProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	uid, err := t.entityID(keyward.KindUser, p.AccountID, p.UserName)
	if err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO login_profiles (user_id, account_id, password_hash, reset_required, create_date,
		changed_date, history) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		uid, p.AccountID, p.PasswordHash, p.PasswordResetRequired, timeArg(p.CreateDate),
		timeArg(p.PasswordChangedDate), jsonListArg(p.PasswordHistory))
	if err != nil {
		return t.internal("create login profile", err)
	}
	if n == 0 {
		return errLoginProfileExists(p.UserName)
	}
	return nil
}

// GetLoginProfile implements keyward.Tx.
func (t *Tx) GetLoginProfile(accountID, userName string) (keyward.LoginProfile, error) {
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return keyward.LoginProfile{}, errNoSuchLoginProfile(userName)
	}
	if err != nil {
		return keyward.LoginProfile{}, err
	}
	p, err := t.scanLoginProfile(t.queryRow(loginProfileSelect+` WHERE p.user_id = ?`, uid))
	if err != nil {
		return keyward.LoginProfile{}, t.notFound("get login profile", err, errNoSuchLoginProfile(userName))
	}
	return p, nil
}

// ListLoginProfiles implements keyward.Tx. The users' index on
// (account_id, name_fold) finds and orders them.
func (t *Tx) ListLoginProfiles(accountID string) ([]keyward.LoginProfile, error) {
	return collect(t, "list login profiles", loginProfileSelect+` WHERE u.account_id = ?
		ORDER BY u.name_fold COLLATE BINARY, u.id COLLATE BINARY`, []any{accountID}, t.scanLoginProfile)
}

// UpdateLoginProfile implements keyward.Tx.
func (t *Tx) UpdateLoginProfile(p keyward.LoginProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	uid, err := t.entityID(keyward.KindUser, p.AccountID, p.UserName)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return errNoSuchLoginProfile(p.UserName)
	}
	if err != nil {
		return err
	}
	n, err := t.exec(`UPDATE login_profiles SET password_hash = ?, reset_required = ?, changed_date = ?, history = ?
		WHERE user_id = ?`, p.PasswordHash, p.PasswordResetRequired, timeArg(p.PasswordChangedDate),
		jsonListArg(p.PasswordHistory), uid)
	if err != nil {
		return t.internal("update login profile", err)
	}
	if n == 0 {
		return errNoSuchLoginProfile(p.UserName)
	}
	return nil
}

// DeleteLoginProfile implements keyward.Tx.
func (t *Tx) DeleteLoginProfile(accountID, userName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return errNoSuchLoginProfile(userName)
	}
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM login_profiles WHERE user_id = ?`, uid)
	if err != nil {
		return t.internal("delete login profile", err)
	}
	if n == 0 {
		return errNoSuchLoginProfile(userName)
	}
	return nil
}
