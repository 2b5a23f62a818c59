package iam

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
)

// SSH public keys, signing certificates and service-specific credentials:
// a user's credentials other than access keys and passwords, each
// authorized on the user (the caller's own without UserName).

// Quotas (IAM and AWS STS quotas page).
const (
	maxSSHKeysPerUser          = 5
	maxSigningCertsPerUser     = 2
	maxServiceCredsPerService  = 2
	minSSHKeyBits              = 2048
	prefixSSHKey               = "APKA"
	prefixServiceCredential    = "ACCA"
	signingCertificateIDLength = 32
)

// credentialOwner finds the user an action names (the caller without
// UserName) and authorizes action on it with extra; rootOK lets the root
// user act on its own (signing certificates). It returns the user's name
// as stored, "" for root.
func (o *op) credentialOwner(action string, userName *string, extra map[string][]string, rootOK bool) (string, error) {
	name := deref(userName, "")
	if userName == nil {
		n, root, err := callerUser(o.c)
		if err != nil {
			return "", err
		}
		if root {
			if err := o.authorize(action, arn.RootARN(o.c.AccountID), extra); err != nil {
				return "", err
			}
			if !rootOK {
				return "", keyward.Errorf(keyward.ErrValidationError, "Must specify userName when calling with non-User credentials")
			}
			return "", nil
		}
		name = n
	}
	u, err := o.target(action, keyward.KindUser, name, extra)
	if err != nil {
		return "", err
	}
	return u.name, nil
}

// ownedCredential reads the credential of kind with that ID when it is
// user's ("" for root) in the caller's account; otherwise NoSuchEntity.
func (o *op) ownedCredential(kind keyward.CredentialKind, id, user string) (keyward.UserCredential, error) {
	c, err := o.GetUserCredential(kind, id)
	if err == nil && (c.AccountID != o.c.AccountID || !strings.EqualFold(c.UserName, user)) {
		return c, notFound(keyward.EntityKind(kind), id)
	}
	return c, said(err, keyward.EntityKind(kind), id)
}

// checkStatus refuses a Status other than Active and Inactive.
func checkStatus(status string) error {
	if status != string(keyward.StatusActive) && status != string(keyward.StatusInactive) {
		return keyward.Errorf(keyward.ErrInvalidInput, "Status %s is not valid: use Active or Inactive.", status)
	}
	return nil
}

// SSH public keys.

// parseSSHKey reads an RSA public key in OpenSSH (ssh-rsa AAAA...) or PEM
// (PKIX or PKCS #1) encoding, AWS's two, of at least 2,048 bits.
func parseSSHKey(body string) (ssh.PublicKey, error) {
	var pub ssh.PublicKey
	text := strings.TrimSpace(body)
	if strings.HasPrefix(text, "-----BEGIN") {
		block, _ := pem.Decode([]byte(text))
		if block == nil {
			return nil, keyward.Errorf(keyward.ErrUnrecognizedPublicKeyEncoding, "The public key encoding format is unknown or unsupported.")
		}
		var key any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			err = fmt.Errorf("PEM type %s", block.Type)
		}
		if err != nil {
			return nil, keyward.Errorf(keyward.ErrInvalidPublicKey, "The public key is invalid.")
		}
		if pub, err = ssh.NewPublicKey(key); err != nil {
			return nil, keyward.Errorf(keyward.ErrInvalidPublicKey, "The public key is invalid.")
		}
	} else if strings.HasPrefix(text, "ssh-") {
		var err error
		if pub, _, _, _, err = ssh.ParseAuthorizedKey([]byte(text)); err != nil {
			return nil, keyward.Errorf(keyward.ErrInvalidPublicKey, "The public key is invalid.")
		}
	} else {
		return nil, keyward.Errorf(keyward.ErrUnrecognizedPublicKeyEncoding, "The public key encoding format is unknown or unsupported.")
	}
	ck, ok := pub.(ssh.CryptoPublicKey)
	if pub.Type() != ssh.KeyAlgoRSA || !ok {
		return nil, keyward.Errorf(keyward.ErrInvalidPublicKey, "The public key must be an ssh-rsa key.")
	}
	if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); !ok || rk.N.BitLen() < minSSHKeyBits {
		return nil, keyward.Errorf(keyward.ErrInvalidPublicKey, "The public key must be at least %d bits long.", minSSHKeyBits)
	}
	return pub, nil
}

