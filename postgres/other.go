package postgres

import (
	"encoding/json"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/keyward/keyward"
)

// Tags.

func (t *tx) TagEntity(entity keyward.EntityRef, tags []keyward.Tag) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(entity)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := t.exec(`INSERT INTO tags (entity_kind, entity_id, tag_key, key_fold, tag_value)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (entity_kind, entity_id, key_fold) DO UPDATE SET tag_key = excluded.tag_key,
				tag_value = excluded.tag_value`,
			string(entity.Kind), id, tag.Key, fold(tag.Key), tag.Value); err != nil {
			return internal("tag", err)
		}
	}
	return nil
}

func (t *tx) UntagEntity(entity keyward.EntityRef, keys []string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(entity)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := t.exec(`DELETE FROM tags WHERE entity_kind = $1 AND entity_id = $2 AND key_fold = $3`,
			string(entity.Kind), id, fold(k)); err != nil {
			return internal("untag", err)
		}
	}
	return nil
}

const qListTags = `SELECT tag_key, tag_value FROM tags WHERE entity_kind = $1 AND entity_id = $2 ORDER BY key_fold COLLATE "C"`

func (t *tx) ListTags(entity keyward.EntityRef) ([]keyward.Tag, error) {
	id, err := t.refID(entity)
	if err != nil {
		return nil, err
	}
	return collect(t, "list tags", qListTags, []any{string(entity.Kind), id},
		func(s scanner) (keyward.Tag, error) {
			var tag keyward.Tag
			err := s.Scan(&tag.Key, &tag.Value)
			return tag, err
		})
}

// Instance profiles.

const profileCols = `ip.id, ip.account_id, ip.name, ip.path, ip.arn, ip.create_date`

func scanProfile(s scanner) (keyward.InstanceProfile, error) {
	var p keyward.InstanceProfile
	err := s.Scan(&p.ID, &p.AccountID, &p.Name, &p.Path, &p.ARN, nullTime{&p.CreateDate})
	return p, err
}

func profileKey(p keyward.InstanceProfile) (string, string) { return fold(p.Name), p.ID }

// fillRoles reads the roles of each profile.
func (t *tx) fillRoles(ps []keyward.InstanceProfile) error {
	for i := range ps {
		roles, err := collect(t, "instance profile roles", `SELECT `+roleCols+` FROM roles r
			JOIN instance_profile_roles ipr ON ipr.role_id = r.id WHERE ipr.profile_id = $1
			ORDER BY r.name_fold COLLATE "C", r.id COLLATE "C"`, []any{ps[i].ID}, scanRole)
		if err != nil {
			return err
		}
		ps[i].Roles = roles
	}
	return nil
}

