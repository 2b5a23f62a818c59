package keyward

import "time"

// AWSAccountID is the AccountID of AWS-managed policies, as it appears in their
// ARNs (arn:aws:iam::aws:policy/ReadOnlyAccess).
const AWSAccountID = "aws"

// EntityKind names the kind of an IAM entity that can own attachments, inline
// policies or tags.
type EntityKind string

// Entity kinds.
const (
	KindUser            EntityKind = "user"
	KindGroup           EntityKind = "group"
	KindRole            EntityKind = "role"
	KindPolicy          EntityKind = "policy"
	KindInstanceProfile EntityKind = "instance-profile"
	KindOIDCProvider    EntityKind = "oidc-provider"
	// KindMFADevice is a virtual MFA device, named by its serial number
	// (arn:aws:iam::ACCOUNT:mfa/PATH/NAME).
	KindMFADevice EntityKind = "mfa"
	// KindServerCertificate is a server certificate, named by AccountID
	// and Name.
	KindServerCertificate EntityKind = "server-certificate"
	// KindSAMLProvider is a SAML identity provider, named by its ARN.
	KindSAMLProvider EntityKind = "saml-provider"
)

// EntityRef names one entity for the Tx methods that work on several kinds
// (attachments, inline policies, tags). Users, groups, roles and instance
// profiles are named by AccountID and Name (compared case-insensitively);
// managed policies and OIDC providers by ARN.
type EntityRef struct {
	Kind      EntityKind
	AccountID string
	Name      string
	ARN       string
}

// UserRef, GroupRef, RoleRef, InstanceProfileRef, PolicyRef and
// OIDCProviderRef build the EntityRef of one entity.
func UserRef(accountID, name string) EntityRef {
	return EntityRef{Kind: KindUser, AccountID: accountID, Name: name}
}

// GroupRef returns the EntityRef of a group.
func GroupRef(accountID, name string) EntityRef {
	return EntityRef{Kind: KindGroup, AccountID: accountID, Name: name}
}

// RoleRef returns the EntityRef of a role.
func RoleRef(accountID, name string) EntityRef {
	return EntityRef{Kind: KindRole, AccountID: accountID, Name: name}
}

// InstanceProfileRef returns the EntityRef of an instance profile.
func InstanceProfileRef(accountID, name string) EntityRef {
	return EntityRef{Kind: KindInstanceProfile, AccountID: accountID, Name: name}
}

// PolicyRef returns the EntityRef of a managed policy.
func PolicyRef(arn string) EntityRef { return EntityRef{Kind: KindPolicy, ARN: arn} }

// OIDCProviderRef returns the EntityRef of an OpenID Connect provider.
func OIDCProviderRef(arn string) EntityRef { return EntityRef{Kind: KindOIDCProvider, ARN: arn} }

// MFADeviceRef returns the EntityRef of a virtual MFA device.
func MFADeviceRef(serialNumber string) EntityRef {
	return EntityRef{Kind: KindMFADevice, ARN: serialNumber}
}

// ServerCertificateRef returns the EntityRef of a server certificate.
func ServerCertificateRef(accountID, name string) EntityRef {
	return EntityRef{Kind: KindServerCertificate, AccountID: accountID, Name: name}
}

// SAMLProviderRef returns the EntityRef of a SAML provider.
func SAMLProviderRef(arn string) EntityRef { return EntityRef{Kind: KindSAMLProvider, ARN: arn} }

// Account is one AWS account: a 12-digit ID and at most one alias ("" for
// none). Aliases are unique across all accounts.
type Account struct {
	ID         string
	Alias      string
	CreateDate time.Time
	// GlobalEndpointTokenVersion is the version of the session tokens the
	// global STS endpoint issues (SetSecurityTokenServicePreferences): 1
	// or 2; 0 means AWS's default, 1.
	GlobalEndpointTokenVersion int
	// OutboundIssuer is the issuer URL of the account's outbound web
	// identity federation ("" until first enabled); OutboundEnabled
	// whether it is enabled.
	OutboundIssuer  string
	OutboundEnabled bool
}

// User is an IAM user. ID starts with AIDA. PermissionsBoundaryARN is "" when
// the user has no permissions boundary.
type User struct {
	AccountID              string
	ID                     string
	Name                   string
	Path                   string
	ARN                    string
	CreateDate             time.Time
	PasswordLastUsed       time.Time // zero: never
	PermissionsBoundaryARN string
}

// Group is an IAM group. ID starts with AGPA.
type Group struct {
	AccountID  string
	ID         string
	Name       string
	Path       string
	ARN        string
	CreateDate time.Time
}

