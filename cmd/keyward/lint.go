package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

// lintUsage is appended to policyUsage's text by policyHelp.
const lintUsage = `  keyward policy lint [--type TYPE] [--format text|json] [--fail-on KIND]
                      [--service-prefix NAME]... [--forward-auth-config FILE] FILE...
  keyward policy validate --strict [same flags] FILE...
      Check policy documents (- reads one from standard input) against AWS's
      catalog of services, actions, resource types and condition keys, as IAM
      Access Analyzer does, and against Keyward's own actions
      (keyward:Authorize, keyward:GetSigningKey). Your own services' actions
      (kvstore:GetItem) are accepted once declared: --service-prefix kvstore
      (repeatable), or --forward-auth-config FILE, the route map keyward serve
      reads from KEYWARD_FORWARD_AUTH_CONFIG, whose actions' services are
      declared (those AWS does not define). Each finding is ERROR,
      SECURITY_WARNING, WARNING or SUGGESTION with its FILE:LINE:COLUMN,
      element path, issue code and message; --format json writes them as one
      JSON object for CI. Exit 0 when no finding is at or above --fail-on
      (error, security_warning, warning (default) or suggestion), 1 when one
      is (a document that breaks the grammar is an ERROR), 2 on usage errors
      and unreadable files.
  keyward policy expand [--type TYPE] [--format text|json] FILE...
      List the concrete actions each Action and NotAction pattern matches.
`

// listFlag is a flag that may be given several times, each value a list
// separated by commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// forwardAuthServices returns the services a forward-auth route map
// declares: the prefixes of its routes' actions, and the service clients
// sign for, that neither AWS's catalog nor Keyward defines. An S3-style
// store that maps requests to s3:GetObject keeps AWS's checks of s3.
func forwardAuthServices(path string) ([]string, error) {
	cfg, err := authorize.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	var out []string
	add := func(prefix string) {
		prefix = strings.ToLower(prefix)
		if _, aws := catalog.FindService(prefix); aws || prefix == authorize.SigningService || slices.Contains(out, prefix) {
			return
		}
		out = append(out, prefix)
	}
	add(cfg.Service)
	for _, r := range cfg.Routes {
		prefix, _, _ := strings.Cut(r.Action, ":")
		add(prefix)
	}
	return out, nil
}

// strictArgs reports whether validate's args ask for --strict, and returns
// them without it: validate --strict is lint.
func strictArgs(args []string) ([]string, bool) {
	var rest []string
	strict := false
	for _, a := range args {
		if a == "--strict" || a == "-strict" || a == "--strict=true" || a == "-strict=true" {
			strict = true
			continue
		}
		rest = append(rest, a)
	}
	return rest, strict
}

// lintFile is one file's findings, as --format json writes them.
type lintFile struct {
	File     string         `json:"file"`
	Findings []lint.Finding `json:"findings"`
}

type lintOutput struct {
	Files  []lintFile     `json:"files"`
	Counts map[string]int `json:"counts"` // findings per kind
	FailOn lint.Kind      `json:"failOn"`
	Failed bool           `json:"failed"` // a finding at or above failOn: exit status 1
}

