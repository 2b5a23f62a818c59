package iam

import (
	"context"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/authz"
)

// Account aliases.

// CreateAccountAliasInput is CreateAccountAlias's request.
type CreateAccountAliasInput struct {
	AccountAlias string `query:"AccountAlias,required"`
}

// CreateAccountAlias gives the account an alias, unique across all
// accounts; an account has at most one, and a new one replaces the old, as
// on AWS.
func (s *Service) CreateAccountAlias(ctx context.Context, c *keyward.Caller, in *CreateAccountAliasInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:CreateAccountAlias", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.Alias == in.AccountAlias {
			return nil
		}
		a.Alias = in.AccountAlias
		return said(o.UpdateAccount(a), kindAccountAlias, a.Alias)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// DeleteAccountAliasInput is DeleteAccountAlias's request.
type DeleteAccountAliasInput struct {
	AccountAlias string `query:"AccountAlias,required"`
}

// DeleteAccountAlias removes the account's alias, which must be the one
// named.
func (s *Service) DeleteAccountAlias(ctx context.Context, c *keyward.Caller, in *DeleteAccountAliasInput) (*struct{}, error) {
	err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:DeleteAccountAlias", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		if a.Alias == "" || a.Alias != in.AccountAlias {
			return notFound(kindAccountAlias, in.AccountAlias)
		}
		a.Alias = ""
		return o.UpdateAccount(a)
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// ListAccountAliasesInput is ListAccountAliases' request.
type ListAccountAliasesInput struct {
	Marker   *string `query:"Marker"`
	MaxItems *int32  `query:"MaxItems"`
}

// ListAccountAliasesOutput is ListAccountAliases' result.
type ListAccountAliasesOutput struct {
	AccountAliases Members[string] `xml:"AccountAliases"`
	IsTruncated    bool            `xml:"IsTruncated"`
	Marker         string          `xml:"Marker,omitempty"`
}

