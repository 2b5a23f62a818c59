package authz

import (
	"context"
	"errors"
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
	// Denied is AWS's AccessDenied error when the result is a denial that
	// Enforce refused or let through; nil when allowed.
	Denied error
	// LetThrough reports that Enforce let this denial through (LogOnly).
	LetThrough bool
}

// Query is what one decision is asked about.
type Query struct {
	Action   string // "iam:CreateUser"
	Resource string // the resource's ARN, as stored: canonical path and case
	// Account owns the resource; "" reads it from the resource's ARN (and
	// takes an ARN that names none, such as an S3 bucket's, for the
	// caller's own account).
	Account string
	// Extra holds the action's condition keys (iam:PermissionsBoundary,
	// aws:RequestTag/K, aws:TagKeys, iam:PolicyARN, aws:ResourceTag/K, ...).
	Extra map[string][]string
	// ResourcePolicy, when not nil, takes part as the resource's policy
	// (the role's trust policy for sts:AssumeRole).
	ResourcePolicy *policy.Set
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

// Decide decides q for c, reading what it needs (the caller's policies,
// when they are not cached) in tx: the transaction of the action that asks,
// so the decision is made on the entity the action then acts on, and
// decided again when the store retries that transaction. It reports
// nothing; the caller reports what it decided with Report once its
// transaction is over. The error is not a denial (that is in the result)
// but a failure: the store failed (internal), the caller's user or role no
// longer exists (InvalidClientTokenId), or the caller's kind of credentials
// may never call the action (AccessDenied: GetSessionToken credentials
// without MFA calling IAM, federated users calling IAM or STS), which no
// enforcement mode softens.
func (a *Authorizer) Decide(ctx context.Context, tx keyward.Tx, c *keyward.Caller, q Query) (Decision, error) {
	d := Decision{Action: q.Action, Resource: q.Resource, Extra: q.Extra}
	if err := credentialLimits(c, q.Action, q.Resource); err != nil {
		return d, err
	}
	account := q.Account
	if account == "" {
		account = resourceAccount(q.Resource)
	}
	req := policy.Request{Principal: c.ARN, Action: q.Action, Resource: q.Resource, ResourceAccount: account}
	if isRoot(c) {
		// The root user is not limited by IAM policies in its own account.
		req.Principal = arn.RootARN(c.AccountID)
		a.fillContext(&req, c, nil, q.Extra)
		ps := policy.Policies{Identity: policy.NewSet(), Resource: q.ResourcePolicy}
		ps.Evaluate(&req, &d.Result)
		return d, nil
	}
	pp, err := a.principal(tx, c)
	if err != nil {
		return d, err
	}
	ps := policy.Policies{Identity: pp.identity, Boundary: pp.boundary, Resource: q.ResourcePolicy}
	if len(c.SessionPolicies) > 0 {
		if ps.Session, err = a.sessionSet(c); err != nil {
			return d, err
		}
	}
	a.fillContext(&req, c, pp.tags, q.Extra)
	ps.Evaluate(&req, &d.Result)
	return d, nil
}

// isRoot reports whether c is an account's root user (or its
// GetSessionToken session), whom IAM policies do not limit in its account.
func isRoot(c *keyward.Caller) bool {
	return c.Kind == keyward.CallerRoot || (c.Kind == keyward.CallerUserSession && c.PrincipalID == "" && c.UserName == "")
}

// credentialLimits refuses what a kind of temporary credentials may never
// do, whatever the policies say (AWS's "Comparing the AWS STS API
// operations"): GetSessionToken credentials call IAM only with MFA and STS
// only for AssumeRole and GetCallerIdentity; GetFederationToken
// credentials call no IAM action and no STS action but GetCallerIdentity.
func credentialLimits(c *keyward.Caller, action, resource string) error {
	svc, name, _ := strings.Cut(action, ":")
	switch c.Kind {
	case keyward.CallerUserSession:
		if svc == "iam" && !c.MFAPresent {
			return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because the request was made with temporary credentials from GetSessionToken without MFA, which cannot call IAM",
				c.ARN, action, resource)
		}
		if svc == "sts" && name != "AssumeRole" && name != "GetCallerIdentity" {
			return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because the request was made with temporary credentials from GetSessionToken, which can call only sts:AssumeRole and sts:GetCallerIdentity",
				c.ARN, action, resource)
		}
	case keyward.CallerFederatedUser:
		if svc == "iam" || (svc == "sts" && name != "GetCallerIdentity") {
			return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because the request was made with temporary credentials from GetFederationToken, which cannot call IAM or STS but sts:GetCallerIdentity",
				c.ARN, action, resource)
		}
	}
	return nil
}

// Enforce applies the enforcement mode to a decision: nil when it allows;
// AWS's AccessDenied when it denies, or, in LogOnly mode, nil with d marked
// LetThrough. d.Denied is set either way.
func (a *Authorizer) Enforce(c *keyward.Caller, d *Decision) error {
	if d.Result.Decision == policy.Allowed {
		return nil
	}
	d.Denied = AccessDenied(c, d.Action, d.Resource, &d.Result)
	if a.Mode == LogOnly {
		d.LetThrough = true
		return nil
	}
	return d.Denied
}

// Report tells OnDecision of each decision, and OnWouldDeny of each that
// Enforce let through.
func (a *Authorizer) Report(ctx context.Context, c *keyward.Caller, ds ...Decision) {
	for _, d := range ds {
		if a.OnDecision != nil {
			a.OnDecision(ctx, c, d)
		}
		if d.LetThrough && a.OnWouldDeny != nil {
			a.OnWouldDeny(ctx, c, d, d.Denied)
		}
	}
}

