package iam

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// findSAMLProvider reads the caller's account's SAML provider arn names,
// with its tags; another account's providers are invisible.
func (o *op) findSAMLProvider(arn string) (*entity, error) {
	e := &entity{kind: keyward.KindSAMLProvider, arn: arn}
	if !strings.HasPrefix(arn, "arn:aws:iam::"+o.c.AccountID+":saml-provider/") {
		return e, nil
	}
	p, err := o.GetSAMLProvider(arn)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.saml, e.name, e.arn = true, p, p.Name, p.ARN
	if e.tags, err = o.ListTags(keyward.SAMLProviderRef(p.ARN)); err != nil {
		return nil, err
	}
	return e, nil
}

// maxSAMLProviders is AWS's quota of SAML providers per account.
const maxSAMLProviders = 100

// SAMLProviderARN returns arn:aws:iam::ACCOUNT:saml-provider/NAME.
func SAMLProviderARN(accountID, name string) string {
	return "arn:aws:iam::" + accountID + ":saml-provider/" + name
}

// samlMetadata is what IAM reads of an IdP's metadata document.
type samlMetadata struct {
	entityID   string
	certs      []*x509.Certificate
	validUntil time.Time
}

// parseSAMLMetadata reads an IdP's SAML 2.0 metadata document as AWS
// requires it: an EntityDescriptor with an entityID and an
// IDPSSODescriptor holding at least one signing certificate (a
// KeyDescriptor of use "signing" or of no use), every certificate
// readable; validUntil, when set, in the future.
func parseSAMLMetadata(doc string, now time.Time) (*samlMetadata, error) {
	invalid := func(why string) error {
		return keyward.Errorf(keyward.ErrInvalidInput, "Could not parse metadata: %s", why)
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(doc), &ed); err != nil {
		return nil, invalid("it is not a SAML 2.0 EntityDescriptor")
	}
	if ed.EntityID == "" {
		return nil, invalid("the EntityDescriptor has no entityID")
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return nil, invalid("the EntityDescriptor has no IDPSSODescriptor")
	}
	m := &samlMetadata{entityID: ed.EntityID, validUntil: ed.ValidUntil.UTC().Truncate(time.Second)}
	for _, d := range ed.IDPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, xc := range kd.KeyInfo.X509Data.X509Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Data), ""))
				if err != nil {
					return nil, invalid("a signing certificate is not base64")
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, invalid("a signing certificate is not an X.509 certificate")
				}
				m.certs = append(m.certs, cert)
			}
		}
	}
	if len(m.certs) == 0 {
		return nil, invalid("the IDPSSODescriptor has no signing certificate")
	}
	if !m.validUntil.IsZero() && !now.Before(m.validUntil) {
		return nil, invalid("its validUntil (" + m.validUntil.Format(time.RFC3339) + ") has passed")
	}
	return m, nil
}

