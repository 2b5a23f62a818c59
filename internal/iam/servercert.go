package iam

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// findServerCertificate reads the caller's account's server certificate of
// that name, with its tags.
func (o *op) findServerCertificate(name string) (*entity, error) {
	e := &entity{kind: keyward.KindServerCertificate, name: name,
		arn: entityARN(o.c.AccountID, "server-certificate", "/", name)}
	c, err := o.GetServerCertificate(o.c.AccountID, name)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.cert, e.name, e.arn = true, c, c.Name, c.ARN
	if e.tags, err = o.ListTags(keyward.ServerCertificateRef(o.c.AccountID, c.Name)); err != nil {
		return nil, err
	}
	return e, nil
}

// maxServerCertificates is AWS's quota of server certificates per account.
const maxServerCertificates = 20

// prefixServerCertificate is the prefix of a server certificate's ID.
const prefixServerCertificate = "ASCA"

// ServerCertificateARN returns arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME.
func ServerCertificateARN(accountID, path, name string) string {
	return entityARN(accountID, "server-certificate", path, name)
}

// parsePrivateKey reads a PEM private key (PKCS #1, PKCS #8 or SEC 1).
func parsePrivateKey(text string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	bad := keyward.Errorf(keyward.ErrMalformedCertificate, "Unable to parse the private key. Please ensure it is an unencrypted PEM private key.")
	if block == nil {
		return nil, bad
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, bad
	}
	signer, ok := key.(crypto.Signer)
	if err != nil || !ok {
		return nil, bad
	}
	return signer, nil
}

// samePublicKey reports whether a and b are the same public key.
func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// checkServerCertificate parses the certificate, its chain and its private
// key, as UploadServerCertificate takes them: the certificate valid now,
// every chain entry a certificate, the key the certificate's.
func checkServerCertificate(body, key, chain string, now time.Time) (*x509.Certificate, error) {
	cert, err := parseCertificate(body, now)
	if keyward.ErrorCode(err) == keyward.ErrInvalidCertificate {
		return nil, keyward.Errorf(keyward.ErrMalformedCertificate, "%s", keyward.ErrorMessage(err))
	}
	if err != nil {
		return nil, err
	}
	rest := []byte(strings.TrimSpace(chain))
	for len(rest) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, keyward.Errorf(keyward.ErrMalformedCertificate, "Unable to parse the certificate chain. Please ensure it is PEM-encoded certificates.")
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, keyward.Errorf(keyward.ErrMalformedCertificate, "Unable to parse the certificate chain. Please ensure it is PEM-encoded certificates.")
		}
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	signer, err := parsePrivateKey(key)
	if err != nil {
		return nil, err
	}
	if !samePublicKey(signer.Public(), cert.PublicKey) {
		return nil, keyward.Errorf(keyward.ErrKeyPairMismatch, "The private key does not match the certificate's public key.")
	}
	return cert, nil
}

// ServerCertificateMetadata is AWS's ServerCertificateMetadata shape.
type ServerCertificateMetadata struct {
	Path                  string `xml:"Path"`
	ServerCertificateName string `xml:"ServerCertificateName"`
	ServerCertificateID   string `xml:"ServerCertificateId"`
	ARN                   string `xml:"Arn"`
	UploadDate            Time   `xml:"UploadDate"`
	Expiration            Time   `xml:"Expiration"`
}

func serverCertMetadata(c keyward.ServerCertificate) ServerCertificateMetadata {
	return ServerCertificateMetadata{Path: c.Path, ServerCertificateName: c.Name, ServerCertificateID: c.ID, ARN: c.ARN,
		UploadDate: Time(c.UploadDate), Expiration: Time(c.Expiration)}
}

// UploadServerCertificateInput is UploadServerCertificate's request.
type UploadServerCertificateInput struct {
	Path                  *string       `query:"Path"`
	ServerCertificateName string        `query:"ServerCertificateName,required"`
	CertificateBody       string        `query:"CertificateBody,required"`
	PrivateKey            string        `query:"PrivateKey,required"`
	CertificateChain      *string       `query:"CertificateChain"`
	Tags                  []keyward.Tag `query:"Tags"`
}

// UploadServerCertificateOutput is UploadServerCertificate's result.
type UploadServerCertificateOutput struct {
	ServerCertificateMetadata ServerCertificateMetadata `xml:"ServerCertificateMetadata"`
	Tags                      Members[Tag]              `xml:"Tags,omitempty"`
}