func runLint(args []string, name string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, lintUsage[:strings.Index(lintUsage, "  keyward policy expand")])
	typeName := fs.String("type", "identity", "policy type: identity, resource, trust, boundary, session or scp")
	format := fs.String("format", "text", "output format: text or json")
	failOn := fs.String("fail-on", "warning", "exit 1 when a finding is of this kind or more severe: error, security_warning, warning or suggestion")
	var linter lint.Linter
	fs.Var((*listFlag)(&linter.Services), "service-prefix", "a service of your own whose actions (`NAME`:Action) Keyward authorizes; repeatable, or a comma-separated list")
	forwardAuth := fs.String("forward-auth-config", "", "declare the services of the forward-auth route map `FILE` (what KEYWARD_FORWARD_AUTH_CONFIG names for keyward serve)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	t, ok := policy.ParseType(*typeName)
	if !ok {
		return usageError("unknown policy type %q: use identity, resource, trust, boundary, session or scp", *typeName)
	}
	threshold, ok := lint.ParseKind(*failOn)
	if !ok {
		return usageError("--fail-on %q: use error, security_warning, warning or suggestion", *failOn)
	}
	if *format != "text" && *format != "json" {
		return usageError("--format %q: use text or json", *format)
	}
	if *forwardAuth != "" {
		declared, err := forwardAuthServices(*forwardAuth)
		if err != nil {
			return usageError("--forward-auth-config: %v", err)
		}
		linter.Services = append(linter.Services, declared...)
	}
	inputs, err := readPolicyInputs(strings.TrimPrefix(name, "keyward "), fs.Args(), stdin) // policy.go
	if err != nil {
		return err
	}
	out := lintOutput{Counts: map[string]int{}, FailOn: threshold}
	for _, in := range inputs {
		file, data := in.name, in.data
		findings := linter.Check(data, t)
		if findings == nil {
			findings = []lint.Finding{}
		}
		out.Files = append(out.Files, lintFile{File: file, Findings: findings})
		for _, f := range findings {
			out.Counts[string(f.Kind)]++
			if f.Kind.Severity() >= threshold.Severity() {
				out.Failed = true
			}
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		total := 0
		for _, lf := range out.Files {
			for _, f := range lf.Findings {
				total++
				path := ""
				if f.Path != "" {
					path = f.Path + ": "
				}
				fmt.Fprintf(stdout, "%s:%d:%d: %s %s: %s%s\n", lf.File, f.Line, f.Column, f.Kind, f.Code, path, f.Message)
			}
		}
		if total > 0 {
			var parts []string
			for _, k := range []lint.Kind{lint.Error, lint.SecurityWarning, lint.Warning, lint.Suggestion} {
				if n := out.Counts[string(k)]; n > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n, k))
				}
			}
			fmt.Fprintf(stdout, "%d findings in %d files: %s\n", total, len(out.Files), strings.Join(parts, ", "))
		}
	}
	if out.Failed {
		return &exitError{code: 1}
	}
	return nil
}

type expandFile struct {
	File       string           `json:"file"`
	Expansions []lint.Expansion `json:"expansions"`
}

func runExpand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keyward policy expand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, lintUsage[strings.Index(lintUsage, "  keyward policy expand"):])
	typeName := fs.String("type", "identity", "policy type: identity, resource, trust, boundary, session or scp")
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	t, ok := policy.ParseType(*typeName)
	if !ok {
		return usageError("unknown policy type %q: use identity, resource, trust, boundary, session or scp", *typeName)
	}
	if *format != "text" && *format != "json" {
		return usageError("--format %q: use text or json", *format)
	}
	inputs, err := readPolicyInputs("policy expand", fs.Args(), stdin) // policy.go
	if err != nil {
		return err
	}
	var files []expandFile
	for _, in := range inputs {
		file, data := in.name, in.data
		exps, err := lint.Expand(data, t)
		if err != nil {
			return usageError("%s: %v", file, err)
		}
		files = append(files, expandFile{File: file, Expansions: exps})
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(files)
	}
	for _, f := range files {
		for _, e := range f.Expansions {
			what := fmt.Sprintf("matches %d actions", len(e.Actions))
			if e.Not {
				what = fmt.Sprintf("(NotAction) leaves out %d actions: the statement applies to every other action", len(e.Actions))
			}
			fmt.Fprintf(stdout, "%s:%d:%d: %s %s %q %s\n", f.File, e.Line, e.Column, e.Path, e.Effect, e.Pattern, what)
			for _, a := range e.Actions {
				fmt.Fprintf(stdout, "    %s\n", a)
			}
		}
	}
	return nil
}