// sshFingerprint is an SSH key's MD5 fingerprint, as IAM shows it
// (colon-separated hex).
func sshFingerprint(pub ssh.PublicKey) string {
	sum := md5.Sum(pub.Marshal())
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// SSHPublicKey is AWS's SSHPublicKey shape.
type SSHPublicKey struct {
	UserName         string `xml:"UserName"`
	SSHPublicKeyID   string `xml:"SSHPublicKeyId"`
	Fingerprint      string `xml:"Fingerprint"`
	SSHPublicKeyBody string `xml:"SSHPublicKeyBody"`
	Status           string `xml:"Status"`
	UploadDate       Time   `xml:"UploadDate"`
}

// sshKeyOut shows a stored key in encoding SSH or PEM.
func sshKeyOut(c keyward.UserCredential, encoding string) (SSHPublicKey, error) {
	body := c.Body
	if encoding == "PEM" {
		pub, err := parseSSHKey(c.Body)
		if err != nil {
			return SSHPublicKey{}, err
		}
		der, err := x509.MarshalPKIXPublicKey(pub.(ssh.CryptoPublicKey).CryptoPublicKey())
		if err != nil {
			return SSHPublicKey{}, err
		}
		body = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	return SSHPublicKey{UserName: c.UserName, SSHPublicKeyID: c.ID, Fingerprint: c.Fingerprint, SSHPublicKeyBody: body,
		Status: string(c.Status), UploadDate: Time(c.CreateDate)}, nil
}

// UploadSSHPublicKeyInput is UploadSSHPublicKey's request.
type UploadSSHPublicKeyInput struct {
	UserName         string `query:"UserName,required"`
	SSHPublicKeyBody string `query:"SSHPublicKeyBody,required"`
}

// UploadSSHPublicKeyOutput is UploadSSHPublicKey's result.
type UploadSSHPublicKeyOutput struct {
	SSHPublicKey SSHPublicKey `xml:"SSHPublicKey"`
}

// UploadSSHPublicKey adds an SSH public key (ssh-rsa, 2,048 bits or more,
// in OpenSSH or PEM encoding) to a user, as AWS CodeCommit uses them; a
// user has at most 5, each once.
func (s *Service) UploadSSHPublicKey(ctx context.Context, c *keyward.Caller, in *UploadSSHPublicKeyInput) (*UploadSSHPublicKeyOutput, error) {
	var k keyward.UserCredential
	err := s.update(ctx, c, false, func(o *op) error {
		u, err := o.target("iam:UploadSSHPublicKey", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		pub, err := parseSSHKey(in.SSHPublicKeyBody)
		if err != nil {
			return err
		}
		keys, err := o.ListUserCredentials(keyward.CredentialSSHPublicKey, c.AccountID, u.name)
		if err != nil {
			return err
		}
		fp := sshFingerprint(pub)
		for _, x := range keys {
			if x.Fingerprint == fp {
				return keyward.Errorf(keyward.ErrDuplicateSSHPublicKey, "The public key is already associated with this user.")
			}
		}
		if len(keys) >= maxSSHKeysPerUser {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for PublicKeysPerUser: %d", maxSSHKeysPerUser)
		}
		k = keyward.UserCredential{Kind: keyward.CredentialSSHPublicKey, AccountID: c.AccountID, UserName: u.name,
			ID: keyward.NewID(prefixSSHKey), Status: keyward.StatusActive, CreateDate: s.now(),
			Body: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))), Fingerprint: fp}
		return said(o.CreateUserCredential(k), keyward.EntityKind(k.Kind), k.ID)
	})
	if err != nil {
		return nil, err
	}
	out, err := sshKeyOut(k, "SSH")
	return &UploadSSHPublicKeyOutput{SSHPublicKey: out}, err
}

