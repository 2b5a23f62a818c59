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
	"github.com/keyward/keyward/policy"
)

// Authorizer decides requests for one store. It caches each principal's
// compiled policies until Invalidate. Call New; it is safe for concurrent use.
type Authorizer struct {
	store keyward.Store
	gen   atomic.Uint64
	mu    sync.Mutex
	cache map[string]*principalPolicies

	// OnDecision, when set, is called with every decision (for audit logs).
	OnDecision func(ctx context.Context, c *keyward.Caller, d Decision)
}

// Decision is one authorization outcome, for audit trails.
type Decision struct {
	Action   string
	Resource string
	Result   policy.Result
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
func (a *Authorizer) Invalidate() { a.gen.Add(1) }

// Authorize returns nil when c may perform action on resource, and a
// *keyward.Error with code AccessDenied and AWS's message otherwise:
// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE
// because no identity-based policy allows the ACTION action". extra holds
// action-specific condition keys (iam:PermissionsBoundary, aws:RequestTag/K,
// aws:TagKeys, iam:PolicyARN, ...). The root user is always allowed in its
// own account.
func (a *Authorizer) Authorize(ctx context.Context, c *keyward.Caller, action, resource string, extra map[string][]string) error {
	res, err := a.Evaluate(ctx, c, action, resource, extra, nil)
	if err != nil {
		return err
	}
	if res.Decision == policy.Allowed {
		return nil
	}
	return AccessDenied(c, action, resource, &res)
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
	var res policy.Result
	req := policy.Request{Principal: c.ARN, Action: action, Resource: resource}
	if c.Kind == keyward.CallerRoot || (c.Kind == keyward.CallerUserSession && c.UserName == "") {
		// The root user is not limited by IAM policies in its own account.
		req.Principal = "arn:aws:iam::" + c.AccountID + ":root"
		a.fillContext(&req, c, nil, extra)
		ps := policy.Policies{Identity: policy.NewSet(), Resource: resourcePolicy}
		ps.Evaluate(&req, &res)
		a.report(ctx, c, action, resource, &res)
		return res, nil
	}
	pp, err := a.principal(ctx, c)
	if err != nil {
		return res, err
	}
	ps := policy.Policies{Identity: pp.identity, Boundary: pp.boundary, Resource: resourcePolicy}
	if len(c.SessionPolicies) > 0 {
		var sess []policy.Policy
		for i, doc := range c.SessionPolicies {
			d, err := policy.Parse([]byte(doc), policy.Session)
			if err != nil {
				return res, fmt.Errorf("authz: session policy %d of %s: %w", i, c.ARN, err)
			}
			sess = append(sess, policy.Policy{ID: "SessionPolicy." + strconv.Itoa(i+1), Document: d})
		}
		ps.Session = policy.NewSet(sess...)
	}
	a.fillContext(&req, c, pp.tags, extra)
	ps.Evaluate(&req, &res)
	a.report(ctx, c, action, resource, &res)
	return res, nil
}

func (a *Authorizer) report(ctx context.Context, c *keyward.Caller, action, resource string, res *policy.Result) {
	if a.OnDecision != nil {
		a.OnDecision(ctx, c, Decision{Action: action, Resource: resource, Result: *res})
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
	err := a.store.View(ctx, func(tx keyward.Tx) error {
		var owner []keyward.EntityRef
		var boundaryARN string
		switch c.Kind {
		case keyward.CallerAssumedRole:
			r, err := tx.GetRole(c.AccountID, c.RoleName)
			if err != nil {
				return err
			}
			owner = append(owner, keyward.RoleRef(c.AccountID, r.Name))
			boundaryARN = r.PermissionsBoundaryARN
		default:
			u, err := tx.GetUser(c.AccountID, c.UserName)
			if err != nil {
				return err
			}
			owner = append(owner, keyward.UserRef(c.AccountID, u.Name))
			boundaryARN = u.PermissionsBoundaryARN
			groups, err := tx.ListGroupsForUser(c.AccountID, u.Name)
			if err != nil {
				return err
			}
			for _, g := range groups {
				owner = append(owner, keyward.GroupRef(c.AccountID, g.Name))
			}
		}
		tags, err := tx.ListTags(owner[0])
		if err != nil {
			return err
		}
		pp.tags = tags
		var pols []policy.Policy
		for _, o := range owner {
			inline, err := tx.ListInlinePolicies(o)
			if err != nil {
				return err
			}
			for _, ip := range inline {
				d, err := policy.Parse([]byte(ip.Document), policy.Identity)
				if err != nil {
					return fmt.Errorf("authz: stored inline policy %s of %s %s: %w", ip.PolicyName, o.Kind, o.Name, err)
				}
				pols = append(pols, policy.Policy{ID: ip.PolicyName, Document: d})
			}
			attached, err := tx.ListAttachedPolicies(o)
			if err != nil {
				return err
			}
			for _, mp := range attached {
				d, err := defaultDocument(tx, mp, policy.Identity)
				if err != nil {
					return err
				}
				pols = append(pols, policy.Policy{ID: mp.ARN, Document: d})
			}
		}
		pp.identity = policy.NewSet(pols...)
		if boundaryARN != "" {
			mp, err := tx.GetPolicy(boundaryARN)
			if err != nil {
				return err
			}
			d, err := defaultDocument(tx, mp, policy.Boundary)
			if err != nil {
				return err
			}
			pp.boundary = policy.NewSet(policy.Policy{ID: mp.ARN, Document: d})
		}
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
	d, err := policy.Parse([]byte(v.Document), t)
	if err != nil {
		return nil, fmt.Errorf("authz: stored policy %s %s: %w", mp.ARN, v.VersionID, err)
	}
	return d, nil
}

// Generation returns a number that changes with every Invalidate, so that
// other caches (authn's access-key secrets) can follow it.
func (a *Authorizer) Generation() uint64 { return a.gen.Load() }
