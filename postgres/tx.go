package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/keyward/keyward"
)

// tx implements keyward.Tx on one connection's transaction.
//
// A statement that fails aborts a PostgreSQL transaction: every later
// statement fails too. Yet callers may go on after an error the Tx contract
// documents (CreateUser of a taken name, then something else), so the
// methods never let those errors happen in SQL: inserts use ON CONFLICT DO
// NOTHING and look at the row count, renames look for the taken name first.
type tx struct {
	ctx  context.Context
	conn *pgx.Conn
	// begin is the BEGIN statement until it is sent, with the first
	// statement; "" once the transaction is open.
	begin string
	// dead is the error BEGIN met, if it failed: every statement fails.
	dead     error
	readOnly bool
	// ids remembers the unique IDs entityID and refID found, so that the
	// several reads about one entity (its tags, inline and attached
	// policies, ...) resolve its name once: a round trip each saved. Any
	// write forgets them all.
	ids map[idKey]string
	// retryErr is the first serialization failure or deadlock a statement
	// met: the transaction is lost, and Update runs it again whatever fn
	// returns.
	retryErr error
}

var _ keyward.Tx = (*tx)(nil)

// errReadOnly is returned by write methods called in a View. It is a
// programming error, so it is internal, not a *keyward.Error.
var errReadOnly = errors.New("postgres: write in a read-only transaction")

func (t *tx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

// note records err when it calls for running the transaction again.
func (t *tx) note(err error) error {
	if err != nil && t.retryErr == nil && isRetryable(err) {
		t.retryErr = err
	}
	return err
}

// checkArgs refuses text PostgreSQL cannot store (a NUL byte, invalid
// UTF-8) before it reaches the database, where it would fail the statement
// and with it the whole transaction.
func checkArgs(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && (strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)) {
			return keyward.Errorf(keyward.ErrInvalidInput, "Text with a NUL character or invalid UTF-8 cannot be stored.")
		}
	}
	return nil
}

// send runs q, after the pending BEGIN when the transaction is not open
// yet (both in one round trip). It returns the batch to read q's result
// from and close, or nil when the transaction is open and q should be run
// on the connection.
func (t *tx) send(q string, args []any) (pgx.BatchResults, error) {
	if t.dead != nil {
		return nil, t.dead
	}
	if t.begin == "" {
		return nil, nil
	}
	b := &pgx.Batch{}
	b.Queue(t.begin)
	b.Queue(q, args...)
	t.begin = ""
	br := t.conn.SendBatch(t.ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		t.dead = err
		return nil, t.note(err)
	}
	return br, nil
}

// idKey names an entity as entityID and refID are asked for it.
type idKey struct {
	kind      keyward.EntityKind
	accountID string
	name      string // folded name, or the ARN (folded for policies)
}

// lookupID returns the unique ID q (a query on two or one parameters)
// finds for k, remembered or asked.
func (t *tx) lookupID(k idKey, q string, args ...any) (string, error) {
	if id, ok := t.ids[k]; ok {
		return id, nil
	}
	var id string
	if err := t.queryRow(q, args...).Scan(&id); err != nil {
		return "", err
	}
	if t.ids == nil {
		t.ids = make(map[idKey]string)
	}
	t.ids[k] = id
	return id, nil
}

// exec runs q and returns the number of rows it changed.
func (t *tx) exec(q string, args ...any) (int64, error) {
	if err := checkArgs(args); err != nil {
		return 0, err
	}
	clear(t.ids) // a write may rename, create or delete what was looked up
	br, err := t.send(q, args)
	if err != nil {
		return 0, err
	}
	var tag pgconn.CommandTag
	if br != nil {
		tag, err = br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	} else {
		tag, err = t.conn.Exec(t.ctx, q, args...)
	}
	if err != nil {
		return 0, t.note(err)
	}
	return tag.RowsAffected(), nil
}

// row is a pgx.Row whose error, if any, is noted.
type row struct {
	t   *tx
	r   pgx.Row
	br  pgx.BatchResults // closed after Scan, when r came in a batch
	err error            // from checkArgs or BEGIN
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.r.Scan(dest...)
	if r.br != nil {
		if cerr := r.br.Close(); cerr != nil && (err == nil || errors.Is(err, pgx.ErrNoRows)) {
			err = cerr
		}
	}
	return r.t.note(err)
}

func (t *tx) queryRow(q string, args ...any) row {
	if err := checkArgs(args); err != nil {
		return row{err: err}
	}
	br, err := t.send(q, args)
	if err != nil {
		return row{err: err}
	}
	if br != nil {
		return row{t: t, r: br.QueryRow(), br: br}
	}
	return row{t: t, r: t.conn.QueryRow(t.ctx, q, args...)}
}

