package sts

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/seal"
)

// GetDelegatedAccessTokenInput is AWS's GetDelegatedAccessTokenRequest.
type GetDelegatedAccessTokenInput struct {
	TradeInToken string `query:"TradeInToken,required"`
}

// GetDelegatedAccessTokenOutput is AWS's GetDelegatedAccessTokenResponse,
// without PackedPolicySize, which the model has but AWS does not fill in
// for this action (the AWS SDK for Go v2 marks it deprecated so).
type GetDelegatedAccessTokenOutput struct {
	Credentials      Credentials `xml:"Credentials"`
	AssumedPrincipal string      `xml:"AssumedPrincipal"`
}

// errBadTradeInToken refuses a token that is not a released token of one
// of the caller's account's requests, the same whatever is wrong with it,
// so that a caller learns nothing of other accounts' requests.
func errBadTradeInToken(c *keyward.Caller) error {
	return keyward.Errorf(keyward.ErrAccessDenied,
		"The trade-in token is not valid for account %s: it must be the exchange token of a delegation request this account made, released by the customer.", c.AccountID)
}

// GetDelegatedAccessToken trades a delegation request's exchange token
// (IAM's SendDelegationToken releases it) for temporary credentials. Only
// the account that made the request can redeem it (AWS: "The requesting
// account is embedded in the token"), as often as it likes while the
// delegated access lasts: every credential expires SessionDuration after
// the release, and after that the token is ExpiredTradeInTokenException.
// The credentials act as the identity that accepted the request, as it
// was then (a role session's tags and source identity included), narrowed by the
// request's rendered policy as a session policy: the partner never gets
// more than either allows, and loses everything when that identity is
// deleted. AssumedPrincipal is its ARN. It needs
// sts:GetDelegatedAccessToken (resource "*", as the Service Authorization
// Reference lists no resource type).
func (s *Service) GetDelegatedAccessToken(ctx context.Context, c *keyward.Caller, in *GetDelegatedAccessTokenInput) (*GetDelegatedAccessTokenOutput, error) {
	now := s.now()
	var r keyward.DelegationRequest
	var decisions []authz.Decision
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		decisions = decisions[:0]
		if err := s.decideEach(ctx, tx, c, []string{"sts:GetDelegatedAccessToken"}, authz.Query{Resource: "*"}, &decisions); err != nil {
			return err
		}
		id, secret, ok := keyward.ParseDelegationToken(in.TradeInToken)
		if !ok {
			return errBadTradeInToken(c)
		}
		var err error
		r, err = tx.GetDelegationRequest(id)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return errBadTradeInToken(c)
		}
		if err != nil {
			return err
		}
		// An approver with session policies is refused when it accepts
		// (session policies add up, so the request's could not narrow
		// them); one kept by other means is refused here.
		if r.RequestorAccountID != c.AccountID || len(r.TokenCiphertext) == 0 || r.Approver == nil || len(r.Approver.SessionPolicies) > 0 || s.Secrets == nil {
			return errBadTradeInToken(c)
		}
		kept, err := s.Secrets.Open(r.TokenCiphertext, seal.AD(keyward.DelegationTokenSealKind, r.ID))
		if err != nil || subtle.ConstantTimeCompare(kept, []byte(secret)) != 1 {
			return errBadTradeInToken(c)
		}
		if !now.Before(r.AccessExpiry()) {
			return keyward.Errorf(keyward.ErrExpiredTradeInTokenException,
				"The trade-in token expired at %s: the delegated access lasted %d seconds from the token's release.",
				r.AccessExpiry().UTC().Format("2006-01-02T15:04:05Z"), r.SessionDuration)
		}
		return nil
	})
	s.Authz.Report(ctx, c, decisions...)
	if err != nil {
		return nil, err
	}
	a := r.Approver
	sess := keyward.Caller{
		Kind: a.Kind, AccountID: r.OwnerAccountID, ARN: a.ARN, UserID: a.UserID, PrincipalID: a.PrincipalID,
		UserName: a.UserName, RoleName: a.RoleName, RoleARN: a.RoleARN, SessionName: a.SessionName,
		SourceIdentity: a.SourceIdentity, SessionTags: a.SessionTags, TransitiveTagKeys: a.TransitiveTagKeys, Chained: a.Chained,
		SessionPolicies: []string{r.PermissionPolicy},
	}
	// Every credential of the token expires when the access ends (the
	// release is whole seconds, as issue's clock is).
	now = now.UTC().Truncate(time.Second)
	creds, err := s.issue(ctx, &sess, r.AccessExpiry().Sub(now), now)
	if err != nil {
		return nil, err
	}
	return &GetDelegatedAccessTokenOutput{Credentials: creds, AssumedPrincipal: a.ARN}, nil
}
