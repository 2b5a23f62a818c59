package keyward

import (
	"context"
	"time"
)

// Store keeps Keyward's state. All reads and writes go through a Tx, so that
// the rules enforced above the store (quotas, name conflicts, deletion
// conflicts) are checked and acted on atomically: read, decide and write in
// one Update.
//
// Names of users, groups, roles, managed policies and instance profiles are
// unique per account regardless of case, and lookups by name ignore case too:
// AWS's API reference says "IAM user, group, role, and policy names must be
// unique within the account. Names are not distinguished by case." A lookup
// in another case finds the entity and returns its name as created. The same
// holds for inline policy names per owner and tag keys per resource. Access
// key IDs, unique IDs and ARNs other than policy ARNs are compared exactly.
//
// Errors: methods return a *Error with code ErrNoSuchEntity,
// ErrEntityAlreadyExists, ErrDeleteConflict or ErrInvalidInput as documented
// on each method. The code is the contract; the message is neutral ("no
// such user alice"), for logs and tests, and never what a client reads:
// iam and sts answer clients in AWS's words, which name what they asked
// the store about. Anything else is an internal error (wrapped with %w)
// and must not be shown to clients.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent
	// snapshot. Write methods called on its Tx fail.
	View(ctx context.Context, fn func(Tx) error) error

	// Update runs fn in a serializable read-write transaction and commits it
	// when fn returns nil; when fn returns an error (or panics) nothing fn
	// wrote is kept and View/Update returns fn's error unchanged. fn may run
	// more than once when the store retries a conflicting transaction, so it
	// must have no side effects outside the Tx. fn must not call the Store
	// (nested transactions may deadlock).
	Update(ctx context.Context, fn func(Tx) error) error

	// Close releases the store. Transactions in progress fail.
	Close() error
}

// ListOptions selects one page of a list sorted by name (case-insensitively).
type ListOptions struct {
	// PathPrefix keeps only entities whose Path begins with it; "" and "/"
	// keep all.
	PathPrefix string
	// Marker is the Next value of the previous page; "" starts at the top.
	// A marker the store did not issue gives ErrInvalidInput.
	Marker string
	// MaxItems is the page size; 0 or less means no limit.
	MaxItems int
}

// MFADeviceListOptions select part of an account's MFA devices, sorted by
// serial number, as ListVirtualMFADevices pages them: by position.
type MFADeviceListOptions struct {
	// Assigned, when set, keeps the devices that are assigned (an
	// EnableDate set) when true and those that are not when false.
	Assigned *bool
	// Offset is how many of the kept devices to skip; Limit how many to
	// return at most (0 or less: all).
	Offset, Limit int
}

// PolicyScope is ListPolicies' Scope, AWS's spelling: All, AWS or Local.
type PolicyScope string

// Policy scopes.
const (
	ScopeAll   PolicyScope = "All"
	ScopeAWS   PolicyScope = "AWS"
	ScopeLocal PolicyScope = "Local"
)

// PolicyUsage is AWS's PolicyUsageFilter.
type PolicyUsage string

// Policy usages.
const (
	UsagePermissionsPolicy   PolicyUsage = "PermissionsPolicy"
	UsagePermissionsBoundary PolicyUsage = "PermissionsBoundary"
)

// PolicyListOptions are ListPolicies' filters.
type PolicyListOptions struct {
	ListOptions
	// Scope "" means All: the account's policies and the AWS-managed ones.
	Scope PolicyScope
	// OnlyAttached keeps policies with AttachmentCount > 0 (with Usage
	// PermissionsBoundary: PermissionsBoundaryUsageCount > 0).
	OnlyAttached bool
	// Usage PermissionsBoundary keeps policies in use as a boundary;
	// PermissionsPolicy and "" keep all.
	Usage PolicyUsage
}

