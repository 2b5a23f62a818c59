package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/keyward/keyward/policy"
)

const policyUsage = `usage:
  keyward policy validate [--type TYPE] [--managed] [--strict] FILE...
      Check policy documents (- reads one from standard input). TYPE is
      identity (default), resource, trust, boundary, session or scp;
      --managed (or --type managed) applies IAM's rules for managed policies
      (CreatePolicy): Version must be 2012-10-17. Exit 0 when all are valid,
      1 with findings, 2 on usage errors. Each finding is
      FILE:LINE:COLUMN: PATH: message (AWS: "..."), the last part being the
      MalformedPolicyDocument message IAM gives for it. --strict checks them
      against AWS's catalog too: it is keyward policy lint, with lint's flags
      (below).
  keyward policy eval [--request FILE|-] [--explain]
      Decide one request offline (JSON request on stdin by default). Prints the
      decision as JSON; --explain prints, per statement, why it did or did not
      apply. Exit 0 with a decision, 2 when the request or a policy is malformed.
      The resourcePolicy's kind follows from the request unless
      resourcePolicyType ("resource", "trust" or "key") says otherwise: an
      sts:AssumeRole* (or sts:TagSession, sts:SetSourceIdentity,
      sts:SetContext) request on a role is decided by the role's trust policy,
      a request on a KMS key (arn:aws:kms:REGION:ACCOUNT:key/...) by its key
      policy; both must allow explicitly (an identity policy's allow counts
      only when they name the account). Any other resource policy allows
      alongside identity policies within an account. Leave scps out for the
      management account; SCPs never limit service-linked roles or services.
  keyward policy generate --principal ARN --audit FILE|- [--since T]
      Write the smallest identity policy allowing what the principal did, as
      the audit trail recorded it (keyward serve --audit FILE; - reads it from
      standard input): allowed requests and denials let through by
      --enforcement=log. Exit 1 when it did nothing. keyward policy lint
      passes what it writes (declare your own services with --service-prefix).
`

func runPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage+lintUsage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdin, stdout, stderr)
	case "eval":
		return runEval(args[1:], stdin, stdout, stderr)
	case "lint":
		return runLint(args[1:], "keyward policy lint", stdin, stdout, stderr) // lint.go
	case "expand":
		return runExpand(args[1:], stdin, stdout, stderr) // lint.go
	case "generate":
		return runPolicyGenerate(args[1:], stdin, stdout, stderr) // audit.go
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, policyUsage+lintUsage)
		return nil
	}
	fmt.Fprint(stderr, policyUsage+lintUsage)
	return usageError("unknown policy command %q", args[0])
}

// usageFunc prints a command's synopsis from policyUsage or lintUsage, then
// its flags, for -h.
func usageFunc(fs *flag.FlagSet, synopsis string) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "usage:\n%s\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
}

// policyInputs reads the documents a policy command was given: files, or
// "-" once for standard input (named <stdin> in findings).
type policyInput struct {
	name string
	data []byte
}

func readPolicyInputs(cmd string, names []string, stdin io.Reader) ([]policyInput, error) {
	if len(names) == 0 {
		return nil, usageError("%s: no files given (- reads standard input)", cmd)
	}
	var out []policyInput
	stdinRead := false
	for _, name := range names {
		var data []byte
		var err error
		if name == "-" {
			if stdinRead {
				return nil, usageError("%s: - (standard input) given twice", cmd)
			}
			stdinRead = true
			name = "<stdin>"
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			return nil, usageError("%s: %v", cmd, err)
		}
		out = append(out, policyInput{name, data})
	}
	return out, nil
}