// samlTarget finds the SAML provider arn names and authorizes action on
// it, as stored, with its tags: NoSuchEntity after the authorization when
// it is absent (or another account's).
func (o *op) samlTarget(action, arn string) (*entity, error) {
	e, err := o.findSAMLProvider(arn)
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

// errEncryptedAssertions refuses what Keyward does not do: decrypt
// assertions (AssertionEncryptionMode Required, private keys).
var errEncryptedAssertions = keyward.Errorf(keyward.ErrInvalidInput,
	"Keyward does not decrypt SAML assertions: AssertionEncryptionMode Required and private keys are not supported.")

// CreateSAMLProviderInput is CreateSAMLProvider's request.
type CreateSAMLProviderInput struct {
	SAMLMetadataDocument    string        `query:"SAMLMetadataDocument,required"`
	Name                    string        `query:"Name,required"`
	Tags                    []keyward.Tag `query:"Tags"`
	AssertionEncryptionMode *string       `query:"AssertionEncryptionMode"`
	AddPrivateKey           *string       `query:"AddPrivateKey"`
}

// CreateSAMLProviderOutput is CreateSAMLProvider's result.
type CreateSAMLProviderOutput struct {
	SAMLProviderARN string       `xml:"SAMLProviderArn"`
	Tags            Members[Tag] `xml:"Tags,omitempty"`
}

// CreateSAMLProvider registers a SAML 2.0 identity provider from its
// metadata document (entity ID, signing certificates, validUntil), for
// AssumeRoleWithSAML; at most 100 per account.
func (s *Service) CreateSAMLProvider(ctx context.Context, c *keyward.Caller, in *CreateSAMLProviderInput) (*CreateSAMLProviderOutput, error) {
	now := s.now()
	arn := SAMLProviderARN(c.AccountID, in.Name)
	var tags []keyward.Tag
	err := s.update(ctx, c, len(in.Tags) > 0, func(o *op) error {
		if err := o.authorize("iam:CreateSAMLProvider", arn, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if deref(in.AssertionEncryptionMode, "Allowed") != "Allowed" || in.AddPrivateKey != nil {
			return errEncryptedAssertions
		}
		m, err := parseSAMLMetadata(in.SAMLMetadataDocument, now)
		if err != nil {
			return err
		}
		n, err := o.CountEntities(c.AccountID)
		if err != nil {
			return err
		}
		if n.SAMLProviders >= maxSAMLProviders {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		p := keyward.SAMLProvider{AccountID: c.AccountID, ARN: arn, Name: in.Name, Metadata: in.SAMLMetadataDocument,
			CreateDate: now, ValidUntil: m.validUntil}
		if err := o.CreateSAMLProvider(p); err != nil {
			return said(err, keyward.KindSAMLProvider, p.Name)
		}
		tags = nil
		if len(in.Tags) == 0 {
			return nil
		}
		if err := o.TagEntity(keyward.SAMLProviderRef(arn), in.Tags); err != nil {
			return err
		}
		tags, err = o.ListTags(keyward.SAMLProviderRef(arn))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateSAMLProviderOutput{SAMLProviderARN: arn, Tags: tagsOut(tags)}, nil
}

// GetSAMLProviderInput is GetSAMLProvider's request.
type GetSAMLProviderInput struct {
	SAMLProviderARN string `query:"SAMLProviderArn,required"`
}

// GetSAMLProviderOutput is GetSAMLProvider's result.
type GetSAMLProviderOutput struct {
	SAMLProviderUUID        string       `xml:"SAMLProviderUUID"`
	SAMLMetadataDocument    string       `xml:"SAMLMetadataDocument"`
	CreateDate              Time         `xml:"CreateDate"`
	ValidUntil              Time         `xml:"ValidUntil"`
	Tags                    Members[Tag] `xml:"Tags,omitempty"`
	AssertionEncryptionMode string       `xml:"AssertionEncryptionMode"`
}

// samlProviderUUID is a provider's SAMLProviderUUID: a UUID derived from
// its ARN and creation time, stable for the provider and new for one
// created again under its name.
func samlProviderUUID(p keyward.SAMLProvider) string {
	return keyward.NameUUID(p.ARN + "\x00" + p.CreateDate.UTC().Format(time.RFC3339Nano))
}

// GetSAMLProvider returns a provider's metadata document and dates.
func (s *Service) GetSAMLProvider(ctx context.Context, c *keyward.Caller, in *GetSAMLProviderInput) (*GetSAMLProviderOutput, error) {
	var out GetSAMLProviderOutput
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.samlTarget("iam:GetSAMLProvider", in.SAMLProviderARN)
		if err != nil {
			return err
		}
		p := e.saml
		out = GetSAMLProviderOutput{SAMLProviderUUID: samlProviderUUID(p), SAMLMetadataDocument: p.Metadata,
			CreateDate: Time(p.CreateDate), ValidUntil: Time(p.ValidUntil), Tags: tagsOut(e.tags), AssertionEncryptionMode: "Allowed"}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSAMLProviderInput is UpdateSAMLProvider's request.
type UpdateSAMLProviderInput struct {
	SAMLMetadataDocument    *string `query:"SAMLMetadataDocument"`
	SAMLProviderARN         string  `query:"SAMLProviderArn,required"`
	AssertionEncryptionMode *string `query:"AssertionEncryptionMode"`
	AddPrivateKey           *string `query:"AddPrivateKey"`
	RemovePrivateKey        *string `query:"RemovePrivateKey"`
}

// UpdateSAMLProviderOutput is UpdateSAMLProvider's result.
type UpdateSAMLProviderOutput struct {
	SAMLProviderARN string `xml:"SAMLProviderArn"`
}

// UpdateSAMLProvider replaces a provider's metadata document (new signing
// certificates, say), checked as CreateSAMLProvider checks it.
func (s *Service) UpdateSAMLProvider(ctx context.Context, c *keyward.Caller, in *UpdateSAMLProviderInput) (*UpdateSAMLProviderOutput, error) {
	now := s.now()
	var arn string
	err := s.update(ctx, c, true, func(o *op) error {
		e, err := o.samlTarget("iam:UpdateSAMLProvider", in.SAMLProviderARN)
		if err != nil {
			return err
		}
		arn = e.arn
		if deref(in.AssertionEncryptionMode, "Allowed") != "Allowed" || in.AddPrivateKey != nil || in.RemovePrivateKey != nil {
			return errEncryptedAssertions
		}
		if in.SAMLMetadataDocument == nil {
			return nil
		}
		m, err := parseSAMLMetadata(*in.SAMLMetadataDocument, now)
		if err != nil {
			return err
		}
		p := e.saml
		p.Metadata, p.ValidUntil = *in.SAMLMetadataDocument, m.validUntil
		return o.UpdateSAMLProvider(p)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateSAMLProviderOutput{SAMLProviderARN: arn}, nil
}

// DeleteSAMLProviderInput is DeleteSAMLProvider's request.
type DeleteSAMLProviderInput struct {
	SAMLProviderARN string `query:"SAMLProviderArn,required"`
}

// DeleteSAMLProvider deletes a provider and its tags; roles that trust it
// stay, and can no longer be assumed with its assertions.
func (s *Service) DeleteSAMLProvider(ctx context.Context, c *keyward.Caller, in *DeleteSAMLProviderInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		e, err := o.samlTarget("iam:DeleteSAMLProvider", in.SAMLProviderARN)
		if err != nil {
			return err
		}
		return o.DeleteSAMLProvider(e.arn)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListSAMLProvidersInput is ListSAMLProviders' request (no parameters).
type ListSAMLProvidersInput struct{}

// SAMLProviderListEntry is AWS's SAMLProviderListEntry.
type SAMLProviderListEntry struct {
	ARN        string `xml:"Arn"`
	ValidUntil Time   `xml:"ValidUntil"`
	CreateDate Time   `xml:"CreateDate"`
}

// ListSAMLProvidersOutput is ListSAMLProviders' result.
type ListSAMLProvidersOutput struct {
	SAMLProviderList Members[SAMLProviderListEntry] `xml:"SAMLProviderList"`
}

// ListSAMLProviders lists the account's SAML providers (AWS does not page
// this list).
func (s *Service) ListSAMLProviders(ctx context.Context, c *keyward.Caller, in *ListSAMLProvidersInput) (*ListSAMLProvidersOutput, error) {
	var out ListSAMLProvidersOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListSAMLProviders", "*", nil); err != nil {
			return err
		}
		ps, err := o.ListSAMLProviders(c.AccountID)
		if err != nil {
			return err
		}
		out.SAMLProviderList = make(Members[SAMLProviderListEntry], len(ps))
		for i, p := range ps {
			out.SAMLProviderList[i] = SAMLProviderListEntry{ARN: p.ARN, ValidUntil: Time(p.ValidUntil), CreateDate: Time(p.CreateDate)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// TagSAMLProviderInput is TagSAMLProvider's request.
type TagSAMLProviderInput struct {
	SAMLProviderARN string        `query:"SAMLProviderArn,required"`
	Tags            []keyward.Tag `query:"Tags,required"`
}

// TagSAMLProvider adds tags to a SAML provider.
func (s *Service) TagSAMLProvider(ctx context.Context, c *keyward.Caller, in *TagSAMLProviderInput) (*struct{}, error) {
	if err := s.tag(ctx, c, "iam:TagSAMLProvider", tagged{kind: keyward.KindSAMLProvider, key: in.SAMLProviderARN}, in.Tags); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UntagSAMLProviderInput is UntagSAMLProvider's request.
type UntagSAMLProviderInput struct {
	SAMLProviderARN string   `query:"SAMLProviderArn,required"`
	TagKeys         []string `query:"TagKeys,required"`
}

// UntagSAMLProvider removes tags from a SAML provider.
func (s *Service) UntagSAMLProvider(ctx context.Context, c *keyward.Caller, in *UntagSAMLProviderInput) (*struct{}, error) {
	if err := s.untag(ctx, c, "iam:UntagSAMLProvider", tagged{kind: keyward.KindSAMLProvider, key: in.SAMLProviderARN}, in.TagKeys); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListSAMLProviderTagsInput is ListSAMLProviderTags' request.
type ListSAMLProviderTagsInput struct {
	SAMLProviderARN string  `query:"SAMLProviderArn,required"`
	Marker          *string `query:"Marker"`
	MaxItems        *int32  `query:"MaxItems"`
}

// ListSAMLProviderTags lists a SAML provider's tags.
func (s *Service) ListSAMLProviderTags(ctx context.Context, c *keyward.Caller, in *ListSAMLProviderTagsInput) (*ListTagsOutput, error) {
	return s.listTags(ctx, c, "iam:ListSAMLProviderTags", tagged{kind: keyward.KindSAMLProvider, key: in.SAMLProviderARN}, in.Marker, in.MaxItems)
}
