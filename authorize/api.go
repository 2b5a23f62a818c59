package authorize

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authn"
	"github.com/keyward/keyward/authz"
	"github.com/keyward/keyward/policy"
	"github.com/keyward/keyward/sigv4"
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
	maxBody      = 8 << 20
)

// ServiceARN is the resource of keyward:Authorize for clients that sign
// for service.
func ServiceARN(service string) string { return "arn:aws:keyward:::service/" + service }

// ownServices are the credential scopes of Keyward's own APIs: a signing key
// for one of them would let its holder call IAM, STS or this API as the
// client, so none is ever handed out, whatever the policies say.
var ownServices = map[string]bool{"iam": true, "sts": true, SigningService: true}

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

// Handler serves the authorize API and forward authentication.
type Handler struct {
	Authn *authn.Authenticator
	Authz *authz.Authorizer
	Log   *slog.Logger
	// Forward maps forward-auth requests to decisions; nil answers 404 at
	// ForwardAuthPath.
	Forward *Config
	// Limit, when set, is asked for each request once its signature has
	// checked out (the calling service's; for forward authentication, the
	// client's), with the access key that signed: an error (AWS's
	// Throttling) refuses the request.
	Limit func(accessKeyID string) error

	mu       sync.Mutex
	policies map[string]*policy.Set // resource policies by document text
}

