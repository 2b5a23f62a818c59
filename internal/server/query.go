package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/awsquery"
)

// service is one AWS Query service: its actions under one API version, and
// the actions it serves without a signature.
type service struct {
	name      string // SigV4 signing name: "iam", "sts"
	namespace string // XML namespace of its responses
	version   string // the Version field that selects it
	actions   map[string]awsquery.Handler
	unsigned  map[string]bool
}

func newService(name, namespace, version string, actions map[string]awsquery.Handler, unsigned []string) *service {
	s := &service{name: name, namespace: namespace, version: version, actions: actions, unsigned: map[string]bool{}}
	for _, a := range unsigned {
		s.unsigned[a] = true
	}
	return s
}

// exchange is one Query request on its way through the chain, and what the
// chain learned of it: what the audit line, the metrics and the access log
// report.
type exchange struct {
	id      string
	start   time.Time
	http    *http.Request
	req     *awsquery.Request // nil until parsed
	svc     *service          // nil until the Version named a service
	action  string            // the action, once svc knows it
	caller  *keyward.Caller   // nil until authenticated; nil for unsigned actions
	pending *audit.Pending    // the authorizations the action asked for
	code    string            // the error code answered; "" on success
	x509    *audit.X509       // an IAM Roles Anywhere CreateSession's certificate
}

// serveQuery is the AWS Query API's request lifecycle, in order:
//
//  1. parse: method, body, form fields, Action and Version (awsquery.Read);
//  2. dispatch: the service the Version names, and the action it has;
//  3. authenticate: SigV4, or nothing for the actions the service serves
//     unsigned, sent with no signature at all;
//  4. rate-limit: per access key, once its signature checked out;
//  5. bind and act: the action decodes its input and runs, authorizing on
//     what it reads in its own transaction;
//  6. audit: one line per request, written before the response so that with
//     --audit-sync an acknowledged request is on disk;
//  7. respond: AWS's XML result or error;
//  8. observe: metrics and the access log line.
//
// Every step may end the request with AWS's error; the steps after it still
// audit, answer and observe it.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	x := &exchange{id: awsquery.NewRequestID(), start: time.Now(), http: r}
	x.pending = &audit.Pending{RequestID: x.id}
	buf, release := awsquery.BodyBuffer()
	result, body, err := s.act(r, x, buf)
	defer release(body)
	if aerr := s.auditQuery(r, x, err); aerr != nil && err == nil {
		result, err = nil, aerr
	}
	if err == nil {
		if err = awsquery.WriteResult(w, x.action, x.svc.namespace, x.id, result); err != nil {
			err = internalf("encoding %s result: %w", x.action, err)
		}
	}
	if err != nil {
		x.code = keyward.ErrorCode(err)
		ns := awsquery.NamespaceFault // the front end's errors: before a service was chosen
		if x.action != "" {
			ns = x.svc.namespace
		}
		awsquery.WriteError(w, s.log, ns, x.id, err)
	}
	s.observe(x)
}

// act runs steps 1 to 5. It returns the body read (to be released once the
// request is answered).
func (s *Server) act(r *http.Request, x *exchange, buf []byte) (result any, body []byte, err error) {
	// 1. Parse.
	req, body, err := awsquery.Read(r, s.cfg.MaxBodyBytes, buf)
	if err != nil {
		return nil, body, err
	}
	req.ID = x.id
	x.req = req
	// 2. Dispatch.
	for _, svc := range s.services {
		if svc.version == req.Version {
			x.svc = svc
			break
		}
	}
	if x.svc == nil || x.svc.actions[req.Action] == nil {
		return nil, body, awsquery.UnknownAction(req.Action, req.Version)
	}
	x.action = req.Action
	// 3. Authenticate.
	if x.svc.unsigned[x.action] && !signed(r) {
		req.Caller = anonymous(r, x)
	} else {
		c, err := s.authn.Verify(r, body, x.svc.name)
		if err != nil {
			return nil, body, err
		}
		x.caller, req.Caller = c, c
		// 4. Rate-limit.
		if err := s.limit(c.AccessKeyID); err != nil {
			return nil, body, err
		}
	}
	// 5. Bind and act.
	ctx := audit.NewContext(r.Context(), x.pending)
	result, err = awsquery.Call(ctx, x.svc.actions[x.action], req)
	return result, body, err
}

// signed reports whether a request carries a signature of any kind: an
// Authorization header, or the presigned query's signature or credential.
func signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential")
}

