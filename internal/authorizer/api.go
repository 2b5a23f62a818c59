package authorizer

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/internal/authn"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
	"github.com/keyward/keyward/sigv4"
)

// ownServices are the credential scopes of Keyward's own APIs: a signing key
// for one of them would let its holder call IAM, STS or this API as the
// client, so none is ever handed out, whatever the policies say.
// maxBody bounds a call to the authorize API.
const maxBody = 8 << 20

var ownServices = map[string]bool{"iam": true, "sts": true, authorize.SigningService: true}

// Handler serves the authorize API and forward authentication.
type Handler struct {
	Authn *authn.Authenticator
	Authz *authz.Authorizer
	Log   *slog.Logger
	// Forward maps forward-auth requests to decisions; nil answers 404 at
	// ForwardAuthPath.
	Forward *authorize.Config
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
		writeError(w, http.StatusMethodNotAllowed, &authorize.Error{Code: "InvalidAction", Message: "the authorize API takes POST"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, &authorize.Error{Code: "ValidationError", Message: "reading the request: " + err.Error()})
		return
	}
	if len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, &authorize.Error{Code: "ValidationError", Message: "the request is larger than 8 MiB"})
		return
	}
	caller, err := h.Authn.Verify(r, body, authorize.SigningService)
	if err == nil && h.Limit != nil {
		err = h.Limit(caller.AccessKeyID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in authorize.Input
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, &authorize.Error{Code: "ValidationError", Message: "the request is not the authorize API's JSON: " + err.Error()})
		return
	}
	if err := in.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := h.Authz.Authorize(r.Context(), caller, authorize.ActionAuthorize, authorize.ServiceARN(in.Service), nil); err != nil {
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

// authorize verifies the client's request and decides the queries. An
// error is the service's (its resource policy is malformed, the store
// failed), not the client's.
func (h *Handler) authorize(ctx context.Context, service *keyward.Caller, in *authorize.Input) (*authorize.Output, error) {
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
	out := &authorize.Output{}
	wantKey := (in.SigningKey || strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-AWS4-HMAC-SHA256-")) &&
		!ownServices[in.Service]
	v, err := h.Authn.VerifyService(r, cr.Body, in.Service, o, wantKey)
	if err != nil {
		var ke *keyward.Error
		if !errors.As(err, &ke) {
			return nil, err
		}
		out.Error = &authorize.Error{Code: ke.Code, Message: ke.Message}
		return out, nil
	}
	out.Authenticated = true
	c := v.Caller
	out.Principal = principalOf(c)
	if out.Principal.Tags, err = h.Authz.PrincipalTags(ctx, c); err != nil {
		return nil, err
	}
	out.Signature = &authorize.Signature{Region: v.Signed.Region, Service: v.Signed.Service, Date: v.Signed.AmzDate(), Presigned: v.Signed.Presigned}
	if wantKey {
		// The signing key lets its holder sign as the client within one
		// day and service: only services trusted with it receive it.
		if err := h.Authz.Authorize(ctx, service, authorize.ActionGetSigningKey, authorize.ServiceARN(in.Service), nil); err == nil {
			out.SigningKey = &authorize.Key{Key: hex.EncodeToString(v.SigningKey), SeedSignature: v.Signed.Signature,
				Date: v.Signed.AmzDate(), Scope: v.Signed.Scope()}
		}
	}
	out.Decisions = make([]authorize.Decision, len(in.Decisions))
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

func (h *Handler) decide(ctx context.Context, c *keyward.Caller, q *authorize.Query, explain bool) (authorize.Decision, error) {
	resource := q.Resource
	if resource == "" {
		resource = "*"
	}
	var rp *policy.Set
	if len(q.ResourcePolicy) > 0 {
		var err error
		if rp, err = h.resourcePolicy(q.ResourcePolicy); err != nil {
			return authorize.Decision{}, err
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
		return authorize.Decision{}, err
	}
	return decisionOf(c, q.Action, resource, &res, explain), nil
}

func decisionOf(c *keyward.Caller, action, resource string, res *policy.Result, explain bool) authorize.Decision {
	d := authorize.Decision{Action: action, Resource: resource, Decision: res.Decision.String(),
		MatchedStatements: make([]authorize.Statement, len(res.Matched)), MissingContextValues: res.Missing}
	if d.MissingContextValues == nil {
		d.MissingContextValues = []string{}
	}
	for i, m := range res.Matched {
		d.MatchedStatements[i] = authorize.Statement{SourcePolicyID: m.PolicyID, SourcePolicyType: m.Type.String(), Sid: m.Sid}
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
			return nil, &authorize.Error{Code: "MalformedPolicyDocument", Message: err.Error()}
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
		return nil, &authorize.Error{Code: "MalformedPolicyDocument", Message: "resourcePolicy: " + err.Error()}
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
func clientRequest(ctx context.Context, cr *authorize.ClientRequest) (*http.Request, error) {
	uri := cr.Path
	if cr.Query != "" {
		uri += "?" + cr.Query
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, &authorize.Error{Code: "ValidationError", Message: "request.path and request.query do not form a request URI: " + err.Error()}
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
func principalOf(c *keyward.Caller) *authorize.Principal {
	p := &authorize.Principal{Type: kindName(c.Kind), ARN: c.ARN, AccountID: c.AccountID, UserID: c.UserID, UserName: c.UserName,
		RoleARN: c.RoleARN, RoleName: c.RoleName, SessionName: c.SessionName, SourceIdentity: c.SourceIdentity,
		MFAPresent: c.MFAPresent, AccessKeyID: c.AccessKeyID, Temporary: c.Temporary}
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
	var e *authorize.Error
	if errors.As(err, &e) {
		writeError(w, keyward.HTTPStatus(e.Code), e)
		return
	}
	var ke *keyward.Error
	if errors.As(err, &ke) {
		writeError(w, keyward.HTTPStatus(ke.Code), &authorize.Error{Code: ke.Code, Message: ke.Message})
		return
	}
	if h.Log != nil {
		h.Log.Error("authorize", "path", r.URL.Path, "err", err)
	}
	writeError(w, http.StatusInternalServerError, &authorize.Error{Code: "InternalFailure", Message: "an internal error occurred"})
}

func writeError(w http.ResponseWriter, code int, e *authorize.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(struct {
		Error *authorize.Error `json:"error"`
	}{e})
}
