package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/audit"
	"github.com/keyward/keyward/authz"
	"github.com/keyward/keyward/awsquery"
	"github.com/keyward/keyward/policy"
)

// auditConfig holds keyward serve's audit and enforcement flags.
type auditConfig struct {
	file        string // "" none, "-" stdout, else a path
	sync        bool
	enforcement string
}

func (c *auditConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "audit", "", "write the audit trail, one JSON line per request, to FILE (- for stdout); SIGHUP reopens it after rotation")
	fs.BoolVar(&c.sync, "audit-sync", false, "fsync each audit line before the response is sent, so no acknowledged request is missing after a crash")
	fs.StringVar(&c.enforcement, "enforcement", "enforce", "enforce: deny what policies deny; log: decide every request, log and audit what would be denied, and let it through. Log softens the decisions of IAM's actions and of STS's GetFederationToken, GetAccessKeyInfo and DecodeAuthorizationMessage; never authentication, nor sts:AssumeRole*, whose trust-policy checks stay enforced")
}

// startAudit wires the audit trail, soft enforcement and last-used
// tracking into s: every action's handler records its authorizations
// (authz's OnDecision and OnWouldDeny, composed with what is already
// there), writes its line before the response is sent, and notes the
// principal's use of the action; requests refused before an action runs
// (authentication, unknown actions) get their line from awsquery's
// Observe. The SIGHUP watcher stops with ctx.
func (s *server) startAudit(ctx context.Context, cfg auditConfig, stdout io.Writer) error {
	switch cfg.enforcement {
	case "", "enforce":
	case "log":
		s.authz.Mode = authz.LogOnly
	default:
		return usageError("serve: --enforcement must be enforce or log, not %q", cfg.enforcement)
	}
	if cfg.sync && cfg.file == "" {
		return usageError("serve: --audit-sync needs --audit FILE")
	}
	var w *audit.Writer
	if cfg.file != "" {
		var err error
		if w, err = audit.Open(cfg.file, cfg.sync, stdout); err != nil {
			return fmt.Errorf("serve: --audit: %w", err)
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		go func() {
			defer signal.Stop(hup)
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					if err := w.Reopen(); err != nil {
						s.log.Error("audit: reopen", "err", err)
					}
				}
			}
		}()
	}

	tracker := &audit.Tracker{Store: s.store}
	prev := s.authz.OnDecision
	s.authz.OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		if prev != nil {
			prev(ctx, c, d)
		}
		if p := audit.FromContext(ctx); p != nil {
			p.Add(d)
		} else if c != nil {
			s.auditDecision(ctx, c, d, w, tracker)
		}
	}
	prevSoft := s.authz.OnWouldDeny
	s.authz.OnWouldDeny = func(ctx context.Context, c *keyward.Caller, d authz.Decision, err error) {
		if prevSoft != nil {
			prevSoft(ctx, c, d, err)
		}
		id := ""
		if p := audit.FromContext(ctx); p != nil {
			p.LetThrough(d)
			id = p.RequestID
		}
		s.log.Warn("would deny (enforcement=log)", "request_id", id, "caller", c.ARN, "action", d.Action, "resource", d.Resource, "reason", keyward.ErrorMessage(err))
	}

	var written sync.Map // request ids whose line the handler wrote
	for _, svc := range s.query.Services {
		for name, h := range svc.Actions {
			svc.Actions[name] = s.auditHandler(svc.Name, h, w, tracker, &written)
		}
	}
	prevObserve := s.query.Observe
	s.query.Observe = func(o awsquery.Observation) {
		if prevObserve != nil {
			prevObserve(o)
		}
		if _, ok := written.LoadAndDelete(o.RequestID); ok || w == nil {
			return
		}
		r := audit.Record{Time: time.Now().UTC(), RequestID: o.RequestID, Service: o.Service, ErrorCode: o.Code, SourceIP: hostOf(o.Remote),
			DurationMS: float64(o.Duration.Microseconds()) / 1000}
		if o.Action != "" {
			r.Action = qualified(o.Service, o.Action)
		}
		if c, ok := o.Caller.(*keyward.Caller); ok {
			r.SetCaller(c)
		}
		if err := w.Write(&r); err != nil {
			s.log.Error("audit: write", "request_id", o.RequestID, "err", err)
		}
	}
	return nil
}