func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if rest, strict := strictArgs(args); strict { // lint.go
		return runLint(rest, "keyward policy validate --strict", stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("keyward policy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, policyUsage[len("usage:\n"):strings.Index(policyUsage, "  keyward policy eval")])
	typeName := fs.String("type", "identity", "policy type: identity, resource, trust, boundary, session, scp, or managed (an identity policy with --managed)")
	managed := fs.Bool("managed", false, "apply IAM's rules for managed policies: Version must be 2012-10-17")
	// Never read: strictArgs takes --strict out before parsing. Declared so
	// that -h lists it.
	fs.Bool("strict", false, "check against AWS's catalog of services, actions, resources and condition keys too (keyward policy lint; takes lint's flags)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *typeName == "managed" {
		*typeName, *managed = "identity", true
	}
	t, ok := policy.ParseType(*typeName)
	if !ok {
		return usageError("unknown policy type %q: use identity, resource, trust, boundary, session, scp or managed", *typeName)
	}
	inputs, err := readPolicyInputs("policy validate", fs.Args(), stdin)
	if err != nil {
		return err
	}
	findings := 0
	for _, in := range inputs {
		name, data := in.name, in.data
		for _, e := range policy.ValidateWith(data, t, policy.Options{Managed: *managed}) {
			findings++
			if e.Path != "" {
				fmt.Fprintf(stdout, "%s:%d:%d: %s: %s (AWS: %q)\n", name, e.Line, e.Column, e.Path, e.Message, e.AWSMessage)
			} else {
				fmt.Fprintf(stdout, "%s:%d:%d: %s (AWS: %q)\n", name, e.Line, e.Column, e.Message, e.AWSMessage)
			}
		}
	}
	if findings > 0 {
		return &exitError{code: 1}
	}
	return nil
}

type evalOutput struct {
	Decision          string      `json:"decision"`
	MatchedStatements []evalMatch `json:"matchedStatements"`
	Missing           []string    `json:"missingContextValues"`
}

type evalMatch struct {
	SourcePolicyID   string       `json:"sourcePolicyId"`
	SourcePolicyType string       `json:"sourcePolicyType"`
	Sid              string       `json:"sid"`
	StartPosition    evalPosition `json:"startPosition"`
	EndPosition      evalPosition `json:"endPosition"`
}

type evalPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func runEval(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyward policy eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, policyUsage[strings.Index(policyUsage, "  keyward policy eval"):strings.Index(policyUsage, "  keyward policy generate")])
	reqFile := fs.String("request", "-", "request file, or - for standard input")
	explain := fs.Bool("explain", false, "say, per statement, why it did or did not apply")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("policy eval: unexpected argument %q", fs.Arg(0))
	}
	var data []byte
	var err error
	if *reqFile == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(*reqFile)
	}
	if err != nil {
		return usageError("%v", err)
	}
	in, err := policy.DecodeInput(data)
	if err != nil {
		return usageError("malformed request: %v", err)
	}
	var res policy.Result
	in.Policies.Evaluate(&in.Request, &res)
	if *explain {
		writeExplanation(stdout, in, &res)
		return nil
	}
	out := evalOutput{Decision: res.Decision.String(), MatchedStatements: []evalMatch{}, Missing: append([]string{}, res.Missing...)}
	for _, m := range res.Matched {
		out.MatchedStatements = append(out.MatchedStatements, evalMatch{
			SourcePolicyID: m.PolicyID, SourcePolicyType: m.Type.String(), Sid: m.Sid,
			StartPosition: evalPosition{m.Start.Line, m.Start.Column},
			EndPosition:   evalPosition{m.End.Line, m.End.Column},
		})
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeExplanation(w io.Writer, in *policy.Input, res *policy.Result) {
	fmt.Fprintln(w, policy.Summary(&in.Request, res))
	for _, x := range in.Policies.Explain(&in.Request) {
		mark := "does not apply"
		if x.Applies {
			mark = "APPLIES"
		}
		sid := x.Sid
		if sid == "" {
			sid = fmt.Sprintf("#%d", x.Statement+1)
		}
		fmt.Fprintf(w, "\n%s statement %s (%s policy %q, line %d): %s\n", x.Effect, sid, x.Type, x.PolicyID, x.Start.Line, mark)
		for _, r := range x.Reasons {
			fmt.Fprintf(w, "  - %s\n", r)
		}
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(w, "\nmissing context values: %s\n", strings.Join(res.Missing, ", "))
	}
}
