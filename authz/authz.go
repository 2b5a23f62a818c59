package authz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/policy"
)

// Authorizer decides requests for one store. It caches each principal's
// compiled policies until Invalidate. Call New; it is safe for concurrent use.
type Authorizer struct {
	store    keyward.Store
	gen      atomic.Uint64
	mu       sync.Mutex
	cache    map[string]*principalPolicies
	sessions map[string]*policy.Set // compiled session policies, by their text

	// OnDecision, when set, is called with every decision (for audit logs).
	OnDecision func(ctx context.Context, c *keyward.Caller, d Decision)

	// Mode is Enforce (the zero value) or LogOnly. In LogOnly, Authorize
	// lets through what it would deny, after calling OnWouldDeny; Evaluate
	// still returns the true decision, so what its callers decide for
	// themselves (sts:AssumeRole's trust policy) is never softened, and
	// neither is authentication, which happens before authorization.
	Mode Mode
	// OnWouldDeny, when set, is called in LogOnly mode with each denial
	// Authorize let through, and the AccessDenied error it would have
	// returned.
	OnWouldDeny func(ctx context.Context, c *keyward.Caller, d Decision, err error)

	// Shared, when set, is a generation kept in the store and shared by
	// every Keyward process on it (replicas): Invalidate bumps it too, and
	// Follow watches it to invalidate this process's caches when another
	// one wrote. Set it before the Authorizer is used.
	Shared keyward.Generations
	// OnSharedError, when set, is told when bumping or reading Shared fails.
	OnSharedError func(error)
}

// Mode is how Authorize acts on denials.
type Mode uint8

// Modes.
const (
	Enforce Mode = iota // denials are AccessDenied
	LogOnly             // denials are reported to OnWouldDeny and let through
)

// Decision is one authorization outcome, for audit trails.
type Decision struct {
	Action   string
	Resource string
	Result   policy.Result
	// Extra is the action-specific context the caller gave (aws:RequestTag/K,
	// iam:PolicyARN, ...), as passed: read it, do not keep or change it.
	Extra map[string][]string
}

// principalPolicies are one principal's compiled policies as of generation gen.
type principalPolicies struct {
	gen      uint64
	identity *policy.Set
	boundary *policy.Set
	tags     []keyward.Tag
}

// New returns an Authorizer over store.
func New(store keyward.Store) *Authorizer {
	return &Authorizer{store: store, cache: make(map[string]*principalPolicies)}
}

// Invalidate forgets cached policies. IAM calls it after every write that
// can change a principal's policies (policies, versions, attachments,
// memberships, boundaries, tags).
//
// With Shared set, it also bumps the shared generation, so that the other
// replicas' Follow loops invalidate theirs.
func (a *Authorizer) Invalidate() {
	a.gen.Add(1)
	a.bumpShared()
}

// Authorize returns nil when c may perform action on resource, and a
// *keyward.Error with code AccessDenied and AWS's message otherwise:
// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE
// because no identity-based policy allows the ACTION action". extra holds
// action-specific condition keys (iam:PermissionsBoundary, aws:RequestTag/K,
// aws:TagKeys, iam:PolicyARN, ...). The root user is always allowed in its
// own account.
func (a *Authorizer) Authorize(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string) error {
	if c.Kind == keyward.CallerUserSession && !c.MFAPresent && strings.HasPrefix(action, "iam:") {
		// AWS: credentials from GetSessionToken cannot call IAM without MFA.
		return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because the request was made with temporary credentials from GetSessionToken without MFA, which cannot call IAM",
			c.ARN, action, resource)
	}
	res, err := a.Evaluate(ctx, c, action, resource, extra, nil)
	if err != nil {
		return err
	}
	if res.Decision == policy.Allowed {
		return nil
	}
	err = AccessDenied(c, action, resource, &res)
	if a.Mode == LogOnly {
		if a.OnWouldDeny != nil {
			a.OnWouldDeny(ctx, c, Decision{Action: action, Resource: resource, Result: res}, err)
		}
		return nil
	}
	return err
}

// AccessDenied is AWS's AccessDenied error for a denied result.
func AccessDenied(c *keyward.Caller, action, resource string, res *policy.Result) error {
	return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s",
		c.ARN, action, resource, policy.DenialReason(action, res))
}

