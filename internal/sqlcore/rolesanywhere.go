package sqlcore

import (
	"encoding/json"
	"fmt"

	"github.com/keyward/keyward"
)

// IAM Roles Anywhere's trust anchors, profiles and CRLs (migration 0010).
// Lists and structured fields are JSON text columns; the entities are
// found by their UUID, and by ARN for tags.

var (
	qTrustAnchorID = `SELECT id FROM ra_trust_anchors WHERE arn = ?`
	qRAProfileID   = `SELECT id FROM ra_profiles WHERE arn = ?`
	qCRLID         = `SELECT id FROM ra_crls WHERE arn = ?`
)

// jsonArg encodes a structured column.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonValue scans what jsonArg wrote into v; an empty column leaves v as
// it is.
type jsonValue struct {
	column string
	v      any
}

func (j jsonValue) Scan(src any) error {
	b, err := textBytes(j.column, src)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, j.v); err != nil {
		return fmt.Errorf("%s: %w", j.column, err)
	}
	return nil
}

// Trust anchors.

const trustAnchorCols = `id, account_id, arn, name, source_type, source_data, enabled, notification_settings,
	create_date, update_date`

func (t *Tx) scanTrustAnchor(r Row) (keyward.TrustAnchor, error) {
	var a keyward.TrustAnchor
	err := r.Scan(&a.ID, &a.AccountID, &a.ARN, &a.Name, &a.SourceType, &a.SourceData, &a.Enabled,
		jsonValue{"notification_settings", &a.NotificationSettings}, t.d.Time(&a.CreateDate), t.d.Time(&a.UpdateDate))
	return a, err
}

func trustAnchorKey(a keyward.TrustAnchor) (string, string) { return a.Name, a.ID }

// CreateTrustAnchor implements keyward.Tx.
func (t *Tx) CreateTrustAnchor(a keyward.TrustAnchor) error {
	if err := t.writable(); err != nil {
		return err
	}
	ns, err := jsonArg(a.NotificationSettings)
	if err != nil {
		return t.internal("create trust anchor", err)
	}
	n, err := t.exec(`INSERT INTO ra_trust_anchors (`+trustAnchorCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		a.ID, a.AccountID, a.ARN, a.Name, a.SourceType, a.SourceData, a.Enabled, ns,
		timeArg(a.CreateDate), timeArg(a.UpdateDate))
	if err != nil {
		return t.internal("create trust anchor", err)
	}
	if n == 0 {
		return errRolesAnywhereExists("trust anchor", a.ID)
	}
	return nil
}

// GetTrustAnchor implements keyward.Tx.
func (t *Tx) GetTrustAnchor(id string) (keyward.TrustAnchor, error) {
	a, err := t.scanTrustAnchor(t.queryRow(`SELECT `+trustAnchorCols+` FROM ra_trust_anchors WHERE id = ?`, id))
	if err != nil {
		return keyward.TrustAnchor{}, t.notFound("get trust anchor", err, errNoSuchRolesAnywhere("trust anchor", id))
	}
	return a, nil
}

// UpdateTrustAnchor implements keyward.Tx.
func (t *Tx) UpdateTrustAnchor(a keyward.TrustAnchor) error {
	if err := t.writable(); err != nil {
		return err
	}
	ns, err := jsonArg(a.NotificationSettings)
	if err != nil {
		return t.internal("update trust anchor", err)
	}
	n, err := t.exec(`UPDATE ra_trust_anchors SET name = ?, source_type = ?, source_data = ?, enabled = ?,
		notification_settings = ?, update_date = ? WHERE id = ?`,
		a.Name, a.SourceType, a.SourceData, a.Enabled, ns, timeArg(a.UpdateDate), a.ID)
	if err != nil {
		return t.internal("update trust anchor", err)
	}
	if n == 0 {
		return errNoSuchRolesAnywhere("trust anchor", a.ID)
	}
	return nil
}

// DeleteTrustAnchor implements keyward.Tx.
func (t *Tx) DeleteTrustAnchor(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.GetTrustAnchor(id); err != nil {
		return err
	}
	return t.deleteEntity("delete trust anchor", keyward.KindTrustAnchor, id, `DELETE FROM ra_trust_anchors WHERE id = ?`)
}

