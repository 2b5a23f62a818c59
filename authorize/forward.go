package authorize

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
	"github.com/keyward/keyward/sigv4"
)

// Config maps the requests a reverse proxy asks about to decisions. It is
// read from a JSON file (LoadConfig):
//
//	{
//	  "service": "kvstore",
//	  "routes": [
//	    {"match": "GET /kv/{key...}", "action": "kvstore:GetItem",
//	     "resource": "arn:aws:kvstore:::item/{key}"},
//	    {"match": "PUT /kv/{key...}", "action": "kvstore:PutItem",
//	     "resource": "arn:aws:kvstore:::item/{key}",
//	     "context": {"kvstore:ContentType": "{header:Content-Type}"}}
//	  ]
//	}
//
// Match is a net/http ServeMux pattern ("[METHOD ][HOST]/PATH", with
// {name} and {name...} wildcards; the most specific pattern wins). Resource
// and context values may use the pattern's wildcards as {name}, and
// {header:Name} and {query:name} for a header or query value of the
// original request. A request no route matches is denied (403).
type Config struct {
	// Service is the credential scope service clients sign for.
	Service string `json:"service"`
	// PathStyle "s3": clients sign the path as S3 does.
	PathStyle string  `json:"pathStyle,omitempty"`
	Routes    []Route `json:"routes"`

	mux *http.ServeMux
}

// Route maps requests that Match matches to one decision.
type Route struct {
	Match    string            `json:"match"`
	Action   string            `json:"action"`
	Resource string            `json:"resource"`
	Context  map[string]Values `json:"context,omitempty"`
}

// LoadConfig reads and checks a forward-auth configuration file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// ParseConfig reads and checks a forward-auth configuration.
func ParseConfig(data []byte) (c *Config, err error) {
	c = new(Config)
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("forward-auth config: %w", err)
	}
	if c.Service == "" {
		return nil, errors.New(`forward-auth config: "service" (the service clients sign for) is required`)
	}
	if c.PathStyle != "" && c.PathStyle != "s3" {
		return nil, errors.New(`forward-auth config: "pathStyle" must be "s3" or absent`)
	}
	c.mux = http.NewServeMux()
	defer func() {
		// ServeMux panics on malformed or conflicting patterns.
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("forward-auth config: %v", p)
		}
	}()
	for i := range c.Routes {
		rt := &c.Routes[i]
		if rt.Action == "" || !strings.Contains(rt.Action, ":") {
			return nil, fmt.Errorf("forward-auth config: routes[%d] (%q): action must be service:Action", i, rt.Match)
		}
		if rt.Resource == "" {
			rt.Resource = "*"
		}
		c.mux.Handle(rt.Match, routeHandler(i))
	}
	return c, nil
}

// routeHandler reports which route matched, with its wildcards.
type routeHandler int

type routeMatch struct {
	route int
	r     *http.Request
}

// matchWriter receives what the mux writes for no match (404 or 405),
// and discards it.
type matchWriter struct {
	m *routeMatch
	h http.Header
}

func (w *matchWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header)
	}
	return w.h
}
func (w *matchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *matchWriter) WriteHeader(int)             {}

func (i routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if mw, ok := w.(*matchWriter); ok {
		mw.m.route, mw.m.r = int(i), r
	}
}

// resolve finds the route for r and fills its placeholders.
func (c *Config) resolve(r *http.Request) (action, resource string, ctx map[string][]string, ok bool) {
	m := routeMatch{route: -1}
	c.mux.ServeHTTP(&matchWriter{m: &m}, r)
	if m.route < 0 {
		return "", "", nil, false
	}
	rt := &c.Routes[m.route]
	dotted := false
	fill := func(s string) string {
		if !strings.Contains(s, "{") {
			return s
		}
		return placeholder.ReplaceAllStringFunc(s, func(p string) string {
			name := p[1 : len(p)-1]
			switch {
			case strings.HasPrefix(name, "header:"):
				return r.Header.Get(name[len("header:"):])
			case strings.HasPrefix(name, "query:"):
				return r.URL.Query().Get(name[len("query:"):])
			}
			v := m.r.PathValue(name)
			dotted = dotted || hasDotSegment(v)
			return v
		})
	}
	if len(rt.Context) > 0 {
		ctx = make(map[string][]string, len(rt.Context))
		for k, vs := range rt.Context {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = fill(v)
			}
			ctx[k] = out
		}
	}
	resource = fill(rt.Resource)
	if dotted {
		// "%2E%2E" or ".." inside an escaped slash ("a%2F..%2Fb") would name
		// another resource than the one an upstream that normalizes paths
		// serves: refuse rather than guess.
		return "", "", nil, false
	}
	return rt.Action, resource, ctx, true
}

