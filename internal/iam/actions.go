package iam

import (
	"sort"

	"github.com/keyward/keyward"
)

// Operation is one operation of IAM's API and whether Keyward implements
// it.
type Operation struct {
	Name      string
	Supported bool
}

// Operations lists every operation of IAM's API, as botocore 1.43's
// service model (iam/2010-05-08) names them, sorted by name: 176, of which
// Keyward implements the ones marked Supported, each as the Service method
// of that name. The README's table is made from it.
var Operations = []Operation{
	{"AcceptDelegationRequest", true},
	{"AddClientIDToOpenIDConnectProvider", true},
	{"AddRoleToInstanceProfile", true},
	{"AddUserToGroup", true},
	{"AssociateDelegationRequest", true},
	{"AttachGroupPolicy", true},
	{"AttachRolePolicy", true},
	{"AttachUserPolicy", true},
	{"ChangePassword", true},
	{"CreateAccessKey", true},
	{"CreateAccountAlias", true},
	{"CreateDelegationRequest", true},
	{"CreateGroup", true},
	{"CreateInstanceProfile", true},
	{"CreateLoginProfile", true},
	{"CreateOpenIDConnectProvider", true},
	{"CreatePolicy", true},
	{"CreatePolicyVersion", true},
	{"CreateRole", true},
	{"CreateSAMLProvider", true},
	{"CreateServiceLinkedRole", true},
	{"CreateServiceSpecificCredential", true},
	{"CreateUser", true},
	{"CreateVirtualMFADevice", true},
	{"DeactivateMFADevice", true},
	{"DeleteAccessKey", true},
	{"DeleteAccountAlias", true},
	{"DeleteAccountPasswordPolicy", true},
	{"DeleteGroup", true},
	{"DeleteGroupPolicy", true},
	{"DeleteInstanceProfile", true},
	{"DeleteLoginProfile", true},
	{"DeleteOpenIDConnectProvider", true},
	{"DeletePolicy", true},
	{"DeletePolicyVersion", true},
	{"DeleteRole", true},
	{"DeleteRolePermissionsBoundary", true},
	{"DeleteRolePolicy", true},
	{"DeleteSAMLProvider", true},
	{"DeleteSSHPublicKey", true},
	{"DeleteServerCertificate", true},
	{"DeleteServiceLinkedRole", true},
	{"DeleteServiceSpecificCredential", true},
	{"DeleteSigningCertificate", true},
	{"DeleteUser", true},
	{"DeleteUserPermissionsBoundary", true},
	{"DeleteUserPolicy", true},
	{"DeleteVirtualMFADevice", true},
	{"DetachGroupPolicy", true},
	{"DetachRolePolicy", true},
	{"DetachUserPolicy", true},
	{"DisableOrganizationsRootCredentialsManagement", false},
	{"DisableOrganizationsRootSessions", false},
	{"DisableOutboundWebIdentityFederation", true},
	{"EnableMFADevice", true},
	{"EnableOrganizationsRootCredentialsManagement", false},
	{"EnableOrganizationsRootSessions", false},
	{"EnableOutboundWebIdentityFederation", true},
	{"GenerateCredentialReport", true},
	{"GenerateOrganizationsAccessReport", false},
	{"GenerateServiceLastAccessedDetails", true},
	{"GetAccessKeyLastUsed", true},
	{"GetAccountAuthorizationDetails", true},
	{"GetAccountPasswordPolicy", true},
	{"GetAccountSummary", true},
	{"GetContextKeysForCustomPolicy", true},
	{"GetContextKeysForPrincipalPolicy", true},
	{"GetCredentialReport", true},
	{"GetDelegationRequest", true},
	{"GetGroup", true},
	{"GetGroupPolicy", true},
	{"GetHumanReadableSummary", true},
	{"GetInstanceProfile", true},
	{"GetLoginProfile", true},
	{"GetMFADevice", true},
	{"GetOpenIDConnectProvider", true},
	{"GetOrganizationsAccessReport", false},
	{"GetOutboundWebIdentityFederationInfo", true},
	{"GetPolicy", true},
	{"GetPolicyVersion", true},
	{"GetRole", true},
	{"GetRolePolicy", true},
	{"GetSAMLProvider", true},
	{"GetSSHPublicKey", true},
	{"GetServerCertificate", true},
	{"GetServiceLastAccessedDetails", true},
	{"GetServiceLastAccessedDetailsWithEntities", true},
	{"GetServiceLinkedRoleDeletionStatus", true},
	{"GetUser", true},
	{"GetUserPolicy", true},
	{"ListAccessKeys", true},
	{"ListAccountAliases", true},
	{"ListAttachedGroupPolicies", true},
	{"ListAttachedRolePolicies", true},
	{"ListAttachedUserPolicies", true},
	{"ListDelegationRequests", true},
	{"ListEntitiesForPolicy", true},
	{"ListGroupPolicies", true},
	{"ListGroups", true},
	{"ListGroupsForUser", true},
	{"ListInstanceProfileTags", true},
	{"ListInstanceProfiles", true},
	{"ListInstanceProfilesForRole", true},
	{"ListMFADeviceTags", true},
	{"ListMFADevices", true},
	{"ListOpenIDConnectProviderTags", true},
	{"ListOpenIDConnectProviders", true},
	{"ListOrganizationsFeatures", false},
	{"ListPolicies", true},
	{"ListPoliciesGrantingServiceAccess", true},
	{"ListPolicyTags", true},
	{"ListPolicyVersions", true},
	{"ListRolePolicies", true},
	{"ListRoleTags", true},
	{"ListRoles", true},
	{"ListSAMLProviderTags", true},
	{"ListSAMLProviders", true},
	{"ListSSHPublicKeys", true},
	{"ListServerCertificateTags", true},
	{"ListServerCertificates", true},
	{"ListServiceSpecificCredentials", true},
	{"ListSigningCertificates", true},
	{"ListUserPolicies", true},
	{"ListUserTags", true},
	{"ListUsers", true},
	{"ListVirtualMFADevices", true},
	{"PutGroupPolicy", true},
	{"PutRolePermissionsBoundary", true},
	{"PutRolePolicy", true},
	{"PutUserPermissionsBoundary", true},
	{"PutUserPolicy", true},
	{"RejectDelegationRequest", true},
	{"RemoveClientIDFromOpenIDConnectProvider", true},
	{"RemoveRoleFromInstanceProfile", true},
	{"RemoveUserFromGroup", true},
	{"ResetServiceSpecificCredential", true},
	{"ResyncMFADevice", true},
	{"SendDelegationToken", true},
	{"SetDefaultPolicyVersion", true},
	{"SetSecurityTokenServicePreferences", true},
	{"SimulateCustomPolicy", true},
	{"SimulatePrincipalPolicy", true},
	{"TagInstanceProfile", true},
	{"TagMFADevice", true},
	{"TagOpenIDConnectProvider", true},
	{"TagPolicy", true},
	{"TagRole", true},
	{"TagSAMLProvider", true},
	{"TagServerCertificate", true},
	{"TagUser", true},
	{"UntagInstanceProfile", true},
	{"UntagMFADevice", true},
	{"UntagOpenIDConnectProvider", true},
	{"UntagPolicy", true},
	{"UntagRole", true},
	{"UntagSAMLProvider", true},
	{"UntagServerCertificate", true},
	{"UntagUser", true},
	{"UpdateAccessKey", true},
	{"UpdateAccountPasswordPolicy", true},
	{"UpdateAssumeRolePolicy", true},
	{"UpdateDelegationRequest", true},
	{"UpdateGroup", true},
	{"UpdateLoginProfile", true},
	{"UpdateOpenIDConnectProviderThumbprint", true},
	{"UpdateRole", true},
	{"UpdateRoleDescription", true},
	{"UpdateSAMLProvider", true},
	{"UpdateSSHPublicKey", true},
	{"UpdateServerCertificate", true},
	{"UpdateServiceSpecificCredential", true},
	{"UpdateSigningCertificate", true},
	{"UpdateUser", true},
	{"UploadSSHPublicKey", true},
	{"UploadServerCertificate", true},
	{"UploadSigningCertificate", true},
}