// Authorize returns nil when c may perform action on resource, and a
// *keyward.Error with code AccessDenied and AWS's message otherwise:
// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE
// because no identity-based policy allows the ACTION action". extra holds
// action-specific condition keys. It reads the caller's policies in a
// transaction of its own, so it is for requests that act on nothing in the
// store (other services asking through the authorize API); an action on a
// stored entity decides with Decide inside its own transaction. The root
// user is always allowed in its own account.
func (a *Authorizer) Authorize(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string) error {
	d, err := a.decide(ctx, c, Query{Action: action, Resource: resource, Extra: extra})
	if err != nil {
		return err
	}
	err = a.Enforce(c, &d)
	a.Report(ctx, c, d)
	return err
}

// AccessDenied is AWS's AccessDenied error for a denied result.
func AccessDenied(c *keyward.Caller, action, resource string, res *policy.Result) error {
	return keyward.Errorf(keyward.ErrAccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s",
		c.ARN, action, resource, policy.DenialReason(action, res))
}

// Evaluate decides like Authorize and returns the engine's full result,
// unsoftened by the enforcement mode. A non-nil resourcePolicy takes part
// as the resource's policy. An error is a failure, as Decide's.
func (a *Authorizer) Evaluate(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string, resourcePolicy *policy.Set) (policy.Result, error) {
	return a.EvaluateIn(ctx, c, action, resource, "", extra, resourcePolicy)
}

// EvaluateIn is Evaluate for a resource owned by account, for resources
// whose ARN names no account (S3 buckets) or another one than the owner's;
// "" means the account the ARN names, else the caller's own.
func (a *Authorizer) EvaluateIn(ctx context.Context, c *keyward.Caller, action, resource, account string, extra map[string][]string, resourcePolicy *policy.Set) (policy.Result, error) {
	d, err := a.decide(ctx, c, Query{Action: action, Resource: resource, Account: account, Extra: extra, ResourcePolicy: resourcePolicy})
	if err != nil {
		return d.Result, err
	}
	a.Report(ctx, c, d)
	return d.Result, nil
}

// decide is Decide in a read transaction of its own, opened only when the
// caller's policies must be loaded.
func (a *Authorizer) decide(ctx context.Context, c *keyward.Caller, q Query) (Decision, error) {
	d, err := a.Decide(ctx, nil, c, q)
	if err != errNeedTx {
		return d, err
	}
	err = a.store.View(ctx, func(tx keyward.Tx) error {
		var err error
		d, err = a.Decide(ctx, tx, c, q)
		return err
	})
	return d, err
}

// errNeedTx is principal's answer, with no transaction, for policies that
// are not cached.
var errNeedTx = errors.New("authz: the caller's policies must be read")

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
		set("aws:PrincipalArn", arn.RootARN(c.AccountID))
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
	// Long-term credentials carry no MFA context, as on AWS, except for a
	// request that proves MFA itself (AssumeRole with a TokenCode), whose
	// authentication is now.
	if c.Temporary || c.MFAPresent {
		set("aws:MultiFactorAuthPresent", strconv.FormatBool(c.MFAPresent))
		if c.Temporary && !c.TokenIssueTime.IsZero() {
			set("aws:TokenIssueTime", c.TokenIssueTime.UTC().Format(time.RFC3339))
		}
		if c.MFAPresent {
			age := int64(0)
			if !c.TokenIssueTime.IsZero() {
				age = int64(now.Sub(c.TokenIssueTime).Seconds())
			}
			set("aws:MultiFactorAuthAge", strconv.FormatInt(age, 10))
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

// principalKey is the cache key of c's policies: its user's or role's
// unique ID, so that a user or role created again under an old name is never
// served the old one's policies (nor the old one's sessions the new one's).
func principalKey(c *keyward.Caller) string { return c.PrincipalID }

// cached returns c's compiled policies when the cache holds a current copy.
func (a *Authorizer) cached(c *keyward.Caller) *principalPolicies {
	gen := a.gen.Load()
	a.mu.Lock()
	pp := a.cache[principalKey(c)]
	a.mu.Unlock()
	if pp != nil && pp.gen == gen {
		return pp
	}
	return nil
}

// principal returns the caller's compiled identity policies and boundary,
// from the cache when they are current, else read in tx by the principal's
// unique ID. A principal that no longer exists is InvalidClientTokenId: its
// credentials died with it.
func (a *Authorizer) principal(tx keyward.Tx, c *keyward.Caller) (*principalPolicies, error) {
	if pp := a.cached(c); pp != nil {
		return pp, nil
	}
	var kind keyward.EntityKind
	switch c.Kind {
	case keyward.CallerUser, keyward.CallerUserSession, keyward.CallerFederatedUser:
		kind = keyward.KindUser
	case keyward.CallerAssumedRole:
		kind = keyward.KindRole
	default:
		return nil, fmt.Errorf("authz: caller %s of unknown kind %d", c.ARN, c.Kind)
	}
	if c.PrincipalID == "" {
		return nil, fmt.Errorf("authz: caller %s carries no principal ID", c.ARN)
	}
	if tx == nil {
		return nil, errNeedTx
	}
	pp := &principalPolicies{gen: a.gen.Load()}
	p, err := LoadPrincipalByID(tx, kind, c.PrincipalID) // sources.go: shared with the policy simulator
	if err != nil {
		if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
			// The principal was deleted after its credentials were issued.
			return nil, keyward.Errorf(keyward.ErrInvalidClientTokenID, "The security token included in the request is invalid.")
		}
		return nil, err
	}
	pp.tags = p.Tags
	pp.identity, pp.boundary = p.Sets()
	a.mu.Lock()
	a.cache[principalKey(c)] = pp
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
