package sts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/outbound"
	"github.com/keyward/keyward/internal/seal"
)

// Service implements STS's actions. Store, Authz and Tokens are required
// for everything but GetCallerIdentity; the other fields have defaults.
type Service struct {
	Store  keyward.Store
	Authz  *authz.Authorizer
	Tokens *Tokens
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Region is what AssumeRole records as a role's LastUsedRegion; ""
	// means us-east-1.
	Region string
	// HTTPClient fetches OpenID Connect discovery documents and key sets;
	// nil means a client with a 10-second timeout.
	HTTPClient *http.Client
	// JWKSTTL is how long a provider's key set is used before it is fetched
	// again; 0 means one hour. JWKSRefetch is the least time between two
	// fetches caused by a token naming an unknown key id; 0 means one
	// minute, negative means no limit.
	JWKSTTL, JWKSRefetch time.Duration
	// Secrets opens MFA devices' seeds and seals and opens the outbound
	// signing keys; nil refuses every MFA code and GetWebIdentityToken.
	Secrets seal.Sealer
	// Outbound gives the issuer GetWebIdentityToken's tokens carry; nil
	// refuses GetWebIdentityToken.
	Outbound *outbound.Issuers

	trust TrustPolicies
	used  RoleUse

	jwksMu sync.Mutex
	jwks   map[string]*jwksEntry // issuer -> keys
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// Credentials is AWS's Credentials: a temporary access key.
type Credentials struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

// GetCallerIdentityInput has no fields.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput is AWS's GetCallerIdentityResult.
type GetCallerIdentityOutput struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// GetCallerIdentity returns who signed the request. AWS allows it always: no
// policy can deny it.
func (s *Service) GetCallerIdentity(ctx context.Context, c *keyward.Caller, in *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	// Temporary credentials are not read from the store to authenticate
	// (long-term keys are, and die with their user): a session of a
	// principal deleted since is refused here, as every other action
	// refuses it when it authorizes.
	if c.Temporary {
		if err := s.Authz.Live(ctx, c); err != nil {
			return nil, err
		}
	}
	return &GetCallerIdentityOutput{UserID: c.UserID, Account: c.AccountID, Arn: c.ARN}, nil
}

// issue makes temporary credentials for the session c, lasting d from now.
func (s *Service) issue(ctx context.Context, c *keyward.Caller, d time.Duration, now time.Time) (Credentials, error) {
	now = now.UTC().Truncate(time.Second)
	c.TokenIssueTime = now
	c.Temporary = true
	id := TemporaryAccessKeyID(c.AccountID)
	secret := keyward.NewSecretAccessKey()
	exp := now.Add(d)
	tok, err := s.Tokens.Issue(ctx, c, id, secret, exp)
	if err != nil {
		return Credentials{}, err
	}
	c.AccessKeyID = id
	return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: tok, Expiration: exp}, nil
}

var keyIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TemporaryAccessKeyID returns a random ASIA key id that carries the account
// id as AWS's do: bits 46 to 7 of the first six bytes of the base32 text
// after the prefix. GetAccessKeyInfo reads it back without any lookup.
func TemporaryAccessKeyID(accountID string) string {
	var acct uint64
	fmt.Sscanf(accountID, "%d", &acct)
	var b [10]byte
	rand.Read(b[:])
	z := (acct&(1<<40-1))<<7 | uint64(b[5]&0x7f)
	var zb [8]byte
	binary.BigEndian.PutUint64(zb[:], z)
	copy(b[:6], zb[2:])
	return keyward.PrefixTemporaryKey + keyIDEncoding.EncodeToString(b[:])
}

// accountOfKeyID decodes the account id a key id carries (see
// TemporaryAccessKeyID).
func accountOfKeyID(id string) (string, bool) {
	if len(id) != 20 {
		return "", false
	}
	b, err := keyIDEncoding.DecodeString(id[4:])
	if err != nil || len(b) < 6 {
		return "", false
	}
	var zb [8]byte
	copy(zb[2:], b[:6])
	z := binary.BigEndian.Uint64(zb[:])
	return fmt.Sprintf("%012d", (z&0x7fffffffff80)>>7), true
}

// GetSessionTokenInput is AWS's GetSessionTokenRequest. DurationSeconds 0
// means the default (43,200; 3,600 for the root user).
type GetSessionTokenInput struct {
	DurationSeconds int    `query:"DurationSeconds"`
	SerialNumber    string `query:"SerialNumber"`
	TokenCode       string `query:"TokenCode"`
}

