package keyward

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// IAM's temporary delegation: a partner (another account) creates a
// delegation request naming the permissions it wants, rendered from a
// policy template; a principal of the customer's account associates it,
// forwards it to an administrator (UpdateDelegationRequest), accepts or
// rejects it, and releases an exchange token (SendDelegationToken), which
// the partner trades for temporary credentials of the principal that
// accepted, narrowed by the rendered policy (STS GetDelegatedAccessToken).
//
// AWS's request lifecycle (IAM User Guide, "Building your integration"):
// UNASSIGNED → ASSIGNED → (PENDING_APPROVAL →) ACCEPTED → FINALIZED, or
// REJECTED from ASSIGNED, PENDING_APPROVAL or ACCEPTED; a request that
// stays in a state too long expires: one day unassigned, seven days in any
// other state. FINALIZED, REJECTED and EXPIRED are terminal.

// DelegationState is a delegation request's state, AWS's spelling.
type DelegationState string

// Delegation request states.
const (
	DelegationUnassigned      DelegationState = "UNASSIGNED"
	DelegationAssigned        DelegationState = "ASSIGNED"
	DelegationPendingApproval DelegationState = "PENDING_APPROVAL"
	DelegationAccepted        DelegationState = "ACCEPTED"
	DelegationFinalized       DelegationState = "FINALIZED"
	DelegationRejected        DelegationState = "REJECTED"
	DelegationExpired         DelegationState = "EXPIRED"
)

// How long a delegation request may stay in a state before it expires
// (AWS's "Expiration Path"): a day unassigned, seven days in any other.
const (
	DelegationUnassignedLifetime = 24 * time.Hour
	DelegationStateLifetime      = 7 * 24 * time.Hour
)

// DelegationParameter is one parameter of a delegation request's policy
// template, AWS's PolicyParameter: Type "string" (one value) or
// "stringList".
type DelegationParameter struct {
	Name   string
	Values []string
	Type   string
}

// DelegationApprover is the identity that accepted a delegation request,
// as it was then: the delegated credentials act as it, with its session's
// tags and source identity if it was a role session, narrowed by the
// request's policy. IAM refuses approvers with session policies (session
// policies add up, so the request's could not narrow them): a stored
// approver with SessionPolicies is refused too.
type DelegationApprover struct {
	Kind              CallerKind
	ARN               string
	UserID            string
	PrincipalID       string
	UserName          string
	RoleName          string
	RoleARN           string
	SessionName       string
	SourceIdentity    string
	SessionPolicies   []string `json:",omitempty"`
	SessionTags       []Tag    `json:",omitempty"`
	TransitiveTagKeys []string `json:",omitempty"`
	Chained           bool     `json:",omitempty"`
}

// DelegationRequest is one delegation request. RequestorAccountID is the
// partner's account, OwnerAccountID the customer's (set by the partner, or
// by AssociateDelegationRequest), OwnerID the ARN of the principal that
// associated it (OwnerPrincipalID its unique ID, "" for root).
// PermissionPolicy is the policy rendered from PolicyTemplateARN and
// Parameters when the request was made: what the customer reviews and what
// the delegated credentials are limited to. ExpirationTime is when the
// request expires in its current state. TokenCiphertext is the sealed
// exchange token, set by SendDelegationToken (TokenReleaseDate); the
// delegated credentials expire SessionDuration seconds after that.
type DelegationRequest struct {
	ID                            string
	RequestorAccountID            string
	RequestorName                 string
	RequestorARN                  string // the partner's principal that created it
	OwnerAccountID                string
	OwnerID                       string
	OwnerPrincipalID              string
	Description                   string
	RequestMessage                string
	WorkflowID                    string
	RedirectURL                   string
	NotificationChannel           string
	SessionDuration               int
	OnlySendByOwner               bool
	PolicyTemplateARN             string
	Parameters                    []DelegationParameter
	PermissionPolicy              string
	RolePermissionRestrictionARNs []string
	State                         DelegationState
	ApproverID                    string
	Approver                      *DelegationApprover
	Notes                         string
	RejectionReason               string
	CreateDate                    time.Time
	UpdateDate                    time.Time
	ExpirationTime                time.Time
	TokenReleaseDate              time.Time
	TokenCiphertext               []byte
}

