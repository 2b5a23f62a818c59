package sqlcore

import "github.com/keyward/keyward"

var qInlinePolicies = prepared(`SELECT name, document FROM inline_policies
	WHERE entity_kind = ? AND entity_id = ? ORDER BY name_fold COLLATE BINARY`)

// PutInlinePolicy implements keyward.Tx.
func (t *Tx) PutInlinePolicy(p keyward.InlinePolicy) error {
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
		return t.internal("put inline policy", err)
	}
	return nil
}

// GetInlinePolicy implements keyward.Tx.
func (t *Tx) GetInlinePolicy(owner keyward.EntityRef, policyName string) (keyward.InlinePolicy, error) {
	eid, err := t.principalID(owner)
	if err != nil {
		return keyward.InlinePolicy{}, err
	}
	p := keyward.InlinePolicy{Owner: owner}
	err = t.queryRow(`SELECT name, document FROM inline_policies
		WHERE entity_kind = ? AND entity_id = ? AND name_fold = ?`, string(owner.Kind), eid, fold(policyName)).
		Scan(&p.PolicyName, &p.Document)
	if err != nil {
		return keyward.InlinePolicy{}, t.notFound("get inline policy", err, errNoSuchInline(owner, policyName))
	}
	return p, nil
}

// DeleteInlinePolicy implements keyward.Tx.
func (t *Tx) DeleteInlinePolicy(owner keyward.EntityRef, policyName string) error {
	if err := t.writable(); err != nil {
		return err
	}
	eid, err := t.principalID(owner)
	if err != nil {
		return err
	}
	n, err := t.exec(`DELETE FROM inline_policies WHERE entity_kind = ? AND entity_id = ? AND name_fold = ?`,
		string(owner.Kind), eid, fold(policyName))
	if err != nil {
		return t.internal("delete inline policy", err)
	}
	if n == 0 {
		return errNoSuchInline(owner, policyName)
	}
	return nil
}

// ListInlinePolicies implements keyward.Tx.
func (t *Tx) ListInlinePolicies(owner keyward.EntityRef) ([]keyward.InlinePolicy, error) {
	eid, err := t.principalID(owner)
	if err != nil {
		return nil, err
	}
	return collect(t, "list inline policies", qInlinePolicies, []any{string(owner.Kind), eid},
		func(r Row) (keyward.InlinePolicy, error) {
			p := keyward.InlinePolicy{Owner: owner}
			err := r.Scan(&p.PolicyName, &p.Document)
			return p, err
		})
}
