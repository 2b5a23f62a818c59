package storetest

import (
	"testing"
	"time"

	"github.com/keyward/keyward"
)

// The credentials of people (issue 15): login profiles, virtual MFA
// devices, SSH keys, signing certificates, service-specific credentials,
// server certificates and SAML providers.

func testLoginProfile(t *testing.T, s keyward.Store) {
	p := keyward.LoginProfile{AccountID: acct, UserName: "alice", PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA",
		PasswordResetRequired: true, CreateDate: t0, PasswordChangedDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "Alice")))
		wantOK(t, "CreateLoginProfile", tx.CreateLoginProfile(p))
		wantCode(t, "CreateLoginProfile(again)", tx.CreateLoginProfile(p), keyward.ErrEntityAlreadyExists)
		missing := p
		missing.UserName = "nope"
		wantCode(t, "CreateLoginProfile(missing user)", tx.CreateLoginProfile(missing), keyward.ErrNoSuchEntity)
		return nil
	})
	p.UserName = "Alice"
	p.PasswordHistory = nil
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetLoginProfile(acct, "ALICE")
		wantOK(t, "GetLoginProfile", err)
		diff(t, "GetLoginProfile", p, got)
		_, err = tx.GetLoginProfile(acct, "nope")
		wantCode(t, "GetLoginProfile(missing user)", err, keyward.ErrNoSuchEntity)
		_, err = tx.GetLoginProfile(acct2, "alice")
		wantCode(t, "GetLoginProfile(other account)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	p.PasswordHistory = []string{p.PasswordHash}
	p.PasswordHash = "$argon2id$v=19$m=1,t=1,p=1$c2FsdDI$aGFzaDI"
	p.PasswordResetRequired = false
	p.PasswordChangedDate = t0.Add(time.Hour)
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "UpdateLoginProfile", tx.UpdateLoginProfile(p))
		wantCode(t, "DeleteUser(with a login profile)", tx.DeleteUser(acct, "alice"), keyward.ErrDeleteConflict)
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetLoginProfile(acct, "alice")
		wantOK(t, "GetLoginProfile", err)
		diff(t, "GetLoginProfile after update", p, got)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteLoginProfile", tx.DeleteLoginProfile(acct, "alice"))
		wantCode(t, "DeleteLoginProfile(again)", tx.DeleteLoginProfile(acct, "alice"), keyward.ErrNoSuchEntity)
		wantCode(t, "UpdateLoginProfile(deleted)", tx.UpdateLoginProfile(p), keyward.ErrNoSuchEntity)
		wantOK(t, "DeleteUser", tx.DeleteUser(acct, "alice"))
		return nil
	})
}

