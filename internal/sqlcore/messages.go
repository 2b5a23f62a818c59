package sqlcore

import "github.com/keyward/keyward"

// Every *keyward.Error a store returns, once. The code is the contract
// (keyward.Tx documents which one each method returns); the message is
// neutral, for logs and tests: it names what was missing or taken and is
// never AWS's sentence. Clients read AWS's sentences, which iam and sts
// write from the code and the entity they asked about.

func errExists(what, name string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "%s %s exists", what, name)
}

func errNoSuch(what, name string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "no such %s %s", what, name)
}

func errInvalid(what string, value any) error {
	return keyward.Errorf(keyward.ErrInvalidInput, "invalid %s %q", what, value)
}

// Accounts.

func errAccountExists(id string) error    { return errExists("account", id) }
func errAliasExists(alias string) error   { return errExists("account alias", alias) }
func errNoSuchAccount(id string) error    { return errNoSuch("account", id) }
func errNoSuchAlias(alias string) error   { return errNoSuch("account alias", alias) }
func errNoPasswordPolicy(id string) error { return errNoSuch("password policy of account", id) }

// Users, groups, roles, instance profiles and server certificates: what
// is named in an account.

func errUserExists(name string) error    { return errExists("user", name) }
func errNoSuchUser(name string) error    { return errNoSuch("user", name) }
func errNoSuchUserID(id string) error    { return errNoSuch("user with id", id) }
func errGroupExists(name string) error   { return errExists("group", name) }
func errNoSuchGroup(name string) error   { return errNoSuch("group", name) }
func errRoleExists(name string) error    { return errExists("role", name) }
func errNoSuchRole(name string) error    { return errNoSuch("role", name) }
func errNoSuchRoleID(id string) error    { return errNoSuch("role with id", id) }
func errProfileExists(name string) error { return errExists("instance profile", name) }
func errNoSuchProfile(name string) error { return errNoSuch("instance profile", name) }
func errServerCertExists(n string) error { return errExists("server certificate", n) }
func errNoSuchServerCert(n string) error { return errNoSuch("server certificate", n) }
func errNoSuchNamed(kind keyward.EntityKind, name string) error {
	return errNoSuch(string(kind), name)
}

func errNotInGroup(user, group string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "user %s is not in group %s", user, group)
}

func errRoleInProfile(role, profile string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "role %s is in instance profile %s", role, profile)
}

func errRoleNotInProfile(role, profile string) error {
	return keyward.Errorf(keyward.ErrNoSuchEntity, "role %s is not in instance profile %s", role, profile)
}

func errKindHasNoName(kind keyward.EntityKind) error { return errInvalid("named entity kind", kind) }
func errKindHasNoPolicies(kind keyward.EntityKind) error {
	return errInvalid("entity kind with policies", kind)
}

// Deletion conflicts: what still holds on to the entity. IAM checks each
// first, to answer in AWS's words; the store refuses too, so that nothing
// dangles.
const (
	msgHasAccessKeys    = "it has access keys"
	msgInGroups         = "it is in a group"
	msgHasMembers       = "it has members"
	msgInProfiles       = "it is in an instance profile"
	msgHoldsRole        = "it holds a role"
	msgHasAttached      = "it has attached policies"
	msgHasInline        = "it has inline policies"
	msgIsAttached       = "it is attached"
	msgIsDefaultVersion = "it is the default version"
	msgHasLoginProfile  = "it has a login profile"
	msgHasMFADevice     = "it has an MFA device"
	msgHasSSHKeys       = "it has SSH public keys"
	msgHasSigningCerts  = "it has signing certificates"
	msgHasServiceCreds  = "it has service-specific credentials"
)

// errDeleteConflict is the DeleteConflict of op ("delete user"), which
// the entity's msg blocks.
func errDeleteConflict(op, msg string) error {
	return keyward.Errorf(keyward.ErrDeleteConflict, "cannot %s: %s", op, msg)
}

// Managed policies and their versions.

func errPolicyExists(name string) error { return errExists("policy", name) }
func errNoSuchPolicy(arn string) error  { return errNoSuch("policy", arn) }

func errInvalidScope(scope keyward.PolicyScope) error      { return errInvalid("scope", scope) }
func errInvalidEntityFilter(kind keyward.EntityKind) error { return errInvalid("entity filter", kind) }
func errInvalidVersionID(id string) error                  { return errInvalid("version id", id) }

func errVersionExists(arn, id string) error { return errExists("policy version", arn+" "+id) }
func errNoSuchVersion(arn, id string) error { return errNoSuch("policy version", arn+" "+id) }

// Inline policies.

func errNoSuchInline(owner keyward.EntityRef, name string) error {
	return errNoSuch("inline policy", string(owner.Kind)+" "+owner.Name+" "+name)
}

// Access keys, OIDC providers, deletion tasks, the key ring.

func errAccessKeyExists(id string) error     { return errExists("access key", id) }
func errNoSuchAccessKey(id string) error     { return errNoSuch("access key", id) }
func errOIDCProviderExists(url string) error { return errExists("oidc provider for", url) }
func errNoSuchOIDCProvider(arn string) error { return errNoSuch("oidc provider", arn) }
func errDeletionTaskExists(id string) error  { return errExists("deletion task", id) }
func errNoSuchDeletionTask(id string) error  { return errNoSuch("deletion task", id) }
func errKeyExists(id string) error           { return errExists("key", id) }
func errNoSuchKey(id string) error           { return errNoSuch("key", id) }
func errNoSuchConsoleSession() error         { return errNoSuch("console session", "(unknown or expired)") }

// Lists.

func errInvalidMarker() error {
	return keyward.Errorf(keyward.ErrInvalidInput, "invalid marker")
}

// ErrUnstorableText is the InvalidInput of a store that refuses text its
// database cannot hold (PostgreSQL: a NUL character, invalid UTF-8)
// before sending it. AWS has no such case (its model's patterns keep NUL
// out of most fields), so this sentence is Keyward's, and clients may
// read it.
func ErrUnstorableText() error {
	return keyward.Errorf(keyward.ErrInvalidInput, "Text with a NUL character or invalid UTF-8 cannot be stored.")
}

// Login profiles, MFA devices, user credentials, SAML providers.

func errLoginProfileExists(user string) error { return errExists("login profile of user", user) }
func errNoSuchLoginProfile(user string) error { return errNoSuch("login profile of user", user) }
func errMFADeviceExists(serial string) error  { return errExists("mfa device", serial) }
func errNoSuchMFADevice(serial string) error  { return errNoSuch("mfa device", serial) }

func errCredentialExists(kind keyward.CredentialKind, id string) error {
	return errExists(string(kind), id)
}

func errNoSuchCredential(kind keyward.CredentialKind, id string) error {
	return errNoSuch(string(kind), id)
}

func errSAMLProviderExists(arn string) error { return errExists("saml provider", arn) }
func errNoSuchSAMLProvider(arn string) error { return errNoSuch("saml provider", arn) }

func errSAMLAssertionUsed(providerARN string) error {
	return keyward.Errorf(keyward.ErrEntityAlreadyExists, "an assertion of saml provider %s was used before", providerARN)
}

// IAM Roles Anywhere.

func errRolesAnywhereExists(what, id string) error { return errExists(what, id) }
func errNoSuchRolesAnywhere(what, id string) error { return errNoSuch(what, id) }

// Delegation requests.

func errDelegationExists(id string) error { return errExists("delegation request", id) }
func errDelegationWorkflowExists(workflowID string) error {
	return errExists("delegation request with workflow id", workflowID)
}
func errNoSuchDelegation(id string) error { return errNoSuch("delegation request", id) }
