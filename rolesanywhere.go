package keyward

import "time"

// IAM Roles Anywhere's entities: trust anchors (the CAs an account trusts),
// profiles (which roles a certificate may get, and how), and certificate
// revocation lists. Each is identified by a UUID, unique across accounts,
// and an ARN arn:aws:rolesanywhere:REGION:ACCOUNT:KIND/UUID that keeps the
// region of the request that created it (the helper requires a trust
// anchor and a profile of one region).

// Entity kinds of IAM Roles Anywhere, for the Tx methods on tags. Their
// EntityRefs name them by ARN.
const (
	KindTrustAnchor          EntityKind = "trust-anchor"
	KindRolesAnywhereProfile EntityKind = "rolesanywhere-profile"
	KindCRL                  EntityKind = "crl"
)

// TrustAnchorRef returns the EntityRef of a trust anchor.
func TrustAnchorRef(arn string) EntityRef { return EntityRef{Kind: KindTrustAnchor, ARN: arn} }

// RolesAnywhereProfileRef returns the EntityRef of a Roles Anywhere profile.
func RolesAnywhereProfileRef(arn string) EntityRef {
	return EntityRef{Kind: KindRolesAnywhereProfile, ARN: arn}
}

// CRLRef returns the EntityRef of a certificate revocation list.
func CRLRef(arn string) EntityRef { return EntityRef{Kind: KindCRL, ARN: arn} }

// Trust anchor source types, AWS's spelling. Keyward serves
// CERTIFICATE_BUNDLE only.
const (
	SourceCertificateBundle = "CERTIFICATE_BUNDLE"
	SourceACMPCA            = "AWS_ACM_PCA"
)

// TrustAnchor is an IAM Roles Anywhere trust anchor: the CA certificates
// that issue the certificates an account accepts. SourceData is the
// bundle as given (PEM, one or more certificates), checked above the
// store.
type TrustAnchor struct {
	AccountID            string
	ID                   string // a UUID
	ARN                  string
	Name                 string
	SourceType           string
	SourceData           string
	Enabled              bool
	NotificationSettings []NotificationSetting
	CreateDate           time.Time
	UpdateDate           time.Time
}

// NotificationSetting is one of a trust anchor's notification settings,
// AWS's NotificationSettingDetail. Keyward keeps them as set and sends no
// notification.
type NotificationSetting struct {
	Event        string // CA_CERTIFICATE_EXPIRY, END_ENTITY_CERTIFICATE_EXPIRY
	Channel      string // ALL
	Enabled      bool
	Threshold    int // days
	ConfiguredBy string
}

// RolesAnywhereProfile is an IAM Roles Anywhere profile: the roles a
// certificate may assume through it, and what narrows the sessions
// (session policy, managed policies, duration). DurationSeconds 0 means
// AWS's default, 3,600.
type RolesAnywhereProfile struct {
	AccountID                 string
	ID                        string // a UUID
	ARN                       string
	Name                      string
	Enabled                   bool
	RoleARNs                  []string
	ManagedPolicyARNs         []string
	SessionPolicy             string
	DurationSeconds           int
	RequireInstanceProperties bool
	AcceptRoleSessionName     bool
	AttributeMappings         []AttributeMapping
	CreatedBy                 string // the ARN of the principal that created it
	CreateDate                time.Time
	UpdateDate                time.Time
}

// AttributeMapping says which attributes of one certificate field
// (x509Subject, x509Issuer, x509SAN) become session tags: the specifiers
// (CN, OU, DNS, URI, ..., or "*" for all).
type AttributeMapping struct {
	CertificateField string
	Specifiers       []string
}

// CRL is a certificate revocation list imported for a trust anchor. Data
// is the list, DER-encoded.
type CRL struct {
	AccountID      string
	ID             string // a UUID
	ARN            string
	Name           string
	TrustAnchorARN string
	Data           []byte
	Enabled        bool
	CreateDate     time.Time
	UpdateDate     time.Time
}

// RolesAnywhereSubject is what IAM Roles Anywhere keeps of a certificate
// subject that opened a session with CreateSession: AWS's SubjectDetail
// (https://docs.aws.amazon.com/rolesanywhere/latest/APIReference/API_SubjectDetail.html).
// Subjects are per account, one per X509Subject (the certificate's
// subject as pkix.Name.String spells it); the ID is derived from both, so
// that the subjectArn CreateSession answers names the subject without a
// read. The ARN keeps the region of the session that first saw it.
type RolesAnywhereSubject struct {
	AccountID          string
	ID                 string // UUID-shaped
	ARN                string
	X509Subject        string
	Enabled            bool
	LastSeenAt         time.Time
	Credentials        []SubjectCredential       // one per certificate (serial number and issuer)
	InstanceProperties []SubjectInstanceProperty // one per distinct set of properties
	CreateDate         time.Time
	UpdateDate         time.Time
}