func testMFADevice(t *testing.T, s keyward.Store) {
	serial := "arn:aws:iam::" + acct + ":mfa/team/phone"
	d := keyward.MFADevice{AccountID: acct, SerialNumber: serial, Path: "/team/", Name: "phone",
		SeedCiphertext: []byte("sealed seed"), CreateDate: t0}
	other := keyward.MFADevice{AccountID: acct, SerialNumber: "arn:aws:iam::" + acct + ":mfa/a-root", Path: "/",
		Name: "a-root", SeedCiphertext: []byte("x"), Root: true, EnableDate: t0, CreateDate: t0}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "Alice")))
		wantOK(t, "CreateMFADevice", tx.CreateMFADevice(d))
		wantOK(t, "CreateMFADevice(root's)", tx.CreateMFADevice(other))
		upper := d
		upper.SerialNumber = "arn:aws:iam::" + acct + ":mfa/team/PHONE"
		wantCode(t, "CreateMFADevice(same serial in another case)", tx.CreateMFADevice(upper), keyward.ErrEntityAlreadyExists)
		bad := d
		bad.SerialNumber += "2"
		bad.UserName = "nope"
		wantCode(t, "CreateMFADevice(missing user)", tx.CreateMFADevice(bad), keyward.ErrNoSuchEntity)
		wantOK(t, "TagEntity", tx.TagEntity(keyward.MFADeviceRef(serial), []keyward.Tag{{Key: "k", Value: "v"}}))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetMFADevice(serial)
		wantOK(t, "GetMFADevice", err)
		diff(t, "GetMFADevice", d, got)
		all, err := tx.ListMFADevices(acct)
		wantOK(t, "ListMFADevices", err)
		diff(t, "ListMFADevices", []keyward.MFADevice{other, d}, all)
		_, err = tx.GetMFADevice(serial + "x")
		wantCode(t, "GetMFADevice(missing)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	d.UserName, d.EnableDate, d.LastCounter = "alice", t0.Add(time.Minute), 56789012
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "UpdateMFADevice(enable)", tx.UpdateMFADevice(d))
		wantCode(t, "DeleteUser(with an MFA device)", tx.DeleteUser(acct, "alice"), keyward.ErrDeleteConflict)
		return nil
	})
	d.UserName = "Alice"
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetMFADevice(serial)
		wantOK(t, "GetMFADevice", err)
		diff(t, "GetMFADevice after enable", d, got)
		c, err := tx.CountEntities(acct)
		wantOK(t, "CountEntities", err)
		if c.MFADevices != 2 || c.MFADevicesInUse != 2 || c.RootMFA != 1 {
			t.Errorf("CountEntities = %d devices, %d in use, root %d; want 2, 2, 1", c.MFADevices, c.MFADevicesInUse, c.RootMFA)
		}
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		d.UserName, d.EnableDate = "", time.Time{}
		wantOK(t, "UpdateMFADevice(deactivate)", tx.UpdateMFADevice(d))
		wantOK(t, "DeleteMFADevice", tx.DeleteMFADevice(serial))
		wantCode(t, "DeleteMFADevice(again)", tx.DeleteMFADevice(serial), keyward.ErrNoSuchEntity)
		wantCode(t, "UpdateMFADevice(deleted)", tx.UpdateMFADevice(d), keyward.ErrNoSuchEntity)
		_, err := tx.ListTags(keyward.MFADeviceRef(serial))
		wantCode(t, "ListTags(deleted device)", err, keyward.ErrNoSuchEntity)
		wantOK(t, "DeleteUser", tx.DeleteUser(acct, "alice"))
		return nil
	})
}

func testUserCredential(t *testing.T, s keyward.Store) {
	ssh := keyward.UserCredential{Kind: keyward.CredentialSSHPublicKey, AccountID: acct, UserName: "alice",
		ID: newID("APKA"), Status: keyward.StatusActive, CreateDate: t0, Body: "ssh-rsa AAAA", Fingerprint: "aa:bb"}
	cert := keyward.UserCredential{Kind: keyward.CredentialSigningCertificate, AccountID: acct, UserName: "alice",
		ID: newID("CERT"), Status: keyward.StatusActive, CreateDate: t0.Add(time.Second), Body: "-----BEGIN CERTIFICATE-----"}
	rootCert := cert
	rootCert.ID, rootCert.UserName = newID("CERT"), ""
	svc := keyward.UserCredential{Kind: keyward.CredentialServiceSpecific, AccountID: acct, UserName: "alice",
		ID: newID("ACCA"), Status: keyward.StatusActive, CreateDate: t0, ServiceName: "codecommit.amazonaws.com",
		ServiceUserName: "alice-at-111122223333", SecretCiphertext: []byte("sealed"), Expiration: t0.Add(24 * time.Hour)}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateUser", tx.CreateUser(newUser(acct, "Alice")))
		for _, c := range []keyward.UserCredential{ssh, cert, rootCert, svc} {
			wantOK(t, "CreateUserCredential("+string(c.Kind)+")", tx.CreateUserCredential(c))
		}
		wantCode(t, "CreateUserCredential(again)", tx.CreateUserCredential(ssh), keyward.ErrEntityAlreadyExists)
		bad := ssh
		bad.ID, bad.UserName = newID("APKA"), "nope"
		wantCode(t, "CreateUserCredential(missing user)", tx.CreateUserCredential(bad), keyward.ErrNoSuchEntity)
		return nil
	})
	ssh.UserName, cert.UserName, svc.UserName = "Alice", "Alice", "Alice"
	view(t, s, func(tx keyward.Tx) error {
		for _, c := range []keyward.UserCredential{ssh, cert, rootCert, svc} {
			got, err := tx.GetUserCredential(c.Kind, c.ID)
			wantOK(t, "GetUserCredential", err)
			diff(t, "GetUserCredential("+string(c.Kind)+")", c, got)
		}
		_, err := tx.GetUserCredential(keyward.CredentialSigningCertificate, ssh.ID)
		wantCode(t, "GetUserCredential(an SSH key's ID as a certificate)", err, keyward.ErrNoSuchEntity)
		l, err := tx.ListUserCredentials(keyward.CredentialSigningCertificate, acct, "alice")
		wantOK(t, "ListUserCredentials", err)
		diff(t, "ListUserCredentials(alice's certificates)", []keyward.UserCredential{cert}, l)
		l, err = tx.ListUserCredentials(keyward.CredentialSigningCertificate, acct, "")
		wantOK(t, "ListUserCredentials(root)", err)
		diff(t, "ListUserCredentials(root's certificates)", []keyward.UserCredential{rootCert}, l)
		_, err = tx.ListUserCredentials(keyward.CredentialSSHPublicKey, acct, "nope")
		wantCode(t, "ListUserCredentials(missing user)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	svc.Status, svc.SecretCiphertext = keyward.StatusInactive, []byte("sealed again")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "UpdateUserCredential", tx.UpdateUserCredential(svc))
		got, err := tx.GetUserCredential(svc.Kind, svc.ID)
		wantOK(t, "GetUserCredential", err)
		diff(t, "GetUserCredential after update", svc, got)
		wantCode(t, "DeleteUser(with credentials)", tx.DeleteUser(acct, "alice"), keyward.ErrDeleteConflict)
		for _, c := range []keyward.UserCredential{ssh, cert, svc} {
			wantOK(t, "DeleteUserCredential", tx.DeleteUserCredential(c.Kind, c.ID))
		}
		wantCode(t, "DeleteUserCredential(again)", tx.DeleteUserCredential(ssh.Kind, ssh.ID), keyward.ErrNoSuchEntity)
		wantCode(t, "UpdateUserCredential(deleted)", tx.UpdateUserCredential(ssh), keyward.ErrNoSuchEntity)
		wantOK(t, "DeleteUser", tx.DeleteUser(acct, "alice"))
		return nil
	})
}

