package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"
)

// certPEM returns a self-signed certificate valid from notBefore to
// notAfter and its RSA key, in PEM.
func certPEM(t *testing.T, cn string, notBefore, notAfter time.Time) (string, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func sshKey(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&k.PublicKey)
	return string(ssh.MarshalAuthorizedKey(pub))
}

// TestUserCredentials_SDK: SSH public keys, signing certificates and
// service-specific credentials through the SDK: AWS's shapes, errors and
// quotas.
func TestUserCredentials_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	user := aws.String("alice")
	if _, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: user}); err != nil {
		t.Fatal(err)
	}

	// SSH keys: 5 per user.
	first := sshKey(t, 2048)
	up, err := c.UploadSSHPublicKey(ctx(t), &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	k := up.SSHPublicKey
	if !strings.HasPrefix(aws.ToString(k.SSHPublicKeyId), "APKA") || k.Status != types.StatusTypeActive || len(aws.ToString(k.Fingerprint)) != 47 || k.UploadDate == nil {
		t.Errorf("UploadSSHPublicKey = %+v", k)
	}
	_, err = c.UploadSSHPublicKey(ctx(t), &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(first)})
	wantErrorCode(t, "UploadSSHPublicKey(again)", err, "DuplicateSSHPublicKey")
	_, err = c.UploadSSHPublicKey(ctx(t), &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(sshKey(t, 1024))})
	wantErrorCode(t, "UploadSSHPublicKey(1,024 bits)", err, "InvalidPublicKey")
	for i := 0; i < 4; i++ {
		if _, err := c.UploadSSHPublicKey(ctx(t), &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(sshKey(t, 2048))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.UploadSSHPublicKey(ctx(t), &iam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(sshKey(t, 2048))})
	wantErrorCode(t, "UploadSSHPublicKey(a sixth)", err, "LimitExceeded")
	got, err := c.GetSSHPublicKey(ctx(t), &iam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypePem})
	if err != nil || !strings.HasPrefix(aws.ToString(got.SSHPublicKey.SSHPublicKeyBody), "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("GetSSHPublicKey(PEM) = %+v, %v", got, err)
	}
	if _, err := c.UpdateSSHPublicKey(ctx(t), &iam.UpdateSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSSHPublicKeys(ctx(t), &iam.ListSSHPublicKeysInput{UserName: user, MaxItems: aws.Int32(2)})
	if err != nil || len(list.SSHPublicKeys) != 2 || !list.IsTruncated {
		t.Errorf("ListSSHPublicKeys(2) = %+v, %v", list, err)
	}

	// Signing certificates: 2 per user, valid now.
	cert1, _ := certPEM(t, "alice-1", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	sc, err := c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(cert1)})
	if err != nil || len(aws.ToString(sc.Certificate.CertificateId)) < 24 || aws.ToString(sc.Certificate.CertificateBody) != cert1 {
		t.Fatalf("UploadSigningCertificate = %+v, %v", sc, err)
	}
	_, err = c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(cert1)})
	wantErrorCode(t, "UploadSigningCertificate(again)", err, "DuplicateCertificate")
	old, _ := certPEM(t, "old", time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))
	_, err = c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(old)})
	wantErrorCode(t, "UploadSigningCertificate(expired)", err, "InvalidCertificate")
	_, err = c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")})
	wantErrorCode(t, "UploadSigningCertificate(malformed)", err, "MalformedCertificate")
	cert2, _ := certPEM(t, "alice-2", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if _, err := c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(cert2)}); err != nil {
		t.Fatal(err)
	}
	cert3, _ := certPEM(t, "alice-3", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	_, err = c.UploadSigningCertificate(ctx(t), &iam.UploadSigningCertificateInput{UserName: user, CertificateBody: aws.String(cert3)})
	wantErrorCode(t, "UploadSigningCertificate(a third)", err, "LimitExceeded")
	if _, err := c.UpdateSigningCertificate(ctx(t), &iam.UpdateSigningCertificateInput{UserName: user, CertificateId: sc.Certificate.CertificateId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	certs, err := c.ListSigningCertificates(ctx(t), &iam.ListSigningCertificatesInput{UserName: user})
	if err != nil || len(certs.Certificates) != 2 {
		t.Errorf("ListSigningCertificates = %+v, %v", certs, err)
	}

	// Service-specific credentials: 2 per user and service, the password
	// once.
	cr, err := c.CreateServiceSpecificCredential(ctx(t), &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	ssc := cr.ServiceSpecificCredential
	if aws.ToString(ssc.ServiceUserName) != "alice-at-"+testAccount || aws.ToString(ssc.ServicePassword) == "" || ssc.Status != types.StatusTypeActive {
		t.Errorf("CreateServiceSpecificCredential = %+v", ssc)
	}
	_, err = c.CreateServiceSpecificCredential(ctx(t), &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("s3.amazonaws.com")})
	wantErrorCode(t, "CreateServiceSpecificCredential(s3)", err, "NotSupportedService")
	if _, err := c.CreateServiceSpecificCredential(ctx(t), &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateServiceSpecificCredential(ctx(t), &iam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
	wantErrorCode(t, "CreateServiceSpecificCredential(a third)", err, "LimitExceeded")
	reset, err := c.ResetServiceSpecificCredential(ctx(t), &iam.ResetServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: ssc.ServiceSpecificCredentialId})
	if err != nil || aws.ToString(reset.ServiceSpecificCredential.ServicePassword) == aws.ToString(ssc.ServicePassword) {
		t.Errorf("ResetServiceSpecificCredential = %+v, %v; want a new password", reset, err)
	}
	creds, err := c.ListServiceSpecificCredentials(ctx(t), &iam.ListServiceSpecificCredentialsInput{UserName: user})
	if err != nil || len(creds.ServiceSpecificCredentials) != 2 {
		t.Errorf("ListServiceSpecificCredentials = %+v, %v", creds, err)
	}

	// The user cannot go while it has them.
	_, err = c.DeleteUser(ctx(t), &iam.DeleteUserInput{UserName: user})
	wantErrorCode(t, "DeleteUser(with credentials)", err, "DeleteConflict")
	for _, m := range list.SSHPublicKeys {
		c.DeleteSSHPublicKey(ctx(t), &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: m.SSHPublicKeyId})
	}
	all, _ := c.ListSSHPublicKeys(ctx(t), &iam.ListSSHPublicKeysInput{UserName: user})
	for _, m := range all.SSHPublicKeys {
		if _, err := c.DeleteSSHPublicKey(ctx(t), &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: m.SSHPublicKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range certs.Certificates {
		if _, err := c.DeleteSigningCertificate(ctx(t), &iam.DeleteSigningCertificateInput{UserName: user, CertificateId: m.CertificateId}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range creds.ServiceSpecificCredentials {
		if _, err := c.DeleteServiceSpecificCredential(ctx(t), &iam.DeleteServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: m.ServiceSpecificCredentialId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx(t), &iam.DeleteUserInput{UserName: user}); err != nil {
		t.Errorf("DeleteUser after its credentials: %v", err)
	}
}

// TestServerCertificates_SDK: server certificates through the SDK, the
// private key never returned, 20 per account; GetAccountSummary counts
// them and the STS token version.
func TestServerCertificates_SDK(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cert, key := certPEM(t, "www.example.com", time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
	_, otherKey := certPEM(t, "other", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	_, err := c.UploadServerCertificate(ctx(t), &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("www"), CertificateBody: aws.String(cert), PrivateKey: aws.String(otherKey)})
	wantErrorCode(t, "UploadServerCertificate(another key)", err, "KeyPairMismatch")
	up, err := c.UploadServerCertificate(ctx(t), &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("www"), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(cert), PrivateKey: aws.String(key), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	m := up.ServerCertificateMetadata
	if aws.ToString(m.Arn) != "arn:aws:iam::"+testAccount+":server-certificate/cloudfront/www" || m.Expiration == nil || len(up.Tags) != 1 {
		t.Errorf("UploadServerCertificate = %+v", up)
	}
	_, err = c.UploadServerCertificate(ctx(t), &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("WWW"), CertificateBody: aws.String(cert), PrivateKey: aws.String(key)})
	wantErrorCode(t, "UploadServerCertificate(same name)", err, "EntityAlreadyExists")
	got, err := c.GetServerCertificate(ctx(t), &iam.GetServerCertificateInput{ServerCertificateName: aws.String("www")})
	if err != nil || aws.ToString(got.ServerCertificate.CertificateBody) != strings.TrimSpace(cert) || len(got.ServerCertificate.Tags) != 1 {
		t.Errorf("GetServerCertificate = %+v, %v", got, err)
	}
	for i := 1; i < 20; i++ {
		if _, err := c.UploadServerCertificate(ctx(t), &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(fmt.Sprintf("c%02d", i)), CertificateBody: aws.String(cert), PrivateKey: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.UploadServerCertificate(ctx(t), &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("c20"), CertificateBody: aws.String(cert), PrivateKey: aws.String(key)})
	wantErrorCode(t, "UploadServerCertificate(a 21st)", err, "LimitExceeded")
	list, err := c.ListServerCertificates(ctx(t), &iam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")})
	if err != nil || len(list.ServerCertificateMetadataList) != 1 {
		t.Errorf("ListServerCertificates(/cloudfront/) = %+v, %v", list, err)
	}
	if _, err := c.UpdateServerCertificate(ctx(t), &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetSecurityTokenServicePreferences(ctx(t), &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.GetAccountSummary(ctx(t), &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["ServerCertificates"] != 20 || sum.SummaryMap["GlobalEndpointTokenVersion"] != 2 || sum.SummaryMap["ServerCertificatesQuota"] != 20 {
		t.Errorf("GetAccountSummary = %v, %v; want 20 server certificates and token version 2", sum.SummaryMap, err)
	}
	if _, err := c.DeleteServerCertificate(ctx(t), &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetServerCertificate(ctx(t), &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	wantErrorCode(t, "GetServerCertificate(deleted)", err, "NoSuchEntity")
}