// Evaluate decides like Authorize and returns the engine's full result. A
// non-nil resourcePolicy takes part as the resource's policy (trust policies
// for sts:AssumeRole). An error is internal (the store failed).
func (a *Authorizer) Evaluate(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string, resourcePolicy *policy.Set) (policy.Result, error) {
	return a.EvaluateIn(ctx, c, action, resource, resourceAccount(resource), extra, resourcePolicy)
}

// EvaluateIn is Evaluate for a resource owned by account, for resources
// whose ARN names no account (S3 buckets) or another one than the owner's;
// "" means the caller's own account.
func (a *Authorizer) EvaluateIn(ctx context.Context, c *keyward.Caller, action, resource, account string, extra map[string][]string, resourcePolicy *policy.Set) (policy.Result, error) {
	var res policy.Result
	req := policy.Request{Principal: c.ARN, Action: action, Resource: resource, ResourceAccount: account}
	if c.Kind == keyward.CallerRoot || (c.Kind == keyward.CallerUserSession && c.UserName == "") {
		// The root user is not limited by IAM policies in its own account.
		req.Principal = "arn:aws:iam::" + c.AccountID + ":root"
		a.fillContext(&req, c, nil, extra)
		ps := policy.Policies{Identity: policy.NewSet(), Resource: resourcePolicy}
		ps.Evaluate(&req, &res)
		a.report(ctx, c, action, resource, extra, &res)
		return res, nil
	}
	pp, err := a.principal(ctx, c)
	if err != nil {
		return res, err
	}
	ps := policy.Policies{Identity: pp.identity, Boundary: pp.boundary, Resource: resourcePolicy}
	if len(c.SessionPolicies) > 0 {
		if ps.Session, err = a.sessionSet(c); err != nil {
			return res, err
		}
	}
	a.fillContext(&req, c, pp.tags, extra)
	ps.Evaluate(&req, &res)
	a.report(ctx, c, action, resource, extra, &res)
	return res, nil
}

// maxSessionSets bounds the cache of compiled session policies; when full it
// is emptied (compiling again costs microseconds).
const maxSessionSets = 4096

// sessionSet returns the compiled session policies of a role session. A
// session signs many requests with the same policies, so they are compiled
// once and kept, keyed by their text.
func (a *Authorizer) sessionSet(c *keyward.Caller) (*policy.Set, error) {
	key := strings.Join(c.SessionPolicies, "\x00")
	a.mu.Lock()
	set := a.sessions[key]
	a.mu.Unlock()
	if set != nil {
		return set, nil
	}
	sess := make([]policy.Policy, 0, len(c.SessionPolicies))
	for i, doc := range c.SessionPolicies {
		d, err := policy.ParseWith([]byte(doc), policy.Session, policy.Options{Stored: true}) // checked when the session began
		if err != nil {
			return nil, fmt.Errorf("authz: session policy %d of %s: %w", i, c.ARN, err)
		}
		sess = append(sess, policy.Policy{ID: "SessionPolicy." + strconv.Itoa(i+1), Document: d})
	}
	set = policy.NewSet(sess...)
	a.mu.Lock()
	if a.sessions == nil || len(a.sessions) >= maxSessionSets {
		a.sessions = make(map[string]*policy.Set)
	}
	a.sessions[key] = set
	a.mu.Unlock()
	return set, nil
}

// resourceAccount returns the account that owns resource, read from its ARN,
// or "" when the ARN names none (S3 buckets, AWS-managed policies): the
// engine then takes the resource for the caller's own. Across accounts both
// the resource's policy and the caller's own policies must allow.
func resourceAccount(resource string) string {
	a, err := arn.Parse(resource)
	if err != nil || len(a.AccountID) != 12 {
		return ""
	}
	return a.AccountID
}

func (a *Authorizer) report(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string, res *policy.Result) {
	if a.OnDecision != nil {
		a.OnDecision(ctx, c, Decision{Action: action, Resource: resource, Result: *res, Extra: extra})
	}
}

