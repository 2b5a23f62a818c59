package sqlcore

import "github.com/keyward/keyward"

const roleCols = `r.id, r.account_id, r.name, r.path, r.arn, r.trust_policy, r.description,
	r.max_session_duration, r.boundary_arn, r.create_date, r.last_used_date, r.last_used_region,
	r.trust_principal_ids`

var (
	qGetRole     = prepared(`SELECT ` + roleCols + ` FROM roles r WHERE r.account_id = ? AND r.name_fold = ?`)
	qGetRoleByID = prepared(`SELECT ` + roleCols + ` FROM roles r WHERE r.id = ?`)
)

func (t *Tx) scanRole(s Row) (keyward.Role, error) {
	var r keyward.Role
	err := s.Scan(&r.ID, &r.AccountID, &r.Name, &r.Path, &r.ARN, &r.AssumeRolePolicyDocument, &r.Description,
		&r.MaxSessionDuration, &r.PermissionsBoundaryARN, t.d.Time(&r.CreateDate), t.d.Time(&r.LastUsedDate),
		&r.LastUsedRegion, principalIDs{&r.TrustPrincipalIDs})
	return r, err
}

func roleKey(r keyward.Role) (string, string) { return fold(r.Name), r.ID }

// CreateRole implements keyward.Tx.
func (t *Tx) CreateRole(r keyward.Role) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO roles (id, account_id, name, name_fold, path, arn, trust_policy, description,
		max_session_duration, boundary_arn, boundary_fold, create_date, last_used_date, last_used_region,
		trust_principal_ids)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.ID, r.AccountID, r.Name, fold(r.Name), r.Path, r.ARN, r.AssumeRolePolicyDocument, r.Description,
		r.MaxSessionDuration, r.PermissionsBoundaryARN, fold(r.PermissionsBoundaryARN), timeArg(r.CreateDate),
		timeArg(r.LastUsedDate), r.LastUsedRegion, principalIDsArg(r.TrustPrincipalIDs))
	if err != nil {
		return t.internal("create role", err)
	}
	if n == 0 {
		return errRoleExists(r.Name)
	}
	return nil
}

// GetRole implements keyward.Tx.
func (t *Tx) GetRole(accountID, name string) (keyward.Role, error) {
	r, err := t.scanRole(t.queryRow(qGetRole, accountID, fold(name)))
	if err != nil {
		return keyward.Role{}, t.notFound("get role", err, errNoSuchRole(name))
	}
	return r, nil
}

// GetRoleByID implements keyward.Tx.
func (t *Tx) GetRoleByID(id string) (keyward.Role, error) {
	r, err := t.scanRole(t.queryRow(qGetRoleByID, id))
	if err != nil {
		return keyward.Role{}, t.notFound("get role", err, errNoSuchRoleID(id))
	}
	return r, nil
}

// UpdateRole implements keyward.Tx.
func (t *Tx) UpdateRole(r keyward.Role) error {
	if err := t.writable(); err != nil {
		return err
	}
	taken, err := t.nameTaken("update role", "roles", r.ID, r.Name)
	if err != nil {
		return err
	}
	if taken {
		return errRoleExists(r.Name)
	}
	n, err := t.exec(`UPDATE roles SET name = ?, name_fold = ?, path = ?, arn = ?, trust_policy = ?,
		description = ?, max_session_duration = ?, boundary_arn = ?, boundary_fold = ?, create_date = ?,
		last_used_date = ?, last_used_region = ?, trust_principal_ids = ? WHERE id = ?`,
		r.Name, fold(r.Name), r.Path, r.ARN, r.AssumeRolePolicyDocument, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundaryARN, fold(r.PermissionsBoundaryARN), timeArg(r.CreateDate), timeArg(r.LastUsedDate),
		r.LastUsedRegion, principalIDsArg(r.TrustPrincipalIDs), r.ID)
	if t.d.IsUniqueViolation(err) {
		return errRoleExists(r.Name)
	}
	if err != nil {
		return t.internal("update role", err)
	}
	if n == 0 {
		return errNoSuchRole(r.Name)
	}
	return nil
}

// DeleteRole implements keyward.Tx.
func (t *Tx) DeleteRole(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindRole, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete role", id,
		conflict{`SELECT COUNT(*) FROM instance_profile_roles WHERE role_id = ?`, msgInProfiles},
		conflict{`SELECT COUNT(*) FROM policy_attachments WHERE entity_kind = 'role' AND entity_id = ?`, msgHasAttached},
		conflict{`SELECT COUNT(*) FROM inline_policies WHERE entity_kind = 'role' AND entity_id = ?`, msgHasInline},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete role", keyward.KindRole, id, `DELETE FROM roles WHERE id = ?`)
}

// ListRoles implements keyward.Tx.
func (t *Tx) ListRoles(accountID string, opts keyward.ListOptions) ([]keyward.Role, string, error) {
	cond, args := pathCond("r.path", opts.PathPrefix)
	return page(t, "list roles", `SELECT `+roleCols+` FROM roles r WHERE r.account_id = ?`+cond,
		append([]any{accountID}, args...), opts, "r.name_fold", "r.id", t.scanRole, roleKey)
}