// auditDecision records a decision made outside an IAM or STS request:
// one the authorize endpoints (cmd/keyward/authorize.go) asked for on
// behalf of another service, for its client c. It is the client's use of
// that service, and gets a line of its own.
func (s *server) auditDecision(ctx context.Context, c *keyward.Caller, d authz.Decision, w *audit.Writer, tracker *audit.Tracker) {
	svc, name, _ := strings.Cut(d.Action, ":")
	svc = strings.ToLower(svc)
	if err := tracker.Used(ctx, c, svc, name, ""); err != nil {
		s.log.Warn("last-used tracking", "request_id", c.RequestID, "err", err)
	}
	if w == nil {
		return
	}
	r := audit.Record{Time: time.Now().UTC(), RequestID: c.RequestID, Via: "authorize", Service: svc, Action: d.Action}
	r.SetCaller(c)
	r.SetDecisions([]audit.Decision{audit.DecisionOf(d)})
	if err := w.Write(&r); err != nil {
		s.log.Error("audit: write", "request_id", c.RequestID, "err", err)
	}
}

// qualified is service:Action ("iam:CreateUser"); "" service leaves the
// action alone.
func qualified(service, action string) string {
	if service == "" {
		return action
	}
	return service + ":" + action
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// errAuditFailed is what a client gets when --audit-sync could not make
// its request's line durable: the request is not acknowledged.
var errAuditFailed = keyward.Errorf(keyward.ErrServiceFailure, "The request could not be recorded in the audit trail.")

// auditHandler wraps one action's handler.
func (s *server) auditHandler(service string, h awsquery.Handler, w *audit.Writer, tracker *audit.Tracker, written *sync.Map) awsquery.Handler {
	return func(ctx context.Context, req *awsquery.Request) (any, error) {
		start := time.Now()
		p := &audit.Pending{RequestID: req.ID}
		result, err := h(audit.NewContext(ctx, p), req)
		c, _ := req.Caller.(*keyward.Caller)
		region := ""
		if req.HTTP != nil {
			if a := req.HTTP.Header.Get("Authorization"); a != "" {
				region = audit.Region(a, "")
			} else {
				region = audit.Region("", req.HTTP.URL.Query().Get("X-Amz-Credential"))
			}
		}
		if c != nil {
			if terr := tracker.Used(ctx, c, service, req.Action, region); terr != nil {
				s.log.Warn("last-used tracking", "request_id", req.ID, "err", terr)
			}
		}
		if w == nil {
			return result, err
		}
		r := audit.Record{Time: start.UTC(), RequestID: req.ID, Service: service, Action: qualified(service, req.Action), Region: region,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000}
		if req.HTTP != nil {
			r.SourceIP, r.UserAgent = hostOf(req.HTTP.RemoteAddr), req.HTTP.UserAgent()
		}
		r.SetCaller(c)
		r.SetDecisions(p.Decisions())
		if err != nil {
			r.ErrorCode = keyward.ErrorCode(err)
			if r.ErrorCode == "" {
				r.ErrorCode = keyward.ErrInternalFailure
			}
		}
		written.Store(req.ID, struct{}{})
		if werr := w.Write(&r); werr != nil {
			s.log.Error("audit: write", "request_id", req.ID, "err", werr)
			if r.ErrorCode == "" && s.auditSync(w) {
				return nil, errAuditFailed
			}
		}
		return result, err
	}
}

// auditSync reports whether w makes lines durable before responses.
func (s *server) auditSync(w *audit.Writer) bool { return w.Sync() }

const auditUsage = `usage: keyward audit --file FILE|- [--principal ARN] [--action A] [--decision D]
                     [--since T] [--until T] [--json] [--explain [--store URL]]
  Read the audit trail back, oldest first. keyward serve writes none unless
  asked to: start it with --audit FILE, then read FILE here.
  --file        the audit trail keyward serve --audit wrote (required; - reads standard input)
  --principal   the caller's ARN, or a role's ARN for its sessions (a trailing * matches a prefix)
  --action      service:Action, any case (a trailing * matches a prefix)
  --decision    allowed, explicitDeny, implicitDeny, denied (either), or log (let through by --enforcement=log)
  --since/--until  RFC 3339 times, or durations back from now (1h, 30m)
  --json        print the matching lines as they are stored
  --explain     print, for each line, the statements that decided and the missing context keys
  --store URL   with --explain, decide each line again with the caller's policies as they are now
                (the server's store, sqlite:PATH) and say why, statement by statement
`

// parseWhen reads an RFC 3339 time or a duration back from now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
}