// anonymous is the caller of an unsigned action: no principal, only what
// the request itself says (aws:SourceIp, aws:SecureTransport, ...).
func anonymous(r *http.Request, x *exchange) *keyward.Caller {
	c := &keyward.Caller{RequestTime: x.start, RequestID: x.id, SourceIP: host(r.RemoteAddr), SecureTransport: r.TLS != nil, UserAgent: r.UserAgent()}
	return c
}

// limit spends a token of the access key's rate-limit bucket: AWS's
// Throttling when there is none.
func (s *Server) limit(accessKeyID string) error {
	if s.limiter == nil || accessKeyID == "" || s.limiter.allow(accessKeyID) {
		return nil
	}
	return keyward.Errorf(keyward.ErrThrottling, "Rate exceeded")
}

// auditQuery writes the request's audit line and notes the caller's use of
// the action (last-accessed data). With a synchronous trail, a line that
// could not be made durable fails a request that would have succeeded:
// it is not acknowledged.
func (s *Server) auditQuery(r *http.Request, x *exchange, err error) error {
	region := ""
	if a := r.Header.Get("Authorization"); a != "" {
		region = audit.Region(a, "")
	} else {
		region = audit.Region("", r.URL.Query().Get("X-Amz-Credential"))
	}
	if x.caller != nil && x.action != "" {
		if terr := s.tracker.Used(r.Context(), x.caller, x.svc.name, x.action, region); terr != nil {
			s.log.Warn("last-used tracking", "request_id", x.id, "err", terr)
		}
	}
	if s.trail == nil {
		return nil
	}
	rec := audit.Record{Time: x.start.UTC(), RequestID: x.id, Region: region, SourceIP: host(r.RemoteAddr), UserAgent: r.UserAgent(),
		DurationMS: float64(time.Since(x.start).Microseconds()) / 1000}
	if x.svc != nil {
		rec.Service = x.svc.name
	}
	rec.Action = x.label()
	if x.svc != nil && x.action != "" {
		rec.Action = x.svc.name + ":" + x.action
	}
	rec.SetCaller(x.caller)
	rec.X509 = x.x509
	rec.SetDecisions(x.pending.Decisions())
	if err != nil {
		rec.ErrorCode = keyward.ErrorCode(err)
	}
	if werr := s.trail.Write(&rec); werr != nil {
		s.log.Error("audit: write", "request_id", x.id, "err", werr)
		if s.trail.Sync() {
			return errAuditFailed
		}
	}
	return nil
}

// errAuditFailed is what a client gets when --audit-sync could not make
// its request's line durable: the request is not acknowledged.
var errAuditFailed = keyward.Errorf(keyward.ErrServiceFailure, "The request could not be recorded in the audit trail.")

// label is the action as metrics, logs and the audit trail name it: an
// action the service has, or "unknown". Names a client invents never become
// a label, so unauthenticated requests cannot grow the metrics or a log
// line without bound.
func (x *exchange) label() string {
	if x.action != "" {
		return x.action
	}
	if x.req == nil || x.req.Action == "" {
		return ""
	}
	return "unknown"
}

// observe counts the request and writes its access log line.
func (s *Server) observe(x *exchange) {
	svc := ""
	if x.svc != nil {
		svc = x.svc.name
	}
	d := time.Since(x.start)
	s.metrics.observe(svc, x.label(), x.code, d)
	caller := ""
	if x.caller != nil {
		caller = x.caller.ARN
	}
	s.log.Info("request", "request_id", x.id, "service", svc, "action", x.label(), "code", x.code, "caller", caller,
		"remote", x.http.RemoteAddr, "duration_ms", float64(d.Microseconds())/1000)
}

// auditDecision records a decision made outside an IAM or STS request: one
// the authorize endpoints asked for on behalf of another service, for its
// client c. It is the client's use of that service, and gets a line of its
// own.
func (s *Server) auditDecision(ctx context.Context, c *keyward.Caller, d authz.Decision) {
	svc, name, _ := strings.Cut(d.Action, ":")
	svc = strings.ToLower(svc)
	if err := s.tracker.Used(ctx, c, svc, name, ""); err != nil {
		s.log.Warn("last-used tracking", "request_id", c.RequestID, "err", err)
	}
	if s.trail == nil {
		return
	}
	r := audit.Record{Time: time.Now().UTC(), RequestID: c.RequestID, Via: "authorize", Service: svc, Action: d.Action}
	r.SetCaller(c)
	r.SetDecisions([]audit.Decision{audit.DecisionOf(d)})
	if err := s.trail.Write(&r); err != nil {
		s.log.Error("audit: write", "request_id", c.RequestID, "err", err)
	}
}

// internalf is an internal error: logged with the request id, never shown.
func internalf(format string, args ...any) error { return fmt.Errorf("server: "+format, args...) }

// host is the address part of HOST:PORT.
func host(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