// fillContext sets the global condition keys AWS supplies with every request.
func (a *Authorizer) fillContext(req *policy.Request, c *keyward.Caller, tags []keyward.Tag, extra map[string][]string) {
	ctx := &req.Context
	set := func(k, v string) {
		if v != "" {
			ctx.Set(k, v)
		}
	}
	now := c.RequestTime
	if now.IsZero() {
		now = time.Now()
	}
	set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	set("aws:SourceIp", c.SourceIP)
	set("aws:SecureTransport", strconv.FormatBool(c.SecureTransport))
	set("aws:PrincipalAccount", c.AccountID)
	set("aws:userid", c.UserID)
	set("aws:PrincipalIsAWSService", "false")
	set("aws:UserAgent", c.UserAgent)
	switch c.Kind {
	case keyward.CallerRoot:
		set("aws:PrincipalType", "Account")
		set("aws:PrincipalArn", "arn:aws:iam::"+c.AccountID+":root")
	case keyward.CallerUser, keyward.CallerUserSession:
		set("aws:PrincipalType", "User")
		set("aws:PrincipalArn", c.ARN)
		set("aws:username", c.UserName)
		if c.UserName == "" {
			ctx.Set("aws:PrincipalType", "Account")
		}
	case keyward.CallerAssumedRole:
		set("aws:PrincipalType", "AssumedRole")
		set("aws:PrincipalArn", c.RoleARN)
		set("aws:SourceIdentity", c.SourceIdentity)
		set("aws:RoleSessionName", c.SessionName)
	case keyward.CallerFederatedUser:
		set("aws:PrincipalType", "FederatedUser")
		set("aws:PrincipalArn", c.ARN)
	}
	if c.SessionToken {
		set("aws:MultiFactorAuthPresent", strconv.FormatBool(c.MFAPresent))
		if !c.TokenIssueTime.IsZero() {
			set("aws:TokenIssueTime", c.TokenIssueTime.UTC().Format(time.RFC3339))
		}
		if c.MFAPresent {
			set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(now.Sub(c.TokenIssueTime).Seconds()), 10))
		}
	}
	// Principal tags: the entity's tags, overridden by session tags.
	for _, t := range tags {
		ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	for _, t := range c.SessionTags {
		ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	for k, v := range extra {
		ctx.Set(k, v...)
	}
}

// principal returns the caller's compiled identity policies and boundary,
// from the cache when they are current.
func (a *Authorizer) principal(ctx context.Context, c *keyward.Caller) (*principalPolicies, error) {
	var key string
	switch c.Kind {
	case keyward.CallerUser, keyward.CallerUserSession, keyward.CallerFederatedUser:
		key = "user\x00" + c.AccountID + "\x00" + strings.ToLower(c.UserName)
	case keyward.CallerAssumedRole:
		key = "role\x00" + c.AccountID + "\x00" + strings.ToLower(c.RoleName)
	default:
		return nil, fmt.Errorf("authz: caller %s of unknown kind %d", c.ARN, c.Kind)
	}
	gen := a.gen.Load()
	a.mu.Lock()
	pp := a.cache[key]
	a.mu.Unlock()
	if pp != nil && pp.gen == gen {
		return pp, nil
	}
	pp = &principalPolicies{gen: gen}
	ref := keyward.UserRef(c.AccountID, c.UserName)
	if c.Kind == keyward.CallerAssumedRole {
		ref = keyward.RoleRef(c.AccountID, c.RoleName)
	}
	err := a.store.View(ctx, func(tx keyward.Tx) error {
		p, err := LoadPrincipal(tx, ref) // sources.go: shared with the policy simulator
		if err != nil {
			return err
		}
		pp.tags = p.Tags
		pp.identity, pp.boundary = p.Sets()
		return nil
	})
	if err != nil {
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			// The principal was deleted after its credentials were checked.
			return nil, keyward.Errorf(keyward.ErrInvalidClientTokenID, "The security token included in the request is invalid.")
		}
		return nil, err
	}
	a.mu.Lock()
	a.cache[key] = pp
	a.mu.Unlock()
	return pp, nil
}

func defaultDocument(tx keyward.Tx, mp keyward.ManagedPolicy, t policy.Type) (*policy.Document, error) {
	v, err := tx.GetPolicyVersion(mp.ARN, mp.DefaultVersionID)
	if err != nil {
		return nil, err
	}
	d, err := policy.ParseWith([]byte(v.Document), t, policy.Options{Stored: true})
	if err != nil {
		return nil, fmt.Errorf("authz: stored policy %s %s: %w", mp.ARN, v.VersionID, err)
	}
	return d, nil
}

// Generation returns a number that changes with every Invalidate, so that
// other caches (authn's access-key secrets) can follow it.
func (a *Authorizer) Generation() uint64 { return a.gen.Load() }