// EntityListOptions are ListEntitiesForPolicy's filters.
type EntityListOptions struct {
	ListOptions // PathPrefix applies to the entities' paths
	// Kind is KindUser, KindGroup, KindRole, or "" for all three.
	Kind EntityKind
	// Usage PermissionsBoundary lists the users and roles that use the policy
	// as their boundary; PermissionsPolicy and "" list attachments.
	Usage PolicyUsage
	// AccountID keeps only entities of that account; "" keeps all. Set it
	// for AWS-managed policies, which entities of any account may use.
	AccountID string
}

// PolicyEntity is one entry of ListEntitiesForPolicy. Entries are sorted by
// Kind (group, role, user), then by name case-insensitively, then by ID.
type PolicyEntity struct {
	Kind EntityKind
	Name string
	ID   string
}

// Tx is one transaction. Its methods use the context given to View or
// Update and must not be used after the function given to them returns. Paged List methods return the page and
// next, the Marker of the following page, or "" when this page is the last
// (AWS's IsTruncated is next != ""). Other List methods return the whole list
// (the lists quotas bound), so quotas can be checked in the same Update.
//
// Methods that take an accountID and a name find the entity in that account,
// case-insensitively. Update* methods write the whole struct and find the
// row by its unique ID (so users and groups can be renamed); fields the
// struct's doc calls computed are ignored.
type Tx interface {
	// CreateAccount adds an account. ErrEntityAlreadyExists when the ID or
	// the (non-empty) alias is taken.
	CreateAccount(a Account) error
	// GetAccount returns one account. ErrNoSuchEntity when absent.
	GetAccount(id string) (Account, error)
	// GetAccountByAlias returns the account with that alias (exact).
	// ErrNoSuchEntity when none has it.
	GetAccountByAlias(alias string) (Account, error)
	// UpdateAccount writes a's alias, GlobalEndpointTokenVersion and outbound
	// federation. ErrNoSuchEntity when absent,
	// ErrEntityAlreadyExists when another account has the alias.
	UpdateAccount(a Account) error
	// ListAccounts returns all accounts sorted by ID.
	ListAccounts() ([]Account, error)

	// CreateUser adds a user. ErrEntityAlreadyExists when the account has a
	// user of that name in any case or the ID is taken.
	CreateUser(u User) error
	// GetUser returns a user. ErrNoSuchEntity.
	GetUser(accountID, name string) (User, error)
	// GetUserByID returns the user with that unique ID. ErrNoSuchEntity.
	GetUserByID(id string) (User, error)
	// UpdateUser writes u (found by u.ID): name, path, ARN, password last
	// used, boundary. ErrNoSuchEntity, or ErrEntityAlreadyExists when renamed
	// onto another user's name.
	UpdateUser(u User) error
	// DeleteUser removes a user and its tags. ErrNoSuchEntity;
	// ErrDeleteConflict while it has access keys, group memberships,
	// attached or inline policies (IAM checks these first, for AWS's
	// messages; the store refuses too so nothing dangles).
	DeleteUser(accountID, name string) error
	// ListUsers returns a page of the account's users.
	ListUsers(accountID string, opts ListOptions) (users []User, next string, err error)
	// GetUsers returns the account's users of those names (any case),
	// sorted by name case-insensitively; a name that names no user is left
	// out, and a name given twice gives its user once. One read for a page
	// of MFA devices or the like instead of a GetUser each.
	GetUsers(accountID string, names []string) ([]User, error)

	// CreateGroup adds a group. ErrEntityAlreadyExists.
	CreateGroup(g Group) error
	// GetGroup returns a group. ErrNoSuchEntity.
	GetGroup(accountID, name string) (Group, error)
	// UpdateGroup writes g (found by g.ID): name, path, ARN. ErrNoSuchEntity,
	// ErrEntityAlreadyExists.
	UpdateGroup(g Group) error
	// DeleteGroup removes a group and its tags. ErrNoSuchEntity;
	// ErrDeleteConflict while it has members, attached or inline policies.
	DeleteGroup(accountID, name string) error
	// ListGroups returns a page of the account's groups.
	ListGroups(accountID string, opts ListOptions) (groups []Group, next string, err error)

	// AddUserToGroup makes the user a member of the group; adding a member
	// again does nothing. ErrNoSuchEntity when the group or user is absent.
	AddUserToGroup(accountID, groupName, userName string) error
	// RemoveUserFromGroup ends a membership. ErrNoSuchEntity when the group
	// or user is absent or the user is not a member.
	RemoveUserFromGroup(accountID, groupName, userName string) error
	// ListGroupsForUser returns all the user's groups sorted by name.
	// ErrNoSuchEntity when the user is absent.
	ListGroupsForUser(accountID, userName string) ([]Group, error)
	// ListGroupMembers returns a page of the group's users (PathPrefix
	// ignored). ErrNoSuchEntity when the group is absent.
	ListGroupMembers(accountID, groupName string, opts ListOptions) (users []User, next string, err error)

	// CreateRole adds a role. ErrEntityAlreadyExists.
	CreateRole(r Role) error
	// GetRole returns a role. ErrNoSuchEntity.
	GetRole(accountID, name string) (Role, error)
	// GetRoleByID returns the role with that unique ID. ErrNoSuchEntity.
	GetRoleByID(id string) (Role, error)
	// UpdateRole writes r (found by r.ID). ErrNoSuchEntity,
	// ErrEntityAlreadyExists.
	UpdateRole(r Role) error
	// DeleteRole removes a role and its tags. ErrNoSuchEntity;
	// ErrDeleteConflict while it has attached or inline policies or is in
	// an instance profile.
	DeleteRole(accountID, name string) error
	// ListRoles returns a page of the account's roles.
	ListRoles(accountID string, opts ListOptions) (roles []Role, next string, err error)

	// CreatePolicy adds a managed policy and its version v1 (holding
	// document, created at p.CreateDate), which becomes the default;
	// p.DefaultVersionID is ignored. ErrEntityAlreadyExists when the
	// account has a policy of that name or the ARN or ID is taken.
	CreatePolicy(p ManagedPolicy, document string) error
	// GetPolicy returns a policy by ARN (compared case-insensitively).
	// ErrNoSuchEntity. Its AttachmentCount and
	// PermissionsBoundaryUsageCount count entities of every account, which
	// matters only for AWS-managed policies: see GetPolicyInAccount.
	GetPolicy(arn string) (ManagedPolicy, error)
	// GetPolicyInAccount is GetPolicy with the counts limited to the
	// entities of accountID: what AWS shows an account for an AWS-managed
	// policy. ErrNoSuchEntity.
	GetPolicyInAccount(accountID, arn string) (ManagedPolicy, error)
	// UpdatePolicy writes p (found by p.ID): DefaultVersionID, IsAttachable,
	// Description, UpdateDate. ErrNoSuchEntity when the policy or the
	// default version named is absent.
	UpdatePolicy(p ManagedPolicy) error
	// DeletePolicy removes a policy, all its versions and its tags.
	// ErrNoSuchEntity; ErrDeleteConflict while it is attached to an entity.
	// (Non-default versions and boundary use are IAM's to check.)
	DeletePolicy(arn string) error
	// ListPolicies returns a page of policies visible from the account.
	// Sorted by name case-insensitively, then by ARN. Counts (and the
	// OnlyAttached and Usage filters) consider only the account's entities.
	ListPolicies(accountID string, opts PolicyListOptions) (policies []ManagedPolicy, next string, err error)

	// CreatePolicyVersion adds a version to the policy v.PolicyARN and
	// returns it as stored. When v.VersionID is "" the store assigns the
	// next number ("v2", ...; numbers are never reused). When v.IsDefault
	// it becomes the policy's default. ErrNoSuchEntity when the policy is
	// absent; ErrEntityAlreadyExists when the given VersionID exists.
	CreatePolicyVersion(v PolicyVersion) (PolicyVersion, error)
	// GetPolicyVersion returns one version. ErrNoSuchEntity.
	GetPolicyVersion(policyARN, versionID string) (PolicyVersion, error)
	// ListPolicyVersions returns all versions, newest first.
	// ErrNoSuchEntity when the policy is absent.
	ListPolicyVersions(policyARN string) ([]PolicyVersion, error)
	// DeletePolicyVersion removes a version. ErrNoSuchEntity;
	// ErrDeleteConflict for the default version.
	DeletePolicyVersion(policyARN, versionID string) error

	// AttachPolicy attaches a managed policy to a user, group or role;
	// attaching again does nothing. ErrNoSuchEntity when either is absent.
	AttachPolicy(entity EntityRef, policyARN string) error
	// DetachPolicy detaches it. ErrNoSuchEntity when either is absent or the
	// policy is not attached.
	DetachPolicy(entity EntityRef, policyARN string) error
	// ListAttachedPolicies returns every policy attached to a user, group or
	// role, sorted by name then ARN, with counts limited to the entity's
	// account. ErrNoSuchEntity when the entity is absent.
	ListAttachedPolicies(entity EntityRef) ([]ManagedPolicy, error)
	// ListEntitiesForPolicy returns a page of the entities that use a
	// policy. ErrNoSuchEntity when the policy is absent.
	ListEntitiesForPolicy(policyARN string, opts EntityListOptions) (entities []PolicyEntity, next string, err error)

	// PutInlinePolicy creates or replaces an inline policy of a user, group
	// or role (replacing keeps the name as first given). ErrNoSuchEntity
	// when the owner is absent.
	PutInlinePolicy(p InlinePolicy) error
	// GetInlinePolicy returns one inline policy. ErrNoSuchEntity when the
	// owner or the policy is absent.
	GetInlinePolicy(owner EntityRef, policyName string) (InlinePolicy, error)
	// DeleteInlinePolicy removes one. ErrNoSuchEntity.
	DeleteInlinePolicy(owner EntityRef, policyName string) error
	// ListInlinePolicies returns all the owner's inline policies, with
	// documents, sorted by name. ErrNoSuchEntity when the owner is absent.
	ListInlinePolicies(owner EntityRef) ([]InlinePolicy, error)

	// TagEntity adds tags to any kind of entity, replacing the value (and
	// the key's spelling) of keys already present in any case.
	// ErrNoSuchEntity when the entity is absent.
	TagEntity(entity EntityRef, tags []Tag) error
	// UntagEntity removes the tags with these keys (any case); absent keys
	// are ignored. ErrNoSuchEntity when the entity is absent.
	UntagEntity(entity EntityRef, keys []string) error
	// ListTags returns all the entity's tags sorted by key
	// case-insensitively. ErrNoSuchEntity when the entity is absent.
	ListTags(entity EntityRef) ([]Tag, error)

	// CreateInstanceProfile adds an instance profile (p.Roles ignored).
	// ErrEntityAlreadyExists.
	CreateInstanceProfile(p InstanceProfile) error
	// GetInstanceProfile returns a profile with its roles. ErrNoSuchEntity.
	GetInstanceProfile(accountID, name string) (InstanceProfile, error)
	// DeleteInstanceProfile removes a profile and its tags. ErrNoSuchEntity;
	// ErrDeleteConflict while it holds a role.
	DeleteInstanceProfile(accountID, name string) error
	// ListInstanceProfiles returns a page of the account's profiles, with
	// their roles.
	ListInstanceProfiles(accountID string, opts ListOptions) (profiles []InstanceProfile, next string, err error)
	// AddRoleToInstanceProfile puts a role in a profile (the one-role quota
	// is IAM's to check). ErrNoSuchEntity when either is absent;
	// ErrEntityAlreadyExists when the role is already in it.
	AddRoleToInstanceProfile(accountID, profileName, roleName string) error
	// RemoveRoleFromInstanceProfile takes it out. ErrNoSuchEntity when
	// either is absent or the role is not in the profile.
	RemoveRoleFromInstanceProfile(accountID, profileName, roleName string) error
	// ListInstanceProfilesForRole returns a page of the profiles holding the
	// role (PathPrefix ignored). ErrNoSuchEntity when the role is absent.
	ListInstanceProfilesForRole(accountID, roleName string, opts ListOptions) (profiles []InstanceProfile, next string, err error)

	// CreateAccessKey adds an access key for k.UserName ("" for the
	// account's root). ErrNoSuchEntity when the user is absent;
	// ErrEntityAlreadyExists when the AccessKeyID is taken (in any account).
	CreateAccessKey(k AccessKey) error
	// GetAccessKey returns the key with that ID, in any account.
	// ErrNoSuchEntity.
	GetAccessKey(accessKeyID string) (AccessKey, error)
	// ListAccessKeys returns all keys of a user ("" for root), oldest
	// first. ErrNoSuchEntity when the user is absent.
	ListAccessKeys(accountID, userName string) ([]AccessKey, error)
	// ListAccountAccessKeys returns every access key of the account, its
	// root's and its users', oldest first (each user's in ListAccessKeys'
	// order): one read for the credential report.
	ListAccountAccessKeys(accountID string) ([]AccessKey, error)
	// SetAccessKeyStatus sets a key's status. ErrNoSuchEntity.
	SetAccessKeyStatus(accessKeyID string, status AccessKeyStatus) error
	// SetAccessKeyLastUsed records a key's last use. ErrNoSuchEntity.
	SetAccessKeyLastUsed(accessKeyID string, k AccessKeyLastUsed) error
	// DeleteAccessKey removes a key. ErrNoSuchEntity.
	DeleteAccessKey(accessKeyID string) error

	// CreateOIDCProvider adds a provider. ErrEntityAlreadyExists when the
	// ARN is taken.
	CreateOIDCProvider(p OIDCProvider) error
	// GetOIDCProvider returns a provider by ARN. ErrNoSuchEntity.
	GetOIDCProvider(arn string) (OIDCProvider, error)
	// UpdateOIDCProvider writes p's client IDs and thumbprints (found by
	// ARN). ErrNoSuchEntity.
	UpdateOIDCProvider(p OIDCProvider) error
	// DeleteOIDCProvider removes a provider and its tags. ErrNoSuchEntity.
	DeleteOIDCProvider(arn string) error
	// ListOIDCProviders returns all the account's providers sorted by ARN.
	ListOIDCProviders(accountID string) ([]OIDCProvider, error)

	// GetPasswordPolicy returns an account's password policy.
	// ErrNoSuchEntity when none is set.
	GetPasswordPolicy(accountID string) (PasswordPolicy, error)
	// PutPasswordPolicy sets (creates or replaces) it.
	PutPasswordPolicy(p PasswordPolicy) error
	// DeletePasswordPolicy removes it. ErrNoSuchEntity when none is set.
	DeletePasswordPolicy(accountID string) error

	// CreateServiceLinkedRoleDeletion records a deletion task.
	// ErrEntityAlreadyExists when the TaskID is taken.
	CreateServiceLinkedRoleDeletion(d ServiceLinkedRoleDeletion) error
	// GetServiceLinkedRoleDeletion returns a task. ErrNoSuchEntity.
	GetServiceLinkedRoleDeletion(taskID string) (ServiceLinkedRoleDeletion, error)
	// UpdateServiceLinkedRoleDeletion writes d's Status and Reason (found
	// by TaskID). ErrNoSuchEntity.
	UpdateServiceLinkedRoleDeletion(d ServiceLinkedRoleDeletion) error

	// CreateKeyRingEntry adds a key. ErrEntityAlreadyExists when the ID is
	// taken.
	CreateKeyRingEntry(e KeyRingEntry) error
	// ListKeyRingEntries returns every key, oldest first (by CreateDate,
	// then ID).
	ListKeyRingEntries() ([]KeyRingEntry, error)
	// DeleteKeyRingEntry removes a key. ErrNoSuchEntity.
	DeleteKeyRingEntry(id string) error

	// GetAccountByOutboundIssuer returns the account whose OutboundIssuer
	// is issuer (exact). ErrNoSuchEntity when none is.
	GetAccountByOutboundIssuer(issuer string) (Account, error)
	// CreateOutboundKey adds a signing key of an account's outbound web
	// identity federation. ErrNoSuchEntity when the account is absent;
	// ErrEntityAlreadyExists when the account has a key of that KeyID.
	CreateOutboundKey(k OutboundKey) error
	// ListOutboundKeys returns an account's outbound signing keys, oldest
	// first (by CreateDate, then KeyID); none for an unknown account.
	ListOutboundKeys(accountID string) ([]OutboundKey, error)
	// DeleteOutboundKey removes an account's signing key (a retired one,
	// whose tokens have all expired). ErrNoSuchEntity.
	DeleteOutboundKey(accountID, keyID string) error

	// CreateLoginProfile gives a user a password. ErrNoSuchEntity when the
	// user is absent; ErrEntityAlreadyExists when it has one.
	CreateLoginProfile(p LoginProfile) error
	// GetLoginProfile returns a user's login profile. ErrNoSuchEntity when
	// the user or its profile is absent.
	GetLoginProfile(accountID, userName string) (LoginProfile, error)
	// ListLoginProfiles returns the login profiles of the account's users,
	// sorted by user name case-insensitively.
	ListLoginProfiles(accountID string) ([]LoginProfile, error)
	// UpdateLoginProfile writes p (found by AccountID and UserName): the
	// hash, reset flag, change date and history. ErrNoSuchEntity.
	UpdateLoginProfile(p LoginProfile) error
	// DeleteLoginProfile removes it. ErrNoSuchEntity.
	DeleteLoginProfile(accountID, userName string) error

	// CreateMFADevice adds a virtual MFA device (assigned as d says).
	// ErrEntityAlreadyExists when the serial number is taken in any case;
	// ErrNoSuchEntity when d.UserName names no user.
	CreateMFADevice(d MFADevice) error
	// GetMFADevice returns a device by serial number (exact).
	// ErrNoSuchEntity.
	GetMFADevice(serialNumber string) (MFADevice, error)
	// UpdateMFADevice writes d's assignment (UserName, Root), EnableDate
	// and LastCounter (found by SerialNumber). ErrNoSuchEntity.
	UpdateMFADevice(d MFADevice) error
	// DeleteMFADevice removes a device and its tags. ErrNoSuchEntity.
	DeleteMFADevice(serialNumber string) error
	// ListMFADevices returns every device of the account sorted by serial
	// number.
	ListMFADevices(accountID string) ([]MFADevice, error)
	// ListMFADevicePage returns part of what ListMFADevices returns:
	// the devices opts.Assigned keeps, from the opts.Offset-th (0 is the
	// first) on, at most opts.Limit (0 or less: all). An Offset past the
	// end gives none.
	ListMFADevicePage(accountID string, opts MFADeviceListOptions) ([]MFADevice, error)

	// CreateUserCredential adds an SSH key, signing certificate or
	// service-specific credential of c.UserName ("" for root).
	// ErrNoSuchEntity when the user is absent; ErrEntityAlreadyExists when
	// the ID is taken.
	CreateUserCredential(c UserCredential) error
	// GetUserCredential returns one credential by kind and ID.
	// ErrNoSuchEntity.
	GetUserCredential(kind CredentialKind, id string) (UserCredential, error)
	// ListUserCredentials returns a user's credentials of a kind ("" for
	// root's), oldest first. ErrNoSuchEntity when the user is absent.
	ListUserCredentials(kind CredentialKind, accountID, userName string) ([]UserCredential, error)
	// ListAccountUserCredentials returns every credential of a kind in the
	// account, its root's and its users', oldest first (each user's in
	// ListUserCredentials' order).
	ListAccountUserCredentials(kind CredentialKind, accountID string) ([]UserCredential, error)
	// UpdateUserCredential writes c's Status and SecretCiphertext (found by
	// Kind and ID). ErrNoSuchEntity.
	UpdateUserCredential(c UserCredential) error
	// DeleteUserCredential removes one. ErrNoSuchEntity.
	DeleteUserCredential(kind CredentialKind, id string) error

	// CreateServerCertificate adds a server certificate.
	// ErrEntityAlreadyExists when the account has one of that name in any
	// case or the ID is taken.
	CreateServerCertificate(c ServerCertificate) error
	// GetServerCertificate returns one by name. ErrNoSuchEntity.
	GetServerCertificate(accountID, name string) (ServerCertificate, error)
	// UpdateServerCertificate writes c's name, path and ARN (found by
	// c.ID). ErrNoSuchEntity; ErrEntityAlreadyExists when renamed onto
	// another certificate's name.
	UpdateServerCertificate(c ServerCertificate) error
	// DeleteServerCertificate removes one and its tags. ErrNoSuchEntity.
	DeleteServerCertificate(accountID, name string) error
	// ListServerCertificates returns a page of the account's
	// certificates, sorted by name.
	ListServerCertificates(accountID string, opts ListOptions) (certs []ServerCertificate, next string, err error)

	// CreateSAMLProvider adds a provider. ErrEntityAlreadyExists when the
	// ARN is taken in any case.
	CreateSAMLProvider(p SAMLProvider) error
	// GetSAMLProvider returns one by ARN (exact). ErrNoSuchEntity.
	GetSAMLProvider(arn string) (SAMLProvider, error)
	// UpdateSAMLProvider writes p's Metadata and ValidUntil (found by ARN).
	// ErrNoSuchEntity.
	UpdateSAMLProvider(p SAMLProvider) error
	// DeleteSAMLProvider removes one and its tags. ErrNoSuchEntity.
	DeleteSAMLProvider(arn string) error
	// ListSAMLProviders returns the account's providers sorted by ARN.
	ListSAMLProviders(accountID string) ([]SAMLProvider, error)
	// RecordSAMLAssertion notes that the assertion id of the provider was
	// used, until notOnOrAfter, and forgets the notes that expired before
	// now. ErrEntityAlreadyExists when the assertion was used before: a
	// SAML assertion is accepted once.
	RecordSAMLAssertion(providerARN, id string, notOnOrAfter, now time.Time) error

	// CountEntities counts what the account holds (see EntityCounts)
	// without listing it. An account that holds nothing, or does not
	// exist, counts zeros.
	CountEntities(accountID string) (EntityCounts, error)

	// IAM Roles Anywhere's trust anchors, profiles and CRLs.
	RolesAnywhereTx

	// IAM's delegation requests (temporary delegation).
	DelegationTx
}