func (t *tx) CreateInstanceProfile(p keyward.InstanceProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO instance_profiles (id, account_id, name, name_fold, path, arn, create_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		p.ID, p.AccountID, p.Name, fold(p.Name), p.Path, p.ARN, timeArg(p.CreateDate))
	if err != nil {
		return internal("create instance profile", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Instance Profile %s already exists.", p.Name)
	}
	return nil
}

func (t *tx) GetInstanceProfile(accountID, name string) (keyward.InstanceProfile, error) {
	p, err := scanProfile(t.queryRow(`SELECT `+profileCols+` FROM instance_profiles ip
		WHERE ip.account_id = $1 AND ip.name_fold = $2`, accountID, fold(name)))
	if err != nil {
		return keyward.InstanceProfile{}, notFound("get instance profile", err, "Instance Profile %s cannot be found.", name)
	}
	ps := []keyward.InstanceProfile{p}
	if err := t.fillRoles(ps); err != nil {
		return keyward.InstanceProfile{}, err
	}
	return ps[0], nil
}

func (t *tx) DeleteInstanceProfile(accountID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.entityID(keyward.KindInstanceProfile, accountID, name)
	if err != nil {
		return err
	}
	if err := t.conflicts("delete instance profile", id,
		[2]string{`SELECT COUNT(*) FROM instance_profile_roles WHERE profile_id = $1`, "Cannot delete entity, must remove roles from instance profile first."},
	); err != nil {
		return err
	}
	return t.deleteEntity("delete instance profile", keyward.KindInstanceProfile, id, `DELETE FROM instance_profiles WHERE id = $1`)
}

func (t *tx) ListInstanceProfiles(accountID string, opts keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
	var p params
	q := `SELECT ` + profileCols + ` FROM instance_profiles ip WHERE ip.account_id = ` + p.add(accountID)
	q += pathCond("ip.path", opts.PathPrefix, &p)
	ps, next, err := page(t, "list instance profiles", q, p, opts, "ip.name_fold", "ip.id", scanProfile, profileKey)
	if err != nil {
		return nil, "", err
	}
	if err := t.fillRoles(ps); err != nil {
		return nil, "", err
	}
	return ps, next, nil
}

func (t *tx) AddRoleToInstanceProfile(accountID, profileName, roleName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	pid, err := t.entityID(keyward.KindInstanceProfile, accountID, profileName)
	if err != nil {
		return err
	}
	rid, err := t.entityID(keyward.KindRole, accountID, roleName)
	if err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO instance_profile_roles (profile_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, pid, rid)
	if err != nil {
		return internal("add role to instance profile", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role %s is already in instance profile %s.", roleName, profileName)
	}
	return nil
}

func (t *tx) RemoveRoleFromInstanceProfile(accountID, profileName, roleName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	pid, err := t.entityID(keyward.KindInstanceProfile, accountID, profileName)
	if err != nil {
		return err
	}
	rid, err := t.entityID(keyward.KindRole, accountID, roleName)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM instance_profile_roles WHERE profile_id = $1 AND role_id = $2`, pid, rid)
	if err != nil {
		return internal("remove role from instance profile", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Role %s is not in instance profile %s.", roleName, profileName)
	}
	return nil
}

func (t *tx) ListInstanceProfilesForRole(accountID, roleName string, opts keyward.ListOptions) ([]keyward.InstanceProfile, string, error) {
	rid, err := t.entityID(keyward.KindRole, accountID, roleName)
	if err != nil {
		return nil, "", err
	}
	opts.PathPrefix = ""
	var p params
	q := `SELECT ` + profileCols + ` FROM instance_profiles ip
		JOIN instance_profile_roles ipr ON ipr.profile_id = ip.id WHERE ipr.role_id = ` + p.add(rid)
	ps, next, err := page(t, "list instance profiles for role", q, p, opts, "ip.name_fold", "ip.id", scanProfile, profileKey)
	if err != nil {
		return nil, "", err
	}
	if err := t.fillRoles(ps); err != nil {
		return nil, "", err
	}
	return ps, next, nil
}

// Access keys.

const accessKeySelect = `SELECT k.id, k.account_id, COALESCE(u.name, ''), k.secret, k.status, k.create_date,
	k.last_used_date, k.last_used_service, k.last_used_region
	FROM access_keys k LEFT JOIN users u ON u.id = k.user_id`

const qGetAccessKey = accessKeySelect + ` WHERE k.id = $1`

func scanAccessKey(s scanner) (keyward.AccessKey, error) {
	var k keyward.AccessKey
	var status string
	err := s.Scan(&k.AccessKeyID, &k.AccountID, &k.UserName, &k.SecretCiphertext, &status,
		nullTime{&k.CreateDate}, nullTime{&k.LastUsedDate}, &k.LastUsedService, &k.LastUsedRegion)
	k.Status = keyward.AccessKeyStatus(status)
	return k, err
}

func noSuchAccessKey(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

func (t *tx) CreateAccessKey(k keyward.AccessKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	var userID any // NULL: root
	if k.UserName != "" {
		id, err := t.entityID(keyward.KindUser, k.AccountID, k.UserName)
		if err != nil {
			return err
		}
		userID = id
	}
	secret := k.SecretCiphertext
	if secret == nil {
		secret = []byte{}
	}
	n, err := t.exec(`INSERT INTO access_keys (id, account_id, user_id, secret, status, create_date,
		last_used_date, last_used_service, last_used_region) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT DO NOTHING`,
		k.AccessKeyID, k.AccountID, userID, secret, string(k.Status), timeArg(k.CreateDate),
		timeArg(k.LastUsedDate), k.LastUsedService, k.LastUsedRegion)
	if err != nil {
		return internal("create access key", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Access key %s already exists.", k.AccessKeyID)
	}
	return nil
}

func (t *tx) GetAccessKey(accessKeyID string) (keyward.AccessKey, error) {
	k, err := scanAccessKey(t.queryRow(qGetAccessKey, accessKeyID))
	if err != nil {
		return keyward.AccessKey{}, notFound("get access key", err, "The Access Key with id %s cannot be found.", accessKeyID)
	}
	return k, nil
}

func (t *tx) ListAccessKeys(accountID, userName string) ([]keyward.AccessKey, error) {
	if userName == "" {
		return collect(t, "list access keys", accessKeySelect+` WHERE k.account_id = $1 AND k.user_id IS NULL
			ORDER BY k.create_date IS NOT NULL, k.create_date, k.id COLLATE "C"`, []any{accountID}, scanAccessKey)
	}
	uid, err := t.entityID(keyward.KindUser, accountID, userName)
	if err != nil {
		return nil, err
	}
	return collect(t, "list access keys", accessKeySelect+` WHERE k.user_id = $1 ORDER BY k.create_date IS NOT NULL, k.create_date, k.id COLLATE "C"`,
		[]any{uid}, scanAccessKey)
}

func (t *tx) SetAccessKeyStatus(accessKeyID string, status keyward.AccessKeyStatus) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE access_keys SET status = $1 WHERE id = $2`, string(status), accessKeyID)
	if err != nil {
		return internal("set access key status", err)
	}
	if n == 0 {
		return noSuchAccessKey(accessKeyID)
	}
	return nil
}

func (t *tx) SetAccessKeyLastUsed(accessKeyID string, u keyward.AccessKeyLastUsed) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE access_keys SET last_used_date = $1, last_used_service = $2, last_used_region = $3
		WHERE id = $4`, timeArg(u.Date), u.Service, u.Region, accessKeyID)
	if err != nil {
		return internal("set access key last used", err)
	}
	if n == 0 {
		return noSuchAccessKey(accessKeyID)
	}
	return nil
}

func (t *tx) DeleteAccessKey(accessKeyID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM access_keys WHERE id = $1`, accessKeyID)
	if err != nil {
		return internal("delete access key", err)
	}
	if n == 0 {
		return noSuchAccessKey(accessKeyID)
	}
	return nil
}

