package sts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/outbound"
)

// Outbound web identity tokens: sts:GetWebIdentityToken gives an IAM
// principal a signed JSON Web Token that outside services verify with the
// keys at the account's issuer (STS API reference, GetWebIdentityToken;
// IAM User Guide, "Outbound identity federation").

// Limits of GetWebIdentityToken's DurationSeconds, from the API reference:
// "The value can range from 60 seconds (1 minute) to 3600 seconds (1
// hour). If not specified, the default duration is 300 seconds (5
// minutes)."
const (
	WebIdentityTokenMinDuration     = 60
	WebIdentityTokenMaxDuration     = 3600
	WebIdentityTokenDefaultDuration = 300
)

// GetWebIdentityTokenInput is AWS's GetWebIdentityTokenRequest.
// DurationSeconds 0 means absent (300).
type GetWebIdentityTokenInput struct {
	Audience         []string      `query:"Audience"`
	DurationSeconds  int           `query:"DurationSeconds"`
	SigningAlgorithm string        `query:"SigningAlgorithm"`
	Tags             []keyward.Tag `query:"Tags"`
}

// GetWebIdentityTokenOutput is AWS's GetWebIdentityTokenResult.
type GetWebIdentityTokenOutput struct {
	WebIdentityToken string    `xml:"WebIdentityToken"`
	Expiration       time.Time `xml:"Expiration"`
}

// WebIdentityClaims are the token's claims, as the IAM User Guide's
// "Understanding token claims" shows them: the registered OIDC claims and,
// under https://sts.amazonaws.com/, AWS's own ("The AWS identity-specific
// claims, and session context claims and custom claims are nested under
// the "https://sts.amazonaws.com/" namespace in the token"). Aud is the one audience as a
// string, or the list when the request named several (RFC 7519, 4.1.3).
type WebIdentityClaims struct {
	Iss string      `json:"iss"`
	Aud any         `json:"aud"`
	Sub string      `json:"sub"`
	Iat int64       `json:"iat"`
	Exp int64       `json:"exp"`
	Jti string      `json:"jti"`
	AWS AWSIdentity `json:"https://sts.amazonaws.com/"`
}

// AWSIdentity are the claims under https://sts.amazonaws.com/. Keyward has
// no organizations nor compute services, so org_id, ou_path and the
// session-context claims (lambda_source_function_arn, EC2's, ...) never
// appear.
type AWSIdentity struct {
	AWSAccount   string `json:"aws_account"`
	SourceRegion string `json:"source_region"`
	// PrincipalID is the ARN of the principal that asked, the role's for a
	// role session (API reference: "the principal_id claim under the
	// https://sts.amazonaws.com/ namespace contains the ARN of the principal
	// that requested the token ... For a role session, this is the ARN of
	// the role").
	PrincipalID   string            `json:"principal_id"`
	PrincipalTags map[string]string `json:"principal_tags,omitempty"`
	RequestTags   map[string]string `json:"request_tags,omitempty"`
}

