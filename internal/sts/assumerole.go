package sts

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// PolicyDescriptor is AWS's PolicyDescriptorType: a managed policy's ARN.
type PolicyDescriptor struct {
	Arn string `query:"arn"`
}

// AssumedRoleUser is AWS's AssumedRoleUser.
type AssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

// AssumeRoleInput is AWS's AssumeRoleRequest. Empty strings and a zero
// DurationSeconds mean absent (DurationSeconds defaults to 3,600).
type AssumeRoleInput struct {
	RoleArn           string             `query:"RoleArn"`
	RoleSessionName   string             `query:"RoleSessionName"`
	PolicyArns        []PolicyDescriptor `query:"PolicyArns"`
	Policy            string             `query:"Policy"`
	DurationSeconds   int                `query:"DurationSeconds"`
	Tags              []keyward.Tag      `query:"Tags"`
	TransitiveTagKeys []string           `query:"TransitiveTagKeys"`
	ExternalID        string             `query:"ExternalId"`
	SerialNumber      string             `query:"SerialNumber"`
	TokenCode         string             `query:"TokenCode"`
	SourceIdentity    string             `query:"SourceIdentity"`
}

// AssumeRoleOutput is AWS's AssumeRoleResult. PackedPolicySize is present
// when the request passed session policies or tags.
type AssumeRoleOutput struct {
	Credentials      Credentials     `xml:"Credentials"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// Limits of session requests.
const (
	// MaxSessionPolicyLength is the longest inline session policy, in
	// characters.
	MaxSessionPolicyLength = 2048
	// MaxPolicyArns is the most managed session policies one request passes.
	MaxPolicyArns = 10
	// PackedLimit is the packed size (bytes of the deflated inline policy,
	// policy ARNs and session tags) that PackedPolicySize reports as 100%.
	PackedLimit = 2048
	// ChainedMaxDuration is the longest session a role session can get by
	// assuming a role.
	ChainedMaxDuration = 3600
)

// sessionLimits applies the limits of a session request that botocore's
// STS model does not state (the binder applies the rest of the model before
// an action runs), in the words of AWS's validation errors: at most
// MaxPolicyArns PolicyArns and, where maxPolicy > 0, an inline Policy of at
// most maxPolicy characters.
func sessionLimits(policy string, maxPolicy int, pas []PolicyDescriptor) error {
	var issues []string
	if maxPolicy > 0 && utf8.RuneCountInString(policy) > maxPolicy {
		issues = append(issues, "Value '"+policy+"' at 'policy' failed to satisfy constraint: Member must have length less than or equal to "+strconv.Itoa(maxPolicy))
	}
	if len(pas) > MaxPolicyArns {
		shown := make([]string, len(pas))
		for i, p := range pas {
			shown[i] = "PolicyDescriptorType(arn=" + p.Arn + ")"
		}
		issues = append(issues, "Value '["+strings.Join(shown, ", ")+"]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to "+strconv.Itoa(MaxPolicyArns))
	}
	switch len(issues) {
	case 0:
		return nil
	case 1:
		return keyward.Errorf(keyward.ErrValidationError, "1 validation error detected: %s", issues[0])
	}
	return keyward.Errorf(keyward.ErrValidationError, "%d validation errors detected: %s", len(issues), strings.Join(issues, "; "))
}

// sessionPolicies parses the inline session policy and reads, in tx, the
// default versions of the managed ones, returning the documents a session
// carries. A managed session policy must be AWS's or belong to account
// (the role's, or the federated user's): any other is answered exactly as
// a missing one, so that no account can read another's policies through
// STS.
func sessionPolicies(tx keyward.Tx, account, inline string, pas []PolicyDescriptor) ([]string, error) {
	var docs []string
	if inline != "" {
		if _, err := policy.Parse([]byte(inline), policy.Session); err != nil {
			return nil, keyward.Errorf(keyward.ErrMalformedPolicyDocument, "%s", policyErrorMessage(err))
		}
		docs = append(docs, inline)
	}
	for _, pa := range pas {
		missing := keyward.Errorf(keyward.ErrInvalidParameterValue, "Policy %s does not exist or is not attachable.", pa.Arn)
		owner := ""
		if p := strings.SplitN(pa.Arn, ":", 6); len(p) == 6 && p[0] == "arn" && p[2] == "iam" {
			owner = p[4]
		}
		if owner != account && owner != keyward.AWSAccountID {
			return nil, missing
		}
		mp, err := tx.GetPolicy(pa.Arn)
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			return nil, missing
		}
		if err != nil {
			return nil, err
		}
		v, err := tx.GetPolicyVersion(mp.ARN, mp.DefaultVersionID)
		if err != nil {
			return nil, err
		}
		if _, err := policy.ParseWith([]byte(v.Document), policy.Session, policy.Options{Stored: true}); err != nil {
			return nil, keyward.Errorf(keyward.ErrMalformedPolicyDocument, "Policy %s: %s", pa.Arn, policyErrorMessage(err))
		}
		docs = append(docs, v.Document)
	}
	return docs, nil
}

// policyErrorMessage is the client-safe text of a policy parse error.
func policyErrorMessage(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// packedSize returns PackedPolicySize (PackedPercent);
// PackedPolicyTooLarge past 100%.
func packedSize(inline string, pas []PolicyDescriptor, tags []keyward.Tag) (int, error) {
	var arns []string
	for _, p := range pas {
		arns = append(arns, p.Arn)
	}
	pct := PackedPercent(inline, arns, tags)
	if pct > 100 {
		return pct, keyward.Errorf(ErrPackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy for this session.", pct)
	}
	return pct, nil
}

// checkTags applies the rules of session tags: keys unique regardless of
// case, transitive keys among the tags, and no tag overriding a transitive
// tag inherited from the calling session. The sentences are AWS's, which
// name no key.
func checkTags(tags []keyward.Tag, transitive []string, inherited []keyward.Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return keyward.Errorf(keyward.ErrInvalidParameterValue, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return keyward.Errorf(keyward.ErrInvalidParameterValue, "The specified transitive tag key must be included in the requested tags.")
		}
	}
	for _, t := range inherited {
		if seen[strings.ToLower(t.Key)] {
			return keyward.Errorf(keyward.ErrInvalidParameterValue, "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
		}
	}
	return nil
}

// inheritedTags returns the transitive tags of a calling role session.
func inheritedTags(c *keyward.Caller) []keyward.Tag {
	if c.Kind != keyward.CallerAssumedRole || len(c.TransitiveTagKeys) == 0 {
		return nil
	}
	var out []keyward.Tag
	for _, k := range c.TransitiveTagKeys {
		for _, t := range c.SessionTags {
			if strings.EqualFold(t.Key, k) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// notAuthorized is AssumeRole's refusal, the same whether the role is
// missing, its trust policy refuses or the caller's policies do: AWS never
// tells which.
func notAuthorized(c *keyward.Caller, roleARN string) error {
	return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.ARN, roleARN)
}

// roleTarget is the role a role-assuming action names, as stored, read in
// the action's transaction: its tags (aws:ResourceTag/KEY and
// iam:ResourceTag/KEY for the decision) and its trust policy as IAM shows
// it, principals bound to unique IDs (authz.TrustPolicy). found is false
// when no role has that ARN (path included; the name in any case).
type roleTarget struct {
	role  keyward.Role
	found bool
	tags  []keyward.Tag
	trust *policy.Set
}

func (s *Service) findRole(tx keyward.Tx, roleARN string) (*roleTarget, error) {
	t := &roleTarget{}
	p := arn.ParsePrincipal(roleARN)
	if p.Kind != arn.Role {
		return t, nil
	}
	r, err := tx.GetRole(p.AccountID, p.Name)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(r.ARN, roleARN) {
		return t, nil
	}
	t.role, t.found = r, true
	if t.tags, err = tx.ListTags(keyward.RoleRef(r.AccountID, r.Name)); err != nil {
		return nil, err
	}
	doc, err := authz.TrustPolicy(tx, r)
	if err != nil {
		return nil, err
	}
	if t.trust, err = s.trust.Of(r.ID, r.ARN, doc); err != nil {
		return nil, err
	}
	return t, nil
}

// keys adds the role's tags to extra as the resource's condition keys.
func (t *roleTarget) keys(extra map[string][]string) map[string][]string {
	for _, tg := range t.tags {
		extra["aws:ResourceTag/"+tg.Key] = []string{tg.Value}
		extra["iam:ResourceTag/"+tg.Key] = []string{tg.Value}
	}
	return extra
}

// AssumeRole returns temporary credentials for a role. The caller's own
// policies must allow sts:AssumeRole on the role, and the role's trust
// policy must allow the caller (authz applies AWS's trust rules: a
// same-account trust policy naming the caller's ARN suffices, one naming the
// account delegates to the caller's policies, a cross-account caller needs
// both). Session tags need sts:TagSession and a SourceIdentity needs
// sts:SetSourceIdentity, both allowed the same way. The root user cannot
// assume roles. With SerialNumber and TokenCode (a code of the calling
// user's MFA device) the trust policy sees aws:MultiFactorAuthPresent true
// and the session carries it.
func (s *Service) AssumeRole(ctx context.Context, c *keyward.Caller, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	// AWS checks the ARN's form before anything else, for any caller: a
	// RoleArn that is no ARN at all is a 400, never AccessDenied.
	if _, err := arn.Parse(in.RoleArn); err != nil {
		return nil, keyward.Errorf(keyward.ErrValidationError, "%s is invalid", in.RoleArn)
	}
	if err := sessionLimits(in.Policy, MaxSessionPolicyLength, in.PolicyArns); err != nil {
		return nil, err
	}
	if c.Kind == keyward.CallerRoot || (c.Kind == keyward.CallerUserSession && c.UserName == "") {
		return nil, keyward.Errorf(keyward.ErrAccessDenied, "Roles may not be assumed by root accounts.")
	}
	if c.Kind == keyward.CallerFederatedUser {
		return nil, notAuthorized(c, in.RoleArn)
	}
	mfa, err := mfaRequested(in.SerialNumber, in.TokenCode)
	if err != nil {
		return nil, err
	}
	// A request with MFA is decided as one that proved it (the trust
	// policy may require aws:MultiFactorAuthPresent), once its code has
	// verified (and been spent).
	decider := c
	if mfa {
		if err := s.verifyMFA(ctx, c, in.SerialNumber, in.TokenCode, s.now()); err != nil {
			return nil, err
		}
		if !c.MFAPresent {
			mc := *c
			mc.MFAPresent = true
			decider = &mc
		}
	}
	chained := c.Kind == keyward.CallerAssumedRole
	inherited := inheritedTags(c)
	if err := checkTags(in.Tags, in.TransitiveTagKeys, inherited); err != nil {
		return nil, err
	}
	sourceIdentity := in.SourceIdentity
	if c.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != c.SourceIdentity {
			return nil, keyward.Errorf(keyward.ErrAccessDenied, "The source identity of a session cannot be changed: the calling session's is %s.", c.SourceIdentity)
		}
		sourceIdentity = c.SourceIdentity
	}

	now := s.now()
	extra := authz.RequestTags(nil, in.Tags)
	if extra == nil {
		extra = make(map[string][]string, 4)
	}
	extra["sts:RoleSessionName"] = []string{in.RoleSessionName}
	if in.ExternalID != "" {
		extra["sts:ExternalId"] = []string{in.ExternalID}
	}
	if in.SourceIdentity != "" {
		extra["sts:SourceIdentity"] = []string{in.SourceIdentity}
	}
	if len(in.TransitiveTagKeys) > 0 {
		extra["sts:TransitiveTagKeys"] = in.TransitiveTagKeys
	}
	actions := []string{"sts:AssumeRole"}
	if len(in.Tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	// One read transaction: the role, its tags and trust policy, the
	// decisions, and the managed session policies all come from the same
	// snapshot. The trust policy's decision is never softened by the
	// enforcement mode.
	var role keyward.Role
	var docs []string
	var decisions []authz.Decision
	err = s.Store.View(ctx, func(tx keyward.Tx) error {
		decisions = decisions[:0]
		t, err := s.findRole(tx, in.RoleArn)
		if err != nil {
			return err
		}
		if !t.found {
			return notAuthorized(c, in.RoleArn)
		}
		role = t.role
		extra := t.keys(extra)
		for _, a := range actions {
			d, err := s.Authz.Decide(ctx, tx, decider, authz.Query{Action: a, Resource: role.ARN, Extra: extra, ResourcePolicy: t.trust})
			if err != nil {
				return err
			}
			decisions = append(decisions, d)
			if d.Result.Decision != policy.Allowed {
				if a == "sts:AssumeRole" {
					return notAuthorized(c, in.RoleArn)
				}
				return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s", c.ARN, a, in.RoleArn)
			}
		}
		docs, err = sessionPolicies(tx, role.AccountID, in.Policy, in.PolicyArns)
		return err
	})
	s.Authz.Report(ctx, c, decisions...)
	if err != nil {
		return nil, err
	}

	r := &roleSession{role: &role, name: in.RoleSessionName, requested: in.DurationSeconds, def: defaultDuration,
		chained: chained, policy: in.Policy, policyArns: in.PolicyArns, docs: docs,
		inherited: inherited, tags: in.Tags, transitive: in.TransitiveTagKeys, sourceIdentity: sourceIdentity,
		// MFA proved now, or by the calling session, carries to the new one.
		mfa: mfa || c.MFAPresent}
	creds, user, packed, err := s.openSession(ctx, r, now)
	if err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed, SourceIdentity: sourceIdentity}, nil
}
