package keyward

import "time"

// CallerKind says what kind of principal signed a request.
type CallerKind uint8

// Caller kinds.
const (
	CallerRoot          CallerKind = iota + 1 // an account's root user
	CallerUser                                // an IAM user, with a long-term key
	CallerAssumedRole                         // a role session, with temporary credentials
	CallerFederatedUser                       // a GetFederationToken session
	CallerUserSession                         // an IAM user's (or root's) GetSessionToken session
)

// Caller is an authenticated principal, with what its request says about it.
// The server builds it from the verified signature; iam and sts authorize every
// action for it before touching state.
type Caller struct {
	Kind      CallerKind
	AccountID string
	// ARN is the principal's ARN: arn:aws:iam::ACCOUNT:root,
	// arn:aws:iam::ACCOUNT:user/PATH/NAME, or
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	ARN string
	// UserID is aws:userid: the user's unique ID (AIDA...), the account ID
	// for root, or ROLEID:SESSION for a role session.
	UserID string
	// PrincipalID is the unique ID of the IAM user or role whose policies
	// apply to the caller: the user's (AIDA...) for a user, its sessions and
	// its federated users, the role's (AROA...) for a role session; "" for
	// root. Authorization loads the principal by this ID, never by name, so
	// credentials die with their entity: a user or role deleted and created
	// again under the same name is another principal, as in AWS.
	PrincipalID string
	UserName    string // the IAM user's name (users and their sessions)
	RoleName    string // the role's name (role sessions)
	RoleARN     string // the role's ARN, with its path (role sessions)
	// SessionName is the role session name.
	SessionName string
	AccessKeyID string
	// Temporary reports temporary credentials (a session token); the fields
	// below it describe the session.
	Temporary       bool
	SessionPolicies []string // inline session policy, and the documents of PolicyArns
	SessionTags     []Tag
	// TransitiveTagKeys name the session tags that pass to sessions this
	// session obtains by role chaining.
	TransitiveTagKeys []string
	SourceIdentity    string
	TokenIssueTime    time.Time
	SessionExpiry     time.Time // when the temporary credentials expire
	MFAPresent        bool
	Chained           bool // a role session obtained with another role session's credentials

	// The request: what condition keys such as aws:SourceIp come from.
	SourceIP        string
	SecureTransport bool
	RequestTime     time.Time
	RequestID       string
	UserAgent       string
}