// Why Keyward does not implement the operations it leaves out, each said
// in the InvalidAction answer and in the README.
const (
	whyOrganizations = "it needs AWS Organizations (an organization's management account and its members), which Keyward does not model"
)

// unsupportedWhy gives the reason of every operation Keyward leaves out.
var unsupportedWhy = map[string]string{
	"DisableOrganizationsRootCredentialsManagement": whyOrganizations,
	"DisableOrganizationsRootSessions":              whyOrganizations,
	"EnableOrganizationsRootCredentialsManagement":  whyOrganizations,
	"EnableOrganizationsRootSessions":               whyOrganizations,
	"GenerateOrganizationsAccessReport":             whyOrganizations,
	"GetOrganizationsAccessReport":                  whyOrganizations,
	"ListOrganizationsFeatures":                     whyOrganizations,
}

// Why returns the reason Keyward does not implement the IAM operation
// name, "" for an operation it implements.
func Why(name string) string { return unsupportedWhy[name] }

// LookupOperation reports whether name is an IAM operation and whether
// Keyward implements it.
func LookupOperation(name string) (op Operation, ok bool) {
	i := sort.Search(len(Operations), func(i int) bool { return Operations[i].Name >= name })
	if i < len(Operations) && Operations[i].Name == name {
		return Operations[i], true
	}
	return Operation{}, false
}

// Unsupported is the error for an IAM operation Keyward does not
// implement. The code is AWS's InvalidAction (HTTP 400), what AWS's front
// end answers for an action it does not know, rather than a 501
// NotImplemented: the SDKs retry 5xx responses, and a client should fail
// at once on a call that can never succeed. The message says which it is,
// so that nobody takes a real IAM action for a misspelling.
func Unsupported(action string) error {
	if why := Why(action); why != "" {
		return keyward.Errorf(keyward.ErrInvalidAction,
			"The IAM action %s is part of AWS's API but is not implemented by Keyward: %s.", action, why)
	}
	return keyward.Errorf(keyward.ErrInvalidAction,
		"The IAM action %s is part of AWS's API but is not implemented by Keyward.", action)
}
