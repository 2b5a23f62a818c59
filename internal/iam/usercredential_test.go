package iam

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keyward/keyward"
)

// testSSHKey returns a new RSA key's OpenSSH public key.
func testSSHKey(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " alice@laptop"
}

// testCertificate returns a self-signed PEM certificate valid from
// notBefore to notAfter, and its private key in PEM.
func testCertificate(t *testing.T, cn string, notBefore, notAfter time.Time) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: []string{cn}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

func TestService_SSHPublicKeys(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	userCaller(t, s, "alice")
	body := testSSHKey(t, 2048)
	out, err := s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: body})
	if err != nil {
		t.Fatal(err)
	}
	k := out.SSHPublicKey
	if !strings.HasPrefix(k.SSHPublicKeyID, "APKA") || len(k.SSHPublicKeyID) != 20 || len(k.Fingerprint) != 47 || k.Status != "Active" ||
		!strings.HasPrefix(body, k.SSHPublicKeyBody) {
		t.Errorf("UploadSSHPublicKey = %+v", k)
	}
	for _, tt := range []struct {
		name, body, code string
	}{
		{"again", body, keyward.ErrDuplicateSSHPublicKey},
		{"short key", testSSHKey(t, 1024), keyward.ErrInvalidPublicKey},
		{"not a key", "ssh-rsa bm90IGEga2V5", keyward.ErrInvalidPublicKey},
		{"unknown encoding", "BEGIN KEY", keyward.ErrUnrecognizedPublicKeyEncoding},
	} {
		_, err := s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: tt.body})
		wantCode(t, "UploadSSHPublicKey("+tt.name+")", err, tt.code)
	}
	pemOut, err := s.GetSSHPublicKey(ctx, root, &GetSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: k.SSHPublicKeyID, Encoding: "PEM"})
	if err != nil || !strings.HasPrefix(pemOut.SSHPublicKey.SSHPublicKeyBody, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("GetSSHPublicKey(PEM) = %+v, %v", pemOut, err)
	}
	// The PEM form uploads as the same key.
	_, err = s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: pemOut.SSHPublicKey.SSHPublicKeyBody})
	wantCode(t, "UploadSSHPublicKey(the same key in PEM)", err, keyward.ErrDuplicateSSHPublicKey)
	for i := 0; i < 4; i++ {
		if _, err := s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: testSSHKey(t, 2048)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.UploadSSHPublicKey(ctx, root, &UploadSSHPublicKeyInput{UserName: "alice", SSHPublicKeyBody: testSSHKey(t, 2048)})
	wantError(t, "UploadSSHPublicKey(a sixth)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for PublicKeysPerUser: 5")
	if _, err := s.UpdateSSHPublicKey(ctx, root, &UpdateSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: k.SSHPublicKeyID, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListSSHPublicKeys(ctx, root, &ListSSHPublicKeysInput{UserName: ptr("alice"), MaxItems: ptr(int32(4))})
	if err != nil || len(list.SSHPublicKeys) != 4 || !list.IsTruncated {
		t.Errorf("ListSSHPublicKeys(4) = %+v, %v; want 4 keys and more", list, err)
	}
	list, err = s.ListSSHPublicKeys(ctx, root, &ListSSHPublicKeysInput{UserName: ptr("alice")})
	inactive := 0
	for _, m := range list.SSHPublicKeys {
		if m.Status == "Inactive" && m.SSHPublicKeyID == k.SSHPublicKeyID {
			inactive++
		}
	}
	if err != nil || len(list.SSHPublicKeys) != 5 || inactive != 1 {
		t.Errorf("ListSSHPublicKeys = %+v, %v; want 5 keys, the first inactive", list, err)
	}
	_, err = s.DeleteUser(ctx, root, &DeleteUserInput{UserName: "alice"})
	wantCode(t, "DeleteUser(with SSH keys)", err, keyward.ErrDeleteConflict)
	if _, err := s.DeleteSSHPublicKey(ctx, root, &DeleteSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: k.SSHPublicKeyID}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetSSHPublicKey(ctx, root, &GetSSHPublicKeyInput{UserName: "alice", SSHPublicKeyID: k.SSHPublicKeyID, Encoding: "SSH"})
	wantCode(t, "GetSSHPublicKey(deleted)", err, keyward.ErrNoSuchEntity)
}

func TestService_SigningCertificates(t *testing.T) {
	s, root := newService(t)
	ctx := context.Background()
	userCaller(t, s, "alice")
	cert, _ := testCertificate(t, "alice", testClock.Add(-time.Hour), testClock.Add(time.Hour))
	out, err := s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{UserName: ptr("alice"), CertificateBody: cert})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Certificate.CertificateID) < 24 || out.Certificate.Status != "Active" || out.Certificate.CertificateBody != cert {
		t.Errorf("UploadSigningCertificate = %+v", out.Certificate)
	}
	expired, _ := testCertificate(t, "old", testClock.Add(-2*time.Hour), testClock.Add(-time.Hour))
	future, _ := testCertificate(t, "new", testClock.Add(time.Hour), testClock.Add(2*time.Hour))
	for _, tt := range []struct {
		name, body, code string
	}{
		{"again", cert, keyward.ErrDuplicateCertificate},
		{"expired", expired, keyward.ErrInvalidCertificate},
		{"not yet valid", future, keyward.ErrInvalidCertificate},
		{"not PEM", "hello", keyward.ErrMalformedCertificate},
	} {
		_, err := s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{UserName: ptr("alice"), CertificateBody: tt.body})
		wantCode(t, "UploadSigningCertificate("+tt.name+")", err, tt.code)
	}
	second, _ := testCertificate(t, "alice2", testClock.Add(-time.Hour), testClock.Add(time.Hour))
	if _, err := s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{UserName: ptr("alice"), CertificateBody: second}); err != nil {
		t.Fatal(err)
	}
	third, _ := testCertificate(t, "alice3", testClock.Add(-time.Hour), testClock.Add(time.Hour))
	_, err = s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{UserName: ptr("alice"), CertificateBody: third})
	wantError(t, "UploadSigningCertificate(a third)", err, keyward.ErrLimitExceeded, "Cannot exceed quota for CertificatesPerUser: 2") // moto's AWS-verified test_create_too_many_certificates
	// Root's own, without UserName.
	rootOut, err := s.UploadSigningCertificate(ctx, root, &UploadSigningCertificateInput{CertificateBody: third})
	if err != nil || rootOut.Certificate.UserName != testAccount {
		t.Errorf("UploadSigningCertificate(root) = %+v, %v", rootOut, err)
	}
	id := out.Certificate.CertificateID
	if _, err := s.UpdateSigningCertificate(ctx, root, &UpdateSigningCertificateInput{UserName: ptr("alice"), CertificateID: id, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateSigningCertificate(ctx, root, &UpdateSigningCertificateInput{CertificateID: id, Status: "Inactive"})
	wantCode(t, "UpdateSigningCertificate(alice's as root's)", err, keyward.ErrNoSuchEntity)
	list, err := s.ListSigningCertificates(ctx, root, &ListSigningCertificatesInput{UserName: ptr("alice")})
	if err != nil || len(list.Certificates) != 2 || list.Certificates[0].Status == list.Certificates[1].Status {
		t.Errorf("ListSigningCertificates = %+v, %v", list, err)
	}
	if _, err := s.DeleteSigningCertificate(ctx, root, &DeleteSigningCertificateInput{UserName: ptr("alice"), CertificateID: id}); err != nil {
		t.Fatal(err)
	}
}

func TestService_ServiceSpecificCredentials(t *testing.T) {
	s, root := newService(t)
	withSecrets(t, s)
	ctx := context.Background()
	userCaller(t, s, "alice")
	out, err := s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "codecommit.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	c := out.ServiceSpecificCredential
	if !strings.HasPrefix(c.ServiceSpecificCredentialID, "ACCA") || c.ServiceUserName != "alice-at-111122223333" || len(c.ServicePassword) != 44 || c.Status != "Active" {
		t.Errorf("CreateServiceSpecificCredential = %+v", c)
	}
	s.Store.View(ctx, func(tx keyward.Tx) error {
		k, err := tx.GetUserCredential(keyward.CredentialServiceSpecific, c.ServiceSpecificCredentialID)
		if err != nil || strings.Contains(string(k.SecretCiphertext), c.ServicePassword) {
			t.Errorf("stored credential %+v, %v: the password must be sealed", k, err)
		}
		return nil
	})
	_, err = s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "s3.amazonaws.com"})
	wantCode(t, "CreateServiceSpecificCredential(unsupported service)", err, keyward.ErrNotSupportedService)
	if _, err := s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "codecommit.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "codecommit.amazonaws.com"})
	wantCode(t, "CreateServiceSpecificCredential(a third)", err, keyward.ErrLimitExceeded)
	bedrock, err := s.CreateServiceSpecificCredential(ctx, root, &CreateServiceSpecificCredentialInput{UserName: "alice", ServiceName: "bedrock.amazonaws.com", CredentialAgeDays: ptr(int32(30))})
	if err != nil || time.Time(bedrock.ServiceSpecificCredential.ExpirationDate) != testClock.Truncate(time.Second).AddDate(0, 0, 30) {
		t.Errorf("CreateServiceSpecificCredential(30 days) = %+v, %v", bedrock, err)
	}
	reset, err := s.ResetServiceSpecificCredential(ctx, root, &ResetServiceSpecificCredentialInput{UserName: ptr("alice"), ServiceSpecificCredentialID: c.ServiceSpecificCredentialID})
	if err != nil || reset.ServiceSpecificCredential.ServicePassword == c.ServicePassword {
		t.Errorf("ResetServiceSpecificCredential = %+v, %v; want a new password", reset, err)
	}
	if _, err := s.UpdateServiceSpecificCredential(ctx, root, &UpdateServiceSpecificCredentialInput{UserName: ptr("alice"), ServiceSpecificCredentialID: c.ServiceSpecificCredentialID, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListServiceSpecificCredentials(ctx, root, &ListServiceSpecificCredentialsInput{UserName: ptr("alice"), ServiceName: ptr("codecommit.amazonaws.com")})
	inactive := 0
	for _, m := range list.ServiceSpecificCredentials {
		if m.Status == "Inactive" && m.ServiceSpecificCredentialID == c.ServiceSpecificCredentialID {
			inactive++
		}
	}
	if err != nil || len(list.ServiceSpecificCredentials) != 2 || inactive != 1 {
		t.Errorf("ListServiceSpecificCredentials = %+v, %v; want 2, the first inactive", list, err)
	}
	_, err = s.DeleteServiceSpecificCredential(ctx, root, &DeleteServiceSpecificCredentialInput{UserName: ptr("alice"), ServiceSpecificCredentialID: "ACCANOPENOPENOPENOPE1"})
	wantCode(t, "DeleteServiceSpecificCredential(missing)", err, keyward.ErrNoSuchEntity)
	if _, err := s.DeleteServiceSpecificCredential(ctx, root, &DeleteServiceSpecificCredentialInput{UserName: ptr("alice"), ServiceSpecificCredentialID: c.ServiceSpecificCredentialID}); err != nil {
		t.Fatal(err)
	}
}
