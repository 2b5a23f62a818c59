package iam

import (
	"context"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

// Managed policy rules (AWS-FACTS.md).
const (
	maxPolicyVersions    = 5
	maxManagedPolicySize = 6144 // characters, white space not counted
)

// Policy is AWS's Policy shape. Description is shown by CreatePolicy and
// GetPolicy and left out of lists, as AWS does.
type Policy struct {
	PolicyName                    string        `xml:"PolicyName"`
	PolicyID                      string        `xml:"PolicyId"`
	ARN                           string        `xml:"Arn"`
	Path                          string        `xml:"Path"`
	DefaultVersionID              string        `xml:"DefaultVersionId"`
	AttachmentCount               int           `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int           `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool          `xml:"IsAttachable"`
	Description                   string        `xml:"Description,omitempty"`
	CreateDate                    Time          `xml:"CreateDate"`
	UpdateDate                    Time          `xml:"UpdateDate"`
	Tags                          *Members[Tag] `xml:"Tags,omitempty"` // nil: no element; empty: <Tags/>
}

// policyView is which action shows a policy: each shows a different part.
type policyView int

const (
	// policyCreated (CreatePolicy): no Description, Tags when it has some.
	policyCreated policyView = iota
	// policyGot (GetPolicy): the Description when set, Tags always.
	policyGot
	// policyListed (ListPolicies): neither.
	policyListed
)

// policyOut converts a stored policy as the action v shows it, which AWS's
// responses differ in (moto's test_policy_resource_returns_subset_of_
// available_attributes, checked against AWS).
func policyOut(p keyward.ManagedPolicy, tags []keyward.Tag, v policyView) Policy {
	out := Policy{
		PolicyName:                    p.Name,
		PolicyID:                      p.ID,
		ARN:                           p.ARN,
		Path:                          p.Path,
		DefaultVersionID:              p.DefaultVersionID,
		AttachmentCount:               p.AttachmentCount,
		PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
		IsAttachable:                  p.IsAttachable,
		CreateDate:                    Time(p.CreateDate),
		UpdateDate:                    Time(p.UpdateDate),
	}
	switch v {
	case policyCreated:
		if len(tags) > 0 {
			t := tagsOut(tags)
			out.Tags = &t
		}
	case policyGot:
		out.Description = p.Description
		t := tagsOut(tags)
		out.Tags = &t
	}
	return out
}

// PolicyVersion is AWS's PolicyVersion shape. Document (URL-encoded) is
// shown by GetPolicyVersion and GetAccountAuthorizationDetails only.
type PolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       Time   `xml:"CreateDate"`
}

func versionOut(v keyward.PolicyVersion, document bool) PolicyVersion {
	out := PolicyVersion{VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: Time(v.CreateDate)}
	if document {
		out.Document = EncodeDocument(v.Document)
	}
	return out
}

// checkPolicyARN checks the syntax of a managed policy's ARN and returns
// its account ("aws" for AWS-managed policies). AWS answers an ARN it
// cannot read with InvalidInput.
func checkPolicyARN(arn string) (string, error) {
	acct, ok := policyAccount(arn)
	if !ok {
		return "", keyward.Errorf(keyward.ErrInvalidInput, "ARN %s is not valid.", arn)
	}
	return acct, nil
}

// crossAccount is AWS's denial of an action on a resource of another
// account that no resource-based policy shares (IAM entities have none).
// Checked in the transaction as well as by the authorizer, so that even
// the root user, who may do everything in its own account, is refused.
func crossAccount(c *keyward.Caller, action, resource string) error {
	return keyward.Errorf(keyward.ErrAccessDenied,
		"User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
		c.ARN, action, resource, action)
}

// policyTarget finds the managed policy arn names and authorizes action on
// it, as stored, with its tags and extra. An action that changes the
// policy (own) works only on the account's own policies, one that reads it
// on AWS-managed ones too: anything else is another account's, which no
// resource-based policy shares (crossAccount), and an absent policy is
// NoSuchEntity, both once the caller may know.
func (o *op) policyTarget(action, arn string, own bool, extra map[string][]string) (*entity, error) {
	acct, err := checkPolicyARN(arn)
	if err != nil {
		return nil, err
	}
	p, err := o.findPolicy(arn)
	if err != nil {
		return nil, err
	}
	if err := o.authorize(action, p.arn, p.keys(extra)); err != nil {
		return nil, err
	}
	if acct != o.c.AccountID && (own || acct != keyward.AWSAccountID) {
		return nil, crossAccount(o.c, action, arn)
	}
	if !p.found {
		return nil, p.missing()
	}
	return p, nil
}

