package awsquery

import (
	"context"
	"net/http"

	"github.com/keyward/keyward"
)

// Read decodes the protocol part of an AWS Query request: it refuses methods
// other than GET and POST, reads the body (at most maxBody bytes; 0 means
// DefaultMaxBodyBytes) into buf, parses the form (the body's fields when it
// is a URL-encoded form, then the URL query's), and reads Action and
// Version. It returns the request with Form, Action and Version set, and
// the body, which a signature covers. Errors are AWS's protocol errors
// (MethodNotAllowed, RequestEntityTooLarge, MalformedQueryString,
// MissingAction), to be written in NamespaceFault.
//
// The body's fields are read only when the Content-Type says it is a form:
// whatever else the body holds never selects the action.
func Read(r *http.Request, maxBody int64, buf []byte) (req *Request, body []byte, err error) {
	req = &Request{HTTP: r}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return req, buf, keyward.Errorf(CodeMethodNotAllowed, "The HTTP method %s is not allowed; use GET or POST.", r.Method)
	}
	s := Server{MaxBodyBytes: maxBody}
	if body, err = s.readBody(buf, r); err != nil {
		return req, body, err
	}
	if len(body) > 0 && isForm(r.Header.Get("Content-Type")) {
		if err := req.Form.add(string(body)); err != nil {
			return req, body, err
		}
	}
	if err := req.Form.add(r.URL.RawQuery); err != nil {
		return req, body, err
	}
	action, ok := req.Form.Lookup("Action")
	if !ok {
		return req, body, &keyward.Error{Code: keyward.ErrMissingAction, Message: "Missing Action"}
	}
	req.Action = action
	if req.Version, ok = req.Form.Lookup("Version"); !ok {
		req.Version = noVersion
	}
	return req, body, nil
}

// BodyBuffer returns a buffer for Read's body and a function that gives it
// back once nothing refers to it (the form's strings are copies).
func BodyBuffer() (buf []byte, release func([]byte)) {
	bp := bodyBuffers.Get().(*[]byte)
	return (*bp)[:0], func(body []byte) {
		if cap(body) <= maxPooled {
			*bp = body[:0]
			bodyBuffers.Put(bp)
		}
	}
}

// UnknownAction is AWS's answer to an Action no service has under the
// request's Version ("Could not find operation X for version V"), written in
// NamespaceFault.
func UnknownAction(action, version string) error {
	return &keyward.Error{Code: keyward.ErrInvalidAction, Message: "Could not find operation " + action + " for version " + version}
}

// Call runs h, turning a panic into an internal error so that the client
// still gets AWS's InternalFailure and the log gets the stack.
func Call(ctx context.Context, h Handler, req *Request) (result any, err error) {
	return call(h, ctx, req)
}