// openTrail opens the trail to read: a file, or stdin for "-".
func openTrail(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func runAudit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyward audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), auditUsage) }
	file := fs.String("file", "", "the audit trail keyward serve --audit FILE wrote (- for standard input)")
	var f audit.Filter
	fs.StringVar(&f.Principal, "principal", "", "caller or role ARN")
	fs.StringVar(&f.Action, "action", "", "service:Action")
	fs.StringVar(&f.Decision, "decision", "", "allowed, explicitDeny, implicitDeny, denied or log")
	since := fs.String("since", "", "RFC 3339 time or duration back from now")
	until := fs.String("until", "", "RFC 3339 time or duration back from now")
	asJSON := fs.Bool("json", false, "print matching lines as stored")
	explain := fs.Bool("explain", false, "print the deciding statements and missing context keys")
	storeURL := fs.String("store", "", "with --explain: the server's store (sqlite:PATH); each decision is explained again, statement by statement, with the caller's policies as they are now")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("audit: unexpected argument %q", fs.Arg(0))
	}
	// Without a file the command would wait on standard input, silently.
	if *file == "" {
		return usageError("audit: --file is required: the audit trail keyward serve writes when started with --audit FILE (--file - reads standard input)")
	}
	switch f.Decision {
	case "", "allowed", "explicitDeny", "implicitDeny", "denied", "log":
	default:
		return usageError("audit: --decision must be allowed, explicitDeny, implicitDeny, denied or log, not %q", f.Decision)
	}
	now := time.Now()
	var err error
	if f.Since, err = parseWhen(*since, now); err != nil {
		return usageError("audit: --since: %v", err)
	}
	if f.Until, err = parseWhen(*until, now); err != nil {
		return usageError("audit: --until: %v", err)
	}
	var store keyward.Store
	if *storeURL != "" {
		if !*explain {
			return usageError("audit: --store is for --explain")
		}
		st, err := openCommandStore(ctx, "audit", "", *storeURL, false) // export.go
		if err != nil {
			return err
		}
		defer st.Close()
		store = st
	}
	in, done, err := openTrail(*file, stdin)
	if err != nil {
		return usageError("audit: %v", err)
	}
	defer done()
	return audit.Read(in, f, func(r *audit.Record) error {
		if *asJSON {
			return audit.WriteJSON(stdout, r)
		}
		decision := r.Decision
		if decision == "" {
			decision = "-"
		}
		if r.Enforcement != "" {
			decision += "(" + r.Enforcement + ")"
		}
		fmt.Fprintf(stdout, "%s %s %s %s %s %s %s\n", r.Time.UTC().Format(time.RFC3339), r.RequestID, orDash(r.Caller), orDash(r.Action), orDash(r.Resource), decision, orDash(r.ErrorCode))
		if *explain {
			for _, d := range r.All() {
				fmt.Fprintf(stdout, "    %s on %s: %s\n", d.Action, d.Resource, d.Reason)
				for _, m := range d.Matched {
					fmt.Fprintf(stdout, "      statement %s of %s policy %s at %d:%d\n", orDash(m.Sid), m.Type, m.PolicyID, m.Line, m.Column)
				}
				if len(d.Missing) > 0 {
					fmt.Fprintf(stdout, "      missing context keys: %s\n", strings.Join(d.Missing, ", "))
				}
				if store != nil {
					var b strings.Builder
					if err := reexplain(ctx, store, r, d, &b); err != nil {
						fmt.Fprintf(stdout, "      (not explained again: %v)\n", err)
						continue
					}
					fmt.Fprintf(stdout, "      with the policies as they are now:\n")
					for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
						fmt.Fprintf(stdout, "        %s\n", line)
					}
				}
			}
		}
		return nil
	})
}