// UploadServerCertificate stores a server certificate with its chain and
// private key, which must match it; the key is sealed at rest and never
// returned. At most 20 per account.
func (s *Service) UploadServerCertificate(ctx context.Context, c *keyward.Caller, in *UploadServerCertificateInput) (*UploadServerCertificateOutput, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	now := s.now()
	path := deref(in.Path, "/")
	sc := keyward.ServerCertificate{AccountID: c.AccountID, ID: s.ids().ID(prefixServerCertificate), Name: in.ServerCertificateName,
		Path: path, ARN: ServerCertificateARN(c.AccountID, path, in.ServerCertificateName),
		Body: strings.TrimSpace(in.CertificateBody), Chain: strings.TrimSpace(deref(in.CertificateChain, "")), UploadDate: now}
	var tags []keyward.Tag
	err = s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:UploadServerCertificate", sc.ARN, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		cert, err := checkServerCertificate(in.CertificateBody, in.PrivateKey, sc.Chain, now)
		if err != nil {
			return err
		}
		sc.Expiration = cert.NotAfter.UTC().Truncate(time.Second)
		counts, err := o.CountEntities(c.AccountID)
		if err != nil {
			return err
		}
		if counts.ServerCertificates >= maxServerCertificates {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ServerCertificatesPerAccount: %d", maxServerCertificates)
		}
		sc.PrivateKeyCiphertext = sl.Seal([]byte(strings.TrimSpace(in.PrivateKey)), SecretAD("server-certificate", sc.ID))
		if err := o.CreateServerCertificate(sc); err != nil {
			return said(err, keyward.KindServerCertificate, sc.Name)
		}
		tags = nil
		if len(in.Tags) == 0 {
			return nil
		}
		ref := keyward.ServerCertificateRef(c.AccountID, sc.Name)
		if err := o.TagEntity(ref, in.Tags); err != nil {
			return err
		}
		tags, err = o.ListTags(ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &UploadServerCertificateOutput{ServerCertificateMetadata: serverCertMetadata(sc), Tags: tagsOut(tags)}, nil
}

// certTarget finds the named server certificate and authorizes action on
// it with its tags: NoSuchEntity after the authorization when absent.
func (o *op) certTarget(action, name string) (*entity, error) {
	e, err := o.findServerCertificate(name)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, e.arn, e.keys(nil)); err != nil {
		return nil, err
	}
	if !e.found {
		return nil, e.missing()
	}
	return e, nil
}

// GetServerCertificateInput is GetServerCertificate's request.
type GetServerCertificateInput struct {
	ServerCertificateName string `query:"ServerCertificateName,required"`
}

// ServerCertificate is AWS's ServerCertificate shape (no private key).
type ServerCertificate struct {
	ServerCertificateMetadata ServerCertificateMetadata `xml:"ServerCertificateMetadata"`
	CertificateBody           string                    `xml:"CertificateBody"`
	CertificateChain          string                    `xml:"CertificateChain,omitempty"`
	Tags                      Members[Tag]              `xml:"Tags,omitempty"`
}

// GetServerCertificateOutput is GetServerCertificate's result.
type GetServerCertificateOutput struct {
	ServerCertificate ServerCertificate `xml:"ServerCertificate"`
}

