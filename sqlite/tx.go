package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// tx implements keyward.Tx on one *sql.Tx.
type tx struct {
	ctx      context.Context
	tx       *sql.Tx
	readOnly bool
	stmts    map[string]*sql.Stmt // prepared statements of tx's *sql.DB
}

// hot lists the statements prepared at Open: the lookups on the request
// path, where parsing the SQL would otherwise cost about half of a read.
var hot []string

// prepared registers q as a statement to prepare at Open and returns it.
func prepared(q string) string {
	hot = append(hot, q)
	return q
}

// stmt returns the transaction's copy of q's prepared statement, or nil.
func (t *tx) stmt(q string) *sql.Stmt {
	if st, ok := t.stmts[q]; ok {
		return t.tx.StmtContext(t.ctx, st)
	}
	return nil
}

var _ keyward.Tx = (*tx)(nil)

// errReadOnly is returned by write methods called in a View. It is a
// programming error, so it is internal, not a *keyward.Error.
var errReadOnly = errors.New("sqlite: write in a read-only transaction")

func (t *tx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, q, args...)
}

// execN runs q and returns the number of rows it changed.
func (t *tx) execN(q string, args ...any) (int64, error) {
	r, err := t.tx.ExecContext(t.ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

func (t *tx) queryRow(q string, args ...any) *sql.Row {
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(q); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, q, args...)
}

// count runs a SELECT COUNT(*) query.
func (t *tx) count(q string, args ...any) (int, error) {
	var n int
	err := t.queryRow(q, args...).Scan(&n)
	return n, err
}

type scanner interface{ Scan(dest ...any) error }

// fold is the case folding used for names, keys and policy ARNs. IAM names
// are ASCII, so this agrees with SQL's lower() where a query needs it.
func fold(s string) string { return strings.ToLower(s) }

// timeArg encodes t as nanoseconds since the epoch, the zero time as NULL.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// nullTime scans what timeArg wrote back into a UTC time.Time.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.t = time.Time{}
	case int64:
		*n.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("sqlite: time column holds %T", src)
	}
	return nil
}

func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// internal wraps a database error for op.
func internal(op string, err error) error { return fmt.Errorf("sqlite: %s: %w", op, err) }

// notFound turns sql.ErrNoRows into a NoSuchEntity *keyward.Error with the
// given message and wraps any other error.
func notFound(op string, err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return keyward.Errorf(keyward.ErrNoSuchEntity, format, args...)
	}
	return internal(op, err)
}

// Markers are opaque to callers: base64url of the last returned item's two
// sort keys.
func encodeMarker(k1, k2 string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k1 + "\x00" + k2))
}

func decodeMarker(m string) (string, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err == nil {
		if k1, k2, ok := strings.Cut(string(b), "\x00"); ok {
			return k1, k2, nil
		}
	}
	return "", "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid Marker.")
}

// pathCond filters column by a path prefix; "" and "/" keep everything.
func pathCond(column, prefix string) (string, []any) {
	if prefix == "" || prefix == "/" {
		return "", nil
	}
	return " AND substr(" + column + ", 1, ?) = ?", []any{utf8.RuneCountInString(prefix), prefix}
}

// page runs base (a SELECT ending in a WHERE clause) for one page sorted by
// the columns k1, k2, which must be unique together; key gives an item's
// values of k1 and k2 as Go computes them.
func page[T any](t *tx, op, base string, args []any, opts keyward.ListOptions, k1, k2 string,
	scan func(scanner) (T, error), key func(T) (string, string)) ([]T, string, error) {
	q := base
	args = append([]any(nil), args...)
	if opts.Marker != "" {
		a, b, err := decodeMarker(opts.Marker)
		if err != nil {
			return nil, "", err
		}
		q += " AND (" + k1 + ", " + k2 + ") > (?, ?)"
		args = append(args, a, b)
	}
	q += " ORDER BY " + k1 + ", " + k2
	if opts.MaxItems > 0 {
		q += " LIMIT ?"
		args = append(args, opts.MaxItems+1)
	}
	items, err := collect(t, op, q, args, scan)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if opts.MaxItems > 0 && len(items) > opts.MaxItems {
		items = items[:opts.MaxItems]
		next = encodeMarker(key(items[len(items)-1]))
	}
	return items, next, nil
}

// collect runs q and scans every row.
func collect[T any](t *tx, op, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, internal(op, err)
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, internal(op, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(op, err)
	}
	return items, nil
}