// count runs a SELECT COUNT(*) query.
func (t *tx) count(q string, args ...any) (int, error) {
	var n int
	err := t.queryRow(q, args...).Scan(&n)
	return n, err
}

type scanner interface{ Scan(dest ...any) error }

// fold is the case folding used for names, keys and policy ARNs, the same
// as the SQLite store's, computed in Go so that no database's lower() or
// collation decides what is equal.
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

func (n nullTime) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*n.t = time.Time{}
		return nil
	}
	*n.t = time.Unix(0, v.Int64).UTC()
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// internal wraps a database error for op.
func internal(op string, err error) error { return fmt.Errorf("postgres: %s: %w", op, err) }

// notFound turns pgx.ErrNoRows into a NoSuchEntity *keyward.Error with the
// given message and wraps any other error.
func notFound(op string, err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return keyward.Errorf(keyward.ErrNoSuchEntity, format, args...)
	}
	var ke *keyward.Error
	if errors.As(err, &ke) {
		return err
	}
	return internal(op, err)
}

// params collects a query's arguments and names them $1, $2, ...
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// Markers are opaque to callers: base64url of the last returned item's two
// sort keys (the SQLite store's form, so markers mean the same on both).
func encodeMarker(k1, k2 string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k1 + "\x00" + k2))
}

func decodeMarker(m string) (string, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err == nil && utf8.Valid(b) {
		if k1, k2, ok := strings.Cut(string(b), "\x00"); ok && !strings.ContainsRune(k2, 0) {
			return k1, k2, nil
		}
	}
	return "", "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid Marker.")
}

// pathCond filters column by a path prefix; "" and "/" keep everything.
func pathCond(column, prefix string, p *params) string {
	if prefix == "" || prefix == "/" {
		return ""
	}
	n := p.add(utf8.RuneCountInString(prefix))
	return " AND substr(" + column + ", 1, " + n + ") = " + p.add(prefix)
}

// byteOrder makes column sort and compare in byte order (as the SQLite
// store does) whatever the database's default collation.
func byteOrder(column string) string { return column + ` COLLATE "C"` }

// page runs base (a SELECT ending in a WHERE clause, with args) for one page
// sorted by the columns k1, k2 (in byte order), which must be unique
// together; key gives an item's values of k1 and k2 as Go computes them.
func page[T any](t *tx, op, base string, args params, opts keyward.ListOptions, k1, k2 string,
	scan func(scanner) (T, error), key func(T) (string, string)) ([]T, string, error) {
	q := base
	args = append(params(nil), args...)
	k1, k2 = byteOrder(k1), byteOrder(k2)
	if opts.Marker != "" {
		a, b, err := decodeMarker(opts.Marker)
		if err != nil {
			return nil, "", err
		}
		q += " AND (" + k1 + ", " + k2 + ") > (" + args.add(a) + ", " + args.add(b) + ")"
	}
	q += " ORDER BY " + k1 + ", " + k2
	if opts.MaxItems > 0 {
		q += " LIMIT " + args.add(opts.MaxItems+1)
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
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	br, err := t.send(q, args)
	if err != nil {
		return nil, internal(op, err)
	}
	var rows pgx.Rows
	if br != nil {
		rows, err = br.Query()
		defer br.Close()
	} else {
		rows, err = t.conn.Query(t.ctx, q, args...)
	}
	if err != nil {
		return nil, internal(op, t.note(err))
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, internal(op, t.note(err))
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(op, t.note(err))
	}
	rows.Close()
	if br != nil {
		if err := br.Close(); err != nil {
			return nil, internal(op, t.note(err))
		}
	}
	return items, nil
}

// Accounts.

func scanAccount(s scanner) (keyward.Account, error) {
	var a keyward.Account
	var alias *string
	err := s.Scan(&a.ID, &alias, nullTime{&a.CreateDate})
	if alias != nil {
		a.Alias = *alias
	}
	return a, err
}

const accountCols = `id, alias, create_date`

func (t *tx) CreateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO accounts (id, alias, create_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		a.ID, nullString(a.Alias), timeArg(a.CreateDate))
	if err != nil {
		return internal("create account", err)
	}
	if n == 0 {
		taken, err := t.count(`SELECT COUNT(*) FROM accounts WHERE id = $1`, a.ID)
		if err != nil {
			return internal("create account", err)
		}
		if taken > 0 {
			return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Account %s already exists.", a.ID)
		}
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The account alias %s already exists.", a.Alias)
	}
	return nil
}

