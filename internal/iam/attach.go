package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
)

// maxAttachedPolicies is the quota of managed policies attached to one
// user, group or role (AWS's default; adjustable to 20 on AWS, not here).
const maxAttachedPolicies = 10

// AttachedPolicy is AWS's AttachedPolicy shape.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyARN  string `xml:"PolicyArn"`
}

// attachable checks that p, found by findPolicy, may be attached to an
// entity of the caller's account: the account's own or an AWS-managed one
// (anything else, including another account's policy, is AWS's
// NoSuchEntity "does not exist or is not attachable"); a policy that exists
// but may not be attached (AWS's service-role policies) is
// PolicyNotAttachable.
func attachable(p *entity) error {
	if !p.found {
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s does not exist or is not attachable.", p.arn)
	}
	if !p.policy.IsAttachable {
		return keyward.Errorf(keyward.ErrPolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role.")
	}
	return nil
}

// policyKey finds the managed policy an attachment action names and adds
// it to extra as iam:PolicyARN: the ARN as stored when it exists, so that a
// condition on the key sees the policy's own spelling.
func (o *op) policyKey(policyARN string, extra map[string][]string) (*entity, map[string][]string, error) {
	p, err := o.findPolicy(policyARN)
	if err != nil {
		return nil, nil, err
	}
	return p, withKey(extra, "iam:PolicyARN", p.arn), nil
}

// attach is AttachUserPolicy, AttachGroupPolicy and AttachRolePolicy.
func (s *Service) attach(ctx context.Context, c *keyward.Caller, k principalKind, owner, policyARN string) error {
	if _, err := arn.Parse(policyARN); err != nil && k.noun != "Group" {
		// AttachUserPolicy and AttachRolePolicy answer a PolicyArn that is
		// no ARN at all with this ValidationError (two spaces and all),
		// before any authorization; an ARN of something else than a policy
		// is InvalidInput (checkPolicyARN), as for AttachGroupPolicy.
		return keyward.Errorf(keyward.ErrValidationError, "Invalid ARN:  Could not be parsed!")
	}
	if _, err := checkPolicyARN(policyARN); err != nil {
		return err
	}
	return s.update(ctx, c, true, func(o *op) error {
		p, extra, err := o.policyKey(policyARN, nil)
		if err != nil {
			return err
		}
		e, err := o.owner("iam:Attach"+k.noun+"Policy", k, owner, true, extra)
		if err != nil {
			return err
		}
		if err := attachable(p); err != nil {
			return err
		}
		ref := k.ref(c.AccountID, e.name)
		attached, err := o.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		for _, a := range attached {
			if a.ID == p.policy.ID {
				return nil // attaching again changes nothing, as on AWS
			}
		}
		if len(attached) >= maxAttachedPolicies {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for PoliciesPer%s: %d", k.noun, maxAttachedPolicies)
		}
		return o.AttachPolicy(ref, p.arn)
	})
}

// detach is DetachUserPolicy, DetachGroupPolicy and DetachRolePolicy.
func (s *Service) detach(ctx context.Context, c *keyward.Caller, k principalKind, owner, policyARN string) error {
	if _, err := checkPolicyARN(policyARN); err != nil {
		return err
	}
	return s.update(ctx, c, true, func(o *op) error {
		p, extra, err := o.policyKey(policyARN, nil)
		if err != nil {
			return err
		}
		e, err := o.owner("iam:Detach"+k.noun+"Policy", k, owner, true, extra)
		if err != nil {
			return err
		}
		ref := k.ref(c.AccountID, e.name)
		attached, err := o.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		for _, a := range attached {
			if p.found && a.ID == p.policy.ID {
				return o.DetachPolicy(ref, a.ARN)
			}
		}
		return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s was not found.", policyARN)
	})
}

// listAttached is ListAttachedUserPolicies, ListAttachedGroupPolicies and
// ListAttachedRolePolicies.
func (s *Service) listAttached(ctx context.Context, c *keyward.Caller, k principalKind, owner string, pathPrefix, marker *string, maxItems *int32) (*ListAttachedPoliciesOutput, error) {
	prefix := deref(pathPrefix, "/")
	var out ListAttachedPoliciesOutput
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.owner("iam:ListAttached"+k.noun+"Policies", k, owner, false, nil)
		if err != nil {
			return err
		}
		all, err := o.ListAttachedPolicies(k.ref(c.AccountID, e.name))
		if err != nil {
			return err
		}
		kept := all[:0]
		for _, p := range all {
			if strings.HasPrefix(p.Path, prefix) {
				kept = append(kept, p)
			}
		}
		page, next, err := pageOf(kept, marker, maxItems)
		if err != nil {
			return err
		}
		out.AttachedPolicies = make(Members[AttachedPolicy], len(page))
		for i, p := range page {
			out.AttachedPolicies[i] = AttachedPolicy{PolicyName: p.Name, PolicyARN: p.ARN}
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAttachedPoliciesOutput is the result of ListAttachedUserPolicies,
// ListAttachedGroupPolicies and ListAttachedRolePolicies.
type ListAttachedPoliciesOutput struct {
	AttachedPolicies Members[AttachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                    `xml:"IsTruncated"`
	Marker           string                  `xml:"Marker,omitempty"`
}

// AttachUserPolicyInput is AttachUserPolicy's request.
type AttachUserPolicyInput struct {
	UserName  string `query:"UserName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// AttachUserPolicy attaches a managed policy to a user (at most 10).
func (s *Service) AttachUserPolicy(ctx context.Context, c *keyward.Caller, in *AttachUserPolicyInput) (*struct{}, error) {
	if err := s.attach(ctx, c, userKind, in.UserName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DetachUserPolicyInput is DetachUserPolicy's request.
type DetachUserPolicyInput struct {
	UserName  string `query:"UserName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, c *keyward.Caller, in *DetachUserPolicyInput) (*struct{}, error) {
	if err := s.detach(ctx, c, userKind, in.UserName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListAttachedUserPoliciesInput is ListAttachedUserPolicies' request.
type ListAttachedUserPoliciesInput struct {
	UserName   string  `query:"UserName,required"`
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, c *keyward.Caller, in *ListAttachedUserPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, userKind, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
}

// AttachGroupPolicyInput is AttachGroupPolicy's request.
type AttachGroupPolicyInput struct {
	GroupName string `query:"GroupName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// AttachGroupPolicy attaches a managed policy to a group (at most 10).
func (s *Service) AttachGroupPolicy(ctx context.Context, c *keyward.Caller, in *AttachGroupPolicyInput) (*struct{}, error) {
	if err := s.attach(ctx, c, groupKind, in.GroupName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DetachGroupPolicyInput is DetachGroupPolicy's request.
type DetachGroupPolicyInput struct {
	GroupName string `query:"GroupName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, c *keyward.Caller, in *DetachGroupPolicyInput) (*struct{}, error) {
	if err := s.detach(ctx, c, groupKind, in.GroupName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListAttachedGroupPoliciesInput is ListAttachedGroupPolicies' request.
type ListAttachedGroupPoliciesInput struct {
	GroupName  string  `query:"GroupName,required"`
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, c *keyward.Caller, in *ListAttachedGroupPoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, groupKind, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
}

// AttachRolePolicyInput is AttachRolePolicy's request.
type AttachRolePolicyInput struct {
	RoleName  string `query:"RoleName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// AttachRolePolicy attaches a managed policy to a role (at most 10).
// Service-linked roles are UnmodifiableEntity.
func (s *Service) AttachRolePolicy(ctx context.Context, c *keyward.Caller, in *AttachRolePolicyInput) (*struct{}, error) {
	if err := s.attach(ctx, c, roleKind, in.RoleName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DetachRolePolicyInput is DetachRolePolicy's request.
type DetachRolePolicyInput struct {
	RoleName  string `query:"RoleName,required"`
	PolicyARN string `query:"PolicyArn,required"`
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, c *keyward.Caller, in *DetachRolePolicyInput) (*struct{}, error) {
	if err := s.detach(ctx, c, roleKind, in.RoleName, in.PolicyARN); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListAttachedRolePoliciesInput is ListAttachedRolePolicies' request.
type ListAttachedRolePoliciesInput struct {
	RoleName   string  `query:"RoleName,required"`
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, c *keyward.Caller, in *ListAttachedRolePoliciesInput) (*ListAttachedPoliciesOutput, error) {
	return s.listAttached(ctx, c, roleKind, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
}
