package storetest

import (
	"fmt"
	"testing"

	"github.com/keyward/keyward"
)

func raARN(account, kind, id string) string {
	return "arn:aws:rolesanywhere:us-east-1:" + account + ":" + kind + "/" + id
}

// raUUID returns a distinct UUID-shaped ID.
func raUUID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", idSeq.Add(1))
}

func newTrustAnchor(account, name string) keyward.TrustAnchor {
	id := raUUID()
	return keyward.TrustAnchor{AccountID: account, ID: id, ARN: raARN(account, "trust-anchor", id), Name: name,
		SourceType: keyward.SourceCertificateBundle, SourceData: "-----BEGIN CERTIFICATE-----\n...", Enabled: true,
		CreateDate: t0, UpdateDate: t0}
}

func testTrustAnchor(t *testing.T, s keyward.Store) {
	a := newTrustAnchor(acct, "ca-b")
	a.NotificationSettings = []keyward.NotificationSetting{{Event: "CA_CERTIFICATE_EXPIRY", Channel: "ALL", Enabled: true, Threshold: 45, ConfiguredBy: "rolesanywhere.amazonaws.com"}}
	b := newTrustAnchor(acct, "ca-a")
	b.Enabled = false
	other := newTrustAnchor(acct2, "ca-c")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateTrustAnchor(a)", tx.CreateTrustAnchor(a))
		wantOK(t, "CreateTrustAnchor(b)", tx.CreateTrustAnchor(b))
		wantOK(t, "CreateTrustAnchor(other)", tx.CreateTrustAnchor(other))
		wantCode(t, "CreateTrustAnchor(a again)", tx.CreateTrustAnchor(a), keyward.ErrEntityAlreadyExists)
		sameARN := newTrustAnchor(acct, "x")
		sameARN.ARN = a.ARN
		wantCode(t, "CreateTrustAnchor(a's ARN)", tx.CreateTrustAnchor(sameARN), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetTrustAnchor(a.ID)
		wantOK(t, "GetTrustAnchor(a)", err)
		diff(t, "GetTrustAnchor(a)", a, got)
		_, err = tx.GetTrustAnchor(raUUID())
		wantCode(t, "GetTrustAnchor(missing)", err, keyward.ErrNoSuchEntity)
		wantTwoPages(t, "ListTrustAnchors", func(o keyward.ListOptions) ([]keyward.TrustAnchor, string, error) {
			return tx.ListTrustAnchors(acct, o)
		}, b, a)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		a.Name, a.Enabled, a.SourceData, a.NotificationSettings = "renamed", false, "-----BEGIN CERTIFICATE-----\nnew", nil
		a.UpdateDate = t0.Add(3e9)
		wantOK(t, "UpdateTrustAnchor", tx.UpdateTrustAnchor(a))
		wantCode(t, "UpdateTrustAnchor(missing)", tx.UpdateTrustAnchor(newTrustAnchor(acct, "nope")), keyward.ErrNoSuchEntity)
		wantOK(t, "TagEntity(trust anchor)", tx.TagEntity(keyward.TrustAnchorRef(a.ARN), []keyward.Tag{{Key: "team", Value: "blue"}}))
		wantCode(t, "TagEntity(missing trust anchor)", tx.TagEntity(keyward.TrustAnchorRef(raARN(acct, "trust-anchor", raUUID())), []keyward.Tag{{Key: "k"}}), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetTrustAnchor(a.ID)
		wantOK(t, "GetTrustAnchor after update", err)
		diff(t, "GetTrustAnchor after update", a, got)
		tags, err := tx.ListTags(keyward.TrustAnchorRef(a.ARN))
		wantOK(t, "ListTags(trust anchor)", err)
		diff(t, "ListTags(trust anchor)", []keyward.Tag{{Key: "team", Value: "blue"}}, tags)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteTrustAnchor", tx.DeleteTrustAnchor(a.ID))
		wantCode(t, "DeleteTrustAnchor(again)", tx.DeleteTrustAnchor(a.ID), keyward.ErrNoSuchEntity)
		_, err := tx.ListTags(keyward.TrustAnchorRef(a.ARN))
		wantCode(t, "ListTags(deleted trust anchor)", err, keyward.ErrNoSuchEntity)
		// The same ARN may be used again: its tags went with the old one.
		wantOK(t, "CreateTrustAnchor(a again, after delete)", tx.CreateTrustAnchor(a))
		tags, err := tx.ListTags(keyward.TrustAnchorRef(a.ARN))
		wantOK(t, "ListTags(new trust anchor)", err)
		diff(t, "ListTags(new trust anchor)", []keyward.Tag(nil), tags)
		return nil
	})
}

