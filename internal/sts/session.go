package sts

import (
	"context"
	"strconv"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// defaultDuration is a role session's length when the request asks for
// none (and a role's MaxSessionDuration when it sets none).
const defaultDuration = 3600

// roleSession is a new session of a role, as AssumeRole,
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML make one once the
// role's trust policy allowed it. What is left is the same for the three:
// check its length, its session policies and the packed size of its
// policies and tags (duration, limits), then seal its credentials and note
// the role's use (Service.issueSession).
type roleSession struct {
	role *keyward.Role
	name string // RoleSessionName
	// requested is the DurationSeconds asked for, 0 for none; def is the
	// length when none is: an hour, or SAML's SessionDuration attribute.
	requested, def int
	// chained is a role session assuming a role: an hour at most.
	chained bool
	// policy and policyArns are the request's session policies, docs
	// their documents and docsErr sessionPolicies' error, told only once
	// the length is checked.
	policy     string
	policyArns []PolicyDescriptor
	docs       []string
	docsErr    error
	// inherited are the calling session's transitive tags (role
	// chaining), tags the request's own and transitive the keys of those
	// that pass on.
	inherited      []keyward.Tag
	tags           []keyward.Tag
	transitive     []string
	sourceIdentity string
	mfa            bool
}

// openSession checks r (duration, then limits) and issues it, returning
// its credentials, AssumedRoleUser and PackedPolicySize: AssumeRole's and
// AssumeRoleWithWebIdentity's last step. (AssumeRoleWithSAML checks
// inside its transaction, which spends the assertion.)
func (s *Service) openSession(ctx context.Context, r *roleSession, now time.Time) (Credentials, AssumedRoleUser, *int, error) {
	dur, err := r.duration()
	if err != nil {
		return Credentials{}, AssumedRoleUser{}, nil, err
	}
	packed, err := r.limits()
	if err != nil {
		return Credentials{}, AssumedRoleUser{}, nil, err
	}
	creds, user, err := s.issueSession(ctx, r, dur, now)
	return creds, user, packed, err
}

// duration returns the session's length in seconds: the one requested or
// the default, at most an hour when chained and at most the role's
// MaxSessionDuration. A request past either is AWS's ValidationError; a
// default past the role's maximum is cut to it.
func (r *roleSession) duration() (int, error) {
	d := r.requested
	if d == 0 {
		d = r.def
	}
	if r.chained && d > ChainedMaxDuration {
		return 0, keyward.Errorf(keyward.ErrValidationError, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	maxDur := r.role.MaxSessionDuration
	if maxDur == 0 {
		maxDur = defaultDuration
	}
	if d > maxDur {
		if r.requested != 0 {
			return 0, keyward.Errorf(keyward.ErrValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		d = maxDur
	}
	return d, nil
}

// limits returns the session policies' error, if any, then checks the
// packed size of the policies and the request's tags: PackedPolicySize,
// nil when the request passed no policy and no tag.
func (r *roleSession) limits() (*int, error) {
	if r.docsErr != nil {
		return nil, r.docsErr
	}
	size, err := packedSize(r.policy, r.policyArns, r.tags)
	if err != nil {
		return nil, err
	}
	if r.policy == "" && len(r.policyArns) == 0 && len(r.tags) == 0 {
		return nil, nil
	}
	return &size, nil
}

// issueSession seals the credentials of r, checked, lasting dur seconds
// from now, and notes the role's use. It returns them with the session's
// AssumedRoleUser.
func (s *Service) issueSession(ctx context.Context, r *roleSession, dur int, now time.Time) (Credentials, AssumedRoleUser, error) {
	sess := NewRoleSession(r.role, r.name)
	sess.SessionPolicies = r.docs
	sess.SourceIdentity = r.sourceIdentity
	sess.Chained = r.chained
	sess.MFAPresent = r.mfa
	sess.SessionTags = append(append([]keyward.Tag(nil), r.inherited...), r.tags...)
	for _, t := range r.inherited {
		sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, t.Key)
	}
	sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, r.transitive...)
	creds, err := s.issue(ctx, sess, time.Duration(dur)*time.Second, now)
	if err != nil {
		return Credentials{}, AssumedRoleUser{}, err
	}
	s.used.Note(ctx, s.Store, r.role, now, s.Region)
	return creds, AssumedRoleUser{AssumedRoleID: sess.UserID, Arn: sess.ARN}, nil
}

// federatedRequest is the request the role's trust policy decides for
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML: the provider's ARN as
// principal, of principalType (WebIdentityUser, SAMLUser), with the keys
// both give: the time, the provider, the session's name, the caller's
// address, the requested session tags and transitive keys, and the role's
// tags. The action adds its provider's own keys.
func (t *roleTarget) federatedRequest(c *keyward.Caller, provider, principalType, sessionName string,
	tags []keyward.Tag, transitive []string, now time.Time) policy.Request {
	req := policy.Request{Principal: provider, Resource: t.role.ARN, ResourceAccount: t.role.AccountID}
	cx := &req.Context
	cx.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	cx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	cx.Set("aws:PrincipalType", principalType)
	cx.Set("aws:FederatedProvider", provider)
	cx.Set("sts:RoleSessionName", sessionName)
	if c != nil && c.SourceIP != "" {
		cx.Set("aws:SourceIp", c.SourceIP)
	}
	for k, vs := range authz.RequestTags(nil, tags) {
		cx.Set(k, vs...)
	}
	if len(transitive) > 0 {
		cx.Set("sts:TransitiveTagKeys", transitive...)
	}
	for k, vs := range t.keys(map[string][]string{}) {
		cx.Set(k, vs...)
	}
	return req
}

// allows reports whether the role's trust policy allows req's principal
// each of actions, the federated actions' decision.
func (t *roleTarget) allows(req *policy.Request, actions []string) bool {
	ps := policy.Policies{Resource: t.trust}
	var res policy.Result
	for _, a := range actions {
		req.Action = a
		ps.Evaluate(req, &res)
		if res.Decision != policy.Allowed {
			return false
		}
	}
	return true
}
