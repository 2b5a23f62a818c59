package iam

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/outbound"
)

// Outbound web identity federation: the account's setting that lets its
// principals obtain JSON Web Tokens for outside services
// (sts:GetWebIdentityToken), and the issuer URL those services trust.

// newOutboundIssuer makes an account's issuer URL as accounts store it,
// AWS's form: https://UUID.tokens.sts.global.api.aws. Clients are told
// Keyward's form of it, {public URL}/keyward/outbound/UUID, whose discovery
// documents Keyward serves (package outbound, Service.Outbound).
func newOutboundIssuer() string {
	return outbound.StoredIssuer(keyward.NewUUID())
}

// EnableOutboundWebIdentityFederationInput is its request (no parameters).
type EnableOutboundWebIdentityFederationInput struct{}

// EnableOutboundWebIdentityFederationOutput is its result.
type EnableOutboundWebIdentityFederationOutput struct {
	IssuerIdentifier string `xml:"IssuerIdentifier"`
}

// EnableOutboundWebIdentityFederation enables the account's outbound web
// identity federation and returns its issuer URL, made the first time and
// kept (FeatureEnabled when it is enabled already). It makes the account's
// signing keys too, when it has none or its newest are past
// outbound.RotationPeriod, so the issuer's key set lists them before the
// first token is signed.
func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, c *keyward.Caller, in *EnableOutboundWebIdentityFederationInput) (*EnableOutboundWebIdentityFederationOutput, error) {
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	var issuer string
	err = s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:EnableOutboundWebIdentityFederation", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.OutboundEnabled {
			return keyward.Errorf(keyward.ErrFeatureEnabled, "Outbound web identity federation is already enabled for this account.")
		}
		if a.OutboundIssuer == "" {
			a.OutboundIssuer = newOutboundIssuer()
		}
		a.OutboundEnabled, issuer = true, a.OutboundIssuer
		if err := o.UpdateAccount(a); err != nil {
			return err
		}
		_, err = outbound.EnsureKeys(o.Tx, sl, a.ID, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return &EnableOutboundWebIdentityFederationOutput{IssuerIdentifier: s.Outbound.Issuer(issuer)}, nil
}

// DisableOutboundWebIdentityFederationInput is its request (no
// parameters).
type DisableOutboundWebIdentityFederationInput struct{}

// DisableOutboundWebIdentityFederation disables it (FeatureDisabled when it
// is not enabled); the issuer URL is kept for a later Enable.
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, c *keyward.Caller, in *DisableOutboundWebIdentityFederationInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:DisableOutboundWebIdentityFederation", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if !a.OutboundEnabled {
			return keyward.Errorf(keyward.ErrFeatureDisabled, "Outbound web identity federation is not enabled for this account.")
		}
		a.OutboundEnabled = false
		return o.UpdateAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetOutboundWebIdentityFederationInfoInput is its request (no
// parameters).
type GetOutboundWebIdentityFederationInfoInput struct{}

// GetOutboundWebIdentityFederationInfoOutput is its result.
type GetOutboundWebIdentityFederationInfoOutput struct {
	IssuerIdentifier  string `xml:"IssuerIdentifier"`
	JwtVendingEnabled bool   `xml:"JwtVendingEnabled"`
}

// GetOutboundWebIdentityFederationInfo returns the account's issuer URL
// and whether the feature is enabled (FeatureDisabled when it never was).
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, c *keyward.Caller, in *GetOutboundWebIdentityFederationInfoInput) (*GetOutboundWebIdentityFederationInfoOutput, error) {
	var out GetOutboundWebIdentityFederationInfoOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetOutboundWebIdentityFederationInfo", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.OutboundIssuer == "" {
			return keyward.Errorf(keyward.ErrFeatureDisabled, "Outbound web identity federation is not enabled for this account.")
		}
		out = GetOutboundWebIdentityFederationInfoOutput{IssuerIdentifier: s.Outbound.Issuer(a.OutboundIssuer), JwtVendingEnabled: a.OutboundEnabled}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
