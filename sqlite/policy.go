package sqlite

import (
	"strconv"
	"strings"

	"github.com/keyward/keyward"
)

// policySelect reads policies with their computed counts; the last two
// columns are the sort keys. policySelectIn counts only the entities of one
// account, given as the first three parameters.
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
	(SELECT COUNT(*) FROM policy_attachments a WHERE a.policy_id = p.id AND a.account_id = ?) AS attachment_count,
	(SELECT COUNT(*) FROM users bu WHERE bu.boundary_fold = p.arn_fold AND bu.account_id = ?)
		+ (SELECT COUNT(*) FROM roles br WHERE br.boundary_fold = p.arn_fold AND br.account_id = ?) AS boundary_count,
	p.name_fold, p.arn_fold
	FROM policies p`
)

// Statements prepared at Open.
var (
	qGetPolicy        = prepared(policySelect + ` WHERE p.arn_fold = ?`)
	qGetPolicyIn      = prepared(policySelectIn + ` WHERE p.arn_fold = ?`)
	qGetPolicyVersion = prepared(versionSelect + ` WHERE p.arn_fold = ? AND v.version_id = ?`)
	qAttachedPolicies = prepared(policySelectIn + ` JOIN policy_attachments pa ON pa.policy_id = p.id
		WHERE pa.entity_kind = ? AND pa.entity_id = ? ORDER BY p.name_fold, p.arn_fold`)
	qInlinePolicies = prepared(`SELECT name, document FROM inline_policies
		WHERE entity_kind = ? AND entity_id = ? ORDER BY name_fold`)
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
	_, err := t.exec(`INSERT INTO policies (id, account_id, name, name_fold, path, arn, arn_fold, default_version,
		next_version, is_attachable, description, create_date, update_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?, ?, ?)`,
		p.ID, p.AccountID, p.Name, fold(p.Name), p.Path, p.ARN, fold(p.ARN), boolArg(p.IsAttachable),
		p.Description, timeArg(p.CreateDate), timeArg(p.UpdateDate))
	if isUniqueViolation(err) {
		return keyward.Errorf(keyward.ErrEntityAlreadyExists,
			"A policy called %s already exists. Duplicate names are not allowed.", p.Name)
	}
	if err != nil {
		return internal("create policy", err)
	}
	if _, err := t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES (?, 'v1', 1, ?, ?)`, p.ID, document, timeArg(p.CreateDate)); err != nil {
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
	p, err := scanPolicy(t.queryRow(qGetPolicyIn, accountID, accountID, accountID, fold(arn)))
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
	err := t.queryRow(`SELECT arn FROM policies WHERE id = ?`, p.ID).Scan(&arn)
	if err != nil {
		return notFound("update policy", err, "Policy %s was not found.", p.ARN)
	}
	n, err := t.count(`SELECT COUNT(*) FROM policy_versions WHERE policy_id = ? AND version_id = ?`,
		p.ID, p.DefaultVersionID)
	if err != nil {
		return internal("update policy", err)
	}
	if n == 0 {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s version %s does not exist.", arn, p.DefaultVersionID)
	}
	if _, err := t.exec(`UPDATE policies SET default_version = ?, is_attachable = ?, description = ?,
		update_date = ? WHERE id = ?`,
		p.DefaultVersionID, boolArg(p.IsAttachable), p.Description, timeArg(p.UpdateDate), p.ID); err != nil {
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
		[2]string{`SELECT COUNT(*) FROM policy_attachments WHERE policy_id = ?`, "Cannot delete a policy attached to entities."},
	); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM policy_versions WHERE policy_id = ?`, id); err != nil {
		return internal("delete policy", err)
	}
	return t.deleteEntity("delete policy", keyward.KindPolicy, id, `DELETE FROM policies WHERE id = ?`)
}

func (t *tx) ListPolicies(accountID string, opts keyward.PolicyListOptions) ([]keyward.ManagedPolicy, string, error) {
	var scope string
	args := []any{accountID, accountID, accountID}
	switch opts.Scope {
	case keyward.ScopeLocal:
		scope, args = `p.account_id = ?`, append(args, accountID)
	case keyward.ScopeAWS:
		scope, args = `p.account_id = ?`, append(args, keyward.AWSAccountID)
	case keyward.ScopeAll, "":
		scope, args = `p.account_id IN (?, ?)`, append(args, accountID, keyward.AWSAccountID)
	default:
		return nil, "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid scope %q.", opts.Scope)
	}
	q := `SELECT * FROM (` + policySelectIn + ` WHERE ` + scope + `) x WHERE 1 = 1`
	cond, pargs := pathCond("x.path", opts.PathPrefix)
	q += cond
	args = append(args, pargs...)
	boundary := opts.Usage == keyward.UsagePermissionsBoundary
	switch {
	case boundary:
		q += ` AND x.boundary_count > 0`
	case opts.OnlyAttached:
		q += ` AND x.attachment_count > 0`
	}
	return page(t, "list policies", q, args, opts.ListOptions, "x.name_fold", "x.arn_fold", scanPolicy, policyKey)
}

// Versions.

func (t *tx) CreatePolicyVersion(v keyward.PolicyVersion) (keyward.PolicyVersion, error) {
	if err := t.writable(); err != nil {
		return keyward.PolicyVersion{}, err
	}
	var id, arn string
	var next int
	err := t.queryRow(`SELECT id, arn, next_version FROM policies WHERE arn_fold = ?`, fold(v.PolicyARN)).
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
	_, err = t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES (?, ?, ?, ?, ?)`, id, v.VersionID, n, v.Document, timeArg(v.CreateDate))
	if isUniqueViolation(err) {
		return keyward.PolicyVersion{}, keyward.Errorf(keyward.ErrEntityAlreadyExists,
			"Policy %s version %s already exists.", arn, v.VersionID)
	}
	if err != nil {
		return keyward.PolicyVersion{}, internal("create policy version", err)
	}
	if _, err := t.exec(`UPDATE policies SET next_version = ? WHERE id = ?`, max(next, n+1), id); err != nil {
		return keyward.PolicyVersion{}, internal("create policy version", err)
	}
	if v.IsDefault {
		if _, err := t.exec(`UPDATE policies SET default_version = ? WHERE id = ?`, v.VersionID, id); err != nil {
			return keyward.PolicyVersion{}, internal("create policy version", err)
		}
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
	return collect(t, "list policy versions", versionSelect+` WHERE v.policy_id = ? ORDER BY v.number DESC`,
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
	if _, err := t.exec(`DELETE FROM policy_versions WHERE version_id = ? AND policy_id =
		(SELECT id FROM policies WHERE arn_fold = ?)`, versionID, fold(policyARN)); err != nil {
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
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, string(entity.Kind), eid, entity.AccountID, pid); err != nil {
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
	n, err := t.execN(`DELETE FROM policy_attachments WHERE entity_kind = ? AND entity_id = ? AND policy_id = ?`,
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
	a := entity.AccountID
	return collect(t, "list attached policies", qAttachedPolicies, []any{a, a, a, string(entity.Kind), eid}, scanPolicy)
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
	p, err := t.GetPolicy(policyARN)
	if err != nil {
		return nil, "", err
	}
	const cols = ` AS kind, e.name AS name, e.id AS id, e.name_fold || ' ' || e.id AS sort_key, e.path AS path,
		e.account_id AS account_id`
	var inner string
	var args []any
	if opts.Usage == keyward.UsagePermissionsBoundary {
		inner = `SELECT 'role'` + cols + ` FROM roles e WHERE e.boundary_fold = ?
		UNION ALL SELECT 'user'` + cols + ` FROM users e WHERE e.boundary_fold = ?`
		args = []any{fold(p.ARN), fold(p.ARN)}
	} else {
		inner = `SELECT 'group'` + cols + ` FROM policy_attachments a JOIN iam_groups e ON e.id = a.entity_id
			WHERE a.entity_kind = 'group' AND a.policy_id = ?
		UNION ALL SELECT 'role'` + cols + ` FROM policy_attachments a JOIN roles e ON e.id = a.entity_id
			WHERE a.entity_kind = 'role' AND a.policy_id = ?
		UNION ALL SELECT 'user'` + cols + ` FROM policy_attachments a JOIN users e ON e.id = a.entity_id
			WHERE a.entity_kind = 'user' AND a.policy_id = ?`
		args = []any{p.ID, p.ID, p.ID}
	}
	q := `SELECT x.kind, x.name, x.id FROM (` + inner + `) x WHERE 1 = 1`
	switch opts.Kind {
	case "":
	case keyward.KindUser, keyward.KindGroup, keyward.KindRole:
		q += ` AND x.kind = ?`
		args = append(args, string(opts.Kind))
	default:
		return nil, "", keyward.Errorf(keyward.ErrInvalidInput, "Invalid entity filter %q.", opts.Kind)
	}
	if opts.AccountID != "" {
		q += ` AND x.account_id = ?`
		args = append(args, opts.AccountID)
	}
	cond, pargs := pathCond("x.path", opts.PathPrefix)
	q += cond
	args = append(args, pargs...)
	return page(t, "list entities for policy", q, args, opts.ListOptions, "x.kind", "x.sort_key",
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
		VALUES (?, ?, ?, ?, ?)
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
		WHERE entity_kind = ? AND entity_id = ? AND name_fold = ?`, string(owner.Kind), eid, fold(policyName)).
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
	n, err := t.execN(`DELETE FROM inline_policies WHERE entity_kind = ? AND entity_id = ? AND name_fold = ?`,
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
