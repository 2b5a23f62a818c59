package authorize

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Paths of the endpoints, and the service name the calling service signs
// for.
const (
	Path            = "/keyward/v1/authorize"
	ForwardAuthPath = "/keyward/v1/forward-auth"
	// SigningService is the credential scope service of calls to the
	// authorize API.
	SigningService = "keyward"
	// ActionAuthorize is what a service needs to use the authorize API.
	ActionAuthorize = "keyward:Authorize"
	// ActionGetSigningKey is what a service also needs to receive the
	// signing key of a streaming upload.
	ActionGetSigningKey = "keyward:GetSigningKey"
	// MaxDecisions bounds the decisions of one call.
	MaxDecisions = 100
)

// ServiceARN is the resource of keyward:Authorize for clients that sign
// for service.
func ServiceARN(service string) string { return "arn:aws:keyward:::service/" + service }

// Values is a JSON string or list of strings.
type Values []string

// UnmarshalJSON accepts "v" or ["v", ...].
func (v *Values) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = Values{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*v = l
	return nil
}

// Input is the body of POST /keyward/v1/authorize.
type Input struct {
	// Service is the credential scope service the client signed for
	// ("s3", "kvstore", ...).
	Service string `json:"service"`
	// PathStyle is "s3" when the client signs the path as S3 does (encoded
	// once, not normalized); empty for the rule of the rest of AWS.
	PathStyle string        `json:"pathStyle,omitempty"`
	Request   ClientRequest `json:"request"`
	Decisions []Query       `json:"decisions"`
	// Explain adds to each decision one sentence saying why.
	Explain bool `json:"explain,omitempty"`
	// SigningKey asks for the derived signing key of the client's scope
	// (needs keyward:GetSigningKey), with which the service checks that
	// client's signatures itself until the day ends. A streamed payload
	// (x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-...) gets it
	// unasked, when the service is allowed it.
	SigningKey bool `json:"signingKey,omitempty"`
}

// ClientRequest is the client's request as the service received it.
type ClientRequest struct {
	Method string `json:"method"`
	// Path is the path as on the wire (percent-encoded); Query the raw
	// query string, without "?".
	Path    string            `json:"path"`
	Query   string            `json:"query,omitempty"`
	Host    string            `json:"host,omitempty"` // default: the Host header
	Headers map[string]Values `json:"headers"`
	// PayloadHash is the hex SHA-256 of the body, which the service
	// computed; or Body, the body itself (base64 in JSON). With neither,
	// the body is what x-amz-content-sha256 declares (or empty), and the
	// service must check the body against that header itself.
	PayloadHash string `json:"payloadHash,omitempty"`
	Body        []byte `json:"body,omitempty"`
	// SourceIP and SecureTransport set aws:SourceIp and aws:SecureTransport.
	SourceIP        string `json:"sourceIp,omitempty"`
	SecureTransport bool   `json:"secureTransport,omitempty"`
}

// Query is one decision wanted.
type Query struct {
	Action   string            `json:"action"`
	Resource string            `json:"resource,omitempty"` // default "*"
	Context  map[string]Values `json:"context,omitempty"`
	// ResourcePolicy is the resource's resource-based policy (a JSON
	// document, or a string holding one).
	ResourcePolicy json.RawMessage `json:"resourcePolicy,omitempty"`
	// ResourceAccount is the account that owns the resource, for ARNs
	// that name none (arn:aws:s3:::bucket) or another; by default the
	// ARN's account, else the principal's own. Across accounts both the
	// principal's policies and the resource policy must allow.
	ResourceAccount string `json:"resourceAccount,omitempty"`
}

// Output is the answer of POST /keyward/v1/authorize.
type Output struct {
	// Authenticated is true when the client's signature is valid; else
	// Error says why, with AWS's code.
	Authenticated bool       `json:"authenticated"`
	Error         *Error     `json:"error,omitempty"`
	Principal     *Principal `json:"principal,omitempty"`
	Signature     *Signature `json:"signature,omitempty"`
	// Allowed is true when every decision is allowed.
	Allowed   bool       `json:"allowed"`
	Decisions []Decision `json:"decisions,omitempty"`
	// SigningKey is set when asked for or when the payload is streamed,
	// and the service may have it.
	SigningKey *Key `json:"signingKey,omitempty"`
}