// ServeHTTP answers POST Path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, &Error{"InvalidAction", "the authorize API takes POST"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, &Error{"ValidationError", "reading the request: " + err.Error()})
		return
	}
	if len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, &Error{"ValidationError", "the request is larger than 8 MiB"})
		return
	}
	caller, err := h.Authn.Verify(r, body, SigningService)
	if err == nil && h.Limit != nil {
		err = h.Limit(caller.AccessKeyID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in Input
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, &Error{"ValidationError", "the request is not the authorize API's JSON: " + err.Error()})
		return
	}
	if err := in.validate(); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := h.Authz.Authorize(r.Context(), caller, ActionAuthorize, ServiceARN(in.Service), nil); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.authorize(r.Context(), caller, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.Log != nil {
		principal, code := "", ""
		if out.Principal != nil {
			principal = out.Principal.ARN
		}
		if out.Error != nil {
			code = out.Error.Code
		}
		h.Log.Info("authorize", "caller", caller.ARN, "service", in.Service, "principal", principal, "code", code,
			"decisions", len(out.Decisions), "allowed", out.Allowed)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (in *Input) validate() *Error {
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

// authorize verifies the client's request and decides the queries. An
// error is the service's (its resource policy is malformed, the store
// failed), not the client's.
func (h *Handler) authorize(ctx context.Context, service *keyward.Caller, in *Input) (*Output, error) {
	cr := &in.Request
	r, err := clientRequest(ctx, cr)
	if err != nil {
		return nil, err
	}
	o := sigv4.Options{S3: in.PathStyle == "s3"}
	switch {
	case cr.PayloadHash != "":
		o.Payload, o.Hash = sigv4.PayloadHash, cr.PayloadHash
	case cr.Body != nil:
		o.Payload = sigv4.PayloadBody
	default:
		o.Payload = sigv4.PayloadDeclared
	}
	out := &Output{}
	wantKey := (in.SigningKey || strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-AWS4-HMAC-SHA256-")) &&
		!ownServices[in.Service]
	v, err := h.Authn.VerifyService(r, cr.Body, in.Service, o, wantKey)
	if err != nil {
		var ke *keyward.Error
		if !errors.As(err, &ke) {
			return nil, err
		}
		out.Error = &Error{ke.Code, ke.Message}
		return out, nil
	}
	out.Authenticated = true
	c := v.Caller
	out.Principal = principalOf(c)
	if out.Principal.Tags, err = h.Authz.PrincipalTags(ctx, c); err != nil {
		return nil, err
	}
	out.Signature = &Signature{Region: v.Signed.Region, Service: v.Signed.Service, Date: v.Signed.AmzDate(), Presigned: v.Signed.Presigned}
	if wantKey {
		// The signing key lets its holder sign as the client within one
		// day and service: only services trusted with it receive it.
		if err := h.Authz.Authorize(ctx, service, ActionGetSigningKey, ServiceARN(in.Service), nil); err == nil {
			out.SigningKey = &Key{Key: hex.EncodeToString(v.SigningKey), SeedSignature: v.Signed.Signature,
				Date: v.Signed.AmzDate(), Scope: v.Signed.Scope()}
		}
	}
	out.Decisions = make([]Decision, len(in.Decisions))
	out.Allowed = len(in.Decisions) > 0
	for i := range in.Decisions {
		d, err := h.decide(ctx, c, &in.Decisions[i], in.Explain)
		if err != nil {
			return nil, err
		}
		out.Decisions[i] = d
		out.Allowed = out.Allowed && d.Decision == "allowed"
	}
	return out, nil
}

func (h *Handler) decide(ctx context.Context, c *keyward.Caller, q *Query, explain bool) (Decision, error) {
	resource := q.Resource
	if resource == "" {
		resource = "*"
	}
	var rp *policy.Set
	if len(q.ResourcePolicy) > 0 {
		var err error
		if rp, err = h.resourcePolicy(q.ResourcePolicy); err != nil {
			return Decision{}, err
		}
	}
	var extra map[string][]string
	if len(q.Context) > 0 {
		extra = make(map[string][]string, len(q.Context))
		for k, v := range q.Context {
			extra[k] = v
		}
	}
	var res policy.Result
	var err error
	if q.ResourceAccount != "" {
		res, err = h.Authz.EvaluateIn(ctx, c, q.Action, resource, q.ResourceAccount, extra, rp)
	} else {
		res, err = h.Authz.Evaluate(ctx, c, q.Action, resource, extra, rp)
	}
	if err != nil {
		return Decision{}, err
	}
	return decisionOf(c, q.Action, resource, &res, explain), nil
}

func decisionOf(c *keyward.Caller, action, resource string, res *policy.Result, explain bool) Decision {
	d := Decision{Action: action, Resource: resource, Decision: res.Decision.String(),
		MatchedStatements: make([]Statement, len(res.Matched)), MissingContextValues: res.Missing}
	if d.MissingContextValues == nil {
		d.MissingContextValues = []string{}
	}
	for i, m := range res.Matched {
		d.MatchedStatements[i] = Statement{SourcePolicyID: m.PolicyID, SourcePolicyType: m.Type.String(), Sid: m.Sid}
	}
	if res.Decision != policy.Allowed {
		d.Message = "User: " + c.ARN + " is not authorized to perform: " + action + " on resource: " + resource + " " +
			policy.DenialReason(action, res)
	}
	if explain {
		d.Explanation = policy.Summary(&policy.Request{Principal: c.ARN, Action: action, Resource: resource}, res)
	}
	return d
}

// resourcePolicy parses and compiles a resource policy, once per distinct
// text: services send the same bucket or table policy again and again.
func (h *Handler) resourcePolicy(raw json.RawMessage) (*policy.Set, error) {
	doc := []byte(raw)
	if len(doc) > 0 && doc[0] == '"' {
		var s string
		if err := json.Unmarshal(doc, &s); err != nil {
			return nil, &Error{"MalformedPolicyDocument", err.Error()}
		}
		doc = []byte(s)
	}
	key := string(doc)
	h.mu.Lock()
	set := h.policies[key]
	h.mu.Unlock()
	if set != nil {
		return set, nil
	}
	d, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		return nil, &Error{"MalformedPolicyDocument", "resourcePolicy: " + err.Error()}
	}
	set = policy.NewSet(policy.Policy{ID: "ResourcePolicy", Document: d})
	h.mu.Lock()
	if h.policies == nil || len(h.policies) >= 1024 {
		h.policies = make(map[string]*policy.Set) // a crude bound: start over
	}
	h.policies[key] = set
	h.mu.Unlock()
	return set, nil
}

// clientRequest rebuilds the client's request as the service received it.
func clientRequest(ctx context.Context, cr *ClientRequest) (*http.Request, error) {
	uri := cr.Path
	if cr.Query != "" {
		uri += "?" + cr.Query
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, &Error{"ValidationError", "request.path and request.query do not form a request URI: " + err.Error()}
	}
	r := &http.Request{Method: cr.Method, URL: u, RequestURI: uri, Header: make(http.Header, len(cr.Headers)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, RemoteAddr: cr.SourceIP}
	r = r.WithContext(ctx)
	for k, vs := range cr.Headers {
		if strings.EqualFold(k, "host") {
			if cr.Host == "" && len(vs) > 0 {
				r.Host = vs[0]
			}
			continue
		}
		r.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if cr.Host != "" {
		r.Host = cr.Host
	}
	if cr.SecureTransport {
		r.TLS = secureTransport
	}
	r.Body = io.NopCloser(bytes.NewReader(cr.Body))
	return r, nil
}

// secureTransport marks a rebuilt request as received over TLS.
var secureTransport = &tls.ConnectionState{}

// principalOf describes a verified caller.
func principalOf(c *keyward.Caller) *Principal {
	p := &Principal{Type: kindName(c.Kind), ARN: c.ARN, AccountID: c.AccountID, UserID: c.UserID, UserName: c.UserName,
		RoleARN: c.RoleARN, RoleName: c.RoleName, SessionName: c.SessionName, SourceIdentity: c.SourceIdentity,
		MFAPresent: c.MFAPresent, AccessKeyID: c.AccessKeyID, Temporary: c.SessionToken}
	if len(c.SessionTags) > 0 {
		p.SessionTags = make(map[string]string, len(c.SessionTags))
		for _, t := range c.SessionTags {
			p.SessionTags[t.Key] = t.Value
		}
	}
	if !c.SessionExpiry.IsZero() {
		e := c.SessionExpiry.UTC()
		p.SessionExpiry = &e
	}
	if !c.TokenIssueTime.IsZero() {
		t := c.TokenIssueTime.UTC()
		p.TokenIssueTime = &t
	}
	return p
}

func kindName(k keyward.CallerKind) string {
	switch k {
	case keyward.CallerRoot:
		return "Root"
	case keyward.CallerUser:
		return "User"
	case keyward.CallerAssumedRole:
		return "AssumedRole"
	case keyward.CallerFederatedUser:
		return "FederatedUser"
	case keyward.CallerUserSession:
		return "UserSession"
	}
	return "Unknown"
}

// fail answers an error of the calling service (or an internal one, logged
// and not shown) with the status the Query protocol gives its code
// (keyward.HTTPStatus): the same code reads the same on both APIs, so
// NoSuchEntity is 404, Throttling 400 and AccessDenied 403, as IAM's and
// STS's models and AWS's common errors say.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		writeError(w, keyward.HTTPStatus(e.Code), e)
		return
	}
	var ke *keyward.Error
	if errors.As(err, &ke) {
		writeError(w, keyward.HTTPStatus(ke.Code), &Error{ke.Code, ke.Message})
		return
	}
	if h.Log != nil {
		h.Log.Error("authorize", "path", r.URL.Path, "err", err)
	}
	writeError(w, http.StatusInternalServerError, &Error{"InternalFailure", "an internal error occurred"})
}

func writeError(w http.ResponseWriter, code int, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(struct {
		Error *Error `json:"error"`
	}{e})
}