// GetWebIdentityToken returns a JSON Web Token that represents the caller,
// signed with the account's newest key for SigningAlgorithm (RS256 or
// ES384; its kid names it) and verifiable with the keys its issuer
// publishes. Keys rotate every outbound.RotationPeriod (30 days), made here
// when the newest is older (see package outbound). It needs
// sts:GetWebIdentityToken on "*", with sts:IdentityTokenAudience (every
// audience), sts:DurationSeconds (the token's lifetime, the default when
// none is asked), sts:SigningAlgorithm and, with Tags,
// aws:RequestTag/KEY and aws:TagKeys; passing Tags also needs
// sts:TagGetWebIdentityToken (IAM User Guide, "Controlling access with IAM
// policies" for outbound federation). The account must have enabled outbound
// web identity federation (OutboundWebIdentityFederationDisabledException);
// a role session's token must not outlive the session
// (SessionDurationEscalationException).
//
// IAM users and role sessions may call it; GetSessionToken and
// GetFederationToken sessions may not (authz refuses them any STS action
// but AssumeRole and GetCallerIdentity, as AWS does). Keyward also refuses
// the root user: AWS's pages name IAM principals, and a token whose
// subject is the whole account is the broadest there is.
func (s *Service) GetWebIdentityToken(ctx context.Context, c *keyward.Caller, in *GetWebIdentityTokenInput) (*GetWebIdentityTokenOutput, error) {
	if err := checkSigningAlgorithm(in.SigningAlgorithm); err != nil {
		return nil, err
	}
	if c.Kind == keyward.CallerRoot || (c.Kind == keyward.CallerUserSession && c.PrincipalID == "") {
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "GetWebIdentityToken with root credentials is not supported by this server; call it as an IAM user or role.")
	}
	if s.Secrets == nil || s.Outbound == nil {
		return nil, errors.New("sts: GetWebIdentityToken needs Service.Secrets and Service.Outbound")
	}
	now := s.now().UTC().Truncate(time.Second)
	dur := in.DurationSeconds
	if dur == 0 {
		dur = WebIdentityTokenDefaultDuration
	}
	exp := now.Add(time.Duration(dur) * time.Second)

	extra := authz.RequestTags(map[string][]string{
		"sts:IdentityTokenAudience": in.Audience,
		"sts:DurationSeconds":       {strconv.Itoa(dur)},
		"sts:SigningAlgorithm":      {in.SigningAlgorithm},
	}, in.Tags)
	actions := []string{"sts:GetWebIdentityToken"}
	if len(in.Tags) > 0 {
		actions = append(actions, "sts:TagGetWebIdentityToken")
	}
	var (
		decisions []authz.Decision
		account   keyward.Account
		sub       string
		ptags     map[string]string
	)
	// One transaction resolves, authorizes and reads the key; it writes
	// only when the account's newest key is older than
	// outbound.RotationPeriod (or missing), whose successor it makes and
	// signs with, or a retired key is past outbound.Retention, which it
	// deletes (EnsureKeys).
	var key keyward.OutboundKey
	err := s.Store.Update(ctx, func(tx keyward.Tx) error {
		decisions = decisions[:0]
		if err := s.decideEach(ctx, tx, c, actions, authz.Query{Resource: "*", Account: c.AccountID, Extra: extra}, &decisions); err != nil {
			return err
		}
		if err := checkTags(in.Tags, nil, nil); err != nil {
			return err
		}
		var err error
		if account, err = tx.GetAccount(c.AccountID); err != nil {
			return err
		}
		if !account.OutboundEnabled {
			return keyward.Errorf(keyward.ErrOutboundWebIdentityFederationDisabledException,
				"The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
		}
		if sub, err = subject(tx, c); err != nil {
			return err
		}
		if ptags, err = s.Authz.PrincipalTagsIn(tx, c); err != nil {
			return err
		}
		if c.Kind == keyward.CallerAssumedRole && !c.SessionExpiry.IsZero() && exp.After(c.SessionExpiry) {
			return keyward.Errorf(keyward.ErrSessionDurationEscalationException,
				"The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.")
		}
		keys, err := outbound.EnsureKeys(tx, s.Secrets, c.AccountID, now)
		if err != nil {
			return err
		}
		var ok bool
		if key, ok = outbound.Find(keys, in.SigningAlgorithm); !ok {
			return fmt.Errorf("sts: no %s key after EnsureKeys", in.SigningAlgorithm)
		}
		return nil
	})
	s.Authz.Report(ctx, c, decisions...)
	if err != nil {
		return nil, err
	}
	claims := WebIdentityClaims{
		Iss: s.Outbound.Issuer(account.OutboundIssuer), Sub: sub,
		Iat: now.Unix(), Exp: exp.Unix(), Jti: keyward.NewUUID(),
		AWS: AWSIdentity{AWSAccount: c.AccountID, SourceRegion: s.region(), PrincipalID: sub,
			PrincipalTags: ptags, RequestTags: tagMap(in.Tags)},
	}
	if len(in.Audience) == 1 {
		claims.Aud = in.Audience[0]
	} else {
		claims.Aud = in.Audience
	}
	tok, err := outbound.Sign(key, s.Secrets, claims)
	if err != nil {
		return nil, err
	}
	return &GetWebIdentityTokenOutput{WebIdentityToken: tok, Expiration: exp}, nil
}

// checkSigningAlgorithm is the one rule of GetWebIdentityToken's input
// the service model cannot say: its SigningAlgorithm is any string of 5
// characters, the API reference names RS256 and ES384. The rest (1 to 10
// audiences of 1 to 1,000 characters, DurationSeconds 60 to 3,600, at most
// 50 tags) the binder checks from the model before the action runs.
func checkSigningAlgorithm(alg string) error {
	switch alg {
	case outbound.RS256, outbound.ES384:
		return nil
	}
	return keyward.Errorf(keyward.ErrValidationError, "1 validation error detected: Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]", alg)
}

// subject returns the token's sub, the caller's principal as stored: the
// user's ARN; a role session's role ARN, as the claims page's sample token
// shows ("sub": "arn:aws:iam::123456789012:role/DataProcessingRole").
func subject(tx keyward.Tx, c *keyward.Caller) (string, error) {
	switch c.Kind {
	case keyward.CallerUser:
		u, err := tx.GetUserByID(c.PrincipalID)
		if err != nil {
			return "", staleCaller(err)
		}
		return u.ARN, nil
	case keyward.CallerAssumedRole:
		r, err := tx.GetRoleByID(c.PrincipalID)
		if err != nil {
			return "", staleCaller(err)
		}
		return r.ARN, nil
	}
	return "", keyward.Errorf(keyward.ErrAccessDenied, "GetWebIdentityToken is for IAM users and role sessions; %s cannot call it.", c.ARN)
}

// staleCaller turns a principal that is gone into AWS's refusal of its
// credentials.
func staleCaller(err error) error {
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return keyward.Errorf(keyward.ErrInvalidClientTokenID, "The security token included in the request is invalid.")
	}
	return err
}

func tagMap(tags []keyward.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func (s *Service) region() string {
	if s.Region == "" {
		return "us-east-1"
	}
	return s.Region
}