func testServerCertificate(t *testing.T, s keyward.Store) {
	newCert := func(name string) keyward.ServerCertificate {
		return keyward.ServerCertificate{AccountID: acct, ID: newID("ASCA"), Name: name, Path: "/cloudfront/",
			ARN: "arn:aws:iam::" + acct + ":server-certificate/cloudfront/" + name, Body: "BODY", Chain: "CHAIN",
			PrivateKeyCiphertext: []byte("sealed key"), UploadDate: t0, Expiration: t0.Add(365 * 24 * time.Hour)}
	}
	web, api := newCert("Web"), newCert("api")
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateServerCertificate(web)", tx.CreateServerCertificate(web))
		wantOK(t, "CreateServerCertificate(api)", tx.CreateServerCertificate(api))
		wantCode(t, "CreateServerCertificate(WEB)", tx.CreateServerCertificate(newCert("WEB")), keyward.ErrEntityAlreadyExists)
		wantOK(t, "TagEntity", tx.TagEntity(keyward.ServerCertificateRef(acct, "web"), []keyward.Tag{{Key: "k", Value: "v"}}))
		return nil
	})
	view(t, s, func(tx keyward.Tx) error {
		got, err := tx.GetServerCertificate(acct, "web")
		wantOK(t, "GetServerCertificate", err)
		diff(t, "GetServerCertificate", web, got)
		l, next, err := tx.ListServerCertificates(acct, keyward.ListOptions{MaxItems: 1})
		wantOK(t, "ListServerCertificates", err)
		diff(t, "ListServerCertificates(page 1)", []keyward.ServerCertificate{api}, l)
		l, next, err = tx.ListServerCertificates(acct, keyward.ListOptions{Marker: next})
		wantOK(t, "ListServerCertificates", err)
		diff(t, "ListServerCertificates(page 2)", []keyward.ServerCertificate{web}, l)
		if next != "" {
			t.Errorf("ListServerCertificates(page 2) next = %q, want none", next)
		}
		l, _, err = tx.ListServerCertificates(acct, keyward.ListOptions{PathPrefix: "/elb/"})
		wantOK(t, "ListServerCertificates", err)
		diff(t, "ListServerCertificates(/elb/)", []keyward.ServerCertificate(nil), l)
		_, err = tx.GetServerCertificate(acct2, "web")
		wantCode(t, "GetServerCertificate(other account)", err, keyward.ErrNoSuchEntity)
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		moved := web
		moved.Name, moved.Path = "api", "/"
		wantCode(t, "UpdateServerCertificate(onto api)", tx.UpdateServerCertificate(moved), keyward.ErrEntityAlreadyExists)
		moved.Name = "www"
		moved.ARN = "arn:aws:iam::" + acct + ":server-certificate/www"
		wantOK(t, "UpdateServerCertificate", tx.UpdateServerCertificate(moved))
		got, err := tx.GetServerCertificate(acct, "www")
		wantOK(t, "GetServerCertificate(www)", err)
		diff(t, "GetServerCertificate after rename", moved, got)
		tags, err := tx.ListTags(keyward.ServerCertificateRef(acct, "www"))
		wantOK(t, "ListTags", err)
		diff(t, "ListTags(renamed)", []keyward.Tag{{Key: "k", Value: "v"}}, tags)
		wantOK(t, "DeleteServerCertificate", tx.DeleteServerCertificate(acct, "WWW"))
		wantCode(t, "DeleteServerCertificate(again)", tx.DeleteServerCertificate(acct, "www"), keyward.ErrNoSuchEntity)
		return nil
	})
}

