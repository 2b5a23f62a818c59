package sqlcore

import "github.com/keyward/keyward"

const groupCols = `g.id, g.account_id, g.name, g.path, g.arn, g.create_date`

var (
	qGetGroup      = prepared(`SELECT ` + groupCols + ` FROM iam_groups g WHERE g.account_id = ? AND g.name_fold = ?`)
	qGroupsForUser = prepared(`SELECT ` + groupCols + ` FROM iam_groups g
		JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ?
		ORDER BY g.name_fold COLLATE BINARY, g.id COLLATE BINARY`)
)

func (t *Tx) scanGroup(r Row) (keyward.Group, error) {
	var g keyward.Group
	err := r.Scan(&g.ID, &g.AccountID, &g.Name, &g.Path, &g.ARN, t.d.Time(&g.CreateDate))
	return g, err
}

func groupKey(g keyward.Group) (string, string) { return fold(g.Name), g.ID }

// CreateGroup implements keyward.Tx.
func (t *Tx) CreateGroup(g keyward.Group) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO iam_groups (id, account_id, name, name_fold, path, arn, create_date)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.ID, g.AccountID, g.Name, fold(g.Name), g.Path, g.ARN, timeArg(g.CreateDate))
	if err != nil {
		return t.internal("create group", err)
	}
	if n == 0 {
		return errGroupExists(g.Name)
	}
	return nil
}

// GetGroup implements keyward.Tx.
func (t *Tx) GetGroup(accountID, name string) (keyward.Group, error) {
	g, err := t.scanGroup(t.queryRow(qGetGroup, accountID, fold(name)))
	if err != nil {
		return keyward.Group{}, t.notFound("get group", err, errNoSuchGroup(name))
	}
	return g, nil
}

// UpdateGroup implements keyward.Tx.
func (t *Tx) UpdateGroup(g keyward.Group) error {
	if err := t.writable(); err != nil {
		return err
	}
	taken, err := t.nameTaken("update group", "iam_groups", g.ID, g.Name)
	if err != nil {
		return err
	}
	if taken {
		return errGroupExists(g.Name)
	}
	n, err := t.exec(`UPDATE iam_groups SET name = ?, name_fold = ?, path = ?, arn = ?, create_date = ? WHERE id = ?`,
		g.Name, fold(g.Name), g.Path, g.ARN, timeArg(g.CreateDate), g.ID)
	if t.d.IsUniqueViolation(err) {
		return errGroupExists(g.Name)
	}
	if err != nil {
		return t.internal("update group", err)
	}
	if n == 0 {
		return errNoSuchGroup(g.Name)
	}
	return nil
}

// DeleteGroup implements keyward.Tx.
func (t *Tx) DeleteGroup(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindGroup, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete group", id,
		conflict{`SELECT COUNT(*) FROM group_members WHERE group_id = ?`, msgHasMembers},
		conflict{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'group' AND entity_id = ?`, msgHasAttached},
		conflict{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'group' AND entity_id = ?`, msgHasInline},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete group", keyward.KindGroup, id, `DELETE FROM iam_groups WHERE id = ?`)
}

// ListGroups implements keyward.Tx.
func (t *Tx) ListGroups(accountID string, opts keyward.ListOptions) ([]keyward.Group, string, error) {
	cond, args := pathCond("g.path", opts.PathPrefix)
	return page(t, "list groups", `SELECT `+groupCols+` FROM iam_groups g WHERE g.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "g.name_fold", "g.id", t.scanGroup, groupKey)
}

// Memberships.

// AddUserToGroup implements keyward.Tx.
func (t *Tx) AddUserToGroup(accountID, groupName, userName string) error {
	gid, uid, err := t.linkIDs(accountID, keyward.KindGroup, groupName, keyward.KindUser, userName)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, gid, uid); err != nil {
		return t.internal("add user to group", err)
	}
	return nil
}

// RemoveUserFromGroup implements keyward.Tx.
func (t *Tx) RemoveUserFromGroup(accountID, groupName, userName string) error {
	gid, uid, err := t.linkIDs(accountID, keyward.KindGroup, groupName, keyward.KindUser, userName)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, gid, uid)
	if err != nil {
		return t.internal("remove user from group", err)
	}
	if n == 0 {
		return errNotInGroup(userName, groupName)
	}
	return nil
}

// ListGroupsForUser implements keyward.Tx.
func (t *Tx) ListGroupsForUser(accountID, userName string) ([]keyward.Group, error) {
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return nil, err
	}
	return collect(t, "list groups for user", qGroupsForUser, []any{uid}, t.scanGroup)
}

// ListGroupMembers implements keyward.Tx.
func (t *Tx) ListGroupMembers(accountID, groupName string, opts keyward.ListOptions) ([]keyward.User, string, error) {
	gid, err := t.entityID(keyward.KindGroup, accountID, groupName)
	if err != nil {
		return nil, "", err
	}
	opts.PathPrefix = ""
	return page(t, "list group members", `SELECT `+userCols+` FROM users u
		JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ?`,
		[]any{gid}, opts, "u.name_fold", "u.id", t.scanUser, userKey)
}