// Statements prepared at Open.
var (
	qGetUser       = prepared(`SELECT ` + userCols + ` FROM users u WHERE u.account_id = ? AND u.name_fold = ?`)
	qGetUserByID   = prepared(`SELECT ` + userCols + ` FROM users u WHERE u.id = ?`)
	qGetGroup      = prepared(`SELECT ` + groupCols + ` FROM iam_groups g WHERE g.account_id = ? AND g.name_fold = ?`)
	qGetRole       = prepared(`SELECT ` + roleCols + ` FROM roles r WHERE r.account_id = ? AND r.name_fold = ?`)
	qGetRoleByID   = prepared(`SELECT ` + roleCols + ` FROM roles r WHERE r.id = ?`)
	qUserID        = prepared(`SELECT id FROM users WHERE account_id = ? AND name_fold = ?`)
	qGroupID       = prepared(`SELECT id FROM iam_groups WHERE account_id = ? AND name_fold = ?`)
	qRoleID        = prepared(`SELECT id FROM roles WHERE account_id = ? AND name_fold = ?`)
	qProfileID     = prepared(`SELECT id FROM instance_profiles WHERE account_id = ? AND name_fold = ?`)
	qPolicyID      = prepared(`SELECT id FROM policies WHERE arn_fold = ?`)
	qGroupsForUser = prepared(`SELECT ` + groupCols + ` FROM iam_groups g
		JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_fold, g.id`)
)

// Accounts.

func scanAccount(s scanner) (keyward.Account, error) {
	var a keyward.Account
	var alias sql.NullString
	err := s.Scan(&a.ID, &alias, nullTime{&a.CreateDate})
	a.Alias = alias.String
	return a, err
}

const accountCols = `id, alias, create_date`

func (t *tx) CreateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO accounts (id, alias, create_date) VALUES (?, ?, ?)`,
		a.ID, nullString(a.Alias), timeArg(a.CreateDate))
	if isUniqueViolation(err) {
		n, cerr := t.count(`SELECT COUNT(*) FROM accounts WHERE id = ?`, a.ID)
		if cerr != nil {
			return internal("create account", cerr)
		}
		if n > 0 {
			return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Account %s already exists.", a.ID)
		}
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The account alias %s already exists.", a.Alias)
	}
	if err != nil {
		return internal("create account", err)
	}
	return nil
}

func (t *tx) GetAccount(id string) (keyward.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
	if err != nil {
		return keyward.Account{}, notFound("get account", err, "The account %s cannot be found.", id)
	}
	return a, nil
}

func (t *tx) GetAccountByAlias(alias string) (keyward.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE alias = ?`, alias))
	if err != nil {
		return keyward.Account{}, notFound("get account", err, "The account alias %s cannot be found.", alias)
	}
	return a, nil
}

func (t *tx) UpdateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.execN(`UPDATE accounts SET alias = ? WHERE id = ?`, nullString(a.Alias), a.ID)
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The account alias %s already exists.", a.Alias)
	}
	if err != nil {
		return internal("update account", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "The account %s cannot be found.", a.ID)
	}
	return nil
}

func (t *tx) ListAccounts() ([]keyward.Account, error) {
	return collect(t, "list accounts", `SELECT `+accountCols+` FROM accounts ORDER BY id`, nil, scanAccount)
}

// Users.

const userCols = `u.id, u.account_id, u.name, u.path, u.arn, u.create_date, u.password_last_used, u.boundary_arn`

func scanUser(s scanner) (keyward.User, error) {
	var u keyward.User
	err := s.Scan(&u.ID, &u.AccountID, &u.Name, &u.Path, &u.ARN,
		nullTime{&u.CreateDate}, nullTime{&u.PasswordLastUsed}, &u.PermissionsBoundaryARN)
	return u, err
}

func userKey(u keyward.User) (string, string) { return fold(u.Name), u.ID }

func noSuchUser(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The user with name %s cannot be found.", name)
}

func (t *tx) CreateUser(u keyward.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO users (id, account_id, name, name_fold, path, arn, create_date,
		password_last_used, boundary_arn, boundary_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.AccountID, u.Name, fold(u.Name), u.Path, u.ARN, timeArg(u.CreateDate),
		timeArg(u.PasswordLastUsed), u.PermissionsBoundaryARN, fold(u.PermissionsBoundaryARN))
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "User with name %s already exists.", u.Name)
	}
	if err != nil {
		return internal("create user", err)
	}
	return nil
}

