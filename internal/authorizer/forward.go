package authorizer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/policy"
	"github.com/keyward/keyward/sigv4"
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
	action, resource, ctx, ok := h.Forward.Resolve(orig)
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
	hd.Set(authorize.HeaderAction, action)
	hd.Set(authorize.HeaderResource, resource)
	if res.Decision != policy.Allowed {
		h.logForward(orig, http.StatusForbidden, c.ARN, action, resource, keyward.ErrAccessDenied)
		forwardError(w, http.StatusForbidden, keyward.ErrAccessDenied, "User: "+c.ARN+" is not authorized to perform: "+action+
			" on resource: "+resource+" "+policy.DenialReason(action, &res))
		return
	}
	hd.Set(authorize.HeaderPrincipalARN, c.ARN)
	hd.Set(authorize.HeaderPrincipalType, kindName(c.Kind))
	hd.Set(authorize.HeaderAccountID, c.AccountID)
	hd.Set(authorize.HeaderUserID, c.UserID)
	hd.Set(authorize.HeaderAccessKeyID, c.AccessKeyID)
	if c.SessionName != "" {
		hd.Set(authorize.HeaderSessionName, c.SessionName)
	}
	h.logForward(orig, http.StatusOK, c.ARN, action, resource, "")
	w.WriteHeader(http.StatusOK)
}

// originalRequest rebuilds the proxied request from the subrequest.
func originalRequest(r *http.Request) (*http.Request, error) {
	method := first(r.Header.Get("X-Original-Method"), r.Header.Get("X-Forwarded-Method"), r.Method)
	uri := first(r.Header.Get("X-Original-URI"), r.Header.Get("X-Forwarded-Uri"))
	if uri == "" {
		uri = strings.TrimPrefix(r.RequestURI, authorize.ForwardAuthPath)
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
	w.Header().Set(authorize.HeaderErrorCode, code)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", sigv4.Algorithm)
	}
	writeError(w, status, &authorize.Error{Code: code, Message: msg})
}
