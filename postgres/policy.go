package postgres

import (
	"strconv"
	"strings"

	"github.com/keyward/keyward"
)

// policySelect reads policies with their computed counts; the last two
// columns are the sort keys. policySelectIn counts only the entities of one
// account, given as $1.
const (
	policySelect = `SELECT p.id, p.account_id, p.name, p.path, p.arn, p.default_version, p.is_attachable,
	p.description, p.create_date, p.update_date,
	(SELECT COUNT(*) FROM policy_attachments a WHERE a.policy_id = p.id) AS attachment_count,
	(SELECT COUNT(*) FROM users bu WHERE bu.boundary_fold = p.arn_fold)
		+ (SELECT COUNT(*) FROM roles br WHERE br.boundary_fold = p.arn_fold) AS boundary_count,
	p.name_fold, p.arn_fold
	FROM policies p`
	policySelectIn = `SELECT p.id, p.account_id, p.name, p.path, p.arn, p.default_version, p.is_attachable,
	p.description, p.create_date, p.update_date,
	(SELECT COUNT(*) FROM policy_attachments a WHERE a.policy_id = p.id AND a.account_id = $1) AS attachment_count,
	(SELECT COUNT(*) FROM users bu WHERE bu.boundary_fold = p.arn_fold AND bu.account_id = $1)
		+ (SELECT COUNT(*) FROM roles br WHERE br.boundary_fold = p.arn_fold AND br.account_id = $1) AS boundary_count,
	p.name_fold, p.arn_fold
	FROM policies p`

	qGetPolicy        = policySelect + ` WHERE p.arn_fold = $1`
	qGetPolicyIn      = policySelectIn + ` WHERE p.arn_fold = $2`
	qGetPolicyVersion = versionSelect + ` WHERE p.arn_fold = $1 AND v.version_id = $2`
	qAttachedPolicies = policySelectIn + ` JOIN policy_attachments pa ON pa.policy_id = p.id
		WHERE pa.entity_kind = $2 AND pa.entity_id = $3 ORDER BY p.name_fold COLLATE "C", p.arn_fold COLLATE "C"`
	qInlinePolicies = `SELECT name, document FROM inline_policies
		WHERE entity_kind = $1 AND entity_id = $2 ORDER BY name_fold COLLATE "C"`
)

func scanPolicy(s scanner) (keyward.ManagedPolicy, error) {
	var p keyward.ManagedPolicy
	var nameFold, arnFold string
	err := s.Scan(&p.ID, &p.AccountID, &p.Name, &p.Path, &p.ARN, &p.DefaultVersionID, &p.IsAttachable,
		&p.Description, nullTime{&p.CreateDate}, nullTime{&p.UpdateDate}, &p.AttachmentCount,
		&p.PermissionsBoundaryUsageCount, &nameFold, &arnFold)
	return p, err
}

func policyKey(p keyward.ManagedPolicy) (string, string) { return fold(p.Name), fold(p.ARN) }

func noSuchPolicy(arn string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s was not found.", arn)
}

// versionNumber parses "vN".
func versionNumber(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil || !strings.HasPrefix(id, "v") || n < 1 {
		return 0, false
	}
	return n, true
}