func (t *tx) GetAccount(id string) (keyward.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE id = $1`, id))
	if err != nil {
		return keyward.Account{}, notFound("get account", err, "The account %s cannot be found.", id)
	}
	return a, nil
}

func (t *tx) GetAccountByAlias(alias string) (keyward.Account, error) {
	a, err := scanAccount(t.queryRow(`SELECT `+accountCols+` FROM accounts WHERE alias = $1`, alias))
	if err != nil {
		return keyward.Account{}, notFound("get account", err, "The account alias %s cannot be found.", alias)
	}
	return a, nil
}

func (t *tx) UpdateAccount(a keyward.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	if a.Alias != "" {
		taken, err := t.count(`SELECT COUNT(*) FROM accounts WHERE alias = $1 AND id <> $2`, a.Alias, a.ID)
		if err != nil {
			return internal("update account", err)
		}
		if taken > 0 {
			return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The account alias %s already exists.", a.Alias)
		}
	}
	n, err := t.exec(`UPDATE accounts SET alias = $1 WHERE id = $2`, nullString(a.Alias), a.ID)
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
	return collect(t, "list accounts", `SELECT `+accountCols+` FROM accounts ORDER BY `+byteOrder("id"), nil, scanAccount)
}

// nameTaken reports whether table has another row (not id) in id's account
// with the folded name: what a rename must not collide with.
func (t *tx) nameTaken(op, table, id, name string) (bool, error) {
	n, err := t.count(`SELECT COUNT(*) FROM `+table+` o WHERE o.name_fold = $1 AND o.id <> $2
		AND o.account_id = (SELECT s.account_id FROM `+table+` s WHERE s.id = $2)`, fold(name), id)
	if err != nil {
		return false, internal(op, err)
	}
	return n > 0, nil
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

const (
	qGetUser       = `SELECT ` + userCols + ` FROM users u WHERE u.account_id = $1 AND u.name_fold = $2`
	qGetUserByID   = `SELECT ` + userCols + ` FROM users u WHERE u.id = $1`
	qGetGroup      = `SELECT ` + groupCols + ` FROM iam_groups g WHERE g.account_id = $1 AND g.name_fold = $2`
	qGetRole       = `SELECT ` + roleCols + ` FROM roles r WHERE r.account_id = $1 AND r.name_fold = $2`
	qGetRoleByID   = `SELECT ` + roleCols + ` FROM roles r WHERE r.id = $1`
	qUserID        = `SELECT id FROM users WHERE account_id = $1 AND name_fold = $2`
	qGroupID       = `SELECT id FROM iam_groups WHERE account_id = $1 AND name_fold = $2`
	qRoleID        = `SELECT id FROM roles WHERE account_id = $1 AND name_fold = $2`
	qProfileID     = `SELECT id FROM instance_profiles WHERE account_id = $1 AND name_fold = $2`
	qPolicyID      = `SELECT id FROM policies WHERE arn_fold = $1`
	qGroupsForUser = `SELECT ` + groupCols + ` FROM iam_groups g
		JOIN group_members m ON m.group_id = g.id WHERE m.user_id = $1
		ORDER BY g.name_fold COLLATE "C", g.id COLLATE "C"`
)

func (t *tx) CreateUser(u keyward.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO users (id, account_id, name, name_fold, path, arn, create_date,
		password_last_used, boundary_arn, boundary_fold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT DO NOTHING`,
		u.ID, u.AccountID, u.Name, fold(u.Name), u.Path, u.ARN, timeArg(u.CreateDate),
		timeArg(u.PasswordLastUsed), u.PermissionsBoundaryARN, fold(u.PermissionsBoundaryARN))
	if err != nil {
		return internal("create user", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "User with name %s already exists.", u.Name)
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
	taken, err := t.nameTaken("update user", "users", u.ID, u.Name)
	if err != nil {
		return err
	}
	if taken {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "User with name %s already exists.", u.Name)
	}
	n, err := t.exec(`UPDATE users SET name = $1, name_fold = $2, path = $3, arn = $4, create_date = $5,
		password_last_used = $6, boundary_arn = $7, boundary_fold = $8 WHERE id = $9`,
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
	id, err := t.lookupID(idKey{kind, accountID, fold(name)}, q, accountID, fold(name))
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
		id, err := t.lookupID(idKey{keyward.KindPolicy, "", fold(ref.ARN)}, qPolicyID, fold(ref.ARN))
		if err != nil {
			return "", notFound("find policy", err, "Policy %s was not found.", ref.ARN)
		}
		return id, nil
	case keyward.KindOIDCProvider:
		arn, err := t.lookupID(idKey{keyward.KindOIDCProvider, "", ref.ARN}, `SELECT arn FROM oidc_providers WHERE arn = $1`, ref.ARN)
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

// conflicts runs each check (a COUNT query on $1 = id) in turn and returns
// a DeleteConflict with the message of the first that finds rows.
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
		[2]string{`SELECT COUNT(*) FROM access_keys WHERE user_id = $1`, "Cannot delete entity, must delete access keys first."},
		[2]string{`SELECT COUNT(*) FROM group_members WHERE user_id = $1`, "Cannot delete entity, must remove user from all groups first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'user' AND entity_id = $1`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'user' AND entity_id = $1`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete user", keyward.KindUser, id, `DELETE FROM users WHERE id = $1`)
}