// Role is an IAM role. ID starts with AROA. AssumeRolePolicyDocument is the
// trust policy as raw JSON text (not URL-encoded).
type Role struct {
	AccountID                string
	ID                       string
	Name                     string
	Path                     string
	ARN                      string
	AssumeRolePolicyDocument string
	// TrustPrincipalIDs binds each IAM user or role ARN named as a principal
	// in the trust policy to the unique ID that entity had when the policy
	// was saved, as AWS does: a principal deleted and created again under
	// the same name is a different principal, and the trust policy no
	// longer names it. nil when the policy names no such entity.
	TrustPrincipalIDs      map[string]string
	Description            string
	MaxSessionDuration     int // seconds
	PermissionsBoundaryARN string
	CreateDate             time.Time
	LastUsedDate           time.Time // zero: never
	LastUsedRegion         string
}

// ManagedPolicy is a customer-managed policy (AccountID is the account) or an
// AWS-managed one (AccountID is AWSAccountID). ID starts with ANPA.
//
// AttachmentCount and PermissionsBoundaryUsageCount are computed by the store
// when it reads a policy (from attachments and from the users' and roles'
// PermissionsBoundaryARN); values written are ignored.
type ManagedPolicy struct {
	AccountID                     string
	ID                            string
	Name                          string
	Path                          string
	ARN                           string
	DefaultVersionID              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string
	CreateDate                    time.Time
	UpdateDate                    time.Time
}

// PolicyVersion is one version of a managed policy. VersionID is "v1", "v2",
// ...; numbers are never reused within a policy. Document is raw JSON text.
// IsDefault is computed from the policy's DefaultVersionID when read.
type PolicyVersion struct {
	PolicyARN  string
	VersionID  string
	Document   string
	IsDefault  bool
	CreateDate time.Time
}

// InlinePolicy is a policy embedded in a user, group or role. Owner names the
// entity (Kind user, group or role); PolicyName is unique per owner regardless
// of case. Document is raw JSON text.
type InlinePolicy struct {
	Owner      EntityRef
	PolicyName string
	Document   string
}

// InstanceProfile is an instance profile. ID starts with AIPA. Roles is
// filled in by the store when it reads a profile and ignored when written;
// use Tx.AddRoleToInstanceProfile.
type InstanceProfile struct {
	AccountID  string
	ID         string
	Name       string
	Path       string
	ARN        string
	CreateDate time.Time
	Roles      []Role
}

// AccessKeyStatus is Active or Inactive, AWS's spelling.
type AccessKeyStatus string

// Access key statuses.
const (
	StatusActive   AccessKeyStatus = "Active"
	StatusInactive AccessKeyStatus = "Inactive"
)

// AccessKey is a long-term access key. UserName is "" for the account's root
// credentials. SecretCiphertext is the secret access key sealed by the caller
// (the store never sees a secret in clear and never decrypts anything).
type AccessKey struct {
	AccountID        string
	UserName         string
	AccessKeyID      string // AKIA...
	SecretCiphertext []byte
	Status           AccessKeyStatus
	CreateDate       time.Time
	LastUsedDate     time.Time // zero: never
	LastUsedService  string
	LastUsedRegion   string
}

// AccessKeyLastUsed is what Tx.SetAccessKeyLastUsed records.
type AccessKeyLastUsed struct {
	Date    time.Time
	Service string
	Region  string
}

// OIDCProvider is an IAM OpenID Connect identity provider. ARN is
// arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH and identifies it.
type OIDCProvider struct {
	AccountID   string
	ARN         string
	URL         string
	ClientIDs   []string
	Thumbprints []string
	CreateDate  time.Time
}

// Tag is a resource tag. Keys are unique per resource regardless of case.
type Tag struct {
	Key   string
	Value string
}

// PasswordPolicy is an account's password policy. Zero MaxPasswordAge and
// PasswordReusePrevention mean not set; HardExpirySet says whether
// HardExpiry was (AWS answers it only then).
type PasswordPolicy struct {
	AccountID                  string
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	HardExpiry                 bool
	HardExpirySet              bool
}

// DeletionTaskStatus is the status of a service-linked role deletion, AWS's
// spelling.
type DeletionTaskStatus string

// Deletion task statuses.
const (
	DeletionSucceeded  DeletionTaskStatus = "SUCCEEDED"
	DeletionInProgress DeletionTaskStatus = "IN_PROGRESS"
	DeletionFailed     DeletionTaskStatus = "FAILED"
	DeletionNotStarted DeletionTaskStatus = "NOT_STARTED"
)

// ServiceLinkedRoleDeletion is the task DeleteServiceLinkedRole starts and
// GetServiceLinkedRoleDeletionStatus reports. TaskID is AWS's
// "task/aws-service-role/SERVICE/ROLE/UUID" form and unique across accounts.
type ServiceLinkedRoleDeletion struct {
	TaskID     string
	AccountID  string
	RoleName   string
	Status     DeletionTaskStatus
	Reason     string // failure reason, "" unless FAILED
	CreateDate time.Time
}

