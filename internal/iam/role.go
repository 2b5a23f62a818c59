package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// serviceRolePath begins the path of every service-linked role. Roles
// under it are protected: only the service (here: the service-linked role
// actions) may change them.
const serviceRolePath = "/aws-service-role/"

func isServiceLinked(r keyward.Role) bool {
	return strings.HasPrefix(r.Path, serviceRolePath)
}

// errProtectedRole is AWS's answer to a change of a service-linked role.
func errProtectedRole(name string) error {
	return keyward.Errorf(keyward.ErrUnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

// checkTrustPolicy applies the trust policy quota and grammar.
func checkTrustPolicy(doc string) error {
	if charsWithoutSpace(doc) > maxTrustPolicyChars {
		return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicyChars)
	}
	return checkPolicyDocument(doc, policy.Trust)
}

// CreateRoleInput is CreateRole's request.
type CreateRoleInput struct {
	Path                     *string       `query:"Path"`
	RoleName                 string        `query:"RoleName,required"`
	AssumeRolePolicyDocument string        `query:"AssumeRolePolicyDocument,required"`
	Description              *string       `query:"Description"`
	MaxSessionDuration       *int32        `query:"MaxSessionDuration"`
	PermissionsBoundary      *string       `query:"PermissionsBoundary"`
	Tags                     []keyward.Tag `query:"Tags"`
}

// CreateRoleOutput is CreateRole's result.
type CreateRoleOutput struct {
	Role Role `xml:"Role"`
}

// CreateRole creates a role with its trust policy. Paths under
// /aws-service-role/ are kept for CreateServiceLinkedRole.
func (s *Service) CreateRole(ctx context.Context, c *keyward.Caller, in *CreateRoleInput) (*CreateRoleOutput, error) {
	path := deref(in.Path, "/")
	r := keyward.Role{
		AccountID:                c.AccountID,
		ID:                       s.ids().ID(PrefixRole),
		Name:                     in.RoleName,
		Path:                     path,
		ARN:                      RoleARN(c.AccountID, path, in.RoleName),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description:              deref(in.Description, ""),
		MaxSessionDuration:       int(deref(in.MaxSessionDuration, defaultMaxSessionDuration)),
		CreateDate:               s.now(),
	}
	var tags []keyward.Tag
	var shown string
	err := s.update(ctx, c, false, func(o *op) error {
		extra := authz.RequestTags(nil, in.Tags)
		var boundary *entity
		if in.PermissionsBoundary != nil {
			var err error
			if boundary, extra, err = o.boundaryKey(*in.PermissionsBoundary, extra); err != nil {
				return err
			}
		}
		if err := o.authorize("iam:CreateRole", r.ARN, extra); err != nil {
			return err
		}
		if strings.HasPrefix(path, serviceRolePath) {
			return keyward.Errorf(keyward.ErrInvalidInput, "The path %s is reserved for service-linked roles; use CreateServiceLinkedRole.", serviceRolePath)
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if err := checkTrustPolicy(in.AssumeRolePolicyDocument); err != nil {
			return err
		}
		r.PermissionsBoundaryARN = ""
		if boundary != nil {
			if err := o.usableBoundary(boundary); err != nil {
				return err
			}
			r.PermissionsBoundaryARN = boundary.arn
		}
		var err error
		if r.TrustPrincipalIDs, err = authz.BindTrustPrincipals(o.Tx, r.AssumeRolePolicyDocument); err != nil {
			return err
		}
		if err := o.CreateRole(r); err != nil {
			return said(err, keyward.KindRole, r.Name)
		}
		if shown, err = authz.TrustPolicy(o.Tx, r); err != nil {
			return err
		}
		tags = nil
		if len(in.Tags) > 0 {
			ref := keyward.RoleRef(c.AccountID, r.Name)
			if err := o.TagEntity(ref, in.Tags); err != nil {
				return err
			}
			tags, err = o.ListTags(ref)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.AssumeRolePolicyDocument = shown
	out := &CreateRoleOutput{Role: roleOut(r, tags, false)}
	// AWS's CreateRole leaves MaxSessionDuration out (GetRole and ListRoles
	// show it).
	out.Role.MaxSessionDuration = 0
	return out, nil
}

// GetRoleInput is GetRole's request.
type GetRoleInput struct {
	RoleName string `query:"RoleName,required"`
}

// GetRoleOutput is GetRole's result.
type GetRoleOutput struct {
	Role Role `xml:"Role"`
}

// GetRole describes a role: trust policy (URL-encoded), boundary, tags and
// RoleLastUsed.
func (s *Service) GetRole(ctx context.Context, c *keyward.Caller, in *GetRoleInput) (*GetRoleOutput, error) {
	var out GetRoleOutput
	err := s.view(ctx, c, func(o *op) error {
		r, err := o.target("iam:GetRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		if r.role.AssumeRolePolicyDocument, err = authz.TrustPolicy(o.Tx, r.role); err != nil {
			return err
		}
		out.Role = roleOut(r.role, r.tags, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRoleInput is DeleteRole's request.
type DeleteRoleInput struct {
	RoleName string `query:"RoleName,required"`
}

// DeleteRole deletes a role that is in no instance profile and has no
// policies. Service-linked roles are deleted with DeleteServiceLinkedRole.
func (s *Service) DeleteRole(ctx context.Context, c *keyward.Caller, in *DeleteRoleInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		r, err := o.target("iam:DeleteRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		if isServiceLinked(r.role) {
			return errProtectedRole(r.name)
		}
		return deleteRole(o.Tx, c.AccountID, r.name)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// deleteRole checks a role's deletion conflicts and deletes it.
func deleteRole(tx keyward.Tx, accountID, name string) error {
	profiles, _, err := tx.ListInstanceProfilesForRole(accountID, name, keyward.ListOptions{MaxItems: 1})
	if err != nil {
		return err
	}
	if len(profiles) > 0 {
		return keyward.Errorf(keyward.ErrDeleteConflict, msgRemoveFromProfiles)
	}
	if err := checkNoPolicies(tx, keyward.RoleRef(accountID, name)); err != nil {
		return err
	}
	return tx.DeleteRole(accountID, name)
}

// ListRolesInput is ListRoles' request.
type ListRolesInput struct {
	PathPrefix *string `query:"PathPrefix"`
	Marker     *string `query:"Marker"`
	MaxItems   *int32  `query:"MaxItems"`
}

// ListRolesOutput is ListRoles' result.
type ListRolesOutput struct {
	Roles       Members[Role] `xml:"Roles"`
	IsTruncated bool          `xml:"IsTruncated"`
	Marker      string        `xml:"Marker,omitempty"`
}

// ListRoles lists the account's roles. Like AWS's, the list leaves out
// tags, boundaries and RoleLastUsed.
func (s *Service) ListRoles(ctx context.Context, c *keyward.Caller, in *ListRolesInput) (*ListRolesOutput, error) {
	var out ListRolesOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListRoles", listResource(c.AccountID, "role", in.PathPrefix), nil); err != nil {
			return err
		}
		page, next, err := o.ListRoles(c.AccountID, listOptions(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return said(err, kindList)
		}
		out.Roles = make(Members[Role], len(page))
		for i, r := range page {
			if r.AssumeRolePolicyDocument, err = authz.TrustPolicy(o.Tx, r); err != nil {
				return err
			}
			r.PermissionsBoundaryARN = ""
			out.Roles[i] = roleOut(r, nil, false)
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateRoleInput is UpdateRole's request.
type UpdateRoleInput struct {
	RoleName           string  `query:"RoleName,required"`
	Description        *string `query:"Description"`
	MaxSessionDuration *int32  `query:"MaxSessionDuration"`
}

// UpdateRoleOutput is UpdateRole's (empty) result: AWS sends an empty
// UpdateRoleResult element.
type UpdateRoleOutput struct{}

// UpdateRole changes a role's description or maximum session duration; a
// service-linked role's description only.
func (s *Service) UpdateRole(ctx context.Context, c *keyward.Caller, in *UpdateRoleInput) (*UpdateRoleOutput, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		r, err := o.target("iam:UpdateRole", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		// A service-linked role's description may change, nothing else
		// (AWS's "Update a service-linked role"; Terraform's
		// aws_iam_service_linked_role updates its description this way).
		if isServiceLinked(r.role) && in.MaxSessionDuration != nil {
			return errProtectedRole(r.name)
		}
		if in.Description != nil {
			r.role.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.role.MaxSessionDuration = int(*in.MaxSessionDuration)
		}
		return o.UpdateRole(r.role)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateRoleOutput{}, nil
}

// UpdateRoleDescriptionInput is UpdateRoleDescription's request.
type UpdateRoleDescriptionInput struct {
	RoleName    string `query:"RoleName,required"`
	Description string `query:"Description,required"`
}

// UpdateRoleDescriptionOutput is UpdateRoleDescription's result.
type UpdateRoleDescriptionOutput struct {
	Role Role `xml:"Role"`
}

// UpdateRoleDescription changes a role's description and returns the role.
// Unlike the other changes, AWS lets it edit service-linked roles too.
func (s *Service) UpdateRoleDescription(ctx context.Context, c *keyward.Caller, in *UpdateRoleDescriptionInput) (*UpdateRoleDescriptionOutput, error) {
	var out UpdateRoleDescriptionOutput
	err := s.update(ctx, c, false, func(o *op) error {
		r, err := o.target("iam:UpdateRoleDescription", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		r.role.Description = in.Description
		if err := o.UpdateRole(r.role); err != nil {
			return err
		}
		if r.role.AssumeRolePolicyDocument, err = authz.TrustPolicy(o.Tx, r.role); err != nil {
			return err
		}
		out.Role = roleOut(r.role, r.tags, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAssumeRolePolicyInput is UpdateAssumeRolePolicy's request.
type UpdateAssumeRolePolicyInput struct {
	RoleName       string `query:"RoleName,required"`
	PolicyDocument string `query:"PolicyDocument,required"`
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c *keyward.Caller, in *UpdateAssumeRolePolicyInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		r, err := o.target("iam:UpdateAssumeRolePolicy", keyward.KindRole, in.RoleName, nil)
		if err != nil {
			return err
		}
		if err := checkTrustPolicy(in.PolicyDocument); err != nil {
			return err
		}
		if isServiceLinked(r.role) {
			return errProtectedRole(r.name)
		}
		r.role.AssumeRolePolicyDocument = in.PolicyDocument
		if r.role.TrustPrincipalIDs, err = authz.BindTrustPrincipals(o.Tx, in.PolicyDocument); err != nil {
			return err
		}
		return o.UpdateRole(r.role)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