func (t *tx) CreatePolicy(p keyward.ManagedPolicy, document string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO policies (id, account_id, name, name_fold, path, arn, arn_fold, default_version,
		next_version, is_attachable, description, create_date, update_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'v1', 2, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		p.ID, p.AccountID, p.Name, fold(p.Name), p.Path, p.ARN, fold(p.ARN), p.IsAttachable,
		p.Description, timeArg(p.CreateDate), timeArg(p.UpdateDate))
	if err != nil {
		return internal("create policy", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists,
			"A policy called %s already exists. Duplicate names are not allowed.", p.Name)
	}
	if _, err := t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES ($1, 'v1', 1, $2, $3)`, p.ID, document, timeArg(p.CreateDate)); err != nil {
		return internal("create policy", err)
	}
	return nil
}

func (t *tx) GetPolicy(arn string) (keyward.ManagedPolicy, error) {
	p, err := scanPolicy(t.queryRow(qGetPolicy, fold(arn)))
	if err != nil {
		return keyward.ManagedPolicy{}, notFound("get policy", err, "Policy %s was not found.", arn)
	}
	return p, nil
}

func (t *tx) GetPolicyInAccount(accountID, arn string) (keyward.ManagedPolicy, error) {
	p, err := scanPolicy(t.queryRow(qGetPolicyIn, accountID, fold(arn)))
	if err != nil {
		return keyward.ManagedPolicy{}, notFound("get policy", err, "Policy %s was not found.", arn)
	}
	return p, nil
}

func (t *tx) UpdatePolicy(p keyward.ManagedPolicy) error {
	if err := t.writable(); err != nil {
		return err
	}
	var arn string
	err := t.queryRow(`SELECT arn FROM policies WHERE id = $1`, p.ID).Scan(&arn)
	if err != nil {
		return notFound("update policy", err, "Policy %s was not found.", p.ARN)
	}
	n, err := t.count(`SELECT COUNT(*) FROM policy_versions WHERE policy_id = $1 AND version_id = $2`,
		p.ID, p.DefaultVersionID)
	if err != nil {
		return internal("update policy", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s version %s does not exist.", arn, p.DefaultVersionID)
	}
	if _, err := t.exec(`UPDATE policies SET default_version = $1, is_attachable = $2, description = $3,
		update_date = $4 WHERE id = $5`,
		p.DefaultVersionID, p.IsAttachable, p.Description, timeArg(p.UpdateDate), p.ID); err != nil {
		return internal("update policy", err)
	}
	return nil
}

func (t *tx) DeletePolicy(arn string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.PolicyRef(arn))
	if err != nil {
		return err
	}
	if err := t.conflicts("delete policy", id,
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE policy_id = $1`, "Cannot delete a policy attached to entities."},
	); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM policy_versions WHERE policy_id = $1`, id); err != nil {
		return internal("delete policy", err)
	}
	return t.deleteEntity("delete policy", keyward.KindPolicy, id, `DELETE FROM policies WHERE id = $1`)
}

func (t *tx) ListPolicies(accountID string, opts keyward.PolicyListOptions) ([]keyward.ManagedPolicy, string, error) {
	p := params{accountID} // $1 of policySelectIn
	var scope string
	switch opts.Scope {
	case keyward.ScopeLocal:
		scope = `p.account_id = $1`
	case keyward.ScopeAWS:
		scope = `p.account_id = ` + p.add(keyward.AWSAccountID)
	case keyward.ScopeAll, "":
		scope = `p.account_id IN ($1, ` + p.add(keyward.AWSAccountID) + `)`
	default:
		return nil, "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid scope %q.", opts.Scope)
	}
	q := `SELECT * FROM (` + policySelectIn + ` WHERE ` + scope + `) x WHERE 1 = 1`
	q += pathCond("x.path", opts.PathPrefix, &p)
	switch {
	case opts.Usage == keyward.UsagePermissionsBoundary:
		q += ` AND x.boundary_count > 0`
	case opts.OnlyAttached:
		q += ` AND x.attachment_count > 0`
	}
	return page(t, "list policies", q, p, opts.ListOptions, "x.name_fold", "x.arn_fold", scanPolicy, policyKey)
}

// Versions.

func (t *tx) CreatePolicyVersion(v keyward.PolicyVersion) (keyward.PolicyVersion, error) {
	if err := t.writable(); err != nil {
		return keyward.PolicyVersion{}, err
	}
	var id, arn string
	var next int
	err := t.queryRow(`SELECT id, arn, next_version FROM policies WHERE arn_fold = $1`, fold(v.PolicyARN)).
		Scan(&id, &arn, &next)
	if err != nil {
		return keyward.PolicyVersion{}, notFound("create policy version", err, "Policy %s was not found.", v.PolicyARN)
	}
	n := next
	if v.VersionID != "" {
		var ok bool
		if n, ok = versionNumber(v.VersionID); !ok {
			return keyward.PolicyVersion{}, keyward.Errorf(keyward.ErrInvalidInput, "Invalid version id %s.", v.VersionID)
		}
	}
	v.VersionID = "v" + strconv.Itoa(n)
	v.PolicyARN = arn
	added, err := t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, id, v.VersionID, n, v.Document, timeArg(v.CreateDate))
	if err != nil {
		return keyward.PolicyVersion{}, internal("create policy version", err)
	}
	if added == 0 {
		return keyward.PolicyVersion{}, keyward.Errorf(keyward.ErrEntityAlreadyExists,
			"Policy %s version %s already exists.", arn, v.VersionID)
	}
	q := `UPDATE policies SET next_version = $1 WHERE id = $2`
	args := []any{max(next, n+1), id}
	if v.IsDefault {
		q = `UPDATE policies SET next_version = $1, default_version = $3 WHERE id = $2`
		args = append(args, v.VersionID)
	}
	if _, err := t.exec(q, args...); err != nil {
		return keyward.PolicyVersion{}, internal("create policy version", err)
	}
	return v, nil
}

const versionSelect = `SELECT p.arn, v.version_id, v.document, v.version_id = p.default_version, v.create_date
	FROM policy_versions v JOIN policies p ON p.id = v.policy_id`

func scanVersion(s scanner) (keyward.PolicyVersion, error) {
	var v keyward.PolicyVersion
	err := s.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &v.IsDefault, nullTime{&v.CreateDate})
	return v, err
}

func (t *tx) GetPolicyVersion(policyARN, versionID string) (keyward.PolicyVersion, error) {
	v, err := scanVersion(t.queryRow(qGetPolicyVersion, fold(policyARN), versionID))
	if err != nil {
		return keyward.PolicyVersion{}, notFound("get policy version", err,
			"Policy %s version %s does not exist or is not attachable.", policyARN, versionID)
	}
	return v, nil
}

func (t *tx) ListPolicyVersions(policyARN string) ([]keyward.PolicyVersion, error) {
	id, err := t.refID(keyward.PolicyRef(policyARN))
	if err != nil {
		return nil, err
	}
	return collect(t, "list policy versions", versionSelect+` WHERE v.policy_id = $1 ORDER BY v.number DESC`,
		[]any{id}, scanVersion)
}

func (t *tx) DeletePolicyVersion(policyARN, versionID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	v, err := t.GetPolicyVersion(policyARN, versionID)
	if err != nil {
		return err
	}
	if v.IsDefault {
		return keyward.Errorf(keyward.ErrDeleteConflict, "Cannot delete the default version of a policy.")
	}
	if _, err := t.exec(`DELETE FROM policy_versions WHERE version_id = $1 AND policy_id =
		(SELECT id FROM policies WHERE arn_fold = $2)`, versionID, fold(policyARN)); err != nil {
		return internal("delete policy version", err)
	}
	return nil
}

// Attachments.

func (t *tx) AttachPolicy(entity keyward.EntityRef, policyARN string) error {
	if err := t.writable(); err != nil {
		return err
	}
	eid, err := t.principalID(entity)
	if err != nil {
		return err
	}
	pid, err := t.refID(keyward.PolicyRef(policyARN))
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO policy_attachments (entity_kind, entity_id, account_id, policy_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, string(entity.Kind), eid, entity.AccountID, pid); err != nil {
		return internal("attach policy", err)
	}
	return nil
}

func (t *tx) DetachPolicy(entity keyward.EntityRef, policyARN string) error {
	if err := t.writable(); err != nil {
		return err
	}
	eid, err := t.principalID(entity)
	if err != nil {
		return err
	}
	pid, err := t.refID(keyward.PolicyRef(policyARN))
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM policy_attachments WHERE entity_kind = $1 AND entity_id = $2 AND policy_id = $3`,
		string(entity.Kind), eid, pid)
	if err != nil {
		return internal("detach policy", err)
	}
	if n == 0 {
		return noSuchPolicy(policyARN)
	}
	return nil
}

