package sqlcore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/keyward/keyward"
)

const userCols = `u.id, u.account_id, u.name, u.path, u.arn, u.create_date, u.password_last_used, u.boundary_arn`

// usersBatch is how many names one GetUsers statement looks up: a fixed
// count keeps to one statement text, prepared once (see Hot); a short
// batch repeats its last name.
const usersBatch = 50

var (
	qGetUsers = prepared(`SELECT ` + userCols + ` FROM users u WHERE u.account_id = ? AND u.name_fold IN (?` +
		strings.Repeat(`, ?`, usersBatch-1) + `)`)
	qGetUser     = prepared(`SELECT ` + userCols + ` FROM users u WHERE u.account_id = ? AND u.name_fold = ?`)
	qGetUserByID = prepared(`SELECT ` + userCols + ` FROM users u WHERE u.id = ?`)
)

func (t *Tx) scanUser(r Row) (keyward.User, error) {
	var u keyward.User
	err := r.Scan(&u.ID, &u.AccountID, &u.Name, &u.Path, &u.ARN,
		t.d.Time(&u.CreateDate), t.d.Time(&u.PasswordLastUsed), &u.PermissionsBoundaryARN)
	return u, err
}

func userKey(u keyward.User) (string, string) { return fold(u.Name), u.ID }

// CreateUser implements keyward.Tx.
func (t *Tx) CreateUser(u keyward.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO users (id, account_id, name, name_fold, path, arn, create_date,
		password_last_used, boundary_arn, boundary_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		u.ID, u.AccountID, u.Name, fold(u.Name), u.Path, u.ARN, timeArg(u.CreateDate),
		timeArg(u.PasswordLastUsed), u.PermissionsBoundaryARN, fold(u.PermissionsBoundaryARN))
	if err != nil {
		return t.internal("create user", err)
	}
	if n == 0 {
		return errUserExists(u.Name)
	}
	return nil
}

// GetUser implements keyward.Tx.
func (t *Tx) GetUser(accountID, name string) (keyward.User, error) {
	u, err := t.scanUser(t.queryRow(qGetUser, accountID, fold(name)))
	if err != nil {
		return keyward.User{}, t.notFound("get user", err, errNoSuchUser(name))
	}
	return u, nil
}

// GetUsers implements keyward.Tx.
func (t *Tx) GetUsers(accountID string, names []string) ([]keyward.User, error) {
	var users []keyward.User
	seen := map[string]bool{} // IDs: two names may fold alike
	args := make([]any, 1+usersBatch)
	args[0] = accountID
	for len(names) > 0 {
		n := min(len(names), usersBatch)
		for i := range usersBatch {
			args[1+i] = fold(names[min(i, n-1)])
		}
		names = names[n:]
		got, err := collect(t, "get users", qGetUsers, args, t.scanUser)
		if err != nil {
			return nil, err
		}
		for _, u := range got {
			if !seen[u.ID] {
				seen[u.ID] = true
				users = append(users, u)
			}
		}
	}
	slices.SortFunc(users, func(a, b keyward.User) int {
		return cmp.Or(strings.Compare(fold(a.Name), fold(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return users, nil
}

// GetUserByID implements keyward.Tx.
func (t *Tx) GetUserByID(id string) (keyward.User, error) {
	u, err := t.scanUser(t.queryRow(qGetUserByID, id))
	if err != nil {
		return keyward.User{}, t.notFound("get user", err, errNoSuchUserID(id))
	}
	return u, nil
}

// UpdateUser implements keyward.Tx.
func (t *Tx) UpdateUser(u keyward.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	taken, err := t.nameTaken("update user", "users", u.ID, u.Name)
	if err != nil {
		return err
	}
	if taken {
		return errUserExists(u.Name)
	}
	n, err := t.exec(`UPDATE users SET name = ?, name_fold = ?, path = ?, arn = ?, create_date = ?,
		password_last_used = ?, boundary_arn = ?, boundary_fold = ? WHERE id = ?`,
		u.Name, fold(u.Name), u.Path, u.ARN, timeArg(u.CreateDate), timeArg(u.PasswordLastUsed),
		u.PermissionsBoundaryARN, fold(u.PermissionsBoundaryARN), u.ID)
	if t.d.IsUniqueViolation(err) {
		return errUserExists(u.Name)
	}
	if err != nil {
		return t.internal("update user", err)
	}
	if n == 0 {
		return errNoSuchUser(u.Name)
	}
	return nil
}

// DeleteUser implements keyward.Tx.
func (t *Tx) DeleteUser(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindUser, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete user", id,
		conflict{`SELECT COUNT(*) FROM access_keys WHERE user_id = ?`, msgHasAccessKeys},
		conflict{`SELECT COUNT(*) FROM group_members WHERE user_id = ?`, msgInGroups},
		conflict{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'user' AND entity_id = ?`, msgHasAttached},
		conflict{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'user' AND entity_id = ?`, msgHasInline},
		conflict{`SELECT COUNT(*) FROM login_profiles WHERE user_id = ?`, msgHasLoginProfile},
		conflict{`SELECT COUNT(*) FROM mfa_devices WHERE user_id = ?`, msgHasMFADevice},
		conflict{`SELECT COUNT(*) FROM user_credentials WHERE user_id = ? AND kind = 'ssh-public-key'`, msgHasSSHKeys},
		conflict{`SELECT COUNT(*) FROM user_credentials WHERE user_id = ? AND kind = 'signing-certificate'`, msgHasSigningCerts},
		conflict{`SELECT COUNT(*) FROM user_credentials WHERE user_id = ? AND kind = 'service-specific'`, msgHasServiceCreds},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete user", keyward.KindUser, id, `DELETE FROM users WHERE id = ?`)
}

// ListUsers implements keyward.Tx.
func (t *Tx) ListUsers(accountID string, opts keyward.ListOptions) ([]keyward.User, string, error) {
	cond, args := pathCond("u.path", opts.PathPrefix)
	return page(t, "list users", `SELECT `+userCols+` FROM users u WHERE u.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "u.name_fold", "u.id", t.scanUser, userKey)
}
