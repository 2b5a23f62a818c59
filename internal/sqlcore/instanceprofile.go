package sqlcore

import "github.com/keyward/keyward"

const profileCols = `ip.id, ip.account_id, ip.name, ip.path, ip.arn, ip.create_date`

func (t *Tx) scanProfile(r Row) (keyward.InstanceProfile, error) {
	var p keyward.InstanceProfile
	err := r.Scan(&p.ID, &p.AccountID, &p.Name, &p.Path, &p.ARN, t.d.Time(&p.CreateDate))
	return p, err
}

func profileKey(p keyward.InstanceProfile) (string, string) { return fold(p.Name), p.ID }

// fillRoles reads the roles of each profile.
func (t *Tx) fillRoles(ps []keyward.InstanceProfile) error {
	for i := range ps {
		roles, err := collect(t, "instance profile roles", `SELECT `+roleCols+` FROM roles r
			JOIN instance_profile_roles ipr ON ipr.role_id = r.id WHERE ipr.profile_id = ?
			ORDER BY r.name_fold COLLATE BINARY, r.id COLLATE BINARY`, []any{ps[i].ID}, t.scanRole)
		if err != nil {
			return err
		}
		ps[i].Roles = roles
	}
	return nil
}

// CreateInstanceProfile implements keyward.Tx.
func (t *Tx) CreateInstanceProfile(p keyward.InstanceProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO instance_profiles (id, account_id, name, name_fold, path, arn, create_date)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.AccountID, p.Name, fold(p.Name), p.Path, p.ARN, timeArg(p.CreateDate))
	if err != nil {
		return t.internal("create instance profile", err)
	}
	if n == 0 {
		return errProfileExists(p.Name)
	}
	return nil
}

// GetInstanceProfile implements keyward.Tx.
func (t *Tx) GetInstanceProfile(accountID, name string) (keyward.InstanceProfile, error) {
	p, err := t.scanProfile(t.queryRow(`SELECT `+profileCols+` FROM instance_profiles ip
		WHERE ip.account_id = ? AND ip.name_fold = ?`, accountID, fold(name)))
	if err != nil {
		return keyward.InstanceProfile{}, t.notFound("get instance profile", err, errNoSuchProfile(name))
	}
	ps := []keyward.InstanceProfile{p}
	if err := t.fillRoles(ps); err != nil {
		return keyward.InstanceProfile{}, err
	}
	return ps[0], nil
}

// DeleteInstanceProfile implements keyward.Tx.
func (t *Tx) DeleteInstanceProfile(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindInstanceProfile, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete instance profile", id,
		conflict{`SELECT COUNT(*) FROM instance_profile_roles WHERE profile_id = ?`, msgHoldsRole},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete instance profile", keyward.KindInstanceProfile, id, `DELETE FROM instance_profiles WHERE id = ?`)
}

// ListInstanceProfiles implements keyward.Tx.
func (t *Tx) ListInstanceProfiles(accountID string, opts keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
	cond, args := pathCond("ip.path", opts.PathPrefix)
	ps, next, err := page(t, "list instance profiles", `SELECT `+profileCols+` FROM instance_profiles ip
		WHERE ip.account_id = ?`+cond, append([]any{accountID}, args...), opts, "ip.name_fold", "ip.id",
		t.scanProfile, profileKey)
	if err != nil {
		return nil, "", err
	}
	if err := t.fillRoles(ps); err != nil {
		return nil, "", err
	}
	return ps, next, nil
}

// AddRoleToInstanceProfile implements keyward.Tx.
func (t *Tx) AddRoleToInstanceProfile(accountID, profileName, roleName string) error {
	pid, rid, err := t.linkIDs(accountID, keyward.KindInstanceProfile, profileName, keyward.KindRole, roleName)
	if err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, pid, rid)
	if err != nil {
		return t.internal("add role to instance profile", err)
	}
	if n == 0 {
		return errRoleInProfile(roleName, profileName)
	}
	return nil
}

// RemoveRoleFromInstanceProfile implements keyward.Tx.
func (t *Tx) RemoveRoleFromInstanceProfile(accountID, profileName, roleName string) error {
	pid, rid, err := t.linkIDs(accountID, keyward.KindInstanceProfile, profileName, keyward.KindRole, roleName)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?`, pid, rid)
	if err != nil {
		return t.internal("remove role from instance profile", err)
	}
	if n == 0 {
		return errRoleNotInProfile(roleName, profileName)
	}
	return nil
}

// ListInstanceProfilesForRole implements keyward.Tx.
func (t *Tx) ListInstanceProfilesForRole(accountID, roleName string, opts keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
	rid, err := t.entityID(keyward.KindRole, accountID, roleName)
	if err != nil {
		return nil, "", err
	}
	opts.PathPrefix = ""
	ps, next, err := page(t, "list instance profiles for role", `SELECT `+profileCols+` FROM instance_profiles ip
		JOIN instance_profile_roles ipr ON ipr.profile_id = ip.id WHERE ipr.role_id = ?`,
		[]any{rid}, opts, "ip.name_fold", "ip.id", t.scanProfile, profileKey)
	if err != nil {
		return nil, "", err
	}
	if err := t.fillRoles(ps); err != nil {
		return nil, "", err
	}
	return ps, next, nil
}