// Error is an AWS error code and message.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Principal is who signed the client's request.
type Principal struct {
	// Type is Root, User, AssumedRole, FederatedUser or UserSession.
	Type           string            `json:"type"`
	ARN            string            `json:"arn"`
	AccountID      string            `json:"accountId"`
	UserID         string            `json:"userId"`
	UserName       string            `json:"userName,omitempty"`
	RoleARN        string            `json:"roleArn,omitempty"`
	RoleName       string            `json:"roleName,omitempty"`
	SessionName    string            `json:"sessionName,omitempty"`
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
	SessionTags    map[string]string `json:"sessionTags,omitempty"`
	// Tags are what aws:PrincipalTag/KEY reads: the user's or role's tags,
	// overridden by session tags.
	Tags           map[string]string `json:"tags,omitempty"`
	MFAPresent     bool              `json:"mfaPresent,omitempty"`
	AccessKeyID    string            `json:"accessKeyId"`
	Temporary      bool              `json:"temporary,omitempty"`
	TokenIssueTime *time.Time        `json:"tokenIssueTime,omitempty"`
	// SessionExpiry is when temporary credentials expire: a service may
	// cache its decision no longer than that.
	SessionExpiry *time.Time `json:"sessionExpiry,omitempty"`
}

// Signature describes the client's signature.
type Signature struct {
	Region    string `json:"region"`
	Service   string `json:"service"`
	Date      string `json:"date"` // X-Amz-Date
	Presigned bool   `json:"presigned,omitempty"`
}

// Decision is the engine's result for one Query.
type Decision struct {
	Action               string      `json:"action"`
	Resource             string      `json:"resource"`
	Decision             string      `json:"decision"` // allowed, explicitDeny, implicitDeny
	MatchedStatements    []Statement `json:"matchedStatements"`
	MissingContextValues []string    `json:"missingContextValues"`
	// Message is AWS's AccessDenied message for a denial.
	Message     string `json:"message,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

// Statement names a statement that decided, as keyward policy eval does.
type Statement struct {
	SourcePolicyID   string `json:"sourcePolicyId"`
	SourcePolicyType string `json:"sourcePolicyType"`
	Sid              string `json:"sid,omitempty"`
}

// Key is what a service needs to check the chunk signatures of an
// aws-chunked upload (x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-...),
// or the client's later signatures in the same scope.
type Key struct {
	// Key is the hex key derived for the request's day, region and
	// service: it signs only that scope, never reveals the secret, and
	// must be kept as secret as the request itself.
	Key           string `json:"key"`
	SeedSignature string `json:"seedSignature"`
	Date          string `json:"date"`  // X-Amz-Date, as signed
	Scope         string `json:"scope"` // DATE/REGION/SERVICE/aws4_request
}

func (in *Input) Validate() *Error {
	switch {
	case in.Service == "":
		return &Error{"ValidationError", "service is required: the credential scope service the client signed for"}
	case in.PathStyle != "" && in.PathStyle != "s3":
		return &Error{"ValidationError", `pathStyle must be "s3" or absent`}
	case in.Request.Method == "" || !strings.HasPrefix(in.Request.Path, "/"):
		return &Error{"ValidationError", "request.method and request.path (beginning with /) are required"}
	case len(in.Decisions) > MaxDecisions:
		return &Error{"ValidationError", fmt.Sprintf("at most %d decisions per call", MaxDecisions)}
	case in.Request.PayloadHash != "" && in.Request.Body != nil:
		return &Error{"ValidationError", "give request.payloadHash or request.body, not both"}
	}
	for i, q := range in.Decisions {
		if q.Action == "" || !strings.Contains(q.Action, ":") {
			return &Error{"ValidationError", fmt.Sprintf("decisions[%d].action must be service:Action", i)}
		}
		if a := q.ResourceAccount; a != "" && (len(a) != 12 || strings.Trim(a, "0123456789") != "") {
			return &Error{"ValidationError", fmt.Sprintf("decisions[%d].resourceAccount must be 12 digits", i)}
		}
	}
	return nil
}
