package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// principalKind describes the user, group or role that owns inline
// policies, attachments or a boundary, for the actions that come in
// threes (PutUserPolicy, PutGroupPolicy, PutRolePolicy).
type principalKind struct {
	kind   keyward.EntityKind
	noun   string // "User", as in the action names
	member string // the request member naming it: "userName"
	// existingMax is the name length the inline policy actions accept
	// (existingUserNameType allows 128); attachMax the one the
	// attachment and boundary actions accept.
	existingMax, attachMax int
	// inlineQuota is the total size of the entity's inline policies, in
	// characters without white space.
	inlineQuota int
}

var (
	userKind  = principalKind{keyward.KindUser, "User", "userName", 128, 64, 2048}
	groupKind = principalKind{keyward.KindGroup, "Group", "groupName", 128, 128, 5120}
	roleKind  = principalKind{keyward.KindRole, "Role", "roleName", 64, 64, 10240}
)

func (k principalKind) ref(accountID, name string) keyward.EntityRef {
	return keyward.EntityRef{Kind: k.kind, AccountID: accountID, Name: name}
}

// owner finds the user, group or role k named owner and authorizes action
// on it, with its tags, extra and, when it may change the entity's
// permissions (changes), the iam:PermissionsBoundary key: the boundary the
// user or role has now, which AWS gives so that a delegated administrator
// can be limited to entities with a given boundary. Changes to a
// service-linked role are UnmodifiableEntity: only its service may make
// them.
func (o *op) owner(action string, k principalKind, owner string, changes bool, extra map[string][]string) (*entity, error) {
	e, err := o.find(k.kind, owner)
	if err != nil {
		return nil, err
	}
	if changes {
		extra = e.withBoundary(extra)
	}
	if err := o.authorize(action, e.arn, e.keys(extra)); err != nil {
		return nil, err
	}
	if !e.found {
		return nil, e.missing()
	}
	if changes && k.kind == keyward.KindRole && isServiceLinked(e.role) {
		return nil, errProtectedRole(e.name)
	}
	return e, nil
}

// putInline is PutUserPolicy, PutGroupPolicy and PutRolePolicy.
func (s *Service) putInline(ctx context.Context, c *keyward.Caller, k principalKind, owner, name, doc string) error {
	return s.update(ctx, c, true, func(o *op) error {
		e, err := o.owner("iam:Put"+k.noun+"Policy", k, owner, true, nil)
		if err != nil {
			return err
		}
		if err := checkPolicyDocument(doc, policy.Identity); err != nil {
			return err
		}
		ref := k.ref(c.AccountID, e.name)
		existing, err := o.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		size := charsWithoutSpace(doc)
		for _, p := range existing {
			if !strings.EqualFold(p.PolicyName, name) {
				size += charsWithoutSpace(p.Document)
			}
		}
		if size > k.inlineQuota {
			return keyward.Errorf(keyward.ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s",
				k.inlineQuota, strings.ToLower(k.noun), e.name)
		}
		return o.PutInlinePolicy(keyward.InlinePolicy{Owner: ref, PolicyName: name, Document: doc})
	})
}

// getInline is GetUserPolicy, GetGroupPolicy and GetRolePolicy. It returns
// the owner's name as created and the policy.
func (s *Service) getInline(ctx context.Context, c *keyward.Caller, k principalKind, owner, name string) (string, keyward.InlinePolicy, error) {
	var ownerName string
	var p keyward.InlinePolicy
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.owner("iam:Get"+k.noun+"Policy", k, owner, false, nil)
		if err != nil {
			return err
		}
		ownerName = e.name
		p, err = o.GetInlinePolicy(k.ref(c.AccountID, e.name), name)
		return said(err, kindInline, string(k.kind), name)
	})
	return ownerName, p, err
}

