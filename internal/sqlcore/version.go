package sqlcore

import (
	"strconv"
	"strings"

	"github.com/keyward/keyward"
)

const versionSelect = `SELECT p.arn, v.version_id, v.document, v.version_id = p.default_version, v.create_date
	FROM policy_versions v JOIN policies p ON p.id = v.policy_id`

var qGetPolicyVersion = prepared(versionSelect + ` WHERE p.arn_fold = ? AND v.version_id = ?`)

func (t *Tx) scanVersion(r Row) (keyward.PolicyVersion, error) {
	var v keyward.PolicyVersion
	err := r.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &v.IsDefault, t.d.Time(&v.CreateDate))
	return v, err
}

// versionNumber parses "vN".
func versionNumber(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil || !strings.HasPrefix(id, "v") || n < 1 {
		return 0, false
	}
	return n, true
}

// CreatePolicyVersion implements keyward.Tx.
func (t *Tx) CreatePolicyVersion(v keyward.PolicyVersion) (keyward.PolicyVersion, error) {
	if err := t.writable(); err != nil {
		return keyward.PolicyVersion{}, err
	}
	var id, arn string
	var next int
	err := t.queryRow(`SELECT id, arn, next_version FROM policies WHERE arn_fold = ?`, fold(v.PolicyARN)).
		Scan(&id, &arn, &next)
	if err != nil {
		return keyward.PolicyVersion{}, t.notFound("create policy version", err, errNoSuchPolicy(v.PolicyARN))
	}
	n := next
	if v.VersionID != "" {
		var ok bool
		if n, ok = versionNumber(v.VersionID); !ok {
			return keyward.PolicyVersion{}, errInvalidVersionID(v.VersionID)
		}
	}
	v.VersionID = "v" + strconv.Itoa(n)
	v.PolicyARN = arn
	added, err := t.exec(`INSERT INTO policy_versions (policy_id, version_id, number, document, create_date)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, v.VersionID, n, v.Document, timeArg(v.CreateDate))
	if err != nil {
		return keyward.PolicyVersion{}, t.internal("create policy version", err)
	}
	if added == 0 {
		return keyward.PolicyVersion{}, errVersionExists(arn, v.VersionID)
	}
	q := `UPDATE policies SET next_version = ? WHERE id = ?`
	args := []any{max(next, n+1), id}
	if v.IsDefault {
		q = `UPDATE policies SET next_version = ?, default_version = ? WHERE id = ?`
		args = []any{max(next, n+1), v.VersionID, id}
	}
	if _, err := t.exec(q, args...); err != nil {
		return keyward.PolicyVersion{}, t.internal("create policy version", err)
	}
	return v, nil
}

// GetPolicyVersion implements keyward.Tx.
func (t *Tx) GetPolicyVersion(policyARN, versionID string) (keyward.PolicyVersion, error) {
	v, err := t.scanVersion(t.queryRow(qGetPolicyVersion, fold(policyARN), versionID))
	if err != nil {
		return keyward.PolicyVersion{}, t.notFound("get policy version", err, errNoSuchVersion(policyARN, versionID))
	}
	return v, nil
}

// ListPolicyVersions implements keyward.Tx.
func (t *Tx) ListPolicyVersions(policyARN string) ([]keyward.PolicyVersion, error) {
	id, err := t.refID(keyward.PolicyRef(policyARN))
	if err != nil {
		return nil, err
	}
	return collect(t, "list policy versions", versionSelect+` WHERE v.policy_id = ? ORDER BY v.number DESC`,
		[]any{id}, t.scanVersion)
}

// DeletePolicyVersion implements keyward.Tx.
func (t *Tx) DeletePolicyVersion(policyARN, versionID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	v, err := t.GetPolicyVersion(policyARN, versionID)
	if err != nil {
		return err
	}
	if v.IsDefault {
		return errDeleteConflict("delete policy version", msgIsDefaultVersion)
	}
	if _, err := t.exec(`DELETE FROM policy_versions WHERE version_id = ? AND policy_id =
		(SELECT id FROM policies WHERE arn_fold = ?)`, versionID, fold(policyARN)); err != nil {
		return t.internal("delete policy version", err)
	}
	return nil
}