func (t *tx) GetUser(accountID, name string) (keyward.User, error) {
	u, err := scanUser(t.queryRow(qGetUser, accountID, fold(name)))
	if err != nil {
		return keyward.User{}, notFound("get user", err, "The user with name %s cannot be found.", name)
	}
	return u, nil
}

func (t *tx) GetUserByID(id string) (keyward.User, error) {
	u, err := scanUser(t.queryRow(qGetUserByID, id))
	if err != nil {
		return keyward.User{}, notFound("get user", err, "The user with id %s cannot be found.", id)
	}
	return u, nil
}

func (t *tx) UpdateUser(u keyward.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.execN(`UPDATE users SET name = ?, name_fold = ?, path = ?, arn = ?, create_date = ?,
		password_last_used = ?, boundary_arn = ?, boundary_fold = ? WHERE id = ?`,
		u.Name, fold(u.Name), u.Path, u.ARN, timeArg(u.CreateDate), timeArg(u.PasswordLastUsed),
		u.PermissionsBoundaryARN, fold(u.PermissionsBoundaryARN), u.ID)
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "User with name %s already exists.", u.Name)
	}
	if err != nil {
		return internal("update user", err)
	}
	if n == 0 {
		return noSuchUser(u.Name)
	}
	return nil
}

// entityID returns the unique ID of a user, group, role or instance profile
// named in an account, or NoSuchEntity.
func (t *tx) entityID(kind keyward.EntityKind, accountID, name string) (string, error) {
	var q, msg string
	switch kind {
	case keyward.KindUser:
		q, msg = qUserID, "The user with name %s cannot be found."
	case keyward.KindGroup:
		q, msg = qGroupID, "The group with name %s cannot be found."
	case keyward.KindRole:
		q, msg = qRoleID, "The role with name %s cannot be found."
	case keyward.KindInstanceProfile:
		q, msg = qProfileID, "Instance Profile %s cannot be found."
	default:
		return "", keyward.Errorf(keyward.ErrInvalidInput, "Entity kind %q has no name.", kind)
	}
	var id string
	err := t.queryRow(q, accountID, fold(name)).Scan(&id)
	if err != nil {
		return "", notFound("find "+string(kind), err, msg, name)
	}
	return id, nil
}

// refID resolves any EntityRef to the entity_id used in attachments,
// inline policies and tags.
func (t *tx) refID(ref keyward.EntityRef) (string, error) {
	switch ref.Kind {
	case keyward.KindPolicy:
		var id string
		err := t.queryRow(qPolicyID, fold(ref.ARN)).Scan(&id)
		if err != nil {
			return "", notFound("find policy", err, "Policy %s was not found.", ref.ARN)
		}
		return id, nil
	case keyward.KindOIDCProvider:
		var arn string
		err := t.queryRow(`SELECT arn FROM oidc_providers WHERE arn = ?`, ref.ARN).Scan(&arn)
		if err != nil {
			return "", notFound("find oidc provider", err, "OpenIDConnect Provider not found for arn %s", ref.ARN)
		}
		return arn, nil
	}
	return t.entityID(ref.Kind, ref.AccountID, ref.Name)
}

// principalID resolves an EntityRef that must be a user, group or role: the
// kinds that have attached and inline policies.
func (t *tx) principalID(ref keyward.EntityRef) (string, error) {
	switch ref.Kind {
	case keyward.KindUser, keyward.KindGroup, keyward.KindRole:
		return t.entityID(ref.Kind, ref.AccountID, ref.Name)
	}
	return "", keyward.Errorf(keyward.ErrInvalidInput, "Entity kind %q cannot have policies.", ref.Kind)
}

// conflicts runs each check (a COUNT query on id) in turn and returns a
// DeleteConflict with the message of the first that finds rows.
func (t *tx) conflicts(op, id string, checks ...[2]string) error {
	for _, c := range checks {
		n, err := t.count(c[0], id)
		if err != nil {
			return internal(op, err)
		}
		if n > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, "%s", c[1])
		}
	}
	return nil
}

const (
	msgDetachFirst = "Cannot delete entity, must detach all policies first."
	msgInlineFirst = "Cannot delete entity, must delete policies first."
)

func (t *tx) DeleteUser(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindUser, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete user", id,
		[2]string{`SELECT COUNT(*) FROM access_keys WHERE user_id = ?`, "Cannot delete entity, must delete access keys first."},
		[2]string{`SELECT COUNT(*) FROM group_members WHERE user_id = ?`, "Cannot delete entity, must remove user from all groups first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'user' AND entity_id = ?`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'user' AND entity_id = ?`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete user", keyward.KindUser, id, `DELETE FROM users WHERE id = ?`)
}

