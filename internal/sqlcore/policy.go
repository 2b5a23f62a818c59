package sqlcore

import "github.com/keyward/keyward"

// policySelect reads policies with their computed counts; the last two
// columns are the sort keys. policySelectIn counts only the entities of one
// account, given as the first three arguments.
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

var (
	qGetPolicy   = prepared(policySelect + ` WHERE p.arn_fold = ?`)
	qGetPolicyIn = prepared(policySelectIn + ` WHERE p.arn_fold = ?`)
)

func (t *Tx) scanPolicy(r Row) (keyward.ManagedPolicy, error) {
	var p keyward.ManagedPolicy
	var nameFold, arnFold string
	err := r.Scan(&p.ID, &p.AccountID, &p.Name, &p.Path, &p.ARN, &p.DefaultVersionID, &p.IsAttachable,
		&p.Description, t.d.Time(&p.CreateDate), t.d.Time(&p.UpdateDate), &p.AttachmentCount,
		&p.PermissionsBoundaryUsageCount, &nameFold, &arnFold)
	return p, err
}

func policyKey(p keyward.ManagedPolicy) (string, string) { return fold(p.Name), fold(p.ARN) }

// CreatePolicy implements keyward.Tx.
func (t *Tx) CreatePolicy(p keyward.ManagedPolicy, document string) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO policies (id, account_id, name, name_fold, path, arn, arn_fold, default_version,
		next_version, is_attachable, description, create_date, update_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'v1', 2, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.AccountID, p.Name, fold(p.Name), p.Path, p.ARN, fold(p.ARN), p.IsAttachable,
		p.Description, timeArg(p.CreateDate), timeArg(p.UpdateDate))
	if err != nil {
		return t.internal("create policy", err)
	}
	if n == 0 {
		return errPolicyExists(p.Name)
	}
	if _, err := t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES (?, 'v1', 1, ?, ?)`, p.ID, document, timeArg(p.CreateDate)); err != nil {
		return t.internal("create policy", err)
	}
	return nil
}

// GetPolicy implements keyward.Tx.
func (t *Tx) GetPolicy(arn string) (keyward.ManagedPolicy, error) {
	p, err := t.scanPolicy(t.queryRow(qGetPolicy, fold(arn)))
	if err != nil {
		return keyward.ManagedPolicy{}, t.notFound("get policy", err, errNoSuchPolicy(arn))
	}
	return p, nil
}

// GetPolicyInAccount implements keyward.Tx.
func (t *Tx) GetPolicyInAccount(accountID, arn string) (keyward.ManagedPolicy, error) {
	p, err := t.scanPolicy(t.queryRow(qGetPolicyIn, accountID, accountID, accountID, fold(arn)))
	if err != nil {
		return keyward.ManagedPolicy{}, t.notFound("get policy", err, errNoSuchPolicy(arn))
	}
	return p, nil
}

// UpdatePolicy implements keyward.Tx.
func (t *Tx) UpdatePolicy(p keyward.ManagedPolicy) error {
	if err := t.writable(); err != nil {
		return err
	}
	var arn string
	err := t.queryRow(`SELECT arn FROM policies WHERE id = ?`, p.ID).Scan(&arn)
	if err != nil {
		return t.notFound("update policy", err, errNoSuchPolicy(p.ARN))
	}
	n, err := t.count(`SELECT COUNT(*) FROM policy_versions WHERE policy_id = ? AND version_id = ?`,
		p.ID, p.DefaultVersionID)
	if err != nil {
		return t.internal("update policy", err)
	}
	if n == 0 {
		return errNoSuchVersion(arn, p.DefaultVersionID)
	}
	if _, err := t.exec(`UPDATE policies SET default_version = ?, is_attachable = ?, description = ?,
		update_date = ? WHERE id = ?`,
		p.DefaultVersionID, p.IsAttachable, p.Description, timeArg(p.UpdateDate), p.ID); err != nil {
		return t.internal("update policy", err)
	}
	return nil
}

// DeletePolicy implements keyward.Tx.
func (t *Tx) DeletePolicy(arn string) error {
	if err := t.writable(); err != nil {
		return err
	}
	id, err := t.refID(keyward.PolicyRef(arn))
	if err != nil {
		return err
	}
	if err := t.conflicts("delete policy", id,
		conflict{`SELECT COUNT(*) FROM policy_attachments WHERE policy_id = ?`, msgIsAttached},
	); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM policy_versions WHERE policy_id = ?`, id); err != nil {
		return t.internal("delete policy", err)
	}
	return t.deleteEntity("delete policy", keyward.KindPolicy, id, `DELETE FROM policies WHERE id = ?`)
}

// ListPolicies implements keyward.Tx.
func (t *Tx) ListPolicies(accountID string, opts keyward.PolicyListOptions) ([]keyward.ManagedPolicy, string, error) {
	var scope string
	args := []any{accountID, accountID, accountID} // policySelectIn's
	switch opts.Scope {
	case keyward.ScopeLocal:
		scope, args = `p.account_id = ?`, append(args, accountID)
	case keyward.ScopeAWS:
		scope, args = `p.account_id = ?`, append(args, keyward.AWSAccountID)
	case keyward.ScopeAll, "":
		scope, args = `p.account_id IN (?, ?)`, append(args, accountID, keyward.AWSAccountID)
	default:
		return nil, "", errInvalidScope(opts.Scope)
	}
	q := `SELECT * FROM (` + policySelectIn + ` WHERE ` + scope + `) x WHERE 1 = 1`
	cond, pargs := pathCond("x.path", opts.PathPrefix)
	q += cond
	args = append(args, pargs...)
	switch {
	case opts.Usage == keyward.UsagePermissionsBoundary:
		q += ` AND x.boundary_count > 0`
	case opts.OnlyAttached:
		q += ` AND x.attachment_count > 0`
	}
	return page(t, "list policies", q, args, opts.ListOptions, "x.name_fold", "x.arn_fold", t.scanPolicy, policyKey)
}