// StateAt is the request's state at now: its stored state, or EXPIRED
// once its state's lifetime is over. Expiry is read, not written: a
// request expires by the clock whether or not anyone looks at it.
func (r *DelegationRequest) StateAt(now time.Time) DelegationState {
	if r.State != DelegationExpired && !r.ExpirationTime.IsZero() && !now.Before(r.ExpirationTime) {
		return DelegationExpired
	}
	return r.State
}

// DelegationExpiry is when a request entering state at now expires.
func DelegationExpiry(state DelegationState, now time.Time) time.Time {
	if state == DelegationUnassigned {
		return now.Add(DelegationUnassignedLifetime)
	}
	return now.Add(DelegationStateLifetime)
}

// AccessExpiry is when the delegated access ends: SessionDuration after
// the token was released, the same for every credential the partner gets
// with it (zero before the release).
func (r *DelegationRequest) AccessExpiry() time.Time {
	if r.TokenReleaseDate.IsZero() {
		return time.Time{}
	}
	return r.TokenReleaseDate.Add(time.Duration(r.SessionDuration) * time.Second)
}

// NewDelegationRequestID returns a new delegation request ID: "dr-", the
// creation time in milliseconds (12 hex digits) and 20 random hex digits,
// 35 characters of AWS's [\w-]+, so that IDs sort in creation order.
func NewDelegationRequestID(now time.Time) string {
	var r [10]byte
	rand.Read(r[:]) // never fails
	ms := uint64(now.UnixMilli())
	var t [6]byte
	for i := 5; i >= 0; i-- {
		t[i] = byte(ms)
		ms >>= 8
	}
	return "dr-" + hex.EncodeToString(t[:]) + hex.EncodeToString(r[:])
}

// Exchange tokens are "kdt1.", the request's ID, ".", and a secret of 32
// random bytes in URL-safe base64: the request names itself, so STS finds
// it without an index, and the secret proves the token was released. The
// store keeps the secret sealed (TokenCiphertext, under the associated
// data seal.AD(DelegationTokenSealKind, ID)), never in the clear.
const (
	delegationTokenPrefix   = "kdt1."
	DelegationTokenSealKind = "delegation-token"
)

// NewDelegationSecret returns a new exchange token's secret part.
func NewDelegationSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DelegationToken is the exchange token of request id with secret.
func DelegationToken(id, secret string) string { return delegationTokenPrefix + id + "." + secret }

// ParseDelegationToken splits an exchange token into its request ID and
// secret; ok is false for anything DelegationToken did not make.
func ParseDelegationToken(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, delegationTokenPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, ".")
	if !ok || id == "" || len(secret) != 43 || strings.Contains(secret, ".") {
		return "", "", false
	}
	return id, secret, true
}

// DelegationListOptions select delegation requests. Every filter that is
// set applies.
type DelegationListOptions struct {
	// OwnerAccountID keeps the requests the account owns: associated with
	// it (OwnerID set). ListDelegationRequests lists only those.
	OwnerAccountID string
	// OwnerID keeps the requests of one owner (its ARN, exact).
	OwnerID string
	// RequestorAccountID keeps the requests a partner's account made.
	RequestorAccountID string
	// NotificationChannel keeps the requests of one notification channel
	// (exact).
	NotificationChannel string
	// Marker and MaxItems page the list, sorted by ID (creation order).
	Marker   string
	MaxItems int
}

// DelegationTx is the part of Tx that keeps delegation requests, found by
// ID. An update writes the whole struct but its ID, RequestorAccountID,
// RequestorARN, WorkflowID and CreateDate.
type DelegationTx interface {
	// CreateDelegationRequest adds a request. ErrEntityAlreadyExists when
	// the ID is taken, or the requestor's account has a request with the
	// same WorkflowID ("A delegation request with the workflow ID X
	// already exists.").
	CreateDelegationRequest(r DelegationRequest) error
	// GetDelegationRequest returns one. ErrNoSuchEntity ("The delegation
	// request with ID X cannot be found.").
	GetDelegationRequest(id string) (DelegationRequest, error)
	// UpdateDelegationRequest writes r (found by r.ID). ErrNoSuchEntity.
	UpdateDelegationRequest(r DelegationRequest) error
	// ListDelegationRequests returns a page of the requests opts selects,
	// sorted by ID. A marker the store did not issue is ErrInvalidInput.
	ListDelegationRequests(opts DelegationListOptions) (requests []DelegationRequest, next string, err error)
}