// deleteEntity removes an entity's tags and then the entity.
func (t *tx) deleteEntity(op string, kind keyward.EntityKind, id, del string) error {
	if _, err := t.exec(`DELETE FROM tags WHERE entity_kind = ? AND entity_id = ?`, string(kind), id); err != nil {
		return internal(op, err)
	}
	if _, err := t.exec(del, id); err != nil {
		return internal(op, err)
	}
	return nil
}

func (t *tx) ListUsers(accountID string, opts keyward.ListOptions) ([]keyward.User, string, error) {
	cond, args := pathCond("u.path", opts.PathPrefix)
	return page(t, "list users", `SELECT `+userCols+` FROM users u WHERE u.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "u.name_fold", "u.id", scanUser, userKey)
}

// Groups.

const groupCols = `g.id, g.account_id, g.name, g.path, g.arn, g.create_date`

func scanGroup(s scanner) (keyward.Group, error) {
	var g keyward.Group
	err := s.Scan(&g.ID, &g.AccountID, &g.Name, &g.Path, &g.ARN, nullTime{&g.CreateDate})
	return g, err
}

func groupKey(g keyward.Group) (string, string) { return fold(g.Name), g.ID }

func (t *tx) CreateGroup(g keyward.Group) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO iam_groups (id, account_id, name, name_fold, path, arn, create_date)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.AccountID, g.Name, fold(g.Name), g.Path, g.ARN, timeArg(g.CreateDate))
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Group with name %s already exists.", g.Name)
	}
	if err != nil {
		return internal("create group", err)
	}
	return nil
}

func (t *tx) GetGroup(accountID, name string) (keyward.Group, error) {
	g, err := scanGroup(t.queryRow(qGetGroup, accountID, fold(name)))
	if err != nil {
		return keyward.Group{}, notFound("get group", err, "The group with name %s cannot be found.", name)
	}
	return g, nil
}

func (t *tx) UpdateGroup(g keyward.Group) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.execN(`UPDATE iam_groups SET name = ?, name_fold = ?, path = ?, arn = ?, create_date = ? WHERE id = ?`,
		g.Name, fold(g.Name), g.Path, g.ARN, timeArg(g.CreateDate), g.ID)
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Group with name %s already exists.", g.Name)
	}
	if err != nil {
		return internal("update group", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "The group with name %s cannot be found.", g.Name)
	}
	return nil
}

func (t *tx) DeleteGroup(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindGroup, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete group", id,
		[2]string{`SELECT COUNT(*) FROM group_members WHERE group_id = ?`, "Cannot delete entity, must remove users from group first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'group' AND entity_id = ?`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'group' AND entity_id = ?`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete group", keyward.KindGroup, id, `DELETE FROM iam_groups WHERE id = ?`)
}

func (t *tx) ListGroups(accountID string, opts keyward.ListOptions) ([]keyward.Group, string, error) {
	cond, args := pathCond("g.path", opts.PathPrefix)
	return page(t, "list groups", `SELECT `+groupCols+` FROM iam_groups g WHERE g.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "g.name_fold", "g.id", scanGroup, groupKey)
}

func (t *tx) AddUserToGroup(accountID, groupName, userName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	gid, err := t.entityID(keyward.KindGroup, accountID, groupName)
	if err != nil {
		return err
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, gid, uid); err != nil {
		return internal("add user to group", err)
	}
	return nil
}

func (t *tx) RemoveUserFromGroup(accountID, groupName, userName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	gid, err := t.entityID(keyward.KindGroup, accountID, groupName)
	if err != nil {
		return err
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return err
	}
	n, err := t.execN(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, gid, uid)
	if err != nil {
		return internal("remove user from group", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "User %s is not in group %s.", userName, groupName)
	}
	return nil
}

func (t *tx) ListGroupsForUser(accountID, userName string) ([]keyward.Group, error) {
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return nil, err
	}
	return collect(t, "list groups for user", qGroupsForUser, []any{uid}, scanGroup)
}

func (t *tx) ListGroupMembers(accountID, groupName string, opts keyward.ListOptions) ([]keyward.User, string, error) {
	gid, err := t.entityID(keyward.KindGroup, accountID, groupName)
	if err != nil {
		return nil, "", err
	}
	opts.PathPrefix = ""
	return page(t, "list group members", `SELECT `+userCols+` FROM users u
		JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ?`,
		[]any{gid}, opts, "u.name_fold", "u.id", scanUser, userKey)
}

