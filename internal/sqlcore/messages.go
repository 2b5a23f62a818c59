package sqlcore

import "github.com/keyward/keyward"

// Every sentence a store puts in a *keyward.Error, once. Many are AWS's
// wording, because IAM passes some of them through to clients as they are;
// the end state is that stores return codes with neutral messages and only
// iam and sts word them for clients, so a change here is a change of what
// clients may read until then.

// Accounts.

func errAccountExists(id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Account %s already exists.", id)
}

func errAliasExists(alias string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The account alias %s already exists.", alias)
}

func errNoSuchAccount(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The account %s cannot be found.", id)
}

func errNoSuchAlias(alias string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The account alias %s cannot be found.", alias)
}

// Users, groups, roles and instance profiles.

func errUserExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "User with name %s already exists.", name)
}

func errNoSuchUser(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The user with name %s cannot be found.", name)
}

func errNoSuchUserID(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The user with id %s cannot be found.", id)
}

func errGroupExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Group with name %s already exists.", name)
}

func errNoSuchGroup(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The group with name %s cannot be found.", name)
}

func errNotInGroup(user, group string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "User %s is not in group %s.", user, group)
}

func errRoleExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role with name %s already exists.", name)
}

func errNoSuchRole(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The role with name %s cannot be found.", name)
}

func errNoSuchRoleID(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The role with id %s cannot be found.", id)
}

func errProfileExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Instance Profile %s already exists.", name)
}

func errNoSuchProfile(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Instance Profile %s cannot be found.", name)
}

func errRoleInProfile(role, profile string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Role %s is already in instance profile %s.", role, profile)
}

func errRoleNotInProfile(role, profile string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Role %s is not in instance profile %s.", role, profile)
}

// errNoSuchNamed is the NoSuchEntity of a user, group, role or instance
// profile looked up by name.
func errNoSuchNamed(kind keyward.EntityKind, name string) error {
	switch kind {
	case keyward.KindUser:
		return errNoSuchUser(name)
	case keyward.KindGroup:
		return errNoSuchGroup(name)
	case keyward.KindRole:
		return errNoSuchRole(name)
	case keyward.KindServerCertificate:
		return errNoSuchServerCert(name)
	}
	return errNoSuchProfile(name)
}

func errKindHasNoName(kind keyward.EntityKind) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Entity kind %q has no name.", kind)
}

func errKindHasNoPolicies(kind keyward.EntityKind) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Entity kind %q cannot have policies.", kind)
}

// Deletion conflicts.
const (
	msgDeleteKeysFirst       = "Cannot delete entity, must delete access keys first."
	msgLeaveGroupsFirst      = "Cannot delete entity, must remove user from all groups first."
	msgEmptyGroupFirst       = "Cannot delete entity, must remove users from group first."
	msgLeaveProfilesFirst    = "Cannot delete entity, must remove roles from instance profile first."
	msgDetachFirst           = "Cannot delete entity, must detach all policies first."
	msgInlineFirst           = "Cannot delete entity, must delete policies first."
	msgPolicyAttached        = "Cannot delete a policy attached to entities."
	msgDefaultVersionDeleted = "Cannot delete the default version of a policy."
	msgLoginProfileFirst     = "Cannot delete entity, must delete login profile first."
	msgMFADeviceFirst        = "Cannot delete entity, must delete MFA device first."
	msgSSHKeysFirst          = "Cannot delete entity, must delete SSH public keys first."
	msgSigningCertsFirst     = "Cannot delete entity, must delete signing certificates first."
	msgServiceCredsFirst     = "Cannot delete entity, must delete service specific credentials first."
	msgMFADeviceInUse        = "MFA Device is in use and cannot be deleted."
)

func errDeleteConflict(msg string) error {
	return &keyward.Error{Code: keyward.ErrDeleteConflict, Message: msg}
}

// Managed policies and their versions.

func errPolicyExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists,
		"A policy called %s already exists. Duplicate names are not allowed.", name)
}

func errNoSuchPolicy(arn string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s was not found.", arn)
}

func errInvalidScope(scope keyward.PolicyScope) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Invalid scope %q.", scope)
}

func errInvalidEntityFilter(kind keyward.EntityKind) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Invalid entity filter %q.", kind)
}

func errInvalidVersionID(id string) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Invalid version id %s.", id)
}

func errVersionExists(arn, id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Policy %s version %s already exists.", arn, id)
}

// errNoDefaultVersion is UpdatePolicy's, when the default version it names
// is absent.
func errNoDefaultVersion(arn, id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s version %s does not exist.", arn, id)
}

func errNoSuchVersion(arn, id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, id)
}

// Inline policies.

func errNoSuchInline(owner keyward.EntityRef, name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The %s policy with name %s cannot be found.", owner.Kind, name)
}

// Access keys.

func errAccessKeyExists(id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Access key %s already exists.", id)
}

func errNoSuchAccessKey(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

// OpenID Connect providers.

func errOIDCProviderExists(url string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Provider with url %s already exists.", url)
}

func errNoSuchOIDCProvider(arn string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "OpenIDConnect Provider not found for arn %s", arn)
}

// Password policies.

func errNoPasswordPolicy(accountID string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The Password Policy with domain name %s cannot be found.", accountID)
}

// Service-linked role deletions.

func errDeletionTaskExists(id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Deletion task %s already exists.", id)
}

func errNoSuchDeletionTask(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Deletion task %s cannot be found.", id)
}

// Key ring.

func errKeyExists(id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Key %s already exists.", id)
}

func errNoSuchKey(id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Key %s cannot be found.", id)
}

// Lists.

func errInvalidMarker() error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Invalid Marker.")
}

// ErrUnstorableText is the InvalidInput of a store that refuses text its
// database cannot hold (PostgreSQL: a NUL character, invalid UTF-8)
// before sending it.
func ErrUnstorableText() error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Text with a NUL character or invalid UTF-8 cannot be stored.")
}

// Login profiles.

func errLoginProfileExists(user string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "Login Profile for user %s already exists.", user)
}

func errNoSuchLoginProfile(user string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Login Profile for User %s cannot be found.", user)
}

// MFA devices.

func errMFADeviceExists() error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "MFADevice entity at the same path and name already exists.")
}

func errNoSuchMFADevice(serial string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "MFA Device with serial number %s does not exist.", serial)
}

// User credentials.

func credentialNoun(kind keyward.CredentialKind) string {
	switch kind {
	case keyward.CredentialSSHPublicKey:
		return "The Public Key"
	case keyward.CredentialSigningCertificate:
		return "The Certificate"
	}
	return "The Service Specific Credential"
}

func errCredentialExists(kind keyward.CredentialKind, id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "%s with id %s already exists.", credentialNoun(kind), id)
}

func errNoSuchCredential(kind keyward.CredentialKind, id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "%s with id %s cannot be found.", credentialNoun(kind), id)
}

// Server certificates.

func errServerCertExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The Server Certificate with name %s already exists.", name)
}

func errNoSuchServerCert(name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The Server Certificate with name %s cannot be found.", name)
}

// SAML providers.

func errSAMLProviderExists(name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "SAMLProvider %s already exists.", name)
}

func errNoSuchSAMLProvider(arn string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "Manifest not found for arn %s", arn)
}

func errSAMLAssertionUsed() error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "The SAML assertion was used before.")
}

// IAM Roles Anywhere.

func errRolesAnywhereExists(what, id string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "A %s with id %s already exists.", what, id)
}

func errNoSuchRolesAnywhere(what, id string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "The %s %s cannot be found.", what, id)
}