// ListTrustAnchors implements keyward.Tx.
func (t *Tx) ListTrustAnchors(accountID string, opts keyward.ListOptions) ([]keyward.TrustAnchor, string, error) {
	return page(t, "list trust anchors", `SELECT `+trustAnchorCols+` FROM ra_trust_anchors WHERE account_id = ?`,
		[]any{accountID}, opts, "name", "id", t.scanTrustAnchor, trustAnchorKey)
}

// Profiles.

const raProfileCols = `id, account_id, arn, name, enabled, role_arns, managed_policy_arns, session_policy,
	duration_seconds, require_instance_properties, accept_role_session_name, attribute_mappings, created_by,
	create_date, update_date`

func (t *Tx) scanRAProfile(r Row) (keyward.RolesAnywhereProfile, error) {
	var p keyward.RolesAnywhereProfile
	err := r.Scan(&p.ID, &p.AccountID, &p.ARN, &p.Name, &p.Enabled, jsonList{&p.RoleARNs}, jsonList{&p.ManagedPolicyARNs},
		&p.SessionPolicy, &p.DurationSeconds, &p.RequireInstanceProperties, &p.AcceptRoleSessionName,
		jsonValue{"attribute_mappings", &p.AttributeMappings}, &p.CreatedBy, t.d.Time(&p.CreateDate), t.d.Time(&p.UpdateDate))
	return p, err
}

func raProfileKey(p keyward.RolesAnywhereProfile) (string, string) { return p.Name, p.ID }

// CreateRolesAnywhereProfile implements keyward.Tx.
func (t *Tx) CreateRolesAnywhereProfile(p keyward.RolesAnywhereProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	am, err := jsonArg(p.AttributeMappings)
	if err != nil {
		return t.internal("create profile", err)
	}
	n, err := t.exec(`INSERT INTO ra_profiles (`+raProfileCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.AccountID, p.ARN, p.Name, p.Enabled, jsonListArg(p.RoleARNs), jsonListArg(p.ManagedPolicyARNs),
		p.SessionPolicy, p.DurationSeconds, p.RequireInstanceProperties, p.AcceptRoleSessionName, am, p.CreatedBy,
		timeArg(p.CreateDate), timeArg(p.UpdateDate))
	if err != nil {
		return t.internal("create profile", err)
	}
	if n == 0 {
		return errRolesAnywhereExists("profile", p.ID)
	}
	return nil
}

// GetRolesAnywhereProfile implements keyward.Tx.
func (t *Tx) GetRolesAnywhereProfile(id string) (keyward.RolesAnywhereProfile, error) {
	p, err := t.scanRAProfile(t.queryRow(`SELECT `+raProfileCols+` FROM ra_profiles WHERE id = ?`, id))
	if err != nil {
		return keyward.RolesAnywhereProfile{}, t.notFound("get profile", err, errNoSuchRolesAnywhere("profile", id))
	}
	return p, nil
}

// UpdateRolesAnywhereProfile implements keyward.Tx.
func (t *Tx) UpdateRolesAnywhereProfile(p keyward.RolesAnywhereProfile) error {
	if err := t.writable(); err != nil {
		return err
	}
	am, err := jsonArg(p.AttributeMappings)
	if err != nil {
		return t.internal("update profile", err)
	}
	n, err := t.exec(`UPDATE ra_profiles SET name = ?, enabled = ?, role_arns = ?, managed_policy_arns = ?,
		session_policy = ?, duration_seconds = ?, require_instance_properties = ?, accept_role_session_name = ?,
		attribute_mappings = ?, created_by = ?, update_date = ? WHERE id = ?`,
		p.Name, p.Enabled, jsonListArg(p.RoleARNs), jsonListArg(p.ManagedPolicyARNs), p.SessionPolicy,
		p.DurationSeconds, p.RequireInstanceProperties, p.AcceptRoleSessionName, am, p.CreatedBy,
		timeArg(p.UpdateDate), p.ID)
	if err != nil {
		return t.internal("update profile", err)
	}
	if n == 0 {
		return errNoSuchRolesAnywhere("profile", p.ID)
	}
	return nil
}

// DeleteRolesAnywhereProfile implements keyward.Tx.
func (t *Tx) DeleteRolesAnywhereProfile(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.GetRolesAnywhereProfile(id); err != nil {
		return err
	}
	return t.deleteEntity("delete profile", keyward.KindRolesAnywhereProfile, id, `DELETE FROM ra_profiles WHERE id = ?`)
}