// Roles.

const roleCols = `r.id, r.account_id, r.name, r.path, r.arn, r.trust_policy, r.description,
	r.max_session_duration, r.boundary_arn, r.create_date, r.last_used_date, r.last_used_region,
	r.trust_principal_ids`

func scanRole(s scanner) (keyward.Role, error) {
	var r keyward.Role
	err := s.Scan(&r.ID, &r.AccountID, &r.Name, &r.Path, &r.ARN, &r.AssumeRolePolicyDocument, &r.Description,
		&r.MaxSessionDuration, &r.PermissionsBoundaryARN, nullTime{&r.CreateDate}, nullTime{&r.LastUsedDate},
		&r.LastUsedRegion, principalIDs{&r.TrustPrincipalIDs})
	return r, err
}

func roleKey(r keyward.Role) (string, string) { return fold(r.Name), r.ID }

func (t *tx) CreateRole(r keyward.Role) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO roles (id, account_id, name, name_fold, path, arn, trust_policy, description,
		max_session_duration, boundary_arn, boundary_fold, create_date, last_used_date, last_used_region,
		trust_principal_ids)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.AccountID, r.Name, fold(r.Name), r.Path, r.ARN, r.AssumeRolePolicyDocument, r.Description,
		r.MaxSessionDuration, r.PermissionsBoundaryARN, fold(r.PermissionsBoundaryARN), timeArg(r.CreateDate),
		timeArg(r.LastUsedDate), r.LastUsedRegion, principalIDsArg(r.TrustPrincipalIDs))
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role with name %s already exists.", r.Name)
	}
	if err != nil {
		return internal("create role", err)
	}
	return nil
}

func (t *tx) GetRole(accountID, name string) (keyward.Role, error) {
	r, err := scanRole(t.queryRow(qGetRole, accountID, fold(name)))
	if err != nil {
		return keyward.Role{}, notFound("get role", err, "The role with name %s cannot be found.", name)
	}
	return r, nil
}

func (t *tx) GetRoleByID(id string) (keyward.Role, error) {
	r, err := scanRole(t.queryRow(qGetRoleByID, id))
	if err != nil {
		return keyward.Role{}, notFound("get role", err, "The role with id %s cannot be found.", id)
	}
	return r, nil
}

func (t *tx) UpdateRole(r keyward.Role) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.execN(`UPDATE roles SET name = ?, name_fold = ?, path = ?, arn = ?, trust_policy = ?,
		description = ?, max_session_duration = ?, boundary_arn = ?, boundary_fold = ?, create_date = ?,
		last_used_date = ?, last_used_region = ?, trust_principal_ids = ? WHERE id = ?`,
		r.Name, fold(r.Name), r.Path, r.ARN, r.AssumeRolePolicyDocument, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundaryARN, fold(r.PermissionsBoundaryARN), timeArg(r.CreateDate), timeArg(r.LastUsedDate),
		r.LastUsedRegion, principalIDsArg(r.TrustPrincipalIDs), r.ID)
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role with name %s already exists.", r.Name)
	}
	if err != nil {
		return internal("update role", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "The role with name %s cannot be found.", r.Name)
	}
	return nil
}

func (t *tx) DeleteRole(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindRole, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete role", id,
		[2]string{`SELECT COUNT(*) FROM instance_profile_roles WHERE role_id = ?`, "Cannot delete entity, must remove roles from instance profile first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'role' AND entity_id = ?`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'role' AND entity_id = ?`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete role", keyward.KindRole, id, `DELETE FROM roles WHERE id = ?`)
}

func (t *tx) ListRoles(accountID string, opts keyward.ListOptions) ([]keyward.Role, string, error) {
	cond, args := pathCond("r.path", opts.PathPrefix)
	return page(t, "list roles", `SELECT `+roleCols+` FROM roles r WHERE r.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "r.name_fold", "r.id", scanRole, roleKey)
}

// principalIDs scans a role's trust_principal_ids, a JSON object from
// principal ARN to unique ID; "{}" reads as nil.
type principalIDs struct{ m *map[string]string }

func (p principalIDs) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("trust_principal_ids holds %T", src)
	}
	*p.m = nil
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("trust_principal_ids: %w", err)
	}
	if len(m) > 0 {
		*p.m = m
	}
	return nil
}

func principalIDsArg(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}