func testSAMLProvider(t *testing.T, s keyward.Store) {
	p := keyward.SAMLProvider{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":saml-provider/Okta", Name: "Okta",
		Metadata: "<EntityDescriptor/>", CreateDate: t0, ValidUntil: t0.Add(24 * time.Hour)}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "CreateSAMLProvider", tx.CreateSAMLProvider(p))
		again := p
		again.ARN = "arn:aws:iam::" + acct + ":saml-provider/OKTA"
		wantCode(t, "CreateSAMLProvider(another case)", tx.CreateSAMLProvider(again), keyward.ErrEntityAlreadyExists)
		wantOK(t, "TagEntity", tx.TagEntity(keyward.SAMLProviderRef(p.ARN), []keyward.Tag{{Key: "k", Value: "v"}}))
		return nil
	})
	p.Metadata, p.ValidUntil = "<EntityDescriptor validUntil=''/>", time.Time{}
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "UpdateSAMLProvider", tx.UpdateSAMLProvider(p))
		got, err := tx.GetSAMLProvider(p.ARN)
		wantOK(t, "GetSAMLProvider", err)
		diff(t, "GetSAMLProvider", p, got)
		l, err := tx.ListSAMLProviders(acct)
		wantOK(t, "ListSAMLProviders", err)
		diff(t, "ListSAMLProviders", []keyward.SAMLProvider{p}, l)
		c, err := tx.CountEntities(acct)
		wantOK(t, "CountEntities", err)
		if c.SAMLProviders != 1 {
			t.Errorf("CountEntities.SAMLProviders = %d, want 1", c.SAMLProviders)
		}
		// An assertion is accepted once until it expires.
		exp := t0.Add(5 * time.Minute)
		wantOK(t, "RecordSAMLAssertion", tx.RecordSAMLAssertion(p.ARN, "_a1", exp, t0))
		wantCode(t, "RecordSAMLAssertion(replayed)", tx.RecordSAMLAssertion(p.ARN, "_a1", exp, t0.Add(time.Minute)), keyward.ErrEntityAlreadyExists)
		wantOK(t, "RecordSAMLAssertion(another provider)", tx.RecordSAMLAssertion(p.ARN+"2", "_a1", exp, t0))
		wantOK(t, "RecordSAMLAssertion(after it expired)", tx.RecordSAMLAssertion(p.ARN, "_a1", exp.Add(time.Hour), exp.Add(time.Second)))
		return nil
	})
	update(t, s, func(tx keyward.Tx) error {
		wantOK(t, "DeleteSAMLProvider", tx.DeleteSAMLProvider(p.ARN))
		wantCode(t, "DeleteSAMLProvider(again)", tx.DeleteSAMLProvider(p.ARN), keyward.ErrNoSuchEntity)
		_, err := tx.GetSAMLProvider(p.ARN)
		wantCode(t, "GetSAMLProvider(deleted)", err, keyward.ErrNoSuchEntity)
		return nil
	})
}
