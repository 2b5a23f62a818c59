package sqlcore

import "github.com/keyward/keyward"

// Resolving names to unique IDs, and what deletions check first.

var (
	qUserID    = prepared(`SELECT id FROM users WHERE account_id = ? AND name_fold = ?`)
	qGroupID   = prepared(`SELECT id FROM iam_groups WHERE account_id = ? AND name_fold = ?`)
	qRoleID    = prepared(`SELECT id FROM roles WHERE account_id = ? AND name_fold = ?`)
	qProfileID = prepared(`SELECT id FROM instance_profiles WHERE account_id = ? AND name_fold = ?`)
	qPolicyID  = prepared(`SELECT id FROM policies WHERE arn_fold = ?`)
	qOIDCARN   = `SELECT arn FROM oidc_providers WHERE arn = ?`
	qMFASerial = `SELECT serial FROM mfa_devices WHERE serial = ?`
	qSAMLARN   = `SELECT arn FROM saml_providers WHERE arn = ?`
	qCertID    = `SELECT id FROM server_certificates WHERE account_id = ? AND name_fold = ?`
)

// idKey names an entity as entityID and refID are asked for it.
type idKey struct {
	kind      keyward.EntityKind
	accountID string
	name      string // folded name, or the ARN (folded for policies)
}

// lookupID returns the unique ID q finds for k, remembered or asked.
func (t *Tx) lookupID(k idKey, q string, args ...any) (string, error) {
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

// entityID returns the unique ID of a user, group, role or instance profile
// named in an account, or NoSuchEntity.
func (t *Tx) entityID(kind keyward.EntityKind, accountID, name string) (string, error) {
	var q string
	switch kind {
	case keyward.KindUser:
		q = qUserID
	case keyward.KindGroup:
		q = qGroupID
	case keyward.KindRole:
		q = qRoleID
	case keyward.KindInstanceProfile:
		q = qProfileID
	case keyward.KindServerCertificate:
		q = qCertID
	default:
		return "", errKindHasNoName(kind)
	}
	f := fold(name)
	id, err := t.lookupID(idKey{kind, accountID, f}, q, accountID, f)
	if err != nil {
		return "", t.notFound("find "+string(kind), err, errNoSuchNamed(kind, name))
	}
	return id, nil
}

// refID resolves any EntityRef to the entity_id used in attachments,
// inline policies and tags.
func (t *Tx) refID(ref keyward.EntityRef) (string, error) {
	switch ref.Kind {
	case keyward.KindPolicy:
		f := fold(ref.ARN)
		id, err := t.lookupID(idKey{keyward.KindPolicy, "", f}, qPolicyID, f)
		if err != nil {
			return "", t.notFound("find policy", err, errNoSuchPolicy(ref.ARN))
		}
		return id, nil
	case keyward.KindOIDCProvider:
		arn, err := t.lookupID(idKey{keyward.KindOIDCProvider, "", ref.ARN}, qOIDCARN, ref.ARN)
		if err != nil {
			return "", t.notFound("find oidc provider", err, errNoSuchOIDCProvider(ref.ARN))
		}
		return arn, nil
	case keyward.KindMFADevice:
		serial, err := t.lookupID(idKey{keyward.KindMFADevice, "", ref.ARN}, qMFASerial, ref.ARN)
		if err != nil {
			return "", t.notFound("find mfa device", err, errNoSuchMFADevice(ref.ARN))
		}
		return serial, nil
	case keyward.KindSAMLProvider:
		arn, err := t.lookupID(idKey{keyward.KindSAMLProvider, "", ref.ARN}, qSAMLARN, ref.ARN)
		if err != nil {
			return "", t.notFound("find saml provider", err, errNoSuchSAMLProvider(ref.ARN))
		}
		return arn, nil
	case keyward.KindTrustAnchor, keyward.KindRolesAnywhereProfile, keyward.KindCRL:
		return t.raID(ref)
	}
	return t.entityID(ref.Kind, ref.AccountID, ref.Name)
}

// principalID resolves an EntityRef that must be a user, group or role: the
// kinds that have attached and inline policies.
func (t *Tx) principalID(ref keyward.EntityRef) (string, error) {
	switch ref.Kind {
	case keyward.KindUser, keyward.KindGroup, keyward.KindRole:
		return t.entityID(ref.Kind, ref.AccountID, ref.Name)
	}
	return "", errKindHasNoPolicies(ref.Kind)
}

// linkIDs resolves, for a write, the two entities of one account a link
// joins: a group and its member, an instance profile and its role.
func (t *Tx) linkIDs(accountID string, k1 keyward.EntityKind, n1 string, k2 keyward.EntityKind, n2 string) (string, string, error) {
	if err := t.writable(); err != nil {
		return "", "", err
	}
	id1, err := t.entityID(k1, accountID, n1)
	if err != nil {
		return "", "", err
	}
	id2, err := t.entityID(k2, accountID, n2)
	if err != nil {
		return "", "", err
	}
	return id1, id2, nil
}

// nameTaken reports whether table has another row (not id) in id's account
// with the folded name: what a rename must not collide with.
func (t *Tx) nameTaken(op, table, id, name string) (bool, error) {
	n, err := t.count(`SELECT COUNT(*) FROM `+table+` o WHERE o.name_fold = ? AND o.id <> ?
		AND o.account_id = (SELECT s.account_id FROM `+table+` s WHERE s.id = ?)`, fold(name), id, id)
	if err != nil {
		return false, t.internal(op, err)
	}
	return n > 0, nil
}

// conflict is one check before a deletion: a COUNT query on the entity's
// ID, and the DeleteConflict message when it finds rows.
type conflict struct{ q, msg string }

// conflicts runs each check in turn and returns a DeleteConflict with the
// message of the first that finds rows.
func (t *Tx) conflicts(op, id string, checks ...conflict) error {
	for _, c := range checks {
		n, err := t.count(c.q, id)
		if err != nil {
			return t.internal(op, err)
		}
		if n > 0 {
			return errDeleteConflict(op, c.msg)
		}
	}
	return nil
}

// deleteEntity removes an entity's tags and then the entity (del, a DELETE
// on its ID).
func (t *Tx) deleteEntity(op string, kind keyward.EntityKind, id, del string) error {
	if _, err := t.exec(`DELETE FROM tags WHERE entity_kind = ? AND entity_id = ?`, string(kind), id); err != nil {
		return t.internal(op, err)
	}
	if _, err := t.exec(del, id); err != nil {
		return t.internal(op, err)
	}
	return nil
}
