package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/arn"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/awsquery"
	"github.com/keyward/keyward/internal/console"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/rolesanywhere"
	"github.com/keyward/keyward/internal/sts"
)

// consoleBackend is what the console asks of the server: the same chain as
// the Query API (rate limit, bind against the model, act, audit, track,
// observe), entered with the console session's caller instead of a SigV4
// signature.
type consoleBackend struct{ s *Server }

var _ console.Backend = consoleBackend{}

// newConsole makes the console: one per server, whatever number of
// handlers Handler makes, since it keeps the sessions.
// Sessions are kept in the store when it can keep them, so that every
// replica serves every session.
func (s *Server) newConsole() *console.Console {
	shared, _ := s.store.(keyward.ConsoleSessions)
	return console.New(console.Config{
		Backend:   consoleBackend{s},
		AccountID: s.cfg.AccountID,
		AuditFile: s.cfg.AuditFile,
		Passwords: s.passwords(),
		Sessions:  shared,
		Log:       s.log,
	})
}

// consoleRoutes mounts the console under console.Prefix.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	mux.Handle(console.Prefix, s.console)
	mux.Handle("GET "+strings.TrimSuffix(console.Prefix, "/"), http.RedirectHandler(console.Prefix, http.StatusFound))
}

// Invoke runs one IAM, STS or IAM Roles Anywhere action for c, its
// parameters given as a Query form: what a signed request to the API does
// from authentication on (rate limit, bind, act, audit, respond, observe),
// with the audit line marked "console".
func (b consoleBackend) Invoke(ctx context.Context, c *keyward.Caller, svcName, action string, params url.Values) (any, console.Trace, error) {
	s := b.s
	start := time.Now()
	tr := console.Trace{RequestID: awsquery.NewRequestID()}
	cc := *c
	cc.RequestID, cc.RequestTime = tr.RequestID, start
	pending := &audit.Pending{RequestID: tr.RequestID}
	var svc *service
	var run func() (any, error)
	if svcName == rolesAnywhereService.name {
		op := rolesAnywhereOperation(action)
		if op == nil || !op.Signed {
			return nil, tr, internalf("console: no action %s:%s", svcName, action)
		}
		svc = rolesAnywhereService
		run = func() (any, error) { return b.actRolesAnywhere(ctx, op, &cc, params, pending) }
	} else {
		for _, v := range s.services {
			if v.name == svcName {
				svc = v
			}
		}
		if svc == nil || svc.actions[action] == nil {
			return nil, tr, internalf("console: no action %s:%s", svcName, action)
		}
		run = func() (any, error) { return b.act(ctx, svc, action, &cc, params, pending) }
	}
	result, err := run()
	tr.Decisions = pending.Decisions()
	code := keyward.ErrorCode(err)
	if err != nil {
		var e *keyward.Error
		if !errors.As(err, &e) {
			s.log.Error("internal error", "request_id", tr.RequestID, "via", "console", "err", err)
			err = keyward.Errorf(keyward.ErrInternalFailure, "%s", keyward.ErrorMessage(err))
			code = keyward.ErrInternalFailure
		}
	}
	if s.trail != nil {
		rec := audit.Record{Time: start.UTC(), RequestID: tr.RequestID, Via: "console", Service: svc.name,
			Action: svc.name + ":" + action, SourceIP: cc.SourceIP, UserAgent: cc.UserAgent,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000}
		rec.SetCaller(&cc)
		rec.SetDecisions(tr.Decisions)
		if err != nil {
			rec.ErrorCode = code
		}
		if werr := s.trail.Write(&rec); werr != nil {
			s.log.Error("audit: write", "request_id", tr.RequestID, "err", werr)
			if s.trail.Sync() && err == nil {
				result, err = nil, errAuditFailed
			}
		}
	}
	d := time.Since(start)
	s.metrics.observe(svc.name, action, code, d)
	s.log.Info("request", "request_id", tr.RequestID, "via", "console", "service", svc.name, "action", action, "code", code,
		"caller", cc.ARN, "remote", cc.SourceIP, "duration_ms", float64(d.Microseconds())/1000)
	return result, tr, err
}

