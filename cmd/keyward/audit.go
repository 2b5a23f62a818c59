package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/policy"
)

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