func (t *tx) ListAttachedPolicies(entity keyward.EntityRef) ([]keyward.ManagedPolicy, error) {
	eid, err := t.principalID(entity)
	if err != nil {
		return nil, err
	}
	return collect(t, "list attached policies", qAttachedPolicies, []any{entity.AccountID, string(entity.Kind), eid}, scanPolicy)
}

func scanPolicyEntity(s scanner) (keyward.PolicyEntity, error) {
	var e keyward.PolicyEntity
	var kind string
	err := s.Scan(&kind, &e.Name, &e.ID)
	e.Kind = keyward.EntityKind(kind)
	return e, err
}

// policyEntityKey is the sort key: kind, then the folded name and the ID
// joined by a space, which sorts below every character names may hold.
func policyEntityKey(e keyward.PolicyEntity) (string, string) {
	return string(e.Kind), fold(e.Name) + " " + e.ID
}

func (t *tx) ListEntitiesForPolicy(policyARN string, opts keyward.EntityListOptions) ([]keyward.PolicyEntity, string, error) {
	pol, err := t.GetPolicy(policyARN)
	if err != nil {
		return nil, "", err
	}
	const cols = ` AS kind, e.name AS name, e.id AS id, e.name_fold || ' ' || e.id AS sort_key, e.path AS path,
		e.account_id AS account_id`
	var inner string
	var p params
	if opts.Usage == keyward.UsagePermissionsBoundary {
		a := p.add(fold(pol.ARN))
		inner = `SELECT 'role'` + cols + ` FROM roles e WHERE e.boundary_fold = ` + a + `
		UNION ALL SELECT 'user'` + cols + ` FROM users e WHERE e.boundary_fold = ` + a
	} else {
		id := p.add(pol.ID)
		inner = `SELECT 'group'` + cols + ` FROM policy_attachments a JOIN iam_groups e ON e.id = a.entity_id
			WHERE a.entity_kind = 'group' AND a.policy_id = ` + id + `
		UNION ALL SELECT 'role'` + cols + ` FROM policy_attachments a JOIN roles e ON e.id = a.entity_id
			WHERE a.entity_kind = 'role' AND a.policy_id = ` + id + `
		UNION ALL SELECT 'user'` + cols + ` FROM policy_attachments a JOIN users e ON e.id = a.entity_id
			WHERE a.entity_kind = 'user' AND a.policy_id = ` + id
	}
	q := `SELECT x.kind, x.name, x.id FROM (` + inner + `) x WHERE 1 = 1`
	switch opts.Kind {
	case "":
	case keyward.KindUser, keyward.KindGroup, keyward.KindRole:
		q += ` AND x.kind = ` + p.add(string(opts.Kind))
	default:
		return nil, "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid entity filter %q.", opts.Kind)
	}
	if opts.AccountID != "" {
		q += ` AND x.account_id = ` + p.add(opts.AccountID)
	}
	q += pathCond("x.path", opts.PathPrefix, &p)
	return page(t, "list entities for policy", q, p, opts.ListOptions, "x.kind", "x.sort_key",
		scanPolicyEntity, policyEntityKey)
}

