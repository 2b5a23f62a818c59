package sqlcore

import "github.com/keyward/keyward"

var qAttachedPolicies = prepared(policySelectIn + ` JOIN policy_attachments pa ON pa.policy_id = p.id
	WHERE pa.entity_kind = ? AND pa.entity_id = ? ORDER BY p.name_fold COLLATE BINARY, p.arn_fold COLLATE BINARY`)

// attachmentIDs resolves, for a write, the entity and the policy of an
// attachment.
func (t *Tx) attachmentIDs(entity keyward.EntityRef, policyARN string) (string, string, error) {
	if err := t.writable(); err != nil {
		return "", "", err
	}
	eid, err := t.principalID(entity)
	if err != nil {
		return "", "", err
	}
	pid, err := t.refID(keyward.PolicyRef(policyARN))
	if err != nil {
		return "", "", err
	}
	return eid, pid, nil
}

// AttachPolicy implements keyward.Tx.
func (t *Tx) AttachPolicy(entity keyward.EntityRef, policyARN string) error {
	eid, pid, err := t.attachmentIDs(entity, policyARN)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO policy_attachments (entity_kind, entity_id, account_id, policy_id)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, string(entity.Kind), eid, entity.AccountID, pid); err != nil {
		return t.internal("attach policy", err)
	}
	return nil
}

// DetachPolicy implements keyward.Tx.
func (t *Tx) DetachPolicy(entity keyward.EntityRef, policyARN string) error {
	eid, pid, err := t.attachmentIDs(entity, policyARN)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM policy_attachments WHERE entity_kind = ? AND entity_id = ? AND policy_id = ?`,
		string(entity.Kind), eid, pid)
	if err != nil {
		return t.internal("detach policy", err)
	}
	if n == 0 {
		return errNoSuchPolicy(policyARN)
	}
	return nil
}

// ListAttachedPolicies implements keyward.Tx.
func (t *Tx) ListAttachedPolicies(entity keyward.EntityRef) ([]keyward.ManagedPolicy, error) {
	eid, err := t.principalID(entity)
	if err != nil {
		return nil, err
	}
	a := entity.AccountID
	return collect(t, "list attached policies", qAttachedPolicies, []any{a, a, a, string(entity.Kind), eid}, t.scanPolicy)
}

func scanPolicyEntity(r Row) (keyward.PolicyEntity, error) {
	var e keyward.PolicyEntity
	var kind string
	err := r.Scan(&kind, &e.Name, &e.ID)
	e.Kind = keyward.EntityKind(kind)
	return e, err
}

// policyEntityKey is the sort key: kind, then the folded name and the ID
// joined by a space, which sorts below every character names may hold.
func policyEntityKey(e keyward.PolicyEntity) (string, string) {
	return string(e.Kind), fold(e.Name) + " " + e.ID
}

// ListEntitiesForPolicy implements keyward.Tx.
func (t *Tx) ListEntitiesForPolicy(policyARN string, opts keyward.EntityListOptions) ([]keyward.PolicyEntity, string, error) {
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
		return nil, "", errInvalidEntityFilter(opts.Kind)
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