// SubjectCredential is a certificate a subject authenticated with, AWS's
// CredentialSummary
// (https://docs.aws.amazon.com/rolesanywhere/latest/APIReference/API_CredentialSummary.html).
// SerialNumber is the serial in hex (as the session name), Issuer the
// issuer's name, CertificateData the certificate in PEM.
type SubjectCredential struct {
	SerialNumber    string
	Issuer          string
	CertificateData string
	Enabled         bool
	Failed          bool
	SeenAt          time.Time
}

// SubjectInstanceProperty is a set of instance properties a subject sent,
// AWS's InstanceProperty
// (https://docs.aws.amazon.com/rolesanywhere/latest/APIReference/API_InstanceProperty.html).
type SubjectInstanceProperty struct {
	Properties map[string]string
	Failed     bool
	SeenAt     time.Time
}

// RolesAnywhereTx is the part of Tx that keeps IAM Roles Anywhere's
// entities. Entities are found by their UUID; an UpdateX writes the whole
// struct but its AccountID, ARN and CreateDate. Lists are paged as
// ListOptions says (PathPrefix ignored), sorted by name in byte order,
// then by ID. Tags go through TagEntity, UntagEntity and ListTags with
// TrustAnchorRef, RolesAnywhereProfileRef and CRLRef.
type RolesAnywhereTx interface {
	// CreateTrustAnchor adds a trust anchor. ErrEntityAlreadyExists when
	// the ID or the ARN is taken.
	CreateTrustAnchor(a TrustAnchor) error
	// GetTrustAnchor returns one. ErrNoSuchEntity.
	GetTrustAnchor(id string) (TrustAnchor, error)
	// UpdateTrustAnchor writes a (found by a.ID). ErrNoSuchEntity.
	UpdateTrustAnchor(a TrustAnchor) error
	// DeleteTrustAnchor removes one and its tags. ErrNoSuchEntity.
	DeleteTrustAnchor(id string) error
	// ListTrustAnchors returns a page of the account's trust anchors.
	ListTrustAnchors(accountID string, opts ListOptions) (anchors []TrustAnchor, next string, err error)

	// CreateRolesAnywhereProfile adds a profile. ErrEntityAlreadyExists
	// when the ID or the ARN is taken.
	CreateRolesAnywhereProfile(p RolesAnywhereProfile) error
	// GetRolesAnywhereProfile returns one. ErrNoSuchEntity.
	GetRolesAnywhereProfile(id string) (RolesAnywhereProfile, error)
	// UpdateRolesAnywhereProfile writes p (found by p.ID). ErrNoSuchEntity.
	UpdateRolesAnywhereProfile(p RolesAnywhereProfile) error
	// DeleteRolesAnywhereProfile removes one and its tags. ErrNoSuchEntity.
	DeleteRolesAnywhereProfile(id string) error
	// ListRolesAnywhereProfiles returns a page of the account's profiles.
	ListRolesAnywhereProfiles(accountID string, opts ListOptions) (profiles []RolesAnywhereProfile, next string, err error)

	// CreateCRL adds a CRL. ErrEntityAlreadyExists when the ID or the ARN
	// is taken.
	CreateCRL(c CRL) error
	// GetCRL returns one. ErrNoSuchEntity.
	GetCRL(id string) (CRL, error)
	// UpdateCRL writes c (found by c.ID). ErrNoSuchEntity.
	UpdateCRL(c CRL) error
	// DeleteCRL removes one and its tags. ErrNoSuchEntity.
	DeleteCRL(id string) error
	// ListCRLs returns a page of the account's CRLs.
	ListCRLs(accountID string, opts ListOptions) (crls []CRL, next string, err error)
	// ListCRLsForTrustAnchor returns every CRL imported for the trust
	// anchor with that ARN (enabled or not), sorted by ID: what checking a
	// certificate reads.
	ListCRLsForTrustAnchor(trustAnchorARN string) ([]CRL, error)

	// CreateRolesAnywhereSubject adds a subject. ErrEntityAlreadyExists
	// when the ID or the account's X509Subject is taken.
	CreateRolesAnywhereSubject(s RolesAnywhereSubject) error
	// GetRolesAnywhereSubject returns one. ErrNoSuchEntity.
	GetRolesAnywhereSubject(id string) (RolesAnywhereSubject, error)
	// UpdateRolesAnywhereSubject writes s (found by s.ID) but its
	// AccountID, ARN, X509Subject and CreateDate. ErrNoSuchEntity.
	UpdateRolesAnywhereSubject(s RolesAnywhereSubject) error
	// ListRolesAnywhereSubjects returns a page of the account's subjects,
	// sorted by X509Subject, then by ID.
	ListRolesAnywhereSubjects(accountID string, opts ListOptions) (subjects []RolesAnywhereSubject, next string, err error)
}