// deleteInline is DeleteUserPolicy, DeleteGroupPolicy and
// DeleteRolePolicy.
func (s *Service) deleteInline(ctx context.Context, c *keyward.Caller, k principalKind, owner, name string) error {
	return s.update(ctx, c, true, func(o *op) error {
		e, err := o.owner("iam:Delete"+k.noun+"Policy", k, owner, true, nil)
		if err != nil {
			return err
		}
		return said(o.DeleteInlinePolicy(k.ref(c.AccountID, e.name), name), kindInline, string(k.kind), name)
	})
}

// listInline is ListUserPolicies, ListGroupPolicies and ListRolePolicies.
func (s *Service) listInline(ctx context.Context, c *keyward.Caller, k principalKind, owner string, marker *string, maxItems *int32) (*ListPolicyNamesOutput, error) {
	var out ListPolicyNamesOutput
	err := s.view(ctx, c, func(o *op) error {
		e, err := o.owner("iam:List"+k.noun+"Policies", k, owner, false, nil)
		if err != nil {
			return err
		}
		all, err := o.ListInlinePolicies(k.ref(c.AccountID, e.name))
		if err != nil {
			return err
		}
		page, next, err := pageOf(all, marker, maxItems)
		if err != nil {
			return err
		}
		out.PolicyNames = make(Members[string], len(page))
		for i, p := range page {
			out.PolicyNames[i] = p.PolicyName
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPolicyNamesOutput is the result of ListUserPolicies,
// ListGroupPolicies and ListRolePolicies: the inline policies' names,
// sorted.
type ListPolicyNamesOutput struct {
	PolicyNames Members[string] `xml:"PolicyNames"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

// Users.

// PutUserPolicyInput is PutUserPolicy's request.
type PutUserPolicyInput struct {
	UserName       string `query:"UserName,required"`
	PolicyName     string `query:"PolicyName,required"`
	PolicyDocument string `query:"PolicyDocument,required"`
}

// PutUserPolicy creates or replaces an inline policy of a user. A user's
// inline policies may hold 2,048 characters in all, white space not
// counted.
func (s *Service) PutUserPolicy(ctx context.Context, c *keyward.Caller, in *PutUserPolicyInput) (*struct{}, error) {
	if err := s.putInline(ctx, c, userKind, in.UserName, in.PolicyName, in.PolicyDocument); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetUserPolicyInput is GetUserPolicy's request.
type GetUserPolicyInput struct {
	UserName   string `query:"UserName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// GetUserPolicyOutput is GetUserPolicy's result. PolicyDocument is
// URL-encoded.
type GetUserPolicyOutput struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// GetUserPolicy returns one of a user's inline policies.
func (s *Service) GetUserPolicy(ctx context.Context, c *keyward.Caller, in *GetUserPolicyInput) (*GetUserPolicyOutput, error) {
	owner, p, err := s.getInline(ctx, c, userKind, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyOutput{UserName: owner, PolicyName: p.PolicyName, PolicyDocument: EncodeDocument(p.Document)}, nil
}

// DeleteUserPolicyInput is DeleteUserPolicy's request.
type DeleteUserPolicyInput struct {
	UserName   string `query:"UserName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// DeleteUserPolicy deletes one of a user's inline policies.
func (s *Service) DeleteUserPolicy(ctx context.Context, c *keyward.Caller, in *DeleteUserPolicyInput) (*struct{}, error) {
	if err := s.deleteInline(ctx, c, userKind, in.UserName, in.PolicyName); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListUserPoliciesInput is ListUserPolicies' request.
type ListUserPoliciesInput struct {
	UserName string  `query:"UserName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, c *keyward.Caller, in *ListUserPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, userKind, in.UserName, in.Marker, in.MaxItems)
}

// Groups.

// PutGroupPolicyInput is PutGroupPolicy's request.
type PutGroupPolicyInput struct {
	GroupName      string `query:"GroupName,required"`
	PolicyName     string `query:"PolicyName,required"`
	PolicyDocument string `query:"PolicyDocument,required"`
}

// PutGroupPolicy creates or replaces an inline policy of a group (5,120
// characters in all).
func (s *Service) PutGroupPolicy(ctx context.Context, c *keyward.Caller, in *PutGroupPolicyInput) (*struct{}, error) {
	if err := s.putInline(ctx, c, groupKind, in.GroupName, in.PolicyName, in.PolicyDocument); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetGroupPolicyInput is GetGroupPolicy's request.
type GetGroupPolicyInput struct {
	GroupName  string `query:"GroupName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// GetGroupPolicyOutput is GetGroupPolicy's result.
type GetGroupPolicyOutput struct {
	GroupName      string `xml:"GroupName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// GetGroupPolicy returns one of a group's inline policies.
func (s *Service) GetGroupPolicy(ctx context.Context, c *keyward.Caller, in *GetGroupPolicyInput) (*GetGroupPolicyOutput, error) {
	owner, p, err := s.getInline(ctx, c, groupKind, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyOutput{GroupName: owner, PolicyName: p.PolicyName, PolicyDocument: EncodeDocument(p.Document)}, nil
}

// DeleteGroupPolicyInput is DeleteGroupPolicy's request.
type DeleteGroupPolicyInput struct {
	GroupName  string `query:"GroupName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// DeleteGroupPolicy deletes one of a group's inline policies.
func (s *Service) DeleteGroupPolicy(ctx context.Context, c *keyward.Caller, in *DeleteGroupPolicyInput) (*struct{}, error) {
	if err := s.deleteInline(ctx, c, groupKind, in.GroupName, in.PolicyName); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListGroupPoliciesInput is ListGroupPolicies' request.
type ListGroupPoliciesInput struct {
	GroupName string  `query:"GroupName,required"`
	Marker    *string `query:"Marker"`
	MaxItems  *int32  `query:"MaxItems"`
}

// ListGroupPolicies lists the names of a group's inline policies.
func (s *Service) ListGroupPolicies(ctx context.Context, c *keyward.Caller, in *ListGroupPoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, groupKind, in.GroupName, in.Marker, in.MaxItems)
}

// Roles.

// PutRolePolicyInput is PutRolePolicy's request.
type PutRolePolicyInput struct {
	RoleName       string `query:"RoleName,required"`
	PolicyName     string `query:"PolicyName,required"`
	PolicyDocument string `query:"PolicyDocument,required"`
}

// PutRolePolicy creates or replaces an inline policy of a role (10,240
// characters in all). Service-linked roles are UnmodifiableEntity.
func (s *Service) PutRolePolicy(ctx context.Context, c *keyward.Caller, in *PutRolePolicyInput) (*struct{}, error) {
	if err := s.putInline(ctx, c, roleKind, in.RoleName, in.PolicyName, in.PolicyDocument); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// GetRolePolicyInput is GetRolePolicy's request.
type GetRolePolicyInput struct {
	RoleName   string `query:"RoleName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// GetRolePolicyOutput is GetRolePolicy's result.
type GetRolePolicyOutput struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// GetRolePolicy returns one of a role's inline policies.
func (s *Service) GetRolePolicy(ctx context.Context, c *keyward.Caller, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
	owner, p, err := s.getInline(ctx, c, roleKind, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyOutput{RoleName: owner, PolicyName: p.PolicyName, PolicyDocument: EncodeDocument(p.Document)}, nil
}

// DeleteRolePolicyInput is DeleteRolePolicy's request.
type DeleteRolePolicyInput struct {
	RoleName   string `query:"RoleName,required"`
	PolicyName string `query:"PolicyName,required"`
}

// DeleteRolePolicy deletes one of a role's inline policies.
func (s *Service) DeleteRolePolicy(ctx context.Context, c *keyward.Caller, in *DeleteRolePolicyInput) (*struct{}, error) {
	if err := s.deleteInline(ctx, c, roleKind, in.RoleName, in.PolicyName); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListRolePoliciesInput is ListRolePolicies' request.
type ListRolePoliciesInput struct {
	RoleName string  `query:"RoleName,required"`
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, c *keyward.Caller, in *ListRolePoliciesInput) (*ListPolicyNamesOutput, error) {
	return s.listInline(ctx, c, roleKind, in.RoleName, in.Marker, in.MaxItems)
}