// act rate-limits, binds and runs one console action, and notes the
// caller's use of it.
func (b consoleBackend) act(ctx context.Context, svc *service, action string, c *keyward.Caller, params url.Values, pending *audit.Pending) (any, error) {
	s := b.s
	if err := s.limit(c.AccessKeyID); err != nil {
		return nil, err
	}
	req := &awsquery.Request{Form: *awsquery.NewForm(params), Action: action, Version: svc.version, ID: c.RequestID, Caller: c}
	result, err := awsquery.Call(audit.NewContext(ctx, pending), svc.actions[action], req)
	if terr := s.tracker.Used(ctx, c, svc.name, action, ""); terr != nil {
		s.log.Warn("last-used tracking", "request_id", c.RequestID, "err", terr)
	}
	return result, err
}

// rolesAnywhereOperation is the Roles Anywhere operation named name, nil
// when there is none.
func rolesAnywhereOperation(name string) *rolesanywhere.Operation {
	for _, op := range rolesanywhere.Operations() {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// pathParam is a placeholder of a REST route: {trustAnchorId}.
var pathParam = regexp.MustCompile(`\{([A-Za-z0-9]+)\+?\}`)

// actRolesAnywhere rate-limits and runs one Roles Anywhere operation for
// the console, as the REST API would run a signed request: the params
// that name a placeholder of the operation's route fill it, the others
// are its query string. The console sends no body: it reads the service
// (lists and gets), whose inputs are all in the route and the query.
func (b consoleBackend) actRolesAnywhere(ctx context.Context, op *rolesanywhere.Operation, c *keyward.Caller, params url.Values, pending *audit.Pending) (any, error) {
	s := b.s
	if err := s.limit(c.AccessKeyID); err != nil {
		return nil, err
	}
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	values := map[string]string{}
	path := pathParam.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := pathParam.FindStringSubmatch(m)[1]
		v := q.Get(name)
		q.Del(name)
		values[name] = v
		return url.PathEscape(v)
	})
	hr, err := http.NewRequestWithContext(ctx, op.Method, path, nil)
	if err != nil {
		return nil, err
	}
	hr.URL.RawQuery = q.Encode()
	hr.RemoteAddr = net.JoinHostPort(c.SourceIP, "0")
	hr.Header.Set("User-Agent", c.UserAgent)
	for k, v := range values {
		hr.SetPathValue(k, v)
	}
	req := &rolesanywhere.Request{Op: op, HTTP: hr, Caller: c, ID: c.RequestID}
	result, err := s.ra.Call(audit.NewContext(ctx, pending), req)
	if terr := s.tracker.Used(ctx, c, rolesAnywhereService.name, op.Name, ""); terr != nil {
		s.log.Warn("last-used tracking", "request_id", c.RequestID, "err", terr)
	}
	return result, err
}

// CheckKey verifies a long-term access key pair typed into the sign-in
// form. Attempts are rate-limited per source address (when the server has
// a rate limit), so the form is no faster an oracle than the API.
func (b consoleBackend) CheckKey(ctx context.Context, sourceIP, accessKeyID, secret string) (*keyward.Caller, error) {
	if err := b.s.limit("console-signin:" + sourceIP); err != nil {
		return nil, err
	}
	return b.s.authn.CheckKey(ctx, accessKeyID, secret, "signin")
}

// Issue seals a console session for c lasting d, as STS seals a session
// token: the console keeps the token server-side and never shows it.
func (b consoleBackend) Issue(ctx context.Context, c *keyward.Caller, d time.Duration) (console.Credentials, error) {
	now := time.Now().UTC().Truncate(time.Second)
	sess := *c
	sess.Temporary, sess.TokenIssueTime = true, now
	id := sts.TemporaryAccessKeyID(c.AccountID)
	exp := now.Add(d)
	tok, err := b.s.tokens.Issue(ctx, &sess, id, keyward.NewSecretAccessKey(), exp)
	if err != nil {
		return console.Credentials{}, err
	}
	return console.Credentials{AccessKeyID: id, SessionToken: tok, Expiration: exp}, nil
}

