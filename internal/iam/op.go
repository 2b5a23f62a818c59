package iam

import (
	"context"
	"errors"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// op is one action's store transaction, with the caller it acts for. An
// action runs all of its work in one op: it finds the entity it acts on,
// authorizes the caller on what it found (the stored ARN, path and case as
// stored, and the entity's tags), checks AWS's rules and writes, so the
// decision and the change are made on the same entity in the same
// snapshot. When the store retries the transaction (PostgreSQL, on a
// serialization conflict), everything is decided again.
//
// An op authorizes before it writes: the caller's policies may be read and
// cached inside the transaction, and must not include its own uncommitted
// changes.
//
// The store answers in codes and neutral words; what the client reads of
// it is worded by said (said.go), from the code and what the op asked
// about.
type op struct {
	keyward.Tx
	ctx       context.Context
	s         *Service
	c         *keyward.Caller
	decisions []authz.Decision
}

// view runs fn in a read-only op.
func (s *Service) view(ctx context.Context, c *keyward.Caller, fn func(o *op) error) error {
	return s.run(ctx, c, false, false, fn)
}

// update runs fn in a read-write op and, when invalidate is set and fn
// succeeded, drops the cached policies of every principal (the change may
// alter what someone may do).
func (s *Service) update(ctx context.Context, c *keyward.Caller, invalidate bool, fn func(o *op) error) error {
	return s.run(ctx, c, true, invalidate, fn)
}

func (s *Service) run(ctx context.Context, c *keyward.Caller, write, invalidate bool, fn func(o *op) error) error {
	if c == nil {
		return errors.New("iam: nil caller")
	}
	o := &op{ctx: ctx, s: s, c: c}
	body := func(tx keyward.Tx) error {
		o.Tx = tx
		o.decisions = o.decisions[:0] // a retried transaction decides again
		return fn(o)
	}
	var err error
	if write {
		err = s.Store.Update(ctx, body)
	} else {
		err = s.Store.View(ctx, body)
	}
	s.Authz.Report(ctx, c, o.decisions...)
	if err == nil && invalidate {
		s.invalidate()
	}
	return err
}

// authorize decides whether the caller may perform action on resource,
// inside the op's transaction; extra holds the action's condition keys.
// Resource must come from the store (an entity's ARN as stored), or name
// something that does not exist yet (the entity a Create action makes).
func (o *op) authorize(action, resource string, extra map[string][]string) error {
	d, err := o.s.Authz.Decide(o.ctx, o.Tx, o.c, authz.Query{Action: action, Resource: resource, Extra: extra})
	if err != nil {
		return err
	}
	err = o.s.Authz.Enforce(o.c, &d)
	o.decisions = append(o.decisions, d)
	return err
}

// entity is what an action acts on, as the store holds it, found by the
// name or ARN a request gives. When it does not exist, arn is the ARN the
// request names (a named entity's with path "/") and the action answers
// NoSuchEntity once the caller may know that.
type entity struct {
	kind  keyward.EntityKind
	found bool
	name  string // as stored; as requested when absent
	arn   string
	tags  []keyward.Tag
	// boundary is a user's or role's permissions boundary, "" for none.
	boundary string

	user     keyward.User
	group    keyward.Group
	role     keyward.Role
	profile  keyward.InstanceProfile
	policy   keyward.ManagedPolicy
	provider keyward.OIDCProvider
	device   keyward.MFADevice
	cert     keyward.ServerCertificate
	saml     keyward.SAMLProvider
}

// ref names the entity for the store's multi-kind methods: by its stored
// name, or by its stored ARN for policies and OIDC providers.
func (e *entity) ref(accountID string) keyward.EntityRef {
	switch e.kind {
	case keyward.KindPolicy, keyward.KindOIDCProvider, keyward.KindMFADevice, keyward.KindSAMLProvider:
		return keyward.EntityRef{Kind: e.kind, ARN: e.arn}
	}
	return keyward.EntityRef{Kind: e.kind, AccountID: accountID, Name: e.name}
}

// keys adds the entity's tags to extra as aws:ResourceTag/KEY and
// iam:ResourceTag/KEY, the keys AWS gives every action on a tagged IAM
// resource.
func (e *entity) keys(extra map[string][]string) map[string][]string {
	return resourceTagConditions(extra, e.tags)
}

// withBoundary adds iam:PermissionsBoundary, the boundary the user or
// role has now, which AWS gives the actions that change a user's or role's
// permissions.
func (e *entity) withBoundary(extra map[string][]string) map[string][]string {
	if e.boundary == "" {
		return extra
	}
	return withKey(extra, "iam:PermissionsBoundary", e.boundary)
}

// missing is AWS's NoSuchEntity for the entity, named as AWS names it:
// by ARN for the kinds found by ARN.
func (e *entity) missing() error {
	switch e.kind {
	case keyward.KindPolicy, keyward.KindOIDCProvider, keyward.KindMFADevice, keyward.KindSAMLProvider:
		return notFound(e.kind, e.arn)
	}
	return notFound(e.kind, e.name)
}

// find reads the user, group, role or instance profile name of the
// caller's account, with its tags. Its absence is not an error (see
// entity); any other failure of the store is.
func (o *op) find(kind keyward.EntityKind, name string) (*entity, error) {
	acct := o.c.AccountID
	e := &entity{kind: kind, name: name, arn: entityARN(acct, string(kind), "/", name)}
	var err error
	switch kind {
	case keyward.KindUser:
		e.user, err = o.GetUser(acct, name)
		e.name, e.arn, e.boundary = e.user.Name, e.user.ARN, e.user.PermissionsBoundaryARN
	case keyward.KindGroup:
		e.group, err = o.GetGroup(acct, name)
		e.name, e.arn = e.group.Name, e.group.ARN
	case keyward.KindRole:
		e.role, err = o.GetRole(acct, name)
		e.name, e.arn, e.boundary = e.role.Name, e.role.ARN, e.role.PermissionsBoundaryARN
	case keyward.KindInstanceProfile:
		e.profile, err = o.GetInstanceProfile(acct, name)
		e.name, e.arn = e.profile.Name, e.profile.ARN
	default:
		return nil, errors.New("iam: find of a " + string(kind))
	}
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return &entity{kind: kind, name: name, arn: entityARN(acct, string(kind), "/", name)}, nil
	}
	if err != nil {
		return nil, err
	}
	e.found = true
	if kind != keyward.KindGroup { // groups have no tags
		if e.tags, err = o.ListTags(e.ref(acct)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// target finds the named entity and authorizes action on it, with its tags
// and extra: NoSuchEntity after the authorization when it does not exist.
func (o *op) target(action string, kind keyward.EntityKind, name string, extra map[string][]string) (*entity, error) {
	e, err := o.find(kind, name)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, e.arn, e.keys(extra)); err != nil {
		return nil, err
	}
	if !e.found {
		return nil, e.missing()
	}
	return e, nil
}

// findPolicy reads the managed policy an ARN names, if the caller's account
// may see it (its own, or AWS's), with its tags; arn's syntax must have
// been checked (checkPolicyARN). Policy ARNs are found regardless of case,
// as names are; the entity then carries the ARN as stored, which is what
// every decision and every write uses.
func (o *op) findPolicy(arn string) (*entity, error) {
	e := &entity{kind: keyward.KindPolicy, arn: arn}
	acct, _ := policyAccount(arn)
	if acct != o.c.AccountID && acct != keyward.AWSAccountID {
		return e, nil // another account's policies are invisible
	}
	p, err := o.GetPolicyInAccount(o.c.AccountID, arn)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.policy, e.name, e.arn = true, p, p.Name, p.ARN
	if e.tags, err = o.ListTags(keyward.PolicyRef(p.ARN)); err != nil {
		return nil, err
	}
	return e, nil
}

// findProvider reads the account's OIDC provider an ARN names, with its
// tags. Another account's providers are invisible.
func (o *op) findProvider(arn string) (*entity, error) {
	e := &entity{kind: keyward.KindOIDCProvider, arn: arn}
	if acct, err := oidcAccount(arn); err != nil || acct != o.c.AccountID {
		return e, nil
	}
	p, err := o.GetOIDCProvider(arn)
	if keyward.ErrorCode(err) == keyward.ErrNoSuchEntity {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	e.found, e.provider, e.arn = true, p, p.ARN
	if e.tags, err = o.ListTags(keyward.OIDCProviderRef(p.ARN)); err != nil {
		return nil, err
	}
	return e, nil
}

// shown returns r as IAM shows it: with its trust policy's principals under
// their current ARNs (authz.TrustPolicy).
func (o *op) shown(r keyward.Role) (keyward.Role, error) {
	doc, err := authz.TrustPolicy(o.Tx, r)
	r.AssumeRolePolicyDocument = doc
	return r, err
}

// trustShown is the URL-encoded trust policy of r as IAM shows it.
func trustShown(tx keyward.Tx, r keyward.Role) (string, error) {
	doc, err := authz.TrustPolicy(tx, r)
	return EncodeDocument(doc), err
}

// shownProfile is shown for the roles of an instance profile.
func (o *op) shownProfile(p keyward.InstanceProfile) (keyward.InstanceProfile, error) {
	roles := make([]keyward.Role, len(p.Roles))
	for i, r := range p.Roles {
		var err error
		if roles[i], err = o.shown(r); err != nil {
			return p, err
		}
	}
	p.Roles = roles
	return p, nil
}