// ListAccountAliases lists the account's alias (none or one).
func (s *Service) ListAccountAliases(ctx context.Context, c *keyward.Caller, in *ListAccountAliasesInput) (*ListAccountAliasesOutput, error) {
	var out ListAccountAliasesOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:ListAccountAliases", "*", nil); err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		var all []string
		if a.Alias != "" {
			all = []string{a.Alias}
		}
		page, next, err := pageOf(all, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out.AccountAliases = Members[string](page)
		if out.AccountAliases == nil {
			out.AccountAliases = Members[string]{}
		}
		out.IsTruncated, out.Marker = next != "", next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Account summary.

// Quotas GetAccountSummary reports: AWS's defaults, which Keyward
// enforces where it has the entity.
const (
	quotaUsers               = 5000
	quotaGroups              = 300
	quotaRoles               = 1000
	quotaPolicies            = 1500
	quotaInstanceProfiles    = 1000
	quotaServerCertificates  = maxServerCertificates
	quotaPolicyVersionsInUse = 10000
	quotaSigningCertificates = maxSigningCertsPerUser
)

// SummaryEntry is one entry of GetAccountSummary's SummaryMap.
type SummaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

// GetAccountSummaryInput is GetAccountSummary's request (no parameters).
type GetAccountSummaryInput struct{}

// GetAccountSummaryOutput is GetAccountSummary's result: a map written as
// the Query protocol writes maps, <SummaryMap><entry><key>Users</key>
// <value>3</value></entry>...</SummaryMap>.
type GetAccountSummaryOutput struct {
	SummaryMap []SummaryEntry `xml:"SummaryMap>entry"`
}

// Get returns the value of key, and whether the map has it.
func (o *GetAccountSummaryOutput) Get(key string) (int, bool) {
	for _, e := range o.SummaryMap {
		if e.Key == key {
			return e.Value, true
		}
	}
	return 0, false
}

// GetAccountSummary counts the account's IAM entities (Tx.CountEntities:
// one query of counts) and reports IAM's quotas, under AWS's SummaryMap
// keys. Keyward keeps no root password, so AccountPasswordPresent is 0.
func (s *Service) GetAccountSummary(ctx context.Context, c *keyward.Caller, in *GetAccountSummaryInput) (*GetAccountSummaryOutput, error) {
	var out GetAccountSummaryOutput
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetAccountSummary", "*", nil); err != nil {
			return err
		}
		n, err := o.CountEntities(c.AccountID)
		if err != nil {
			return err
		}
		a, err := o.GetAccount(c.AccountID)
		if err != nil {
			return err
		}
		b2i := func(b bool) int {
			if b {
				return 1
			}
			return 0
		}
		out.SummaryMap = []SummaryEntry{
			{"Users", n.Users},
			{"UsersQuota", quotaUsers},
			{"Groups", n.Groups},
			{"GroupsQuota", quotaGroups},
			{"ServerCertificates", n.ServerCertificates},
			{"ServerCertificatesQuota", quotaServerCertificates},
			{"UserPolicySizeQuota", userKind.inlineQuota},
			{"GroupPolicySizeQuota", groupKind.inlineQuota},
			{"GroupsPerUserQuota", maxGroupsPerUser},
			{"SigningCertificatesPerUserQuota", quotaSigningCertificates},
			{"AccessKeysPerUserQuota", maxAccessKeysPerUser},
			{"MFADevices", n.MFADevices},
			{"MFADevicesInUse", n.MFADevicesInUse},
			{"AccountMFAEnabled", b2i(n.RootMFA > 0)},
			{"AccountAccessKeysPresent", b2i(n.RootAccessKeys > 0)},
			{"AccountPasswordPresent", 0},
			{"AccountSigningCertificatesPresent", b2i(n.RootSigningCertificates > 0)},
			{"AttachedPoliciesPerGroupQuota", maxAttachedPolicies},
			{"AttachedPoliciesPerRoleQuota", maxAttachedPolicies},
			{"AttachedPoliciesPerUserQuota", maxAttachedPolicies},
			{"Policies", n.Policies},
			{"PoliciesQuota", quotaPolicies},
			{"PolicySizeQuota", maxManagedPolicySize},
			{"PolicyVersionsInUse", n.PolicyAttachments},
			{"PolicyVersionsInUseQuota", quotaPolicyVersionsInUse},
			{"VersionsPerPolicyQuota", maxPolicyVersions},
			{"GlobalEndpointTokenVersion", max(a.GlobalEndpointTokenVersion, 1)},
			{"AssumeRolePolicySizeQuota", maxTrustPolicyChars},
			{"InstanceProfiles", n.InstanceProfiles},
			{"InstanceProfilesQuota", quotaInstanceProfiles},
			{"Providers", n.OIDCProviders + n.SAMLProviders},
			{"RolePolicySizeQuota", roleKind.inlineQuota},
			{"Roles", n.Roles},
			{"RolesQuota", quotaRoles},
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Authorization details.

// GetAccountAuthorizationDetailsInput is GetAccountAuthorizationDetails'
// request. Filter takes User, Role, Group, LocalManagedPolicy and
// AWSManagedPolicy; none means all.
type GetAccountAuthorizationDetailsInput struct {
	Filter   []string `query:"Filter"`
	MaxItems *int32   `query:"MaxItems"`
	Marker   *string  `query:"Marker"`
}

// PolicyDetail is AWS's PolicyDetail: an inline policy, its document
// URL-encoded.
type PolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// UserDetail is AWS's UserDetail.
type UserDetail struct {
	Path                    string                  `xml:"Path"`
	UserName                string                  `xml:"UserName"`
	UserID                  string                  `xml:"UserId"`
	ARN                     string                  `xml:"Arn"`
	CreateDate              Time                    `xml:"CreateDate"`
	UserPolicyList          Members[PolicyDetail]   `xml:"UserPolicyList"`
	GroupList               Members[string]         `xml:"GroupList"`
	AttachedManagedPolicies Members[AttachedPolicy] `xml:"AttachedManagedPolicies"`
	PermissionsBoundary     *PermissionsBoundary    `xml:"PermissionsBoundary,omitempty"`
	Tags                    []Tag                   `xml:"Tags>member,omitempty"`
}

// GroupDetail is AWS's GroupDetail.
type GroupDetail struct {
	Path                    string                  `xml:"Path"`
	GroupName               string                  `xml:"GroupName"`
	GroupID                 string                  `xml:"GroupId"`
	ARN                     string                  `xml:"Arn"`
	CreateDate              Time                    `xml:"CreateDate"`
	GroupPolicyList         Members[PolicyDetail]   `xml:"GroupPolicyList"`
	AttachedManagedPolicies Members[AttachedPolicy] `xml:"AttachedManagedPolicies"`
}

// RoleDetail is AWS's RoleDetail.
type RoleDetail struct {
	Path                     string                   `xml:"Path"`
	RoleName                 string                   `xml:"RoleName"`
	RoleID                   string                   `xml:"RoleId"`
	ARN                      string                   `xml:"Arn"`
	CreateDate               Time                     `xml:"CreateDate"`
	AssumeRolePolicyDocument string                   `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      Members[InstanceProfile] `xml:"InstanceProfileList"`
	RolePolicyList           Members[PolicyDetail]    `xml:"RolePolicyList"`
	AttachedManagedPolicies  Members[AttachedPolicy]  `xml:"AttachedManagedPolicies"`
	PermissionsBoundary      *PermissionsBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     []Tag                    `xml:"Tags>member,omitempty"`
	RoleLastUsed             *RoleLastUsed            `xml:"RoleLastUsed,omitempty"`
}

// ManagedPolicyDetail is AWS's ManagedPolicyDetail: a managed policy with
// every version's document.
type ManagedPolicyDetail struct {
	PolicyName                    string                 `xml:"PolicyName"`
	PolicyID                      string                 `xml:"PolicyId"`
	ARN                           string                 `xml:"Arn"`
	Path                          string                 `xml:"Path"`
	DefaultVersionID              string                 `xml:"DefaultVersionId"`
	AttachmentCount               int                    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                   `xml:"IsAttachable"`
	Description                   string                 `xml:"Description,omitempty"`
	CreateDate                    Time                   `xml:"CreateDate"`
	UpdateDate                    Time                   `xml:"UpdateDate"`
	PolicyVersionList             Members[PolicyVersion] `xml:"PolicyVersionList"`
}

// GetAccountAuthorizationDetailsOutput is GetAccountAuthorizationDetails'
// result.
type GetAccountAuthorizationDetailsOutput struct {
	UserDetailList  Members[UserDetail]          `xml:"UserDetailList"`
	GroupDetailList Members[GroupDetail]         `xml:"GroupDetailList"`
	RoleDetailList  Members[RoleDetail]          `xml:"RoleDetailList"`
	Policies        Members[ManagedPolicyDetail] `xml:"Policies"`
	IsTruncated     bool                         `xml:"IsTruncated"`
	Marker          string                       `xml:"Marker,omitempty"`
}

// detailItem is one entry of the combined list GetAccountAuthorizationDetails
// pages through: users, then groups, roles and policies.
type detailItem struct {
	kind   keyward.EntityKind
	name   string // users, groups, roles
	policy keyward.ManagedPolicy
}

// GetAccountAuthorizationDetails describes the account's users, groups,
// roles and managed policies with everything that grants permissions:
// inline policies, attachments, memberships, boundaries and every version
// of each managed policy (AWS-managed ones only when this account uses
// them). MaxItems counts entries of all four lists together.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, c *keyward.Caller, in *GetAccountAuthorizationDetailsInput) (*GetAccountAuthorizationDetailsOutput, error) {
	kinds := []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}
	want := make(map[string]bool, len(kinds))
	for _, f := range in.Filter {
		want[f] = true
	}
	if len(want) == 0 {
		for _, k := range kinds {
			want[k] = true
		}
	}
	out := GetAccountAuthorizationDetailsOutput{
		UserDetailList: Members[UserDetail]{}, GroupDetailList: Members[GroupDetail]{},
		RoleDetailList: Members[RoleDetail]{}, Policies: Members[ManagedPolicyDetail]{},
	}
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetAccountAuthorizationDetails", "*", nil); err != nil {
			return err
		}
		items, err := detailItems(o.Tx, c.AccountID, want)
		if err != nil {
			return err
		}
		page, next, err := pageOf(items, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, it := range page {
			if err := addDetail(o.Tx, c.AccountID, it, &out); err != nil {
				return err
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

// detailItems lists what GetAccountAuthorizationDetails reports, in order.
func detailItems(tx keyward.Tx, acct string, want map[string]bool) ([]detailItem, error) {
	all := keyward.ListOptions{}
	users, _, err := tx.ListUsers(acct, all)
	if err != nil {
		return nil, err
	}
	groups, _, err := tx.ListGroups(acct, all)
	if err != nil {
		return nil, err
	}
	roles, _, err := tx.ListRoles(acct, all)
	if err != nil {
		return nil, err
	}
	var items []detailItem
	if want["User"] {
		for _, u := range users {
			items = append(items, detailItem{kind: keyward.KindUser, name: u.Name})
		}
	}
	if want["Group"] {
		for _, g := range groups {
			items = append(items, detailItem{kind: keyward.KindGroup, name: g.Name})
		}
	}
	if want["Role"] {
		for _, r := range roles {
			items = append(items, detailItem{kind: keyward.KindRole, name: r.Name})
		}
	}
	if !want["LocalManagedPolicy"] && !want["AWSManagedPolicy"] {
		return items, nil
	}
	// AWS-managed policies are reported when this account uses them, as
	// an attachment or a boundary.
	used := make(map[string]bool)
	if want["AWSManagedPolicy"] {
		note := func(ref keyward.EntityRef, boundary string) error {
			if boundary != "" {
				used[strings.ToLower(boundary)] = true
			}
			ps, err := tx.ListAttachedPolicies(ref)
			for _, p := range ps {
				used[strings.ToLower(p.ARN)] = true
			}
			return err
		}
		for _, u := range users {
			if err := note(keyward.UserRef(acct, u.Name), u.PermissionsBoundaryARN); err != nil {
				return nil, err
			}
		}
		for _, g := range groups {
			if err := note(keyward.GroupRef(acct, g.Name), ""); err != nil {
				return nil, err
			}
		}
		for _, r := range roles {
			if err := note(keyward.RoleRef(acct, r.Name), r.PermissionsBoundaryARN); err != nil {
				return nil, err
			}
		}
	}
	policies, _, err := tx.ListPolicies(acct, keyward.PolicyListOptions{Scope: keyward.ScopeAll})
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		local := p.AccountID == acct
		if local && want["LocalManagedPolicy"] || !local && used[strings.ToLower(p.ARN)] {
			items = append(items, detailItem{kind: keyward.KindPolicy, policy: p})
		}
	}
	return items, nil
}

func policyDetails(ps []keyward.InlinePolicy) Members[PolicyDetail] {
	out := make(Members[PolicyDetail], len(ps))
	for i, p := range ps {
		out[i] = PolicyDetail{PolicyName: p.PolicyName, PolicyDocument: EncodeDocument(p.Document)}
	}
	return out
}

func attachedOut(ps []keyward.ManagedPolicy) Members[AttachedPolicy] {
	out := make(Members[AttachedPolicy], len(ps))
	for i, p := range ps {
		out[i] = AttachedPolicy{PolicyName: p.Name, PolicyARN: p.ARN}
	}
	return out
}

// addDetail reads one item's details into out.
func addDetail(tx keyward.Tx, acct string, it detailItem, out *GetAccountAuthorizationDetailsOutput) error {
	switch it.kind {
	case keyward.KindUser:
		u, err := tx.GetUser(acct, it.name)
		if err != nil {
			return err
		}
		ref := keyward.UserRef(acct, u.Name)
		inline, err := tx.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		attached, err := tx.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		groups, err := tx.ListGroupsForUser(acct, u.Name)
		if err != nil {
			return err
		}
		tags, err := tx.ListTags(ref)
		if err != nil {
			return err
		}
		names := make(Members[string], len(groups))
		for i, g := range groups {
			names[i] = g.Name
		}
		out.UserDetailList = append(out.UserDetailList, UserDetail{
			Path: u.Path, UserName: u.Name, UserID: u.ID, ARN: u.ARN, CreateDate: Time(u.CreateDate),
			UserPolicyList: policyDetails(inline), GroupList: names, AttachedManagedPolicies: attachedOut(attached),
			PermissionsBoundary: boundaryOut(u.PermissionsBoundaryARN), Tags: tagsOut(tags),
		})
	case keyward.KindGroup:
		g, err := tx.GetGroup(acct, it.name)
		if err != nil {
			return err
		}
		ref := keyward.GroupRef(acct, g.Name)
		inline, err := tx.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		attached, err := tx.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		out.GroupDetailList = append(out.GroupDetailList, GroupDetail{
			Path: g.Path, GroupName: g.Name, GroupID: g.ID, ARN: g.ARN, CreateDate: Time(g.CreateDate),
			GroupPolicyList: policyDetails(inline), AttachedManagedPolicies: attachedOut(attached),
		})
	case keyward.KindRole:
		r, err := tx.GetRole(acct, it.name)
		if err != nil {
			return err
		}
		ref := keyward.RoleRef(acct, r.Name)
		inline, err := tx.ListInlinePolicies(ref)
		if err != nil {
			return err
		}
		attached, err := tx.ListAttachedPolicies(ref)
		if err != nil {
			return err
		}
		tags, err := tx.ListTags(ref)
		if err != nil {
			return err
		}
		profiles, _, err := tx.ListInstanceProfilesForRole(acct, r.Name, keyward.ListOptions{})
		if err != nil {
			return err
		}
		ips := make(Members[InstanceProfile], len(profiles))
		for i, p := range profiles {
			ips[i] = instanceProfileOut(p, nil)
			for j := range p.Roles {
				if ips[i].Roles[j].AssumeRolePolicyDocument, err = trustShown(tx, p.Roles[j]); err != nil {
					return err
				}
			}
		}
		if r.AssumeRolePolicyDocument, err = authz.TrustPolicy(tx, r); err != nil {
			return err
		}
		full := roleOut(r, nil, true)
		out.RoleDetailList = append(out.RoleDetailList, RoleDetail{
			Path: r.Path, RoleName: r.Name, RoleID: r.ID, ARN: r.ARN, CreateDate: Time(r.CreateDate),
			AssumeRolePolicyDocument: EncodeDocument(r.AssumeRolePolicyDocument),
			InstanceProfileList:      ips, RolePolicyList: policyDetails(inline),
			AttachedManagedPolicies: attachedOut(attached),
			PermissionsBoundary:     boundaryOut(r.PermissionsBoundaryARN), Tags: tagsOut(tags),
			RoleLastUsed: full.RoleLastUsed,
		})
	case keyward.KindPolicy:
		p := it.policy
		versions, err := tx.ListPolicyVersions(p.ARN)
		if err != nil {
			return err
		}
		vs := make(Members[PolicyVersion], len(versions))
		for i, pv := range versions {
			vs[i] = versionOut(pv, true)
		}
		out.Policies = append(out.Policies, ManagedPolicyDetail{
			PolicyName: p.Name, PolicyID: p.ID, ARN: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
			AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
			IsAttachable: p.IsAttachable, Description: p.Description,
			CreateDate: Time(p.CreateDate), UpdateDate: Time(p.UpdateDate), PolicyVersionList: vs,
		})
	}
	return nil
}

// Password policy.

// UpdateAccountPasswordPolicyInput is UpdateAccountPasswordPolicy's
// request. Members left out take AWS's defaults: the call replaces the
// whole policy.
type UpdateAccountPasswordPolicyInput struct {
	MinimumPasswordLength      *int32 `query:"MinimumPasswordLength"`
	RequireSymbols             *bool  `query:"RequireSymbols"`
	RequireNumbers             *bool  `query:"RequireNumbers"`
	RequireUppercaseCharacters *bool  `query:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters *bool  `query:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword *bool  `query:"AllowUsersToChangePassword"`
	MaxPasswordAge             *int32 `query:"MaxPasswordAge"`
	PasswordReusePrevention    *int32 `query:"PasswordReusePrevention"`
	HardExpiry                 *bool  `query:"HardExpiry"`
}

// defaultMinimumPasswordLength is AWS's default when the member is left out.
const defaultMinimumPasswordLength = 6

// UpdateAccountPasswordPolicy sets the account's password policy, which
// CreateLoginProfile, UpdateLoginProfile, ChangePassword and SignIn
// enforce.
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, c *keyward.Caller, in *UpdateAccountPasswordPolicyInput) (*struct{}, error) {
	p := keyward.PasswordPolicy{
		AccountID:                  c.AccountID,
		MinimumPasswordLength:      int(deref(in.MinimumPasswordLength, defaultMinimumPasswordLength)),
		RequireSymbols:             deref(in.RequireSymbols, false),
		RequireNumbers:             deref(in.RequireNumbers, false),
		RequireUppercaseCharacters: deref(in.RequireUppercaseCharacters, false),
		RequireLowercaseCharacters: deref(in.RequireLowercaseCharacters, false),
		AllowUsersToChangePassword: deref(in.AllowUsersToChangePassword, false),
		MaxPasswordAge:             int(deref(in.MaxPasswordAge, 0)),
		PasswordReusePrevention:    int(deref(in.PasswordReusePrevention, 0)),
		HardExpiry:                 deref(in.HardExpiry, false),
		HardExpirySet:              in.HardExpiry != nil,
	}
	p.ExpirePasswords = p.MaxPasswordAge > 0
	if err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:UpdateAccountPasswordPolicy", "*", nil); err != nil {
			return err
		}
		return o.PutPasswordPolicy(p)
	}); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// PasswordPolicy is AWS's PasswordPolicy shape. MaxPasswordAge,
// PasswordReusePrevention and HardExpiry are left out when not set (AWS's
// answer to UpdateAccountPasswordPolicy without them, LocalStack's
// AWS-validated test_update_account_password_policy_defaults snapshot).
type PasswordPolicy struct {
	MinimumPasswordLength      int   `xml:"MinimumPasswordLength"`
	RequireSymbols             bool  `xml:"RequireSymbols"`
	RequireNumbers             bool  `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool  `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool  `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool  `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool  `xml:"ExpirePasswords"`
	MaxPasswordAge             int   `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int   `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool `xml:"HardExpiry"`
}

// GetAccountPasswordPolicyInput is GetAccountPasswordPolicy's request (no
// parameters).
type GetAccountPasswordPolicyInput struct{}

// GetAccountPasswordPolicyOutput is GetAccountPasswordPolicy's result.
type GetAccountPasswordPolicyOutput struct {
	PasswordPolicy PasswordPolicy `xml:"PasswordPolicy"`
}

// GetAccountPasswordPolicy returns the account's password policy;
// NoSuchEntity when none is set.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, c *keyward.Caller, in *GetAccountPasswordPolicyInput) (*GetAccountPasswordPolicyOutput, error) {
	var p keyward.PasswordPolicy
	err := s.view(ctx, c, func(o *op) error {
		if err := o.authorize("iam:GetAccountPasswordPolicy", "*", nil); err != nil {
			return err
		}
		var err error
		p, err = o.GetPasswordPolicy(c.AccountID)
		return said(err, kindPasswordPolicy, c.AccountID)
	})
	if err != nil {
		return nil, err
	}
	return &GetAccountPasswordPolicyOutput{PasswordPolicy: PasswordPolicy{
		MinimumPasswordLength:      p.MinimumPasswordLength,
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		ExpirePasswords:            p.ExpirePasswords,
		MaxPasswordAge:             p.MaxPasswordAge,
		PasswordReusePrevention:    p.PasswordReusePrevention,
		HardExpiry:                 hardExpiry(p),
	}}, nil
}

// hardExpiry is p's HardExpiry as AWS answers it: nil when never set. A
// true HardExpiry was set, whatever HardExpirySet says (an export written
// before the field existed).
func hardExpiry(p keyward.PasswordPolicy) *bool {
	if !p.HardExpirySet && !p.HardExpiry {
		return nil
	}
	return &p.HardExpiry
}

// DeleteAccountPasswordPolicyInput is DeleteAccountPasswordPolicy's
// request (no parameters).
type DeleteAccountPasswordPolicyInput struct{}

// DeleteAccountPasswordPolicy removes the account's password policy;
// NoSuchEntity when none is set.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, c *keyward.Caller, in *DeleteAccountPasswordPolicyInput) (*struct{}, error) {
	if err := s.update(ctx, c, false, func(o *op) error {
		if err := o.authorize("iam:DeleteAccountPasswordPolicy", "*", nil); err != nil {
			return err
		}
		return said(o.DeletePasswordPolicy(c.AccountID), kindPolicyToDelete)
	}); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
