// Package main is the keyward command, Keyward's one binary: the IAM and STS server
// (keyward serve) and the offline policy tools (keyward policy ...).
//
// main is thin: Run does the work, and tests call Run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitError carries a process exit code; its message, if any, is printed.
// Code 0 with no message is a request for help that was answered.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// flagError is what a command returns when its flags do not parse: -h and
// --help asked for the help the flag package has just printed, which is not
// a failure (exit 0); anything else is a usage error (exit 2), already
// explained by the flag package.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return &exitError{code: 0}
	}
	return &exitError{code: 2}
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "keyward:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "keyward:", err)
	return 1
}

const usage = `usage: keyward COMMAND [ARGS]

commands:
  serve            run the IAM and STS server
  account create   create an account and its root access key
  account list     list the store's accounts
  policy validate  check policy documents against AWS's grammar and rules
  policy eval      decide one request offline
  policy lint      check policy documents against AWS's services, actions, resources and keys
  policy expand    list the actions each Action pattern matches
  policy generate  write the least-privilege policy a principal's audited requests need
  audit            read the audit trail back, with filters
  export, import   move a whole installation between stores (SQLite, PostgreSQL)
  version          print Keyward's version, VCS revision and Go version

Each command says more with -h: keyward serve -h, keyward policy -h, ...
`

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "policy":
		return runPolicy(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		err := runServe(ctx, args[1:], stdout, stderr)
		// runServe (serve.go) answers -h with the flag package's help and
		// exit 2; help asked for first is not a usage error.
		var ee *exitError
		if len(args) > 1 && isHelpFlag(args[1]) && errors.As(err, &ee) && ee.code == 2 && ee.msg == "" {
			return nil
		}
		return err
	case "account":
		return runAccount(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdin, stdout, stderr) // audit.go
	case "export", "import":
		return runExportImport(ctx, args, stdin, stdout, stderr)
	case "version", "--version", "-version":
		if len(args) > 1 {
			return usageError("version: unexpected argument %q", args[1])
		}
		writeVersion(stdout)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", args[0])
}

func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// writeVersion prints what the binary knows of itself: the module version
// (a tag with go install ...@vX, a pseudo-version from the checkout with go
// build), the VCS revision it was built from, and the Go toolchain.
func writeVersion(w io.Writer) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	fmt.Fprint(w, versionText(bi))
}

// versionText is writeVersion's text for the build information bi (nil
// when the binary has none).
func versionText(bi *debug.BuildInfo) string {
	version, revision, when, modified := "(unknown)", "", "", false
	goVersion := runtime.Version()
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "keyward %s\n", version)
	if revision != "" {
		fmt.Fprintf(&b, "revision %s", revision)
		if when != "" {
			fmt.Fprintf(&b, " (%s)", when)
		}
		if modified {
			b.WriteString(" with uncommitted changes")
		}
		b.WriteString("\n")
	} else {
		// go run and go test stamp no VCS information, nor go build with
		// -buildvcs=false or outside a git checkout; make build asks for it.
		b.WriteString("revision unknown (built without VCS information; make build or go install stamps it)\n")
	}
	fmt.Fprintf(&b, "%s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