func testRolesAnywhereProfile(t *testing.T, s keyward.Store) {
	id := raUUID()
	p := keyward.RolesAnywhereProfile{AccountID: acct, ID: id, ARN: raARN(acct, "profile", id), Name: "app",
		Enabled: true, RoleARNs: []string{"arn:aws:iam::" + acct + ":role/a", "arn:aws:iam::" + acct + ":role/b"},
		ManagedPolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, SessionPolicy: doc1,
		DurationSeconds: 900, RequireInstanceProperties: true, AcceptRoleSessionName: true,
		AttributeMappings: []keyward.AttributeMapping{{CertificateField: "x509Subject", Specifiers: []string{"CN", "OU"}}},
		CreatedBy:         "arn:aws:iam::" + acct + ":root", CreateDate: t0, UpdateDate: t0}
	id2 := raUUID()
	bare := keyward.RolesAnywhereProfile{AccountID: acct, ID: id2, ARN: raARN(acct, "profile", id2), Name: "bare", CreateDate: t0, UpdateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRolesAnywhereProfile(p)", tx.CreateRolesAnywhereProfile(p))
		wantOK(t, "CreateRolesAnywhereProfile(bare)", tx.CreateRolesAnywhereProfile(bare))
		wantCode(t, "CreateRolesAnywhereProfile(p again)", tx.CreateRolesAnywhereProfile(p), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRolesAnywhereProfile(p.ID)
		wantOK(t, "GetRolesAnywhereProfile", err)
		diff(t, "GetRolesAnywhereProfile", p, got)
		got, err = tx.GetRolesAnywhereProfile(bare.ID)
		wantOK(t, "GetRolesAnywhereProfile(bare)", err)
		diff(t, "GetRolesAnywhereProfile(bare)", bare, got)
		_, err = tx.GetRolesAnywhereProfile(raUUID())
		wantCode(t, "GetRolesAnywhereProfile(missing)", err, keyward.ErrNoSuchEntity)
		all, _, err := tx.ListRolesAnywhereProfiles(acct, keyward.ListOptions{})
		wantOK(t, "ListRolesAnywhereProfiles", err)
		diff(t, "ListRolesAnywhereProfiles", []keyward.RolesAnywhereProfile{p, bare}, all)
		none, _, err := tx.ListRolesAnywhereProfiles(acct2, keyward.ListOptions{})
		wantOK(t, "ListRolesAnywhereProfiles(other account)", err)
		diff(t, "ListRolesAnywhereProfiles(other account)", []keyward.RolesAnywhereProfile(nil), none)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		p.RoleARNs, p.ManagedPolicyARNs, p.SessionPolicy, p.AttributeMappings = nil, nil, "", nil
		p.Enabled, p.AcceptRoleSessionName, p.RequireInstanceProperties, p.DurationSeconds = false, false, false, 43200
		p.UpdateDate = t0.Add(5e9)
		wantOK(t, "UpdateRolesAnywhereProfile", tx.UpdateRolesAnywhereProfile(p))
		missing := bare
		missing.ID = raUUID()
		wantCode(t, "UpdateRolesAnywhereProfile(missing)", tx.UpdateRolesAnywhereProfile(missing), keyward.ErrNoSuchEntity)
		wantOK(t, "TagEntity(profile)", tx.TagEntity(keyward.RolesAnywhereProfileRef(p.ARN), []keyward.Tag{{Key: "env", Value: "prod"}}))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRolesAnywhereProfile(p.ID)
		wantOK(t, "GetRolesAnywhereProfile after update", err)
		diff(t, "GetRolesAnywhereProfile after update", p, got)
		tags, err := tx.ListTags(keyward.RolesAnywhereProfileRef(p.ARN))
		wantOK(t, "ListTags(profile)", err)
		diff(t, "ListTags(profile)", []keyward.Tag{{Key: "env", Value: "prod"}}, tags)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteRolesAnywhereProfile", tx.DeleteRolesAnywhereProfile(p.ID))
		wantCode(t, "DeleteRolesAnywhereProfile(again)", tx.DeleteRolesAnywhereProfile(p.ID), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testCRL(t *testing.T, s keyward.Store) {
	ta := newTrustAnchor(acct, "ca")
	ta2 := newTrustAnchor(acct, "ca2")
	mk := func(name, anchor string, data []byte) keyward.CRL {
		id := raUUID()
		return keyward.CRL{AccountID: acct, ID: id, ARN: raARN(acct, "crl", id), Name: name, TrustAnchorARN: anchor,
			Data: data, Enabled: true, CreateDate: t0, UpdateDate: t0}
	}
	c1 := mk("revoked-2026", ta.ARN, []byte{0x30, 0x82, 0x00, 0xff})
	c2 := mk("revoked-2025", ta.ARN, []byte{0x30, 0x00})
	c3 := mk("other", ta2.ARN, []byte{0x30})
	update(t, s, func(tx keyward.Tx) error {
		for _, c := range []keyward.CRL{c1, c2, c3} {
			wantOK(t, "CreateCRL("+c.Name+")", tx.CreateCRL(c))
		}
		wantCode(t, "CreateCRL(again)", tx.CreateCRL(c1), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetCRL(c1.ID)
		wantOK(t, "GetCRL", err)
		diff(t, "GetCRL", c1, got)
		_, err = tx.GetCRL(raUUID())
		wantCode(t, "GetCRL(missing)", err, keyward.ErrNoSuchEntity)
		all, _, err := tx.ListCRLs(acct, keyward.ListOptions{})
		wantOK(t, "ListCRLs", err)
		diff(t, "ListCRLs", []keyward.CRL{c3, c2, c1}, all)
		forTA, err := tx.ListCRLsForTrustAnchor(ta.ARN)
		wantOK(t, "ListCRLsForTrustAnchor", err)
		want := []keyward.CRL{c1, c2}
		if c2.ID < c1.ID {
			want = []keyward.CRL{c2, c1}
		}
		diff(t, "ListCRLsForTrustAnchor", want, forTA)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		c1.Enabled, c1.Data, c1.Name, c1.UpdateDate = false, []byte{1, 2, 3}, "renamed", t0.Add(7e9)
		wantOK(t, "UpdateCRL", tx.UpdateCRL(c1))
		missing := c2
		missing.ID = raUUID()
		wantCode(t, "UpdateCRL(missing)", tx.UpdateCRL(missing), keyward.ErrNoSuchEntity)
		wantOK(t, "TagEntity(crl)", tx.TagEntity(keyward.CRLRef(c1.ARN), []keyward.Tag{{Key: "k", Value: "v"}}))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetCRL(c1.ID)
		wantOK(t, "GetCRL after update", err)
		diff(t, "GetCRL after update", c1, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteCRL", tx.DeleteCRL(c1.ID))
		wantCode(t, "DeleteCRL(again)", tx.DeleteCRL(c1.ID), keyward.ErrNoSuchEntity)
		_, err := tx.ListTags(keyward.CRLRef(c1.ARN))
		wantCode(t, "ListTags(deleted crl)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}

func newSubject(account, x509Subject string) keyward.RolesAnywhereSubject {
	id := raUUID()
	return keyward.RolesAnywhereSubject{AccountID: account, ID: id, ARN: raARN(account, "subject", id),
		X509Subject: x509Subject, Enabled: true, LastSeenAt: t0,
		Credentials: []keyward.SubjectCredential{{SerialNumber: "0a1b", Issuer: "CN=Test CA",
			CertificateData: "-----BEGIN CERTIFICATE-----\n...", Enabled: true, SeenAt: t0}},
		CreateDate: t0, UpdateDate: t0}
}

func testRolesAnywhereSubject(t *testing.T, s keyward.Store) {
	a := newSubject(acct, "CN=b.example")
	b := newSubject(acct, "CN=a.example")
	b.Credentials = nil
	// A refused attempt's entries are failed (CreateSession records them).
	b.InstanceProperties = []keyward.SubjectInstanceProperty{{Properties: map[string]string{"host": "h1"}, SeenAt: t0},
		{Properties: map[string]string{"host": "h2"}, SeenAt: t0, Failed: true}}
	a.Credentials = append(a.Credentials, keyward.SubjectCredential{SerialNumber: "0c", Issuer: "CN=Test CA",
		CertificateData: "-----BEGIN CERTIFICATE-----\n...", Enabled: true, Failed: true, SeenAt: t0})
	other := newSubject(acct2, "CN=a.example")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateRolesAnywhereSubject(a)", tx.CreateRolesAnywhereSubject(a))
		wantOK(t, "CreateRolesAnywhereSubject(b)", tx.CreateRolesAnywhereSubject(b))
		wantOK(t, "CreateRolesAnywhereSubject(other account, b's subject)", tx.CreateRolesAnywhereSubject(other))
		wantCode(t, "CreateRolesAnywhereSubject(a again)", tx.CreateRolesAnywhereSubject(a), keyward.ErrEntityAlreadyExists)
		sameSubject := newSubject(acct, a.X509Subject)
		wantCode(t, "CreateRolesAnywhereSubject(a's x509Subject)", tx.CreateRolesAnywhereSubject(sameSubject), keyward.ErrEntityAlreadyExists)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRolesAnywhereSubject(a.ID)
		wantOK(t, "GetRolesAnywhereSubject(a)", err)
		diff(t, "GetRolesAnywhereSubject(a)", a, got)
		_, err = tx.GetRolesAnywhereSubject(raUUID())
		wantCode(t, "GetRolesAnywhereSubject(missing)", err, keyward.ErrNoSuchEntity)
		wantTwoPages(t, "ListRolesAnywhereSubjects", func(o keyward.ListOptions) ([]keyward.RolesAnywhereSubject, string, error) {
			return tx.ListRolesAnywhereSubjects(acct, o)
		}, b, a)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		a.LastSeenAt, a.UpdateDate = t0.Add(5e9), t0.Add(5e9)
		a.Credentials = append(a.Credentials, keyward.SubjectCredential{SerialNumber: "0c", Issuer: "CN=Other CA",
			CertificateData: "-----BEGIN CERTIFICATE-----\nnew", Enabled: true, SeenAt: t0.Add(5e9)})
		a.InstanceProperties = []keyward.SubjectInstanceProperty{{Properties: map[string]string{"os": "linux"}, SeenAt: t0.Add(5e9)}}
		wantOK(t, "UpdateRolesAnywhereSubject", tx.UpdateRolesAnywhereSubject(a))
		wantCode(t, "UpdateRolesAnywhereSubject(missing)", tx.UpdateRolesAnywhereSubject(newSubject(acct, "CN=nope")), keyward.ErrNoSuchEntity)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetRolesAnywhereSubject(a.ID)
		wantOK(t, "GetRolesAnywhereSubject after update", err)
		diff(t, "GetRolesAnywhereSubject after update", a, got)
		return nil
	})
}