// GetSessionTokenOutput is AWS's GetSessionTokenResult.
type GetSessionTokenOutput struct {
	Credentials Credentials `xml:"Credentials"`
}

// GetSessionToken returns temporary credentials for an IAM user or the root
// user: the same principal, with aws:TokenIssueTime set. As in AWS it needs
// no permission, and session credentials cannot call it. Sessions of the
// root user last at most an hour (longer requests are shortened, as AWS
// does). With SerialNumber and TokenCode, a code of the caller's MFA
// device, the session has aws:MultiFactorAuthPresent true (and may call
// IAM, which AWS allows such sessions only with MFA).
func (s *Service) GetSessionToken(ctx context.Context, c *keyward.Caller, in *GetSessionTokenInput) (*GetSessionTokenOutput, error) {
	if c.Temporary {
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	now := s.now()
	mfa, err := mfaRequested(in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	if mfa {
		if err := s.verifyMFA(ctx, c, in.SerialNumber, in.TokenCode, now); err != nil {
			return nil, err
		}
	}
	root := c.Kind == keyward.CallerRoot
	d := in.DurationSeconds
	if d == 0 {
		d = 43200
	}
	if root && d > 3600 {
		d = 3600
	}
	sess := keyward.Caller{
		Kind: keyward.CallerUserSession, AccountID: c.AccountID, ARN: c.ARN,
		UserID: c.UserID, PrincipalID: c.PrincipalID, UserName: c.UserName, MFAPresent: mfa,
	}
	creds, err := s.issue(ctx, &sess, time.Duration(d)*time.Second, now)
	if err != nil {
		return nil, err
	}
	return &GetSessionTokenOutput{Credentials: creds}, nil
}

// GetAccessKeyInfoInput is AWS's GetAccessKeyInfoRequest.
type GetAccessKeyInfoInput struct {
	AccessKeyID string `query:"AccessKeyId"`
}

// GetAccessKeyInfoOutput is AWS's GetAccessKeyInfoResult.
type GetAccessKeyInfoOutput struct {
	Account string `xml:"Account"`
}

// GetAccessKeyInfo returns the account an access key belongs to. It needs
// sts:GetAccessKeyInfo. Long-term keys are looked up; temporary keys carry
// their account (TemporaryAccessKeyID), and so, like AWS, any other key id
// is decoded the same way without telling whether the key exists.
func (s *Service) GetAccessKeyInfo(ctx context.Context, c *keyward.Caller, in *GetAccessKeyInfoInput) (*GetAccessKeyInfoOutput, error) {
	if err := s.Authz.Authorize(ctx, c, "sts:GetAccessKeyInfo", "*", nil); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.AccessKeyID, keyward.PrefixTemporaryKey) {
		var acct string
		err := s.Store.View(ctx, func(tx keyward.Tx) error {
			k, err := tx.GetAccessKey(in.AccessKeyID)
			if err == nil {
				acct = k.AccountID
			}
			if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if acct != "" {
			return &GetAccessKeyInfoOutput{Account: acct}, nil
		}
	}
	acct, ok := accountOfKeyID(in.AccessKeyID)
	if !ok {
		return nil, keyward.Errorf(keyward.ErrInvalidParameterValue, "The access key ID %s is not valid.", in.AccessKeyID)
	}
	return &GetAccessKeyInfoOutput{Account: acct}, nil
}

// GetFederationTokenInput is AWS's GetFederationTokenRequest.
type GetFederationTokenInput struct {
	Name            string             `query:"Name"`
	Policy          string             `query:"Policy"`
	PolicyArns      []PolicyDescriptor `query:"PolicyArns"`
	DurationSeconds int                `query:"DurationSeconds"`
	Tags            []keyward.Tag      `query:"Tags"`
}

// FederatedUser is AWS's FederatedUser.
type FederatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

// GetFederationTokenOutput is AWS's GetFederationTokenResult.
type GetFederationTokenOutput struct {
	Credentials      Credentials   `xml:"Credentials"`
	FederatedUser    FederatedUser `xml:"FederatedUser"`
	PackedPolicySize *int          `xml:"PackedPolicySize,omitempty"`
}

// GetFederationToken returns temporary credentials for a federated user
// named Name, acting with the calling IAM user's permissions narrowed by
// the session policies (Policy, PolicyArns); without session policies the
// session has no permissions but what resource policies grant its ARN,
// as in AWS. It needs sts:GetFederationToken on the federated user's ARN;
// session credentials and the root user cannot call it (AWS allows root
// but only for an hour; Keyward refuses, see below).
func (s *Service) GetFederationToken(ctx context.Context, c *keyward.Caller, in *GetFederationTokenInput) (*GetFederationTokenOutput, error) {
	if err := sessionLimits("", 0, in.PolicyArns); err != nil {
		return nil, err
	}
	if c.Temporary {
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "Cannot call GetFederationToken with session credentials")
	}
	if c.Kind != keyward.CallerUser {
		// authz evaluates a federated user with its IAM user's policies; the
		// root user has none to narrow.
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "GetFederationToken with root credentials is not supported by this server; call it as an IAM user.")
	}
	fedARN := "arn:aws:sts::" + c.AccountID + ":federated-user/" + in.Name
	// Session tags become the federated user's aws:PrincipalTag/KEY: like
	// AssumeRole, passing them needs sts:TagSession, with the tags as
	// aws:RequestTag/KEY and aws:TagKeys.
	actions := []string{"sts:GetFederationToken"}
	if len(in.Tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	var docs []string
	var decisions []authz.Decision
	err := s.Store.View(ctx, func(tx keyward.Tx) error {
		decisions = decisions[:0]
		if err := s.decideEach(ctx, tx, c, actions, authz.Query{Resource: fedARN, Extra: authz.RequestTags(nil, in.Tags)}, &decisions); err != nil {
			return err
		}
		if err := checkTags(in.Tags, nil, nil); err != nil {
			return err
		}
		var err error
		docs, err = sessionPolicies(tx, c.AccountID, in.Policy, in.PolicyArns)
		return err
	})
	s.Authz.Report(ctx, c, decisions...)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		// No session policy: no permissions. An Allow that matches no action
		// keeps the session policy set non-empty, so identity allows are
		// cut off while resource policies naming the session still apply.
		docs = []string{noPermissionsPolicy}
	}
	size, err := packedSize(in.Policy, in.PolicyArns, in.Tags)
	if err != nil {
		return nil, err
	}
	d := in.DurationSeconds
	if d == 0 {
		d = 43200
	}
	sess := keyward.Caller{
		Kind: keyward.CallerFederatedUser, AccountID: c.AccountID, ARN: fedARN,
		UserID: c.AccountID + ":" + in.Name, PrincipalID: c.PrincipalID, UserName: c.UserName,
		SessionPolicies: docs, SessionTags: in.Tags,
	}
	creds, err := s.issue(ctx, &sess, time.Duration(d)*time.Second, s.now())
	if err != nil {
		return nil, err
	}
	out := &GetFederationTokenOutput{Credentials: creds, FederatedUser: FederatedUser{FederatedUserID: sess.UserID, Arn: fedARN}}
	if in.Policy != "" || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		out.PackedPolicySize = &size
	}
	return out, nil
}

const noPermissionsPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:NoPermissions","Resource":"*"}]}`

// UnsignedActions are the STS actions AWS serves without credentials: the
// caller proves who it is with a token from its identity provider. A
// request for one of them that carries no signature at all reaches the
// action with an anonymous caller; every other request is authenticated.
var UnsignedActions = []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}

// STS error codes that keyward does not define.
const (
	ErrInvalidIdentityToken        = "InvalidIdentityToken"
	ErrIDPCommunicationError       = "IDPCommunicationError"
	ErrIDPRejectedClaim            = "IDPRejectedClaim"
	ErrExpiredTokenException       = "ExpiredTokenException"
	ErrPackedPolicyTooLarge        = "PackedPolicyTooLarge"
	ErrInvalidAuthorizationMessage = "InvalidAuthorizationMessageException"
)

// decideEach decides each of actions for c in tx, on q's resource, account
// and context, and enforces each decision in turn: it appends every
// decision made to *ds (the audit records them, refusals too) and stops at
// the first one that refuses.
func (s *Service) decideEach(ctx context.Context, tx keyward.Tx, c *keyward.Caller, actions []string, q authz.Query, ds *[]authz.Decision) error {
	for _, a := range actions {
		q.Action = a
		d, err := s.Authz.Decide(ctx, tx, c, q)
		if err != nil {
			return err
		}
		err = s.Authz.Enforce(c, &d)
		*ds = append(*ds, d)
		if err != nil {
			return err
		}
	}
	return nil
}