// Inline policies.

func (t *tx) PutInlinePolicy(p keyward.InlinePolicy) error {
	if err := t.writable(); err != nil {
		return err
	}
	eid, err := t.principalID(p.Owner)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO inline_policies (entity_kind, entity_id, name, name_fold, document)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (entity_kind, entity_id, name_fold) DO UPDATE SET document = excluded.document`,
		string(p.Owner.Kind), eid, p.PolicyName, fold(p.PolicyName), p.Document); err != nil {
		return internal("put inline policy", err)
	}
	return nil
}

func noSuchInline(owner keyward.EntityRef, name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The %s policy with name %s cannot be found.", owner.Kind, name)
}

func (t *tx) GetInlinePolicy(owner keyward.EntityRef, policyName string) (keyward.InlinePolicy, error) {
	eid, err := t.principalID(owner)
	if err != nil {
		return keyward.InlinePolicy{}, err
	}
	p := keyward.InlinePolicy{Owner: owner}
	err = t.queryRow(`SELECT name, document FROM inline_policies
		WHERE entity_kind = $1 AND entity_id = $2 AND name_fold = $3`, string(owner.Kind), eid, fold(policyName)).
		Scan(&p.PolicyName, &p.Document)
	if err != nil {
		return keyward.InlinePolicy{}, notFound("get inline policy", err,
			"The %s policy with name %s cannot be found.", owner.Kind, policyName)
	}
	return p, nil
}

func (t *tx) DeleteInlinePolicy(owner keyward.EntityRef, policyName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	eid, err := t.principalID(owner)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM inline_policies WHERE entity_kind = $1 AND entity_id = $2 AND name_fold = $3`,
		string(owner.Kind), eid, fold(policyName))
	if err != nil {
		return internal("delete inline policy", err)
	}
	if n == 0 {
		return noSuchInline(owner, policyName)
	}
	return nil
}

func (t *tx) ListInlinePolicies(owner keyward.EntityRef) ([]keyward.InlinePolicy, error) {
	eid, err := t.principalID(owner)
	if err != nil {
		return nil, err
	}
	return collect(t, "list inline policies", qInlinePolicies, []any{string(owner.Kind), eid},
		func(s scanner) (keyward.InlinePolicy, error) {
			p := keyward.InlinePolicy{Owner: owner}
			err := s.Scan(&p.PolicyName, &p.Document)
			return p, err
		})
}