// GetServerCertificate returns a server certificate, its chain and tags;
// never its private key.
func (s *Service) GetServerCertificate(ctx context.Context, c *keyward.Caller, in *GetServerCertificateInput) (*GetServerCertificateOutput, error) {
	var out GetServerCertificateOutput
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.certTarget("iam:GetServerCertificate", in.ServerCertificateName)
		if err != nil {
			return err
		}
		out.ServerCertificate = ServerCertificate{ServerCertificateMetadata: serverCertMetadata(e.cert),
			CertificateBody: e.cert.Body, CertificateChain: e.cert.Chain, Tags: tagsOut(e.tags)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListServerCertificatesInput is ListServerCertificates' request.
type ListServerCertificatesInput struct {
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListServerCertificatesOutput is ListServerCertificates' result.
type ListServerCertificatesOutput struct {
	ServerCertificateMetadataList Members[ServerCertificateMetadata] `xml:"ServerCertificateMetadataList"`
	IsTruncated                   bool                               `xml:"IsTruncated"`
	Marker                        string                             `xml:"Marker,omitempty"`
}

// ListServerCertificates lists the account's server certificates by name.
func (s *Service) ListServerCertificates(ctx context.Context, c *keyward.Caller, in *ListServerCertificatesInput) (*ListServerCertificatesOutput, error) {
	out := &ListServerCertificatesOutput{}
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListServerCertificates", "*", nil); err != nil {
			return err
		}
		page, next, err := o.ListServerCertificates(c.AccountID, listOptions(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		out.ServerCertificateMetadataList = make(Members[ServerCertificateMetadata], len(page))
		for i, sc := range page {
			out.ServerCertificateMetadataList[i] = serverCertMetadata(sc)
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateServerCertificateInput is UpdateServerCertificate's request.
type UpdateServerCertificateInput struct {
	ServerCertificateName    string  `query:"ServerCertificateName,required"`
	NewPath                  *string `query:"NewPath"`
	NewServerCertificateName *string `query:"NewServerCertificateName"`
}

// UpdateServerCertificate renames a server certificate or moves it to
// another path; as on AWS the caller needs the action on both the old and
// the new ARN.
func (s *Service) UpdateServerCertificate(ctx context.Context, c *keyward.Caller, in *UpdateServerCertificateInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		e, err := o.certTarget("iam:UpdateServerCertificate", in.ServerCertificateName)
		if err != nil {
			return err
		}
		moved := e.cert
		moved.Path = deref(in.NewPath, moved.Path)
		moved.Name = deref(in.NewServerCertificateName, moved.Name)
		moved.ARN = ServerCertificateARN(c.AccountID, moved.Path, moved.Name)
		if moved.ARN != e.arn {
			if err := o.authorize("iam:UpdateServerCertificate", moved.ARN, nil); err != nil {
				return err
			}
		}
		return said(o.UpdateServerCertificate(moved), keyward.KindServerCertificate, moved.Name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteServerCertificateInput is DeleteServerCertificate's request.
type DeleteServerCertificateInput struct {
	ServerCertificateName string `query:"ServerCertificateName,required"`
}

// DeleteServerCertificate deletes a server certificate, its sealed key and
// its tags. Keyward has no load balancers, so none can be using it.
func (s *Service) DeleteServerCertificate(ctx context.Context, c *keyward.Caller, in *DeleteServerCertificateInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		e, err := o.certTarget("iam:DeleteServerCertificate", in.ServerCertificateName)
		if err != nil {
			return err
		}
		return o.DeleteServerCertificate(c.AccountID, e.name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// TagServerCertificateInput is TagServerCertificate's request.
type TagServerCertificateInput struct {
	ServerCertificateName string        `query:"ServerCertificateName,required"`
	Tags                  []keyward.Tag `query:"Tags,required"`
}

// TagServerCertificate adds tags to a server certificate.
func (s *Service) TagServerCertificate(ctx context.Context, c *keyward.Caller, in *TagServerCertificateInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagServerCertificate", tagged{kind: keyward.KindServerCertificate, key: in.ServerCertificateName}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagServerCertificateInput is UntagServerCertificate's request.
type UntagServerCertificateInput struct {
	ServerCertificateName string   `query:"ServerCertificateName,required"`
	TagKeys               []string `query:"TagKeys,required"`
}

// UntagServerCertificate removes tags from a server certificate.
func (s *Service) UntagServerCertificate(ctx context.Context, c *keyward.Caller, in *UntagServerCertificateInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagServerCertificate", tagged{kind: keyward.KindServerCertificate, key: in.ServerCertificateName}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListServerCertificateTagsInput is ListServerCertificateTags' request.
type ListServerCertificateTagsInput struct {
	ServerCertificateName string  `query:"ServerCertificateName,required"`
	Marker                *string `query:"Marker"`
	MaxItems              *int32  `query:"MaxItems"`
}

// ListServerCertificateTags lists a server certificate's tags.
func (s *Service) ListServerCertificateTags(ctx context.Context, c *keyward.Caller, in *ListServerCertificateTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListServerCertificateTags", tagged{kind: keyward.KindServerCertificate, key: in.ServerCertificateName}, in.Marker, in.MaxItems)
}

// SetSecurityTokenServicePreferencesInput is
// SetSecurityTokenServicePreferences' request.
type SetSecurityTokenServicePreferencesInput struct {
	GlobalEndpointTokenVersion string `query:"GlobalEndpointTokenVersion,required"`
}

// SetSecurityTokenServicePreferences sets the version of the session
// tokens the global STS endpoint issues (v1Token or v2Token), which
// GetAccountSummary reports as GlobalEndpointTokenVersion. Keyward's
// tokens are the same either way: they are valid in every region.
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, c *keyward.Caller, in *SetSecurityTokenServicePreferencesInput) (*struct{}, error) {
	version := map[string]int{"v1Token": 1, "v2Token": 2}[in.GlobalEndpointTokenVersion]
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:SetSecurityTokenServicePreferences", "*", nil); err != nil {
			return err
		}
		if version == 0 {
			return keyward.Errorf(keyward.ErrInvalidInput, "GlobalEndpointTokenVersion must be v1Token or v2Token.")
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		a.GlobalEndpointTokenVersion = version
		return o.UpdateAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