// checkManagedDocument applies the grammar and the managed policy size
// quota to a policy version's document.
func checkManagedDocument(doc string) error {
	if err := checkPolicyDocument(doc, policy.Identity, policy.Options{Managed: true}); err != nil {
		return err
	}
	if charsWithoutSpace(doc) > maxManagedPolicySize {
		return keyward.Errorf(keyward.ErrLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName     string        `query:"PolicyName,required"`
	Path           *string       `query:"Path"`
	PolicyDocument string        `query:"PolicyDocument,required"`
	Description    *string       `query:"Description"`
	Tags           []keyward.Tag `query:"Tags"`
}

// CreatePolicyOutput is CreatePolicy's result.
type CreatePolicyOutput struct {
	Policy Policy `xml:"Policy"`
}

// CreatePolicy creates a customer-managed policy whose version v1, the
// given document, is its default.
func (s *Service) CreatePolicy(ctx context.Context, c *keyward.Caller, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	path := deref(in.Path, "/")
	now := s.now()
	p := keyward.ManagedPolicy{
		AccountID:        c.AccountID,
		ID:               s.ids().ID(PrefixPolicy),
		Name:             in.PolicyName,
		Path:             path,
		ARN:              PolicyARN(c.AccountID, path, in.PolicyName),
		DefaultVersionID: "v1",
		IsAttachable:     true,
		Description:      deref(in.Description, ""),
		CreateDate:       now,
		UpdateDate:       now,
	}
	var tags []keyward.Tag
	err := s.update(ctx, c, len(in.Tags) > 0, func(o *op) error {
		if err := o.authorize("iam:CreatePolicy", p.ARN, authz.RequestTags(nil, in.Tags)); err != nil {
			return err
		}
		if err := checkTagSet(in.Tags); err != nil {
			return err
		}
		if err := checkManagedDocument(in.PolicyDocument); err != nil {
			return err
		}
		if err := o.CreatePolicy(p, in.PolicyDocument); err != nil {
			return said(err, keyward.KindPolicy, p.Name)
		}
		tags = nil
		if len(in.Tags) == 0 {
			return nil
		}
		ref := keyward.PolicyRef(p.ARN)
		if err := o.TagEntity(ref, in.Tags); err != nil {
			return err
		}
		var err error
		tags, err = o.ListTags(ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreatePolicyOutput{Policy: policyOut(p, tags, policyCreated)}, nil
}

// GetPolicyInput is GetPolicy's request.
type GetPolicyInput struct {
	PolicyARN string `query:"PolicyArn,required"`
}

// GetPolicyOutput is GetPolicy's result.
type GetPolicyOutput struct {
	Policy Policy `xml:"Policy"`
}

// GetPolicy describes a managed policy (not its document: see
// GetPolicyVersion), with its tags.
func (s *Service) GetPolicy(ctx context.Context, c *keyward.Caller, in *GetPolicyInput) (*GetPolicyOutput, error) {
	var out GetPolicyOutput
	err := s.view(ctx, c, func(o *op) error {
		p, err := o.policyTarget("iam:GetPolicy", in.PolicyARN, false, nil)
		if err != nil {
			return err
		}
		out.Policy = policyOut(p.policy, p.tags, policyGot)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeletePolicyInput is DeletePolicy's request.
type DeletePolicyInput struct {
	PolicyARN string `query:"PolicyArn,required"`
}

// DeletePolicy deletes a customer-managed policy. As on AWS it must first
// be detached from every entity and left with its default version only;
// Keyward also refuses while it is any entity's permissions boundary, so
// no boundary ever names a missing policy.
func (s *Service) DeletePolicy(ctx context.Context, c *keyward.Caller, in *DeletePolicyInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		pe, err := o.policyTarget("iam:DeletePolicy", in.PolicyARN, true, nil)
		if err != nil {
			return err
		}
		p := pe.policy
		if p.AttachmentCount > 0 || p.PermissionsBoundaryUsageCount > 0 {
			return keyward.Errorf(keyward.ErrDeleteConflict, "Cannot delete a policy attached to entities.")
		}
		versions, err := o.ListPolicyVersions(p.ARN)
		if err != nil {
			return err
		}
		if len(versions) > 1 {
			return keyward.Errorf(keyward.ErrDeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return o.DeletePolicy(p.ARN)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListPoliciesInput is ListPolicies' request.
type ListPoliciesInput struct {
	Scope             *string `query:"Scope"`
	OnlyAttached      *bool   `query:"OnlyAttached"`
	PathPrefix        *string `query:"PathPrefix"`
	PolicyUsageFilter *string `query:"PolicyUsageFilter"`
	Marker            *string `query:"Marker"`
	MaxItems          *int32  `query:"MaxItems"`
}

// ListPoliciesOutput is ListPolicies' result.
type ListPoliciesOutput struct {
	Policies    Members[Policy] `xml:"Policies"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

// ListPolicies lists the managed policies the account can use: its own
// (Scope Local), AWS's (Scope AWS) or both (All, the default), sorted by
// name. OnlyAttached keeps attached ones (with PolicyUsageFilter
// PermissionsBoundary: those in use as a boundary).
func (s *Service) ListPolicies(ctx context.Context, c *keyward.Caller, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	opts := keyward.PolicyListOptions{
		ListOptions:  listOptions(in.PathPrefix, in.Marker, in.MaxItems),
		Scope:        keyward.PolicyScope(deref(in.Scope, "All")),
		OnlyAttached: deref(in.OnlyAttached, false),
		Usage:        keyward.PolicyUsage(deref(in.PolicyUsageFilter, "")),
	}
	var out ListPoliciesOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListPolicies", "*", nil); err != nil {
			return err
		}
		ps, next, err := o.ListPolicies(c.AccountID, opts)
		if err != nil {
			return said(err, kindList)
		}
		out.Policies = make(Members[Policy], len(ps))
		for i, p := range ps {
			out.Policies[i] = policyOut(p, nil, policyListed)
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreatePolicyVersionInput is CreatePolicyVersion's request.
type CreatePolicyVersionInput struct {
	PolicyARN      string `query:"PolicyArn,required"`
	PolicyDocument string `query:"PolicyDocument,required"`
	SetAsDefault   *bool  `query:"SetAsDefault"`
}

// CreatePolicyVersionOutput is CreatePolicyVersion's result.
type CreatePolicyVersionOutput struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

// CreatePolicyVersion adds a version to a customer-managed policy, at most
// five in all, and makes it the default when SetAsDefault is true.
func (s *Service) CreatePolicyVersion(ctx context.Context, c *keyward.Caller, in *CreatePolicyVersionInput) (*CreatePolicyVersionOutput, error) {
	setDefault := deref(in.SetAsDefault, false)
	now := s.now()
	var created keyward.PolicyVersion
	err := s.update(ctx, c, setDefault, func(o *op) error {
		pe, err := o.policyTarget("iam:CreatePolicyVersion", in.PolicyARN, true, nil)
		if err != nil {
			return err
		}
		if err := checkManagedDocument(in.PolicyDocument); err != nil {
			return err
		}
		p := pe.policy
		versions, err := o.ListPolicyVersions(p.ARN)
		if err != nil {
			return err
		}
		if len(versions) >= maxPolicyVersions {
			return keyward.Errorf(keyward.ErrLimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		created, err = o.CreatePolicyVersion(keyward.PolicyVersion{
			PolicyARN: p.ARN, Document: in.PolicyDocument, IsDefault: setDefault, CreateDate: now,
		})
		if err != nil {
			return err
		}
		if setDefault {
			p.DefaultVersionID, p.UpdateDate = created.VersionID, now
			return o.UpdatePolicy(p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreatePolicyVersionOutput{PolicyVersion: versionOut(created, false)}, nil
}

// GetPolicyVersionInput is GetPolicyVersion's request.
type GetPolicyVersionInput struct {
	PolicyARN string `query:"PolicyArn,required"`
	VersionID string `query:"VersionId,required"`
}

// GetPolicyVersionOutput is GetPolicyVersion's result.
type GetPolicyVersionOutput struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

// GetPolicyVersion returns one version of a managed policy with its
// document (URL-encoded).
func (s *Service) GetPolicyVersion(ctx context.Context, c *keyward.Caller, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	var out GetPolicyVersionOutput
	err := s.view(ctx, c, func(o *op) error {
		p, err := o.policyTarget("iam:GetPolicyVersion", in.PolicyARN, false, nil)
		if err != nil {
			return err
		}
		if p.policy.AccountID == keyward.AWSAccountID { // older versions live in the catalog (managed.go)
			if pv, ok, err := awsPolicyVersion(p.arn, in.VersionID); ok {
				out.PolicyVersion = versionOut(pv, true)
				return err
			}
		}
		pv, err := o.GetPolicyVersion(p.arn, in.VersionID)
		if err != nil {
			return said(err, kindVersion, p.arn, in.VersionID)
		}
		out.PolicyVersion = versionOut(pv, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListPolicyVersionsInput is ListPolicyVersions' request.
type ListPolicyVersionsInput struct {
	PolicyARN string  `query:"PolicyArn,required"`
	Marker    *string `query:"Marker"`
	MaxItems  *int32  `query:"MaxItems"`
}

// ListPolicyVersionsOutput is ListPolicyVersions' result.
type ListPolicyVersionsOutput struct {
	Versions    Members[PolicyVersion] `xml:"Versions"`
	IsTruncated bool                   `xml:"IsTruncated"`
	Marker      string                 `xml:"Marker,omitempty"`
}

// ListPolicyVersions lists a managed policy's versions, newest first,
// without their documents.
func (s *Service) ListPolicyVersions(ctx context.Context, c *keyward.Caller, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	var out ListPolicyVersionsOutput
	err := s.view(ctx, c, func(o *op) error {
		p, err := o.policyTarget("iam:ListPolicyVersions", in.PolicyARN, false, nil)
		if err != nil {
			return err
		}
		var all []keyward.PolicyVersion
		ok := false
		if p.policy.AccountID == keyward.AWSAccountID { // older versions live in the catalog (managed.go)
			all, ok = awsPolicyVersions(p.arn)
		}
		if !ok {
			if all, err = o.ListPolicyVersions(p.arn); err != nil {
				return err
			}
		}
		page, next, err := pageOf(all, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out.Versions = make(Members[PolicyVersion], len(page))
		for i, pv := range page {
			out.Versions[i] = versionOut(pv, false)
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeletePolicyVersionInput is DeletePolicyVersion's request.
type DeletePolicyVersionInput struct {
	PolicyARN string `query:"PolicyArn,required"`
	VersionID string `query:"VersionId,required"`
}

// DeletePolicyVersion deletes a version other than the default one.
func (s *Service) DeletePolicyVersion(ctx context.Context, c *keyward.Caller, in *DeletePolicyVersionInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		p, err := o.policyTarget("iam:DeletePolicyVersion", in.PolicyARN, true, nil)
		if err != nil {
			return err
		}
		pv, err := o.GetPolicyVersion(p.arn, in.VersionID)
		if err != nil {
			return said(err, kindVersion, p.arn, in.VersionID)
		}
		if pv.IsDefault {
			return keyward.Errorf(keyward.ErrDeleteConflict, "Cannot delete the default version of a policy.")
		}
		return o.DeletePolicyVersion(p.arn, in.VersionID)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// SetDefaultPolicyVersionInput is SetDefaultPolicyVersion's request.
type SetDefaultPolicyVersionInput struct {
	PolicyARN string `query:"PolicyArn,required"`
	VersionID string `query:"VersionId,required"`
}

// SetDefaultPolicyVersion makes a version the policy's default: the one
// that applies to every entity the policy is attached to.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c *keyward.Caller, in *SetDefaultPolicyVersionInput) (*struct{}, error) {
	err := s.update(ctx, c, true, func(o *op) error {
		pe, err := o.policyTarget("iam:SetDefaultPolicyVersion", in.PolicyARN, true, nil)
		if err != nil {
			return err
		}
		p := pe.policy
		pv, err := o.GetPolicyVersion(p.ARN, in.VersionID)
		if err != nil {
			return said(err, kindVersion, p.ARN, in.VersionID)
		}
		if p.DefaultVersionID == pv.VersionID {
			return nil
		}
		p.DefaultVersionID, p.UpdateDate = pv.VersionID, s.now()
		return o.UpdatePolicy(p)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListEntitiesForPolicyInput is ListEntitiesForPolicy's request.
type ListEntitiesForPolicyInput struct {
	PolicyARN         string  `query:"PolicyArn,required"`
	EntityFilter      *string `query:"EntityFilter"`
	PathPrefix        *string `query:"PathPrefix"`
	PolicyUsageFilter *string `query:"PolicyUsageFilter"`
	Marker            *string `query:"Marker"`
	MaxItems          *int32  `query:"MaxItems"`
}

// PolicyGroup is AWS's PolicyGroup shape.
type PolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}

// PolicyUser is AWS's PolicyUser shape.
type PolicyUser struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}

// PolicyRole is AWS's PolicyRole shape.
type PolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

// ListEntitiesForPolicyOutput is ListEntitiesForPolicy's result.
type ListEntitiesForPolicyOutput struct {
	PolicyGroups Members[PolicyGroup] `xml:"PolicyGroups"`
	PolicyUsers  Members[PolicyUser]  `xml:"PolicyUsers"`
	PolicyRoles  Members[PolicyRole]  `xml:"PolicyRoles"`
	IsTruncated  bool                 `xml:"IsTruncated"`
	Marker       string               `xml:"Marker,omitempty"`
}

// ListEntitiesForPolicy lists the groups, users and roles a managed policy
// is attached to (with PolicyUsageFilter PermissionsBoundary: the users
// and roles using it as their boundary). For an AWS-managed policy only
// the caller's account's entities are listed.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c *keyward.Caller, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	out := ListEntitiesForPolicyOutput{PolicyGroups: Members[PolicyGroup]{}, PolicyUsers: Members[PolicyUser]{}, PolicyRoles: Members[PolicyRole]{}}
	opts := keyward.EntityListOptions{
		ListOptions: listOptions(in.PathPrefix, in.Marker, in.MaxItems),
		Usage:       keyward.PolicyUsage(deref(in.PolicyUsageFilter, "")),
	}
	// Policies are not attached to policies: the policy filters list
	// nothing (once the policy is found).
	var policiesOnly bool
	switch deref(in.EntityFilter, "") {
	case "User":
		opts.Kind = keyward.KindUser
	case "Group":
		opts.Kind = keyward.KindGroup
	case "Role":
		opts.Kind = keyward.KindRole
	case "LocalManagedPolicy", "AWSManagedPolicy":
		policiesOnly = true
	}
	err := s.view(ctx, c, func(o *op) error {
		pe, err := o.policyTarget("iam:ListEntitiesForPolicy", in.PolicyARN, false, nil)
		if err != nil || policiesOnly {
			return err
		}
		p, tx := pe.policy, o.Tx
		var entities []keyward.PolicyEntity
		var next string
		if p.AccountID == c.AccountID {
			entities, next, err = tx.ListEntitiesForPolicy(p.ARN, opts)
			if err != nil {
				return said(err, kindList)
			}
		} else {
			// An AWS-managed policy is attached across accounts: list all
			// of its entities, keep this account's, and page here.
			all := opts
			all.ListOptions = keyward.ListOptions{PathPrefix: opts.PathPrefix}
			every, _, err := tx.ListEntitiesForPolicy(p.ARN, all)
			if err != nil {
				return err
			}
			mine, err := accountEntities(tx, c.AccountID, every)
			if err != nil {
				return err
			}
			entities, next, err = pageOf(mine, in.Marker, in.MaxItems)
			if err != nil {
				return err
			}
		}
		for _, e := range entities {
			switch e.Kind {
			case keyward.KindGroup:
				out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{GroupName: e.Name, GroupID: e.ID})
			case keyward.KindUser:
				out.PolicyUsers = append(out.PolicyUsers, PolicyUser{UserName: e.Name, UserID: e.ID})
			case keyward.KindRole:
				out.PolicyRoles = append(out.PolicyRoles, PolicyRole{RoleName: e.Name, RoleID: e.ID})
			}
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// accountEntities keeps the entities that belong to accountID.
func accountEntities(tx keyward.Tx, accountID string, entities []keyward.PolicyEntity) ([]keyward.PolicyEntity, error) {
	var groupIDs map[string]bool
	var out []keyward.PolicyEntity
	for _, e := range entities {
		var owner string
		switch e.Kind {
		case keyward.KindUser:
			u, err := tx.GetUserByID(e.ID)
			if err != nil {
				return nil, err
			}
			owner = u.AccountID
		case keyward.KindRole:
			r, err := tx.GetRoleByID(e.ID)
			if err != nil {
				return nil, err
			}
			owner = r.AccountID
		case keyward.KindGroup:
			if groupIDs == nil {
				groups, _, err := tx.ListGroups(accountID, keyward.ListOptions{})
				if err != nil {
					return nil, err
				}
				groupIDs = make(map[string]bool, len(groups))
				for _, g := range groups {
					groupIDs[g.ID] = true
				}
			}
			if groupIDs[e.ID] {
				owner = accountID
			}
		}
		if owner == accountID {
			out = append(out, e)
		}
	}
	return out, nil
}