// Open opens a console session's (or an assumed role's) credentials:
// ExpiredToken once they expired, InvalidClientTokenId when the key ring
// no longer knows them (after a reset).
func (b consoleBackend) Open(cr console.Credentials, now time.Time) (*keyward.Caller, error) {
	sess, err := b.s.tokens.OpenSession(cr.SessionToken, cr.AccessKeyID, now)
	if err != nil {
		return nil, err
	}
	c := sess.Caller
	return &c, nil
}

// Decide authorizes c for an action outside IAM and STS (the audit trail
// page asks for cloudtrail:LookupEvents), audited as one console request.
func (b consoleBackend) Decide(ctx context.Context, c *keyward.Caller, action, resource string) (console.Trace, error) {
	s := b.s
	tr := console.Trace{RequestID: awsquery.NewRequestID()}
	start := time.Now()
	cc := *c
	cc.RequestID, cc.RequestTime = tr.RequestID, start
	if err := s.limit(c.AccessKeyID); err != nil {
		return tr, err
	}
	pending := &audit.Pending{RequestID: tr.RequestID}
	err := s.authz.Authorize(audit.NewContext(ctx, pending), &cc, action, resource, nil)
	tr.Decisions = pending.Decisions()
	if s.trail != nil {
		svc, _, _ := strings.Cut(action, ":")
		rec := audit.Record{Time: start.UTC(), RequestID: tr.RequestID, Via: "console", Service: svc, Action: action,
			SourceIP: cc.SourceIP, UserAgent: cc.UserAgent, DurationMS: float64(time.Since(start).Microseconds()) / 1000}
		rec.SetCaller(&cc)
		rec.SetDecisions(tr.Decisions)
		rec.ErrorCode = keyward.ErrorCode(err)
		if werr := s.trail.Write(&rec); werr != nil {
			s.log.Error("audit: write", "request_id", tr.RequestID, "err", werr)
		}
	}
	return tr, err
}

// passwords is the console's password sign-in: Config.ConsolePasswords when
// set, else IAM's own login profiles (iam.Service.SignIn).
func (s *Server) passwords() console.Passwords {
	if s.cfg.ConsolePasswords != nil {
		return s.cfg.ConsolePasswords
	}
	return loginProfiles{s}
}

// loginProfiles signs users in with their login profile's password, and
// their MFA device's code when they have one. Attempts spend the rate-limit
// tokens of the user and of the source address (with --rate-limit), on top
// of the password hash's own cost.
type loginProfiles struct{ s *Server }

func (l loginProfiles) SignIn(ctx context.Context, in console.PasswordSignIn) (*keyward.Caller, error) {
	s := l.s
	if err := s.limit("signin:" + in.SourceIP); err != nil {
		return nil, err
	}
	if err := s.limit("signin:" + strings.ToLower(in.Account+"/"+in.UserName)); err != nil {
		return nil, err
	}
	account := in.Account
	if !arn.IsAccountID(account) {
		err := s.store.View(ctx, func(tx keyward.Tx) error {
			a, err := tx.GetAccountByAlias(strings.ToLower(account))
			account = a.ID
			return err
		})
		if err != nil {
			return nil, iam.ErrSignIn
		}
	}
	res, err := s.iam.SignIn(ctx, account, in.UserName, in.Password, in.MFACode)
	if err == iam.ErrMFACodeNeeded {
		return nil, console.ErrMFARequired
	}
	if err != nil {
		return nil, err
	}
	u := res.User
	c := &keyward.Caller{Kind: keyward.CallerUser, AccountID: u.AccountID, ARN: u.ARN, UserID: u.ID, PrincipalID: u.ID, UserName: u.Name, MFAPresent: res.MFA}
	if res.MustChangePassword {
		return c, console.ErrPasswordResetRequired
	}
	return c, nil
}
