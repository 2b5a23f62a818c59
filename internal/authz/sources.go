package authz

import (
	"fmt"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// SourceType is where a policy of a principal comes from, spelled as AWS's
// PolicySourceType (SimulatePrincipalPolicy's MatchedStatements).
type SourceType string

// Policy sources.
const (
	SourceUser        SourceType = "user"         // a user's inline policy
	SourceGroup       SourceType = "group"        // a group's inline policy
	SourceRole        SourceType = "role"         // a role's inline policy
	SourceAWSManaged  SourceType = "aws-managed"  // an AWS-managed policy attached to the entity
	SourceUserManaged SourceType = "user-managed" // a customer-managed policy attached to the entity
)

// Source is one policy that bears on a principal, as the store holds it.
type Source struct {
	Type     SourceType
	Owner    keyward.EntityRef // the user, group or role it is inline in or attached to
	Name     string            // the inline policy's name or the managed policy's name
	ARN      string            // the managed policy's ARN; "" for inline policies
	Document *policy.Document
}

// ID is the policy's id in decisions: the inline policy's name, or the
// managed policy's ARN.
func (s Source) ID() string {
	if s.ARN != "" {
		return s.ARN
	}
	return s.Name
}

// Principal holds the policies of one user, group or role as authorization
// sees them: the identity policies in the order they are evaluated, the
// permissions boundary (Boundary nil when none), and the entity's tags.
type Principal struct {
	Identity []Source
	Boundary *Source
	Tags     []keyward.Tag
}

// LoadPrincipalByID reads the policies of the user or role (kind) with
// that unique ID, as LoadPrincipal does. ErrNoSuchEntity when there is
// none: the entity an ID named was deleted, whatever now bears its name.
func LoadPrincipalByID(tx keyward.Tx, kind keyward.EntityKind, id string) (*Principal, error) {
	switch kind {
	case keyward.KindUser:
		u, err := tx.GetUserByID(id)
		if err != nil {
			return nil, err
		}
		return loadUser(tx, u)
	case keyward.KindRole:
		r, err := tx.GetRoleByID(id)
		if err != nil {
			return nil, err
		}
		return loadRole(tx, r)
	}
	return nil, fmt.Errorf("authz: policies of a %s by ID", kind)
}

// LoadPrincipal reads the policies of entity (a user, with its groups'; a
// group; or a role) in tx. It is what Authorize evaluates for the entity's
// callers, and what the policy simulator evaluates, so the two cannot
// disagree. Errors: ErrNoSuchEntity when the entity is absent.
func LoadPrincipal(tx keyward.Tx, entity keyward.EntityRef) (*Principal, error) {
	switch entity.Kind {
	case keyward.KindRole:
		r, err := tx.GetRole(entity.AccountID, entity.Name)
		if err != nil {
			return nil, err
		}
		return loadRole(tx, r)
	case keyward.KindUser:
		u, err := tx.GetUser(entity.AccountID, entity.Name)
		if err != nil {
			return nil, err
		}
		return loadUser(tx, u)
	case keyward.KindGroup:
		g, err := tx.GetGroup(entity.AccountID, entity.Name)
		if err != nil {
			return nil, err
		}
		return load(tx, []keyward.EntityRef{keyward.GroupRef(g.AccountID, g.Name)}, "")
	}
	return nil, fmt.Errorf("authz: policies of a %s", entity.Kind)
}

func loadRole(tx keyward.Tx, r keyward.Role) (*Principal, error) {
	return load(tx, []keyward.EntityRef{keyward.RoleRef(r.AccountID, r.Name)}, r.PermissionsBoundaryARN)
}

func loadUser(tx keyward.Tx, u keyward.User) (*Principal, error) {
	owners := []keyward.EntityRef{keyward.UserRef(u.AccountID, u.Name)}
	groups, err := tx.ListGroupsForUser(u.AccountID, u.Name)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		owners = append(owners, keyward.GroupRef(u.AccountID, g.Name))
	}
	return load(tx, owners, u.PermissionsBoundaryARN)
}

// load reads the inline and attached policies of owners (the entity first,
// then a user's groups), the entity's tags, and its boundary.
func load(tx keyward.Tx, owners []keyward.EntityRef, boundaryARN string) (*Principal, error) {
	p := &Principal{}
	if owners[0].Kind != keyward.KindGroup { // groups have no tags
		tags, err := tx.ListTags(owners[0])
		if err != nil {
			return nil, err
		}
		p.Tags = tags
	}
	for _, o := range owners {
		inline, err := tx.ListInlinePolicies(o)
		if err != nil {
			return nil, err
		}
		for _, ip := range inline {
			d, err := policy.ParseWith([]byte(ip.Document), policy.Identity, policy.Options{Stored: true})
			if err != nil {
				return nil, fmt.Errorf("authz: stored inline policy %s of %s %s: %w", ip.PolicyName, o.Kind, o.Name, err)
			}
			p.Identity = append(p.Identity, Source{Type: SourceType(o.Kind), Owner: o, Name: ip.PolicyName, Document: d})
		}
		attached, err := tx.ListAttachedPolicies(o)
		if err != nil {
			return nil, err
		}
		for _, mp := range attached {
			d, err := defaultDocument(tx, mp, policy.Identity)
			if err != nil {
				return nil, err
			}
			p.Identity = append(p.Identity, Source{Type: managedType(mp), Owner: o, Name: mp.Name, ARN: mp.ARN, Document: d})
		}
	}
	if boundaryARN != "" {
		mp, err := tx.GetPolicy(boundaryARN)
		if err != nil {
			return nil, err
		}
		d, err := defaultDocument(tx, mp, policy.Boundary)
		if err != nil {
			return nil, err
		}
		p.Boundary = &Source{Type: managedType(mp), Owner: owners[0], Name: mp.Name, ARN: mp.ARN, Document: d}
	}
	return p, nil
}

func managedType(mp keyward.ManagedPolicy) SourceType {
	if mp.AccountID == keyward.AWSAccountID {
		return SourceAWSManaged
	}
	return SourceUserManaged
}

// Sets compiles the principal's identity policies and boundary (nil when
// none), with the ids decisions report (Source.ID).
func (p *Principal) Sets() (identity, boundary *policy.Set) {
	pols := make([]policy.Policy, len(p.Identity))
	for i, s := range p.Identity {
		pols[i] = policy.Policy{ID: s.ID(), Document: s.Document}
	}
	identity = policy.NewSet(pols...)
	if p.Boundary != nil {
		boundary = policy.NewSet(policy.Policy{ID: p.Boundary.ID(), Document: p.Boundary.Document})
	}
	return identity, boundary
}