// EntityCounts is what Tx.CountEntities counts of one account: the numbers
// IAM's GetAccountSummary reports, whose SummaryMap keys are named on each
// field.
type EntityCounts struct {
	Users            int // Users
	Groups           int // Groups
	Roles            int // Roles
	Policies         int // Policies: customer-managed ones only
	InstanceProfiles int // InstanceProfiles
	OIDCProviders    int // Providers (with SAMLProviders)
	SAMLProviders    int // Providers (with OIDCProviders)
	// RootAccessKeys counts the root user's access keys (AccessKey.UserName
	// ""): AccountAccessKeysPresent is RootAccessKeys > 0.
	RootAccessKeys int
	// PolicyAttachments counts the managed policies attached to the
	// account's users, groups and roles, one per attachment: an AWS-managed
	// policy counts once for each of this account's entities it is
	// attached to, and its attachments in other accounts do not count.
	// It is PolicyVersionsInUse.
	PolicyAttachments int
	// MFADevices counts the account's virtual MFA devices,
	// MFADevicesInUse those assigned to a user or root; RootMFA is 1 when
	// one is assigned to the root user (AccountMFAEnabled).
	MFADevices      int
	MFADevicesInUse int
	RootMFA         int
	// ServerCertificates counts the account's server certificates.
	ServerCertificates int
	// RootSigningCertificates counts the root user's signing
	// certificates (AccountSigningCertificatesPresent).
	RootSigningCertificates int
}