// GetSSHPublicKeyInput is GetSSHPublicKey's request.
type GetSSHPublicKeyInput struct {
	UserName       string `query:"UserName,required"`
	SSHPublicKeyID string `query:"SSHPublicKeyId,required"`
	Encoding       string `query:"Encoding,required"`
}

// GetSSHPublicKeyOutput is GetSSHPublicKey's result.
type GetSSHPublicKeyOutput struct {
	SSHPublicKey SSHPublicKey `xml:"SSHPublicKey"`
}

// GetSSHPublicKey returns a user's SSH public key in the SSH (OpenSSH) or
// PEM encoding.
func (s *Service) GetSSHPublicKey(ctx context.Context, c *keyward.Caller, in *GetSSHPublicKeyInput) (*GetSSHPublicKeyOutput, error) {
	var k keyward.UserCredential
	err := s.view(ctx, c, func(o *op) error {
		u, err := o.target("iam:GetSSHPublicKey", keyward.KindUser, in.UserName, nil)
		if err != nil {
			return err
		}
		k, err = o.ownedCredential(keyward.CredentialSSHPublicKey, in.SSHPublicKeyID, u.name)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := sshKeyOut(k, in.Encoding)
	return &GetSSHPublicKeyOutput{SSHPublicKey: out}, err
}

// SSHPublicKeyMetadata is AWS's SSHPublicKeyMetadata shape.
type SSHPublicKeyMetadata struct {
	UserName       string `xml:"UserName"`
	SSHPublicKeyID string `xml:"SSHPublicKeyId"`
	Status         string `xml:"Status"`
	UploadDate     Time   `xml:"UploadDate"`
}

// ListSSHPublicKeysInput is ListSSHPublicKeys' request.
type ListSSHPublicKeysInput struct {
	UserName *string `query:"UserName"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListSSHPublicKeysOutput is ListSSHPublicKeys' result.
type ListSSHPublicKeysOutput struct {
	SSHPublicKeys Members[SSHPublicKeyMetadata] `xml:"SSHPublicKeys"`
	IsTruncated   bool                          `xml:"IsTruncated"`
	Marker        string                        `xml:"Marker,omitempty"`
}

// ListSSHPublicKeys lists a user's SSH public keys (the caller's without
// UserName), oldest first.
func (s *Service) ListSSHPublicKeys(ctx context.Context, c *keyward.Caller, in *ListSSHPublicKeysInput) (*ListSSHPublicKeysOutput, error) {
	var keys []keyward.UserCredential
	err := s.view(ctx, c, func(o *op) error {
		name, err := o.credentialOwner("iam:ListSSHPublicKeys", in.UserName, nil, false)
		if err != nil {
			return err
		}
		keys, err = o.ListUserCredentials(keyward.CredentialSSHPublicKey, c.AccountID, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(keys, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListSSHPublicKeysOutput{SSHPublicKeys: make(Members[SSHPublicKeyMetadata], len(page)), IsTruncated: next != "", Marker: next}
	for i, k := range page {
		out.SSHPublicKeys[i] = SSHPublicKeyMetadata{UserName: k.UserName, SSHPublicKeyID: k.ID, Status: string(k.Status), UploadDate: Time(k.CreateDate)}
	}
	return out, nil
}

// UpdateSSHPublicKeyInput is UpdateSSHPublicKey's request.
type UpdateSSHPublicKeyInput struct {
	UserName       string `query:"UserName,required"`
	SSHPublicKeyID string `query:"SSHPublicKeyId,required"`
	Status         string `query:"Status,required"`
}

// UpdateSSHPublicKey makes a user's SSH key Active or Inactive.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, c *keyward.Caller, in *UpdateSSHPublicKeyInput) (*struct{}, error) {
	return s.setCredentialStatus(ctx, c, "iam:UpdateSSHPublicKey", keyward.CredentialSSHPublicKey, &in.UserName, in.SSHPublicKeyID, in.Status, false)
}

// DeleteSSHPublicKeyInput is DeleteSSHPublicKey's request.
type DeleteSSHPublicKeyInput struct {
	UserName       string `query:"UserName,required"`
	SSHPublicKeyID string `query:"SSHPublicKeyId,required"`
}

// DeleteSSHPublicKey deletes a user's SSH key.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, c *keyward.Caller, in *DeleteSSHPublicKeyInput) (*struct{}, error) {
	return s.deleteCredential(ctx, c, "iam:DeleteSSHPublicKey", keyward.CredentialSSHPublicKey, &in.UserName, in.SSHPublicKeyID, false)
}

// setCredentialStatus is the Update action of SSH keys and signing
// certificates.
func (s *Service) setCredentialStatus(ctx context.Context, c *keyward.Caller, action string, kind keyward.CredentialKind, userName *string, id, status string, rootOK bool) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		name, err := o.credentialOwner(action, userName, nil, rootOK)
		if err != nil {
			return err
		}
		if err := checkStatus(status); err != nil {
			return err
		}
		k, err := o.ownedCredential(kind, id, name)
		if err != nil {
			return err
		}
		k.Status = keyward.AccessKeyStatus(status)
		return o.UpdateUserCredential(k)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// deleteCredential is the Delete action of SSH keys and signing
// certificates.
func (s *Service) deleteCredential(ctx context.Context, c *keyward.Caller, action string, kind keyward.CredentialKind, userName *string, id string, rootOK bool) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		name, err := o.credentialOwner(action, userName, nil, rootOK)
		if err != nil {
			return err
		}
		if _, err := o.ownedCredential(kind, id, name); err != nil {
			return err
		}
		return o.DeleteUserCredential(kind, id)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// Signing certificates.

// parseCertificate reads one PEM X.509 certificate and checks that it is
// valid at now: MalformedCertificate when it cannot be read,
// InvalidCertificate when it is expired or not valid yet.
func parseCertificate(body string, now time.Time) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) > 0 {
		return nil, keyward.Errorf(keyward.ErrMalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, keyward.Errorf(keyward.ErrMalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if now.After(cert.NotAfter) {
		return nil, keyward.Errorf(keyward.ErrInvalidCertificate, "The certificate expired at %s.", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if now.Before(cert.NotBefore) {
		return nil, keyward.Errorf(keyward.ErrInvalidCertificate, "The certificate is not valid before %s.", cert.NotBefore.UTC().Format(time.RFC3339))
	}
	return cert, nil
}

// signingCertificateID makes a certificate's ID: 32 characters from A-Z
// and 2-7, within AWS's 24 to 128 of [\w].
func signingCertificateID() string {
	b := make([]byte, 20)
	rand.Read(b)
	return strings.TrimRight(base32.StdEncoding.EncodeToString(b), "=")[:signingCertificateIDLength]
}

// SigningCertificate is AWS's SigningCertificate shape.
type SigningCertificate struct {
	UserName        string `xml:"UserName"`
	CertificateID   string `xml:"CertificateId"`
	CertificateBody string `xml:"CertificateBody"`
	Status          string `xml:"Status"`
	UploadDate      Time   `xml:"UploadDate"`
}

func signingCertOut(c keyward.UserCredential, accountID string) SigningCertificate {
	user := c.UserName
	if user == "" {
		user = accountID // the root user's, as AWS names it
	}
	return SigningCertificate{UserName: user, CertificateID: c.ID, CertificateBody: c.Body, Status: string(c.Status), UploadDate: Time(c.CreateDate)}
}

// UploadSigningCertificateInput is UploadSigningCertificate's request.
type UploadSigningCertificateInput struct {
	UserName        *string `query:"UserName"`
	CertificateBody string  `query:"CertificateBody,required"`
}

// UploadSigningCertificateOutput is UploadSigningCertificate's result.
type UploadSigningCertificateOutput struct {
	Certificate SigningCertificate `xml:"Certificate"`
}

// UploadSigningCertificate adds an X.509 signing certificate to a user (the
// caller without UserName, root included), valid now; at most 2 each. The
// body is kept and shown as uploaded, as AWS does (Terraform compares it).
func (s *Service) UploadSigningCertificate(ctx context.Context, c *keyward.Caller, in *UploadSigningCertificateInput) (*UploadSigningCertificateOutput, error) {
	now := s.now()
	var k keyward.UserCredential
	err := s.update(ctx, c, false, func(o *op) error {
		name, err := o.credentialOwner("iam:UploadSigningCertificate", in.UserName, nil, true)
		if err != nil {
			return err
		}
		cert, err := parseCertificate(in.CertificateBody, now)
		if err != nil {
			return err
		}
		certs, err := o.ListUserCredentials(keyward.CredentialSigningCertificate, c.AccountID, name)
		if err != nil {
			return err
		}
		for _, x := range certs {
			if block, _ := pem.Decode([]byte(strings.TrimSpace(x.Body))); block != nil && bytes.Equal(block.Bytes, cert.Raw) {
				return keyward.Errorf(keyward.ErrDuplicateCertificate, "The certificate is already registered.")
			}
		}
		if len(certs) >= maxSigningCertsPerUser {
			// AWS names the quota CertificatesPerUser here, not as the account
			// summary does (moto's AWS-verified test_create_too_many_certificates).
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for CertificatesPerUser: %d", maxSigningCertsPerUser)
		}
		k = keyward.UserCredential{Kind: keyward.CredentialSigningCertificate, AccountID: c.AccountID, UserName: name,
			ID: signingCertificateID(), Status: keyward.StatusActive, CreateDate: now, Body: in.CertificateBody}
		return said(o.CreateUserCredential(k), keyward.EntityKind(k.Kind), k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &UploadSigningCertificateOutput{Certificate: signingCertOut(k, c.AccountID)}, nil
}

// ListSigningCertificatesInput is ListSigningCertificates' request.
type ListSigningCertificatesInput struct {
	UserName *string `query:"UserName"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListSigningCertificatesOutput is ListSigningCertificates' result.
type ListSigningCertificatesOutput struct {
	Certificates Members[SigningCertificate] `xml:"Certificates"`
	IsTruncated  bool                        `xml:"IsTruncated"`
	Marker       string                      `xml:"Marker,omitempty"`
}

// ListSigningCertificates lists a user's signing certificates (the
// caller's without UserName, root's for root), with their bodies.
func (s *Service) ListSigningCertificates(ctx context.Context, c *keyward.Caller, in *ListSigningCertificatesInput) (*ListSigningCertificatesOutput, error) {
	var certs []keyward.UserCredential
	err := s.view(ctx, c, func(o *op) error {
		name, err := o.credentialOwner("iam:ListSigningCertificates", in.UserName, nil, true)
		if err != nil {
			return err
		}
		certs, err = o.ListUserCredentials(keyward.CredentialSigningCertificate, c.AccountID, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(certs, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListSigningCertificatesOutput{Certificates: make(Members[SigningCertificate], len(page)), IsTruncated: next != "", Marker: next}
	for i, k := range page {
		out.Certificates[i] = signingCertOut(k, c.AccountID)
	}
	return out, nil
}

// UpdateSigningCertificateInput is UpdateSigningCertificate's request.
type UpdateSigningCertificateInput struct {
	UserName      *string `query:"UserName"`
	CertificateID string  `query:"CertificateId,required"`
	Status        string  `query:"Status,required"`
}

// UpdateSigningCertificate makes a signing certificate Active or Inactive.
func (s *Service) UpdateSigningCertificate(ctx context.Context, c *keyward.Caller, in *UpdateSigningCertificateInput) (*struct{}, error) {
	return s.setCredentialStatus(ctx, c, "iam:UpdateSigningCertificate", keyward.CredentialSigningCertificate, in.UserName, in.CertificateID, in.Status, true)
}

// DeleteSigningCertificateInput is DeleteSigningCertificate's request.
type DeleteSigningCertificateInput struct {
	UserName      *string `query:"UserName"`
	CertificateID string  `query:"CertificateId,required"`
}

// DeleteSigningCertificate deletes a signing certificate.
func (s *Service) DeleteSigningCertificate(ctx context.Context, c *keyward.Caller, in *DeleteSigningCertificateInput) (*struct{}, error) {
	return s.deleteCredential(ctx, c, "iam:DeleteSigningCertificate", keyward.CredentialSigningCertificate, in.UserName, in.CertificateID, true)
}

// Service-specific credentials.

// serviceCredentialServices are the services AWS issues service-specific
// credentials for: AWS CodeCommit (Git over HTTPS), Amazon Keyspaces and
// Amazon Bedrock (API keys, which expire after CredentialAgeDays).
var serviceCredentialServices = map[string]bool{
	"codecommit.amazonaws.com": true,
	"cassandra.amazonaws.com":  true,
	"bedrock.amazonaws.com":    true,
}

// maxCredentialAgeDays bounds CredentialAgeDays (36,600 days: AWS's).
const maxCredentialAgeDays = 36600

// newServicePassword makes a service-specific password: 32 random bytes,
// base64 (44 characters).
func newServicePassword() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// ServiceSpecificCredential is AWS's ServiceSpecificCredential shape: with
// the password, shown when it is made (Create, Reset) only.
type ServiceSpecificCredential struct {
	CreateDate                  Time   `xml:"CreateDate"`
	ExpirationDate              Time   `xml:"ExpirationDate"`
	ServiceName                 string `xml:"ServiceName"`
	ServiceUserName             string `xml:"ServiceUserName"`
	ServicePassword             string `xml:"ServicePassword"`
	ServiceSpecificCredentialID string `xml:"ServiceSpecificCredentialId"`
	UserName                    string `xml:"UserName"`
	Status                      string `xml:"Status"`
}

// ServiceSpecificCredentialMetadata is AWS's
// ServiceSpecificCredentialMetadata shape.
type ServiceSpecificCredentialMetadata struct {
	UserName                    string `xml:"UserName"`
	Status                      string `xml:"Status"`
	ServiceUserName             string `xml:"ServiceUserName"`
	CreateDate                  Time   `xml:"CreateDate"`
	ExpirationDate              Time   `xml:"ExpirationDate"`
	ServiceSpecificCredentialID string `xml:"ServiceSpecificCredentialId"`
	ServiceName                 string `xml:"ServiceName"`
}

// CreateServiceSpecificCredentialInput is CreateServiceSpecificCredential's
// request.
type CreateServiceSpecificCredentialInput struct {
	UserName          string `query:"UserName,required"`
	ServiceName       string `query:"ServiceName,required"`
	CredentialAgeDays *int32 `query:"CredentialAgeDays"`
}

// CreateServiceSpecificCredentialOutput is its result.
type CreateServiceSpecificCredentialOutput struct {
	ServiceSpecificCredential ServiceSpecificCredential `xml:"ServiceSpecificCredential"`
}

// CreateServiceSpecificCredential makes a user name and password for one
// service (CodeCommit, Keyspaces, Bedrock) for a user: the password is
// shown here once and kept sealed; at most 2 per user and service.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, c *keyward.Caller, in *CreateServiceSpecificCredentialInput) (*CreateServiceSpecificCredentialOutput, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	now := s.now()
	extra := withKey(nil, "iam:ServiceSpecificCredentialServiceName", in.ServiceName)
	if in.CredentialAgeDays != nil {
		extra["iam:ServiceSpecificCredentialAgeDays"] = []string{strconv.Itoa(int(*in.CredentialAgeDays))}
	}
	password := newServicePassword()
	var k keyward.UserCredential
	err = s.update(ctx, c, false, func(o *op) error {
		u, err := o.target("iam:CreateServiceSpecificCredential", keyward.KindUser, in.UserName, extra)
		if err != nil {
			return err
		}
		if !serviceCredentialServices[in.ServiceName] {
			return keyward.Errorf(keyward.ErrNotSupportedService, "No such service %s is supported for Service-Specific Credentials", in.ServiceName)
		}
		if in.CredentialAgeDays != nil && (*in.CredentialAgeDays < 1 || *in.CredentialAgeDays > maxCredentialAgeDays) {
			return keyward.Errorf(keyward.ErrInvalidInput, "CredentialAgeDays must be between 1 and %d.", maxCredentialAgeDays)
		}
		all, err := o.ListUserCredentials(keyward.CredentialServiceSpecific, c.AccountID, u.name)
		if err != nil {
			return err
		}
		n := 0
		for _, x := range all {
			if x.ServiceName == in.ServiceName {
				n++
			}
		}
		if n >= maxServiceCredsPerService {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxServiceCredsPerService)
		}
		k = keyward.UserCredential{Kind: keyward.CredentialServiceSpecific, AccountID: c.AccountID, UserName: u.name,
			ID: keyward.NewUniqueID(prefixServiceCredential), Status: keyward.StatusActive, CreateDate: now,
			ServiceName: in.ServiceName, ServiceUserName: u.name + "-at-" + c.AccountID}
		if in.CredentialAgeDays != nil {
			k.Expiration = now.AddDate(0, 0, int(*in.CredentialAgeDays))
		}
		k.SecretCiphertext = sl.Seal([]byte(password), SecretAD("service-credential", k.ID))
		return said(o.CreateUserCredential(k), keyward.EntityKind(k.Kind), k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &CreateServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredOut(k, password)}, nil
}

func serviceCredOut(k keyward.UserCredential, password string) ServiceSpecificCredential {
	return ServiceSpecificCredential{CreateDate: Time(k.CreateDate), ExpirationDate: Time(k.Expiration), ServiceName: k.ServiceName,
		ServiceUserName: k.ServiceUserName, ServicePassword: password, ServiceSpecificCredentialID: k.ID,
		UserName: k.UserName, Status: string(k.Status)}
}

// serviceCredTarget finds the user and its credential id and authorizes
// action on the user with the credential's service name: NoSuchEntity
// for either once the caller may know.
func (o *op) serviceCredTarget(action string, userName *string, id string) (keyward.UserCredential, error) {
	name := deref(userName, "")
	if userName == nil {
		n, root, err := callerUser(o.c)
		if err != nil {
			return keyward.UserCredential{}, err
		}
		if root {
			return keyward.UserCredential{}, keyward.Errorf(keyward.ErrValidationError, "Must specify userName when calling with non-User credentials")
		}
		name = n
	}
	u, err := o.find(keyward.KindUser, name)
	if err != nil {
		return keyward.UserCredential{}, err
	}
	var k keyward.UserCredential
	var kerr error
	var extra map[string][]string
	if u.found {
		k, kerr = o.ownedCredential(keyward.CredentialServiceSpecific, id, u.name)
		if kerr == nil {
			extra = withKey(nil, "iam:ServiceSpecificCredentialServiceName", k.ServiceName)
		} else if keyward.ErrorCode(kerr) != keyward.ErrNoSuchEntity {
			return k, kerr
		}
	}
	if err := o.authorize(action, u.arn, u.keys(extra)); err != nil {
		return k, err
	}
	if !u.found {
		return k, u.missing()
	}
	if kerr != nil {
		return k, notFound(kindServiceCred, id)
	}
	return k, nil
}

// ListServiceSpecificCredentialsInput is ListServiceSpecificCredentials'
// request.
type ListServiceSpecificCredentialsInput struct {
	UserName    *string `query:"UserName"`
	ServiceName *string `query:"ServiceName"`
	AllUsers    *bool   `query:"AllUsers"`
	Marker      *string `query:"Marker"`
	MaxItems    *int32  `query:"MaxItems"`
}

// ListServiceSpecificCredentialsOutput is its result.
type ListServiceSpecificCredentialsOutput struct {
	ServiceSpecificCredentials Members[ServiceSpecificCredentialMetadata] `xml:"ServiceSpecificCredentials"`
	Marker                     string                                     `xml:"Marker,omitempty"`
	IsTruncated                bool                                       `xml:"IsTruncated"`
}

// ListServiceSpecificCredentials lists a user's service-specific
// credentials (the caller's without UserName; every user's with
// AllUsers), of one service with ServiceName; never their passwords.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, c *keyward.Caller, in *ListServiceSpecificCredentialsInput) (*ListServiceSpecificCredentialsOutput, error) {
	var creds []keyward.UserCredential
	err := s.view(ctx, c, func(o *op) error {
		var names []string
		if deref(in.AllUsers, false) {
			if err := o.authorize("iam:ListServiceSpecificCredentials", "arn:aws:iam::"+c.AccountID+":user/*", nil); err != nil {
				return err
			}
			users, _, err := o.ListUsers(c.AccountID, keyward.ListOptions{})
			if err != nil {
				return err
			}
			for _, u := range users {
				names = append(names, u.Name)
			}
		} else {
			name, err := o.credentialOwner("iam:ListServiceSpecificCredentials", in.UserName, nil, false)
			if err != nil {
				return err
			}
			names = []string{name}
		}
		for _, n := range names {
			all, err := o.ListUserCredentials(keyward.CredentialServiceSpecific, c.AccountID, n)
			if err != nil {
				return err
			}
			for _, k := range all {
				if in.ServiceName == nil || k.ServiceName == *in.ServiceName {
					creds = append(creds, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(creds, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: make(Members[ServiceSpecificCredentialMetadata], len(page)), IsTruncated: next != "", Marker: next}
	for i, k := range page {
		out.ServiceSpecificCredentials[i] = ServiceSpecificCredentialMetadata{UserName: k.UserName, Status: string(k.Status),
			ServiceUserName: k.ServiceUserName, CreateDate: Time(k.CreateDate), ExpirationDate: Time(k.Expiration),
			ServiceSpecificCredentialID: k.ID, ServiceName: k.ServiceName}
	}
	return out, nil
}

// ResetServiceSpecificCredentialInput is ResetServiceSpecificCredential's
// request.
type ResetServiceSpecificCredentialInput struct {
	UserName                    *string `query:"UserName"`
	ServiceSpecificCredentialID string  `query:"ServiceSpecificCredentialId,required"`
}

// ResetServiceSpecificCredentialOutput is its result.
type ResetServiceSpecificCredentialOutput struct {
	ServiceSpecificCredential ServiceSpecificCredential `xml:"ServiceSpecificCredential"`
}

// ResetServiceSpecificCredential gives a credential a new password, shown
// here once; the old one stops working.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, c *keyward.Caller, in *ResetServiceSpecificCredentialInput) (*ResetServiceSpecificCredentialOutput, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	password := newServicePassword()
	var k keyward.UserCredential
	err = s.update(ctx, c, false, func(o *op) error {
		var err error
		if k, err = o.serviceCredTarget("iam:ResetServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialID); err != nil {
			return err
		}
		k.SecretCiphertext = sl.Seal([]byte(password), SecretAD("service-credential", k.ID))
		return o.UpdateUserCredential(k)
	})
	if err != nil {
		return nil, err
	}
	return &ResetServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredOut(k, password)}, nil
}

// UpdateServiceSpecificCredentialInput is UpdateServiceSpecificCredential's
// request.
type UpdateServiceSpecificCredentialInput struct {
	UserName                    *string `query:"UserName"`
	ServiceSpecificCredentialID string  `query:"ServiceSpecificCredentialId,required"`
	Status                      string  `query:"Status,required"`
}

// UpdateServiceSpecificCredential makes a credential Active or Inactive.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, c *keyward.Caller, in *UpdateServiceSpecificCredentialInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		k, err := o.serviceCredTarget("iam:UpdateServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return err
		}
		if err := checkStatus(in.Status); err != nil {
			return err
		}
		k.Status = keyward.AccessKeyStatus(in.Status)
		return o.UpdateUserCredential(k)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteServiceSpecificCredentialInput is DeleteServiceSpecificCredential's
// request.
type DeleteServiceSpecificCredentialInput struct {
	UserName                    *string `query:"UserName"`
	ServiceSpecificCredentialID string  `query:"ServiceSpecificCredentialId,required"`
}

// DeleteServiceSpecificCredential deletes a credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, c *keyward.Caller, in *DeleteServiceSpecificCredentialInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		k, err := o.serviceCredTarget("iam:DeleteServiceSpecificCredential", in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return err
		}
		return o.DeleteUserCredential(k.Kind, k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