// ListRolesAnywhereProfiles implements keyward.Tx.
func (t *Tx) ListRolesAnywhereProfiles(accountID string, opts keyward.ListOptions) ([]keyward.RolesAnywhereProfile, string, error) {
	return page(t, "list profiles", `SELECT `+raProfileCols+` FROM ra_profiles WHERE account_id = ?`,
		[]any{accountID}, opts, "name", "id", t.scanRAProfile, raProfileKey)
}

// CRLs.

const crlCols = `id, account_id, arn, name, trust_anchor_arn, data, enabled, create_date, update_date`

func (t *Tx) scanCRL(r Row) (keyward.CRL, error) {
	var c keyward.CRL
	err := r.Scan(&c.ID, &c.AccountID, &c.ARN, &c.Name, &c.TrustAnchorARN, &c.Data, &c.Enabled,
		t.d.Time(&c.CreateDate), t.d.Time(&c.UpdateDate))
	return c, err
}

func crlKey(c keyward.CRL) (string, string) { return c.Name, c.ID }

// CreateCRL implements keyward.Tx.
func (t *Tx) CreateCRL(c keyward.CRL) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO ra_crls (`+crlCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.ID, c.AccountID, c.ARN, c.Name, c.TrustAnchorARN, bytesArg(c.Data), c.Enabled,
		timeArg(c.CreateDate), timeArg(c.UpdateDate))
	if err != nil {
		return t.internal("create crl", err)
	}
	if n == 0 {
		return errRolesAnywhereExists("CRL", c.ID)
	}
	return nil
}

// GetCRL implements keyward.Tx.
func (t *Tx) GetCRL(id string) (keyward.CRL, error) {
	c, err := t.scanCRL(t.queryRow(`SELECT `+crlCols+` FROM ra_crls WHERE id = ?`, id))
	if err != nil {
		return keyward.CRL{}, t.notFound("get crl", err, errNoSuchRolesAnywhere("CRL", id))
	}
	return c, nil
}

// UpdateCRL implements keyward.Tx.
func (t *Tx) UpdateCRL(c keyward.CRL) error {
	if err := t.writable(); err != nil {
		return err
	}
	n, err := t.exec(`UPDATE ra_crls SET name = ?, trust_anchor_arn = ?, data = ?, enabled = ?, update_date = ?
		WHERE id = ?`, c.Name, c.TrustAnchorARN, bytesArg(c.Data), c.Enabled, timeArg(c.UpdateDate), c.ID)
	if err != nil {
		return t.internal("update crl", err)
	}
	if n == 0 {
		return errNoSuchRolesAnywhere("CRL", c.ID)
	}
	return nil
}

// DeleteCRL implements keyward.Tx.
func (t *Tx) DeleteCRL(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.GetCRL(id); err != nil {
		return err
	}
	return t.deleteEntity("delete crl", keyward.KindCRL, id, `DELETE FROM ra_crls WHERE id = ?`)
}

// ListCRLs implements keyward.Tx.
func (t *Tx) ListCRLs(accountID string, opts keyward.ListOptions) ([]keyward.CRL, string, error) {
	return page(t, "list crls", `SELECT `+crlCols+` FROM ra_crls WHERE account_id = ?`,
		[]any{accountID}, opts, "name", "id", t.scanCRL, crlKey)
}

// ListCRLsForTrustAnchor implements keyward.Tx.
func (t *Tx) ListCRLsForTrustAnchor(trustAnchorARN string) ([]keyward.CRL, error) {
	return collect(t, "list crls", `SELECT `+crlCols+` FROM ra_crls WHERE trust_anchor_arn = ?
		ORDER BY id COLLATE BINARY`, []any{trustAnchorARN}, t.scanCRL)
}

// bytesArg passes a []byte that is never nil: a BLOB / BYTEA NOT NULL
// column takes an empty one, not NULL.
func bytesArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// raID resolves the EntityRef of a Roles Anywhere entity (by ARN) to its
// ID, for tags.
func (t *Tx) raID(ref keyward.EntityRef) (string, error) {
	var q, what string
	switch ref.Kind {
	case keyward.KindTrustAnchor:
		q, what = qTrustAnchorID, "trust anchor"
	case keyward.KindRolesAnywhereProfile:
		q, what = qRAProfileID, "profile"
	default:
		q, what = qCRLID, "CRL"
	}
	id, err := t.lookupID(idKey{ref.Kind, "", ref.ARN}, q, ref.ARN)
	if err != nil {
		return "", t.notFound("find "+what, err, errNoSuchRolesAnywhere(what, ref.ARN))
	}
	return id, nil
}

// Subjects (migration 0018).

const raSubjectCols = `id, account_id, arn, x509_subject, enabled, last_seen_at, credentials, instance_properties,
	create_date, update_date`

func (t *Tx) scanRASubject(r Row) (keyward.RolesAnywhereSubject, error) {
	var s keyward.RolesAnywhereSubject
	err := r.Scan(&s.ID, &s.AccountID, &s.ARN, &s.X509Subject, &s.Enabled, t.d.Time(&s.LastSeenAt),
		jsonValue{"credentials", &s.Credentials}, jsonValue{"instance_properties", &s.InstanceProperties},
		t.d.Time(&s.CreateDate), t.d.Time(&s.UpdateDate))
	return s, err
}

func raSubjectKey(s keyward.RolesAnywhereSubject) (string, string) { return s.X509Subject, s.ID }

// raSubjectLists encodes a subject's JSON columns.
func raSubjectLists(s keyward.RolesAnywhereSubject) (creds, props string, err error) {
	if creds, err = jsonArg(s.Credentials); err != nil {
		return "", "", err
	}
	props, err = jsonArg(s.InstanceProperties)
	return creds, props, err
}

// CreateRolesAnywhereSubject implements keyward.Tx.
func (t *Tx) CreateRolesAnywhereSubject(s keyward.RolesAnywhereSubject) error {
	if err := t.writable(); err != nil {
		return err
	}
	creds, props, err := raSubjectLists(s)
	if err != nil {
		return t.internal("create subject", err)
	}
	n, err := t.exec(`INSERT INTO ra_subjects (`+raSubjectCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		s.ID, s.AccountID, s.ARN, s.X509Subject, s.Enabled, timeArg(s.LastSeenAt), creds, props,
		timeArg(s.CreateDate), timeArg(s.UpdateDate))
	if err != nil {
		return t.internal("create subject", err)
	}
	if n == 0 {
		return errRolesAnywhereExists("subject", s.ID)
	}
	return nil
}

// GetRolesAnywhereSubject implements keyward.Tx.
func (t *Tx) GetRolesAnywhereSubject(id string) (keyward.RolesAnywhereSubject, error) {
	s, err := t.scanRASubject(t.queryRow(`SELECT `+raSubjectCols+` FROM ra_subjects WHERE id = ?`, id))
	if err != nil {
		return keyward.RolesAnywhereSubject{}, t.notFound("get subject", err, errNoSuchRolesAnywhere("subject", id))
	}
	return s, nil
}

// UpdateRolesAnywhereSubject implements keyward.Tx.
func (t *Tx) UpdateRolesAnywhereSubject(s keyward.RolesAnywhereSubject) error {
	if err := t.writable(); err != nil {
		return err
	}
	creds, props, err := raSubjectLists(s)
	if err != nil {
		return t.internal("update subject", err)
	}
	n, err := t.exec(`UPDATE ra_subjects SET enabled = ?, last_seen_at = ?, credentials = ?, instance_properties = ?,
		update_date = ? WHERE id = ?`,
		s.Enabled, timeArg(s.LastSeenAt), creds, props, timeArg(s.UpdateDate), s.ID)
	if err != nil {
		return t.internal("update subject", err)
	}
	if n == 0 {
		return errNoSuchRolesAnywhere("subject", s.ID)
	}
	return nil
}

// ListRolesAnywhereSubjects implements keyward.Tx.
func (t *Tx) ListRolesAnywhereSubjects(accountID string, opts keyward.ListOptions) ([]keyward.RolesAnywhereSubject, string, error) {
	return page(t, "list subjects", `SELECT `+raSubjectCols+` FROM ra_subjects WHERE account_id = ?`,
		[]any{accountID}, opts, "x509_subject", "id", t.scanRASubject, raSubjectKey)
}
