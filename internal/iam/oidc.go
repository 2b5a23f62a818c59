package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// OpenID Connect provider quotas (IAM and AWS STS quotas page).
const (
	maxOIDCProviders   = 100 // per account
	maxOIDCClientIDs   = 100 // per provider
	maxOIDCThumbprints = 5   // per provider
)

// oidcURLPrefix is the scheme every provider URL must have.
const oidcURLPrefix = "https://"

// oidcProviderARN returns the ARN of the provider at url (which starts
// with https://): arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH.
func oidcProviderARN(accountID, url string) string {
	return "arn:aws:iam::" + accountID + ":oidc-provider/" + strings.TrimSuffix(url[len(oidcURLPrefix):], "/")
}

// checkOIDCURL applies AWS's rules for a provider URL beyond the model's
// length: https, a host, no query or fragment.
func checkOIDCURL(url string) error {
	if len(url) <= len(oidcURLPrefix) || !strings.EqualFold(url[:len(oidcURLPrefix)], oidcURLPrefix) ||
		strings.ContainsAny(url, "?# ") || strings.HasPrefix(url[len(oidcURLPrefix):], "/") {
		return keyward.Errorf(keyward.ErrInvalidInput, "Invalid Open ID Connect Provider URL")
	}
	return nil
}

// oidcAccount returns the account of a provider ARN
// (arn:aws:iam::ACCOUNT:oidc-provider/...); InvalidInput when s is not
// one.
func oidcAccount(s string) (string, error) {
	bad := keyward.Errorf(keyward.ErrInvalidInput, "ARN %s is not valid.", s)
	rest, ok := strings.CutPrefix(s, "arn:aws:iam::")
	if !ok {
		return "", bad
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || acct == "" || !strings.HasPrefix(res, "oidc-provider/") || len(res) == len("oidc-provider/") {
		return "", bad
	}
	return acct, nil
}

// addUnique appends the items of add not in list yet (client IDs and
// thumbprints compare exactly).
func addUnique(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, l := range list {
			if l == a {
				found = true
				break
			}
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
}

// providerTarget finds the account's OIDC provider arn names and authorizes
// action on it, as stored, with its tags. Another account's provider is
// crossAccount, an absent one NoSuchEntity (optional: the caller checks
// e.found), both once the caller may know.
func (o *op) providerTarget(action, arn string, mustExist bool) (*entity, error) {
	acct, err := oidcAccount(arn)
	if err != nil {
		return nil, err
	}
	p, err := o.findProvider(arn)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, p.arn, p.keys(nil)); err != nil {
		return nil, err
	}
	if acct != o.c.AccountID {
		return nil, crossAccount(o.c, action, arn)
	}
	if !p.found && mustExist {
		return nil, p.missing()
	}
	return p, nil
}

// CreateOpenIDConnectProviderInput is CreateOpenIDConnectProvider's
// request.
type CreateOpenIDConnectProviderInput struct {
	URL            string        `query:"Url,required"`
	ClientIDList   []string      `query:"ClientIDList"`
	ThumbprintList []string      `query:"ThumbprintList"`
	Tags           []keyward.Tag `query:"Tags"`
}

// CreateOpenIDConnectProviderOutput is CreateOpenIDConnectProvider's
// result.
type CreateOpenIDConnectProviderOutput struct {
	OpenIDConnectProviderARN string `xml:"OpenIDConnectProviderArn"`
	Tags                     []Tag  `xml:"Tags>member,omitempty"`
}

// CreateOpenIDConnectProvider registers an OpenID Connect identity
// provider for AssumeRoleWithWebIdentity: its https URL, the client IDs
// (audiences) it issues tokens for and, optionally, the SHA-1 thumbprints
// of its certificates (AWS no longer requires them).
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *CreateOpenIDConnectProviderInput) (*CreateOpenIDConnectProviderOutput, error) {
	if err := checkOIDCURL(in.URL); err != nil {
		return nil, err
	}
	arn := oidcProviderARN(c.AccountID, in.URL)
	ids := addUnique(nil, in.ClientIDList...)
	thumbs := addUnique(nil, in.ThumbprintList...)
	if len(ids) > maxOIDCClientIDs {
		return nil, keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxOIDCClientIDs)
	}
	if len(thumbs) > maxOIDCThumbprints {
		return nil, keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxOIDCThumbprints)
	}
	p := keyward.OIDCProvider{
		AccountID: c.AccountID, ARN: arn, URL: in.URL,
		ClientIDs: ids, Thumbprints: thumbs, CreateDate: s.now(),
	}
	var tags []keyward.Tag
	err := s.update(ctx, c, len(in.Tags) > 0, func(o *op) error {
		if err := o.authorize("iam:CreateOpenIDConnectProvider", arn, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		existing, err := o.ListOIDCProviders(c.AccountID)
		if err != nil {
			return err
		}
		if len(existing) >= maxOIDCProviders {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", maxOIDCProviders)
		}
		if err := o.CreateOIDCProvider(p); err != nil {
			return said(err, keyward.KindOIDCProvider, p.URL)
		}
		tags = nil
		if len(in.Tags) == 0 {
			return nil
		}
		ref := keyward.OIDCProviderRef(arn)
		if err := o.TagEntity(ref, in.Tags); err != nil {
			return err
		}
		tags, err = o.ListTags(ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateOpenIDConnectProviderOutput{OpenIDConnectProviderARN: arn, Tags: tagsOut(tags)}, nil
}

// GetOpenIDConnectProviderInput is GetOpenIDConnectProvider's request.
type GetOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string `query:"OpenIDConnectProviderArn,required"`
}

// GetOpenIDConnectProviderOutput is GetOpenIDConnectProvider's result. Url
// is shown without its https:// scheme, as AWS shows it.
type GetOpenIDConnectProviderOutput struct {
	URL            string          `xml:"Url"`
	ClientIDList   Members[string] `xml:"ClientIDList"`
	ThumbprintList Members[string] `xml:"ThumbprintList"`
	CreateDate     Time            `xml:"CreateDate"`
	Tags           []Tag           `xml:"Tags>member,omitempty"`
}

// GetOpenIDConnectProvider describes a provider.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *GetOpenIDConnectProviderInput) (*GetOpenIDConnectProviderOutput, error) {
	var out GetOpenIDConnectProviderOutput
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.providerTarget("iam:GetOpenIDConnectProvider", in.OpenIDConnectProviderARN, true)
		if err != nil {
			return err
		}
		p := e.provider
		out = GetOpenIDConnectProviderOutput{
			URL:            p.URL[min(len(oidcURLPrefix), len(p.URL)):],
			ClientIDList:   Members[string](p.ClientIDs),
			ThumbprintList: Members[string](p.Thumbprints),
			CreateDate:     Time(p.CreateDate),
			Tags:           tagsOut(e.tags),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteOpenIDConnectProviderInput is DeleteOpenIDConnectProvider's
// request.
type DeleteOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string `query:"OpenIDConnectProviderArn,required"`
}

// DeleteOpenIDConnectProvider deletes a provider and its tags. Roles that
// trust it stay, and can no longer be assumed with its tokens.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *DeleteOpenIDConnectProviderInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		p, err := o.providerTarget("iam:DeleteOpenIDConnectProvider", in.OpenIDConnectProviderARN, false)
		if err != nil || !p.found { // deleting an absent provider succeeds: AWS calls the action idempotent
			return err
		}
		return o.DeleteOIDCProvider(p.arn)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListOpenIDConnectProvidersInput is ListOpenIDConnectProviders' request
// (it has no parameters).
type ListOpenIDConnectProvidersInput struct{}

// OpenIDConnectProviderListEntry is AWS's OpenIDConnectProviderListEntry.
type OpenIDConnectProviderListEntry struct {
	ARN string `xml:"Arn"`
}

// ListOpenIDConnectProvidersOutput is ListOpenIDConnectProviders' result.
type ListOpenIDConnectProvidersOutput struct {
	OpenIDConnectProviderList Members[OpenIDConnectProviderListEntry] `xml:"OpenIDConnectProviderList"`
}

// ListOpenIDConnectProviders lists the account's providers (AWS does not
// page this list).
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, c *keyward.Caller, in *ListOpenIDConnectProvidersInput) (*ListOpenIDConnectProvidersOutput, error) {
	var out ListOpenIDConnectProvidersOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListOpenIDConnectProviders", "*", nil); err != nil {
			return err
		}
		ps, err := o.ListOIDCProviders(c.AccountID)
		if err != nil {
			return err
		}
		out.OpenIDConnectProviderList = make(Members[OpenIDConnectProviderListEntry], len(ps))
		for i, p := range ps {
			out.OpenIDConnectProviderList[i] = OpenIDConnectProviderListEntry{ARN: p.ARN}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// updateProvider is the common part of the actions that change a
// provider's client IDs or thumbprints.
func (s *Service) updateProvider(ctx context.Context, c *keyward.Caller, action, arn string, change func(p *keyward.OIDCProvider) error) error {
	return s.update(ctx, c, false, func(o *op) error {
		e, err := o.providerTarget(action, arn, true)
		if err != nil {
			return err
		}
		p := e.provider
		if err := change(&p); err != nil {
			return err
		}
		return o.UpdateOIDCProvider(p)
	})
}

// AddClientIDToOpenIDConnectProviderInput is
// AddClientIDToOpenIDConnectProvider's request.
type AddClientIDToOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string `query:"OpenIDConnectProviderArn,required"`
	ClientID                 string `query:"ClientID,required"`
}

// AddClientIDToOpenIDConnectProvider adds a client ID (audience) to a
// provider; adding one it has already succeeds and changes nothing.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *AddClientIDToOpenIDConnectProviderInput) (*struct{}, error) {
	err := s.updateProvider(ctx, c, "iam:AddClientIDToOpenIDConnectProvider", in.OpenIDConnectProviderARN, func(p *keyward.OIDCProvider) error {
		ids := addUnique(p.ClientIDs, in.ClientID)
		if len(ids) > maxOIDCClientIDs {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxOIDCClientIDs)
		}
		p.ClientIDs = ids
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// RemoveClientIDFromOpenIDConnectProviderInput is
// RemoveClientIDFromOpenIDConnectProvider's request.
type RemoveClientIDFromOpenIDConnectProviderInput struct {
	OpenIDConnectProviderARN string `query:"OpenIDConnectProviderArn,required"`
	ClientID                 string `query:"ClientID,required"`
}

// RemoveClientIDFromOpenIDConnectProvider removes a client ID from a
// provider; removing one it does not have succeeds, as on AWS.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, c *keyward.Caller, in *RemoveClientIDFromOpenIDConnectProviderInput) (*struct{}, error) {
	err := s.updateProvider(ctx, c, "iam:RemoveClientIDFromOpenIDConnectProvider", in.OpenIDConnectProviderARN, func(p *keyward.OIDCProvider) error {
		kept := p.ClientIDs[:0:0]
		for _, id := range p.ClientIDs {
			if id != in.ClientID {
				kept = append(kept, id)
			}
		}
		p.ClientIDs = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// UpdateOpenIDConnectProviderThumbprintInput is
// UpdateOpenIDConnectProviderThumbprint's request.
type UpdateOpenIDConnectProviderThumbprintInput struct {
	OpenIDConnectProviderARN string   `query:"OpenIDConnectProviderArn,required"`
	ThumbprintList           []string `query:"ThumbprintList,required"`
}

// UpdateOpenIDConnectProviderThumbprint replaces a provider's list of
// certificate thumbprints.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, c *keyward.Caller, in *UpdateOpenIDConnectProviderThumbprintInput) (*struct{}, error) {
	thumbs := addUnique(nil, in.ThumbprintList...)
	if len(thumbs) > maxOIDCThumbprints {
		return nil, keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxOIDCThumbprints)
	}
	err := s.updateProvider(ctx, c, "iam:UpdateOpenIDConnectProviderThumbprint", in.OpenIDConnectProviderARN, func(p *keyward.OIDCProvider) error {
		p.Thumbprints = thumbs
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