func hasDotSegment(v string) bool {
	for seg := range strings.SplitSeq(v, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// Response headers of an allowed forward-auth request, for the proxy to
// pass to the upstream (nginx: auth_request_set).
const (
	HeaderPrincipalARN  = "X-Keyward-Principal-Arn"
	HeaderPrincipalType = "X-Keyward-Principal-Type"
	HeaderAccountID     = "X-Keyward-Account-Id"
	HeaderUserID        = "X-Keyward-User-Id"
	HeaderAccessKeyID   = "X-Keyward-Access-Key-Id"
	HeaderSessionName   = "X-Keyward-Session-Name"
	HeaderAction        = "X-Keyward-Action"
	HeaderResource      = "X-Keyward-Resource"
	HeaderErrorCode     = "X-Keyward-Error-Code"
)

// ServeForwardAuth answers a reverse proxy's auth subrequest: 200 with the
// principal in X-Keyward-* headers, 401 when the client's signature does not
// hold (or there is none), 403 when policy denies or no route matches. The
// original request is read from X-Original-Method and X-Original-URI
// (nginx), X-Forwarded-Method, X-Forwarded-Uri and X-Forwarded-Host
// (Traefik), or the subrequest's own method and path below ForwardAuthPath
// (Envoy ext_authz with path_prefix).
func (h *Handler) ServeForwardAuth(w http.ResponseWriter, r *http.Request) {
	if h.Forward == nil {
		http.NotFound(w, r)
		return
	}
	orig, err := originalRequest(r)
	if err != nil {
		forwardError(w, http.StatusBadRequest, "ValidationError", err.Error())
		return
	}
	if n := r.Header.Get("X-Original-Content-Length"); n != "" && n != "0" && orig.Header.Get("X-Amz-Content-Sha256") == "" {
		// The signature would cover an empty body: say so rather than
		// let an unsigned body through.
		forwardError(w, http.StatusUnauthorized, sigv4.CodeIncompleteSignature,
			"a request with a body must sign x-amz-content-sha256 (UNSIGNED-PAYLOAD or the body's hex SHA-256)")
		return
	}
	o := sigv4.Options{Payload: sigv4.PayloadDeclared, S3: h.Forward.PathStyle == "s3"}
	v, err := h.Authn.VerifyService(orig, nil, h.Forward.Service, o, false)
	if err == nil && h.Limit != nil {
		if lerr := h.Limit(v.Caller.AccessKeyID); lerr != nil {
			h.logForward(orig, http.StatusForbidden, v.Caller.ARN, "", "", keyward.ErrorCode(lerr))
			forwardError(w, http.StatusForbidden, keyward.ErrorCode(lerr), keyward.ErrorMessage(lerr))
			return
		}
	}
	if err != nil {
		var ke *keyward.Error
		if errors.As(err, &ke) {
			h.logForward(orig, http.StatusUnauthorized, "", "", "", ke.Code)
			forwardError(w, http.StatusUnauthorized, ke.Code, ke.Message)
			return
		}
		h.fail(w, r, err)
		return
	}
	action, resource, ctx, ok := h.Forward.resolve(orig)
	if !ok {
		h.logForward(orig, http.StatusForbidden, v.Caller.ARN, "", "", "NoRoute")
		forwardError(w, http.StatusForbidden, keyward.ErrAccessDenied, "no route of the forward-auth configuration matches "+orig.Method+" "+orig.URL.Path)
		return
	}
	c := v.Caller
	res, err := h.Authz.Evaluate(r.Context(), c, action, resource, ctx, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set(HeaderAction, action)
	hd.Set(HeaderResource, resource)
	if res.Decision != policy.Allowed {
		h.logForward(orig, http.StatusForbidden, c.ARN, action, resource, keyward.ErrAccessDenied)
		forwardError(w, http.StatusForbidden, keyward.ErrAccessDenied, "User: "+c.ARN+" is not authorized to perform: "+action+
			" on resource: "+resource+" "+policy.DenialReason(action, &res))
		return
	}
	hd.Set(HeaderPrincipalARN, c.ARN)
	hd.Set(HeaderPrincipalType, kindName(c.Kind))
	hd.Set(HeaderAccountID, c.AccountID)
	hd.Set(HeaderUserID, c.UserID)
	hd.Set(HeaderAccessKeyID, c.AccessKeyID)
	if c.SessionName != "" {
		hd.Set(HeaderSessionName, c.SessionName)
	}
	h.logForward(orig, http.StatusOK, c.ARN, action, resource, "")
	w.WriteHeader(http.StatusOK)
}

// originalRequest rebuilds the proxied request from the subrequest.
func originalRequest(r *http.Request) (*http.Request, error) {
	method := first(r.Header.Get("X-Original-Method"), r.Header.Get("X-Forwarded-Method"), r.Method)
	uri := first(r.Header.Get("X-Original-URI"), r.Header.Get("X-Forwarded-Uri"))
	if uri == "" {
		uri = strings.TrimPrefix(r.RequestURI, ForwardAuthPath)
		if uri == "" || uri[0] == '?' {
			uri = "/" + uri
		}
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("the original URI %q is not a request URI", uri)
	}
	o := &http.Request{Method: method, URL: u, RequestURI: uri, Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		Header: make(http.Header, len(r.Header)), RemoteAddr: r.RemoteAddr, TLS: r.TLS}
	o.Host = first(r.Header.Get("X-Forwarded-Host"), r.Host)
	for k, vs := range r.Header {
		switch k {
		case "X-Original-Method", "X-Original-Uri", "X-Original-Content-Length", "X-Forwarded-Method", "X-Forwarded-Uri", "X-Forwarded-Host":
			continue
		}
		o.Header[k] = vs
	}
	if ip := r.Header.Get("X-Real-Ip"); ip != "" {
		o.RemoteAddr = ip // set by the proxy: the client's address for aws:SourceIp
	}
	if r.Header.Get("X-Forwarded-Proto") == "https" {
		o.TLS = secureTransport
	}
	return o.WithContext(r.Context()), nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// logForward writes one line per forward-auth answer.
func (h *Handler) logForward(orig *http.Request, status int, principal, action, resource, code string) {
	if h.Log != nil {
		h.Log.Info("forward-auth", "method", orig.Method, "path", orig.URL.Path, "status", status, "principal", principal,
			"action", action, "resource", resource, "code", code)
	}
}

func forwardError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set(HeaderErrorCode, code)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", sigv4.Algorithm)
	}
	writeError(w, status, &Error{code, msg})
}
