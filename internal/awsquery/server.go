package awsquery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward"
)

// DefaultMaxBodyBytes is the body limit of a Server whose MaxBodyBytes is
// zero. AWS itself takes up to 10,000,000 bytes, but the largest IAM or
// STS input (a few policy documents) is far below a mebibyte.
const DefaultMaxBodyBytes = 1 << 20

// noVersion is what AWS names a missing Version in InvalidAction's message.
const noVersion = "NO_VERSION_SPECIFIED"

// Handler runs one action. It returns the value to encode under
// <ActionResult> (nil for actions without output), or an error: a
// *keyward.Error is shown to the client, anything else is an internal
// failure, logged and hidden.
type Handler func(ctx context.Context, req *Request) (result any, err error)

// Service is one AWS Query service: its actions under one API version.
type Service struct {
	Name      string // SigV4 signing name, passed to the Authenticator: "iam", "sts"
	Namespace string // XML namespace of responses, e.g. NamespaceIAM
	Version   string // the Version field that selects this service, e.g. VersionIAM
	Actions   map[string]Handler
}

// Request is one decoded Query request as a Handler sees it.
type Request struct {
	Form    Form          // the body's and the URL query's fields
	Action  string        // the Action field
	Version string        // the Version field, NO_VERSION_SPECIFIED when absent
	ID      string        // the request id sent back in the response
	Service *Service      // the service the Version field selected
	Caller  any           // what the Authenticator returned
	HTTP    *http.Request // the underlying request (remote address, TLS, headers)
}

// Authenticator checks a request's signature before any handler runs and
// returns who is calling; the value becomes Request.Caller. body is the
// complete request body (valid only during the call); service is the
// Service's signing Name. An error (normally a *keyward.Error such as
// SignatureDoesNotMatch) is written to the client as AWS's error response.
type Authenticator func(r *http.Request, body []byte, service string) (caller any, err error)

// Server serves AWS Query requests for its Services on any path, choosing
// the service by the Version field.
//
// Dispatch follows what AWS's front end does: no Action field is
// MissingAction (AWS redirects such requests to its web site, which is no
// use to a client of this server); a Version no service has (or none,
// named NO_VERSION_SPECIFIED) and an Action the service lacks are both
// InvalidAction "Could not find operation X for version V". These
// protocol errors carry NamespaceFault; authentication and handler errors
// carry the service's namespace.
type Server struct {
	Services     []*Service
	Authenticate Authenticator // required: a nil Authenticator refuses every request
	Log          *slog.Logger  // where internal errors go, with the request id; nil discards them
	MaxBodyBytes int64         // 0 means DefaultMaxBodyBytes
	// Observe, when set, is called once per request after the response is
	// written (access logs, metrics).
	Observe func(Observation)
}

// bodyBuffers recycles request bodies: the form's strings are copied out
// of the body, so nothing refers to a buffer once its request is done.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Observation describes one finished request, for access logs and metrics.
type Observation struct {
	RequestID string
	Service   string // the Service's Name, "" when no service was chosen
	Action    string // the Action field, "" when absent
	Code      string // the error code sent, "" on success
	Caller    any    // what the Authenticator returned, nil when it refused
	Duration  time.Duration
	Remote    string
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := NewRequestID()
	req := &Request{ID: id, HTTP: r}
	ns, err := s.serve(w, r, req)
	code := ""
	if err != nil {
		WriteError(w, s.Log, ns, id, err)
		code = keyward.ErrorCode(err)
	}
	if s.Observe != nil {
		o := Observation{RequestID: id, Action: req.Action, Code: code, Caller: req.Caller, Duration: time.Since(start), Remote: r.RemoteAddr}
		if req.Service != nil {
			o.Service = req.Service.Name
		}
		s.Observe(o)
	}
}

// serve handles one request; an error is to be written in namespace ns.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, req *Request) (ns string, err error) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		return NamespaceFault, keyward.Errorf(CodeMethodNotAllowed, "The HTTP method %s is not allowed; use GET or POST.", r.Method)
	}
	bp := bodyBuffers.Get().(*[]byte)
	body, err := s.readBody((*bp)[:0], r)
	defer func() {
		if cap(body) <= maxPooled {
			*bp = body[:0]
			bodyBuffers.Put(bp)
		}
	}()
	if err != nil {
		return NamespaceFault, err
	}

	if len(body) > 0 && isForm(r.Header.Get("Content-Type")) {
		if err := req.Form.add(string(body)); err != nil {
			return NamespaceFault, err
		}
	}
	if err := req.Form.add(r.URL.RawQuery); err != nil {
		return NamespaceFault, err
	}

	action, ok := req.Form.Lookup("Action")
	if !ok {
		return NamespaceFault, &keyward.Error{Code: keyward.ErrMissingAction, Message: "Missing Action"}
	}
	version, ok := req.Form.Lookup("Version")
	if !ok {
		version = noVersion
	}
	var h Handler
	for _, svc := range s.Services {
		if svc.Version == version {
			req.Service = svc
			h = svc.Actions[action]
			break
		}
	}
	req.Action = action
	if h == nil {
		return NamespaceFault, &keyward.Error{
			Code:    keyward.ErrInvalidAction,
			Message: "Could not find operation " + action + " for version " + version,
		}
	}
	ns = req.Service.Namespace

	if s.Authenticate == nil {
		return ns, fmt.Errorf("awsquery: Server.Authenticate is nil")
	}
	caller, err := s.Authenticate(r, body, req.Service.Name)
	if err != nil {
		return ns, err
	}
	req.Caller = caller

	result, err := call(h, r.Context(), req)
	if err != nil {
		return ns, err
	}
	if err := WriteResult(w, action, ns, req.ID, result); err != nil {
		return ns, fmt.Errorf("awsquery: encoding %s result: %w", action, err)
	}
	return ns, nil
}

// call runs h, turning a panic into an internal error so that the client
// still gets AWS's InternalFailure and the log gets the stack.
func call(h Handler, ctx context.Context, req *Request) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = fmt.Errorf("awsquery: %s panicked: %v\n%s", req.Action, p, debug.Stack())
		}
	}()
	return h(ctx, req)
}

// readBody appends r's body to buf, up to the server's limit.
func (s *Server) readBody(buf []byte, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return buf, nil
	}
	max := s.MaxBodyBytes
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	if r.ContentLength > max {
		return buf, tooLarge(max)
	}
	if r.ContentLength > 0 {
		buf = slices.Grow(buf, int(r.ContentLength)+1) // +1 to see EOF without growing
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 512)
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return buf, tooLarge(max)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, fmt.Errorf("awsquery: reading request body: %w", err)
		}
	}
}

func tooLarge(max int64) error {
	return &keyward.Error{
		Code:    CodeRequestEntityTooLarge,
		Message: "Request body must not exceed " + strconv.FormatInt(max, 10) + " bytes.",
	}
}

// isForm reports whether a Content-Type is a URL-encoded form, whatever
// its parameters (the SDKs add "; charset=utf-8").
func isForm(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// NewRequestID returns a new request id: a random version 4 UUID, the
// shape of AWS's.
func NewRequestID() string { return keyward.NewUUID() }