// KeyRingEntry is one key of a rotating key ring, such as the keys that seal
// STS session tokens. Material is stored as given (callers seal it under the
// key-encryption key); the store never interprets it. An entry is kept until
// deleted; NotAfter tells its owner when it may be.
type KeyRingEntry struct {
	ID         string
	Material   []byte
	CreateDate time.Time
	NotAfter   time.Time
}

// OutboundKey is one key that signs an account's outbound web identity
// tokens (sts:GetWebIdentityToken). PublicKey is the public half, PKIX DER,
// listed in the issuer's JWKS; PrivateKey is the private half as the
// caller sealed it under the key-encryption key (PKCS #8 inside): the store
// never interprets either. Algorithm is the JWS alg it signs (RS256,
// ES384); KeyID is the JWS kid, unique per account.
type OutboundKey struct {
	AccountID  string
	KeyID      string
	Algorithm  string
	PublicKey  []byte
	PrivateKey []byte
	CreateDate time.Time
}

// LoginProfile is a user's console password. PasswordHash is the password
// hashed by the caller with a memory-hard KDF (an encoded argon2id string):
// the store never sees a password.
type LoginProfile struct {
	AccountID             string
	UserName              string // the user's name as stored (filled in on read)
	PasswordHash          string
	PasswordResetRequired bool
	CreateDate            time.Time
	// PasswordChangedDate is when the password was last set, from which
	// the password policy's MaxPasswordAge counts.
	PasswordChangedDate time.Time
	// PasswordHistory holds the hashes of earlier passwords, newest first,
	// for the password policy's PasswordReusePrevention.
	PasswordHistory []string
}

// MFADevice is a virtual MFA device. SerialNumber is its ARN
// (arn:aws:iam::ACCOUNT:mfa/PATH/NAME) and identifies it. SeedCiphertext
// is its TOTP seed sealed by the caller. A device is assigned to at most
// one user (UserName) or to the account's root user (Root); EnableDate is
// zero while it is unassigned.
type MFADevice struct {
	AccountID      string
	SerialNumber   string
	Path           string
	Name           string
	SeedCiphertext []byte
	UserName       string
	Root           bool
	EnableDate     time.Time
	CreateDate     time.Time
	// LastCounter is the TOTP time step of the last code accepted (0:
	// none): a code of that step or an earlier one is refused, so a code
	// is accepted once only.
	LastCounter int64
}

// CredentialKind names the kinds of a user's credentials other than
// access keys and passwords.
type CredentialKind string

// Credential kinds.
const (
	CredentialSSHPublicKey       CredentialKind = "ssh-public-key"
	CredentialSigningCertificate CredentialKind = "signing-certificate"
	CredentialServiceSpecific    CredentialKind = "service-specific"
)

// UserCredential is an SSH public key, a signing certificate or a
// service-specific credential of a user (UserName "" for the account's
// root user, which only signing certificates allow). ID is AWS's
// (SSHPublicKeyId, CertificateId, ServiceSpecificCredentialId) and unique
// across accounts. CreateDate is the upload date of keys and certificates.
type UserCredential struct {
	Kind       CredentialKind
	AccountID  string
	UserName   string
	ID         string
	Status     AccessKeyStatus
	CreateDate time.Time
	// Body is the SSH public key or the PEM certificate, as uploaded.
	Body string
	// Fingerprint is an SSH key's MD5 fingerprint.
	Fingerprint string
	// ServiceName and ServiceUserName are a service-specific
	// credential's; SecretCiphertext its password, sealed by the caller;
	// Expiration when it expires (zero: never).
	ServiceName      string
	ServiceUserName  string
	SecretCiphertext []byte
	Expiration       time.Time
}

// ServerCertificate is an uploaded server certificate. ID starts with
// ASCA. PrivateKeyCiphertext is its private key sealed by the caller; the
// store never sees it in clear.
type ServerCertificate struct {
	AccountID            string
	ID                   string
	Name                 string
	Path                 string
	ARN                  string
	Body                 string
	Chain                string
	PrivateKeyCiphertext []byte
	UploadDate           time.Time
	Expiration           time.Time
}

// SAMLProvider is an IAM SAML 2.0 identity provider. ARN is
// arn:aws:iam::ACCOUNT:saml-provider/NAME and identifies it; Metadata is
// the IdP's metadata document as uploaded.
type SAMLProvider struct {
	AccountID  string
	ARN        string
	Name       string
	Metadata   string
	CreateDate time.Time
	ValidUntil time.Time // zero: the metadata sets none
}