// reexplain decides d again with the caller's policies as the store holds
// them now and writes why, statement by statement. The request context is
// what the line recorded (source address, time) and what follows from the
// caller (its ARN, name and tags); the session's own policies and tags, and
// the action's own condition keys, are not in the line, so they are left
// out.
func reexplain(ctx context.Context, st keyward.Store, r *audit.Record, d audit.Decision, w io.Writer) error {
	ref, principal, err := callerEntity(r)
	if err != nil {
		return err
	}
	var p *authz.Principal
	if err := st.View(ctx, func(tx keyward.Tx) error {
		p, err = authz.LoadPrincipal(tx, ref)
		return err
	}); err != nil {
		return err
	}
	in := &policy.Input{Request: policy.Request{Principal: principal, Action: d.Action, Resource: d.Resource}}
	in.Policies.Identity, in.Policies.Boundary = p.Sets()
	c := &in.Request.Context
	if r.SourceIP != "" {
		c.Set("aws:SourceIp", r.SourceIP)
	}
	c.Set("aws:CurrentTime", r.Time.UTC().Format(time.RFC3339))
	c.Set("aws:EpochTime", fmt.Sprint(r.Time.Unix()))
	for _, t := range p.Tags {
		c.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	policy.FillPrincipalContext(&in.Request)
	var res policy.Result
	in.Policies.Evaluate(&in.Request, &res)
	writeExplanation(w, in, &res)
	return nil
}

// callerEntity returns the user or role whose policies decided a line's
// request, and the principal ARN to decide as.
func callerEntity(r *audit.Record) (keyward.EntityRef, string, error) {
	arnOf := r.Caller
	if r.PrincipalARN != "" {
		arnOf = r.PrincipalARN
	}
	rest, ok := strings.CutPrefix(arnOf, "arn:aws:iam::")
	acct, res, ok2 := strings.Cut(rest, ":")
	kind, path, ok3 := strings.Cut(res, "/")
	if !ok || !ok2 || !ok3 || (kind != "user" && kind != "role") {
		return keyward.EntityRef{}, "", fmt.Errorf("the caller %s is not an IAM user or role session", orDash(r.Caller))
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	if kind == "role" {
		return keyward.RoleRef(acct, name), r.Caller, nil
	}
	return keyward.UserRef(acct, name), r.Caller, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runPolicyGenerate is keyward policy generate.
func runPolicyGenerate(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyward policy generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, policyUsage[strings.Index(policyUsage, "  keyward policy generate"):]) // policy.go
	principal := fs.String("principal", "", "the caller's ARN, or a role's ARN for its sessions (required)")
	since := fs.String("since", "", "RFC 3339 time or duration back from now")
	file := fs.String("audit", "", "the audit trail keyward serve --audit FILE wrote (required; - for standard input)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *principal == "" || *file == "" || fs.NArg() > 0 {
		return usageError("policy generate: usage: keyward policy generate --principal ARN --audit FILE|- [--since T]")
	}
	f := audit.Filter{Principal: *principal}
	var err error
	if f.Since, err = parseWhen(*since, time.Now()); err != nil {
		return usageError("policy generate: --since: %v", err)
	}
	in, done, err := openTrail(*file, stdin)
	if err != nil {
		return usageError("policy generate: %v", err)
	}
	defer done()
	var recs []*audit.Record
	if err := audit.Read(in, f, func(r *audit.Record) error { recs = append(recs, r); return nil }); err != nil {
		return err
	}
	doc, err := audit.Generate(recs)
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("policy generate: %s: %v", *principal, err)}
	}
	if _, err := policy.Parse(doc, policy.Identity); err != nil {
		return errors.New("policy generate: the generated policy does not validate: " + err.Error())
	}
	_, err = stdout.Write(doc)
	fmt.Fprintf(stderr, "keyward: a policy for %d request(s) of %s\n", len(recs), *principal)
	return err
}
