// Package main is the keyward command, Keyward's one binary: the IAM and STS server
// (keyward serve) and the offline policy tools (keyward policy ...).
//
// main is thin: Run does the work, and tests call Run.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitError carries a process exit code; its message, if any, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
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
  serve            run the IAM and STS server (keyward serve -h)
  account create   create an account and its root access key
  policy validate  check policy documents against AWS's grammar and rules
  policy eval      decide one request offline
  policy lint      check policy documents against AWS's services, actions, resources and keys
  policy expand    list the actions each Action pattern matches
  policy generate  write the least-privilege policy a principal's audited requests need
  audit            read the audit trail back, with filters
  export, import   move a whole installation between stores (SQLite, PostgreSQL)
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
		return runServe(ctx, args[1:], stdout, stderr)
	case "account":
		return runAccount(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdin, stdout, stderr) // audit.go
	case "export", "import":
		return runExportImport(ctx, args, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", args[0])
}