// deleteEntity removes an entity's tags and then the entity.
func (t *tx) deleteEntity(op string, kind keyward.EntityKind, id, del string) error {
	if _, err := t.exec(`DELETE FROM tags WHERE entity_kind = $1 AND entity_id = $2`, string(kind), id); err != nil {
		return internal(op, err)
	}
	if _, err := t.exec(del, id); err != nil {
		return internal(op, err)
	}
	return nil
}

func (t *tx) ListUsers(accountID string, opts keyward.ListOptions) ([]keyward.User, string, error) {
	var p params
	q := `SELECT ` + userCols + ` FROM users u WHERE u.account_id = ` + p.add(accountID)
	q += pathCond("u.path", opts.PathPrefix, &p)
	return page(t, "list users", q, p, opts, "u.name_fold", "u.id", scanUser, userKey)
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
	n, err := t.exec(`INSERT INTO iam_groups (id, account_id, name, name_fold, path, arn, create_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		g.ID, g.AccountID, g.Name, fold(g.Name), g.Path, g.ARN, timeArg(g.CreateDate))
	if err != nil {
		return internal("create group", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Group with name %s already exists.", g.Name)
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
	taken, err := t.nameTaken("update group", "iam_groups", g.ID, g.Name)
	if err != nil {
		return err
	}
	if taken {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Group with name %s already exists.", g.Name)
	}
	n, err := t.exec(`UPDATE iam_groups SET name = $1, name_fold = $2, path = $3, arn = $4, create_date = $5 WHERE id = $6`,
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
		[2]string{`SELECT COUNT(*) FROM group_members WHERE group_id = $1`, "Cannot delete entity, must remove users from group first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'group' AND entity_id = $1`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'group' AND entity_id = $1`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete group", keyward.KindGroup, id, `DELETE FROM iam_groups WHERE id = $1`)
}

func (t *tx) ListGroups(accountID string, opts keyward.ListOptions) ([]keyward.Group, string, error) {
	var p params
	q := `SELECT ` + groupCols + ` FROM iam_groups g WHERE g.account_id = ` + p.add(accountID)
	q += pathCond("g.path", opts.PathPrefix, &p)
	return page(t, "list groups", q, p, opts, "g.name_fold", "g.id", scanGroup, groupKey)
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
	if _, err := t.exec(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, gid, uid); err != nil {
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
	n, err := t.exec(`DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, gid, uid)
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
	var p params
	q := `SELECT ` + userCols + ` FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ` + p.add(gid)
	return page(t, "list group members", q, p, opts, "u.name_fold", "u.id", scanUser, userKey)
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
	n, err := t.exec(`INSERT INTO roles (id, account_id, name, name_fold, path, arn, trust_policy, description,
		max_session_duration, boundary_arn, boundary_fold, create_date, last_used_date, last_used_region,
		trust_principal_ids)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		r.ID, r.AccountID, r.Name, fold(r.Name), r.Path, r.ARN, r.AssumeRolePolicyDocument, r.Description,
		r.MaxSessionDuration, r.PermissionsBoundaryARN, fold(r.PermissionsBoundaryARN), timeArg(r.CreateDate),
		timeArg(r.LastUsedDate), r.LastUsedRegion, principalIDsArg(r.TrustPrincipalIDs))
	if err != nil {
		return internal("create role", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role with name %s already exists.", r.Name)
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
	taken, err := t.nameTaken("update role", "roles", r.ID, r.Name)
	if err != nil {
		return err
	}
	if taken {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role with name %s already exists.", r.Name)
	}
	n, err := t.exec(`UPDATE roles SET name = $1, name_fold = $2, path = $3, arn = $4, trust_policy = $5,
		description = $6, max_session_duration = $7, boundary_arn = $8, boundary_fold = $9, create_date = $10,
		last_used_date = $11, last_used_region = $12, trust_principal_ids = $13 WHERE id = $14`,
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
		[2]string{`SELECT COUNT(*) FROM instance_profile_roles WHERE role_id = $1`, "Cannot delete entity, must remove roles from instance profile first."},
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'role' AND entity_id = $1`, msgDetachFirst},
		[2]string{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'role' AND entity_id = $1`, msgInlineFirst},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete role", keyward.KindRole, id, `DELETE FROM roles WHERE id = $1`)
}

func (t *tx) ListRoles(accountID string, opts keyward.ListOptions) ([]keyward.Role, string, error) {
	var p params
	q := `SELECT ` + roleCols + ` FROM roles r WHERE r.account_id = ` + p.add(accountID)
	q += pathCond("r.path", opts.PathPrefix, &p)
	return page(t, "list roles", q, p, opts, "r.name_fold", "r.id", scanRole, roleKey)
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