// OIDC providers.

func jsonList(l []string) (string, error) {
	if l == nil {
		l = []string{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// jsonListScanner scans a JSON array of strings; empty is nil.
type jsonListScanner struct{ l *[]string }

func (j jsonListScanner) ScanText(v pgtype.Text) error {
	var l []string
	if v.Valid {
		if err := json.Unmarshal([]byte(v.String), &l); err != nil {
			return err
		}
	}
	if len(l) == 0 {
		l = nil
	}
	*j.l = l
	return nil
}

const oidcCols = `arn, account_id, url, client_ids, thumbprints, create_date`

func scanOIDC(s scanner) (keyward.OIDCProvider, error) {
	var p keyward.OIDCProvider
	err := s.Scan(&p.ARN, &p.AccountID, &p.URL, jsonListScanner{&p.ClientIDs}, jsonListScanner{&p.Thumbprints},
		nullTime{&p.CreateDate})
	return p, err
}

func (t *tx) CreateOIDCProvider(p keyward.OIDCProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	ids, err := jsonList(p.ClientIDs)
	if err != nil {
		return internal("create oidc provider", err)
	}
	thumbs, err := jsonList(p.Thumbprints)
	if err != nil {
		return internal("create oidc provider", err)
	}
	n, err := t.exec(`INSERT INTO oidc_providers (`+oidcCols+`) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		p.ARN, p.AccountID, p.URL, ids, thumbs, timeArg(p.CreateDate))
	if err != nil {
		return internal("create oidc provider", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Provider with url %s already exists.", p.URL)
	}
	return nil
}

func (t *tx) GetOIDCProvider(arn string) (keyward.OIDCProvider, error) {
	p, err := scanOIDC(t.queryRow(`SELECT `+oidcCols+` FROM oidc_providers WHERE arn = $1`, arn))
	if err != nil {
		return keyward.OIDCProvider{}, notFound("get oidc provider", err, "OpenIDConnect Provider not found for arn %s", arn)
	}
	return p, nil
}

func (t *tx) UpdateOIDCProvider(p keyward.OIDCProvider) error {
	if err := t.writable(); err != nil {
		return err
	}
	ids, err := jsonList(p.ClientIDs)
	if err != nil {
		return internal("update oidc provider", err)
	}
	thumbs, err := jsonList(p.Thumbprints)
	if err != nil {
		return internal("update oidc provider", err)
	}
	n, err := t.exec(`UPDATE oidc_providers SET client_ids = $1, thumbprints = $2 WHERE arn = $3`, ids, thumbs, p.ARN)
	if err != nil {
		return internal("update oidc provider", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "OpenIDConnect Provider not found for arn %s", p.ARN)
	}
	return nil
}

func (t *tx) DeleteOIDCProvider(arn string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.OIDCProviderRef(arn))
	if err != nil {
		return err
	}
	return t.deleteEntity("delete oidc provider", keyward.KindOIDCProvider, id, `DELETE FROM oidc_providers WHERE arn = $1`)
}

func (t *tx) ListOIDCProviders(accountID string) ([]keyward.OIDCProvider, error) {
	return collect(t, "list oidc providers", `SELECT `+oidcCols+` FROM oidc_providers WHERE account_id = $1
		ORDER BY arn COLLATE "C"`, []any{accountID}, scanOIDC)
}

// Password policies.

func (t *tx) GetPasswordPolicy(accountID string) (keyward.PasswordPolicy, error) {
	p := keyward.PasswordPolicy{AccountID: accountID}
	err := t.queryRow(`SELECT minimum_password_length, require_symbols, require_numbers,
		require_uppercase_characters, require_lowercase_characters, allow_users_to_change, expire_passwords,
		max_password_age, password_reuse_prevention, hard_expiry FROM password_policies WHERE account_id = $1`,
		accountID).Scan(&p.MinimumPasswordLength, &p.RequireSymbols, &p.RequireNumbers, &p.RequireUppercaseCharacters,
		&p.RequireLowercaseCharacters, &p.AllowUsersToChangePassword, &p.ExpirePasswords, &p.MaxPasswordAge,
		&p.PasswordReusePrevention, &p.HardExpiry)
	if err != nil {
		return keyward.PasswordPolicy{}, notFound("get password policy", err,
			"The Password Policy with domain name %s cannot be found.", accountID)
	}
	return p, nil
}

func (t *tx) PutPasswordPolicy(p keyward.PasswordPolicy) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO password_policies (account_id, minimum_password_length, require_symbols,
		require_numbers, require_uppercase_characters, require_lowercase_characters, allow_users_to_change,
		expire_passwords, max_password_age, password_reuse_prevention, hard_expiry)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (account_id) DO UPDATE SET minimum_password_length = excluded.minimum_password_length,
			require_symbols = excluded.require_symbols, require_numbers = excluded.require_numbers,
			require_uppercase_characters = excluded.require_uppercase_characters,
			require_lowercase_characters = excluded.require_lowercase_characters,
			allow_users_to_change = excluded.allow_users_to_change, expire_passwords = excluded.expire_passwords,
			max_password_age = excluded.max_password_age,
			password_reuse_prevention = excluded.password_reuse_prevention, hard_expiry = excluded.hard_expiry`,
		p.AccountID, p.MinimumPasswordLength, p.RequireSymbols, p.RequireNumbers,
		p.RequireUppercaseCharacters, p.RequireLowercaseCharacters,
		p.AllowUsersToChangePassword, p.ExpirePasswords, p.MaxPasswordAge,
		p.PasswordReusePrevention, p.HardExpiry)
	if err != nil {
		return internal("put password policy", err)
	}
	return nil
}

func (t *tx) DeletePasswordPolicy(accountID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM password_policies WHERE account_id = $1`, accountID)
	if err != nil {
		return internal("delete password policy", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "The Password Policy with domain name %s cannot be found.", accountID)
	}
	return nil
}

// Service-linked role deletions.

func (t *tx) CreateServiceLinkedRoleDeletion(d keyward.ServiceLinkedRoleDeletion) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO slr_deletions (task_id, account_id, role_name, status, reason, create_date)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		d.TaskID, d.AccountID, d.RoleName, string(d.Status), d.Reason, timeArg(d.CreateDate))
	if err != nil {
		return internal("create deletion task", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Deletion task %s already exists.", d.TaskID)
	}
	return nil
}

func (t *tx) GetServiceLinkedRoleDeletion(taskID string) (keyward.ServiceLinkedRoleDeletion, error) {
	var d keyward.ServiceLinkedRoleDeletion
	var status string
	err := t.queryRow(`SELECT task_id, account_id, role_name, status, reason, create_date FROM slr_deletions
		WHERE task_id = $1`, taskID).Scan(&d.TaskID, &d.AccountID, &d.RoleName, &status, &d.Reason, nullTime{&d.CreateDate})
	if err != nil {
		return keyward.ServiceLinkedRoleDeletion{}, notFound("get deletion task", err, "Deletion task %s cannot be found.", taskID)
	}
	d.Status = keyward.DeletionTaskStatus(status)
	return d, nil
}

func (t *tx) UpdateServiceLinkedRoleDeletion(d keyward.ServiceLinkedRoleDeletion) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE slr_deletions SET status = $1, reason = $2 WHERE task_id = $3`,
		string(d.Status), d.Reason, d.TaskID)
	if err != nil {
		return internal("update deletion task", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Deletion task %s cannot be found.", d.TaskID)
	}
	return nil
}

// Key ring.

func (t *tx) CreateKeyRingEntry(e keyward.KeyRingEntry) error {
	if err := t.writable(); err != nil {
		return err
	}
	m := e.Material
	if m == nil {
		m = []byte{}
	}
	n, err := t.exec(`INSERT INTO key_ring (id, material, create_date, not_after) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, e.ID, m, timeArg(e.CreateDate), timeArg(e.NotAfter))
	if err != nil {
		return internal("create key ring entry", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Key %s already exists.", e.ID)
	}
	return nil
}

func (t *tx) ListKeyRingEntries() ([]keyward.KeyRingEntry, error) {
	return collect(t, "list key ring", `SELECT id, material, create_date, not_after FROM key_ring
		ORDER BY create_date IS NOT NULL, create_date, id COLLATE "C"`, nil, func(s scanner) (keyward.KeyRingEntry, error) {
		var e keyward.KeyRingEntry
		err := s.Scan(&e.ID, &e.Material, nullTime{&e.CreateDate}, nullTime{&e.NotAfter})
		return e, err
	})
}

func (t *tx) DeleteKeyRingEntry(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM key_ring WHERE id = $1`, id)
	if err != nil {
		return internal("delete key ring entry", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Key %s cannot be found.", id)
	}
	return nil
}
