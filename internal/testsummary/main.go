// Command testsummary runs go test and prints what make test needs a reader
// to see, and go test alone does not show without -v: why each skipped test
// skipped, and how many cases the headline suites ran. It prints one line a
// package, as go test does, and, below it, the skips grouped by reason, the
// tests named by -show with their number of cases and what they logged, and
// the whole output of every failure.
//
//	go run ./internal/testsummary [-C DIR] [-show REGEXP] -- [GO TEST FLAGS] [PACKAGES]
//
// It runs go test -json with the rest of its arguments in DIR (default: the
// current directory) and exits with go test's status.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
)

func main() {
	fs := flag.NewFlagSet("testsummary", flag.ExitOnError)
	dir := fs.String("C", "", "run go test in `DIR`")
	show := fs.String("show", "", "top-level tests (a `REGEXP`) whose cases and log lines are shown")
	fs.Parse(os.Args[1:])
	var showRE *regexp.Regexp
	if *show != "" {
		showRE = regexp.MustCompile("^(" + *show + ")$")
	}
	cmd := exec.Command("go", append([]string{"test", "-json"}, fs.Args()...)...)
	cmd.Dir = *dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	failed := summarize(out, os.Stdout, showRE)
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	case failed:
		os.Exit(1)
	}
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	Elapsed     float64
	ImportPath  string // build-output and build-fail
	FailedBuild string
}

// test is what one test (or subtest) did.
type test struct {
	name   string
	result string   // pass, fail, skip; "" while running
	output []string // its own lines, without go test's === and --- markers
	raw    []string // its own lines as go test printed them
}

type pkg struct {
	tests map[string]*test
	order []string // test names as they started
	own   []string // output not attached to a test
}

func (p *pkg) test(name string) *test {
	t, ok := p.tests[name]
	if !ok {
		t = &test{name: name}
		p.tests[name] = t
		p.order = append(p.order, name)
	}
	return t
}

// summarize reads go test -json from r and writes the summary to w. It
// reports whether anything failed.
func summarize(r io.Reader, w io.Writer, show *regexp.Regexp) (failed bool) {
	pkgs := map[string]*pkg{}
	builds := map[string][]string{} // build output by import path
	get := func(name string) *pkg {
		p, ok := pkgs[name]
		if !ok {
			p = &pkg{tests: map[string]*test{}}
			pkgs[name] = p
		}
		return p
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(w, sc.Text()) // not an event: pass it on
			continue
		}
		switch e.Action {
		case "build-output":
			builds[e.ImportPath] = append(builds[e.ImportPath], e.Output)
			continue
		case "build-fail":
			failed = true
			fmt.Fprint(w, strings.Join(builds[e.ImportPath], ""))
			continue
		}
		if e.Package == "" {
			continue
		}
		p := get(e.Package)
		if e.Test == "" {
			switch e.Action {
			case "output":
				p.own = append(p.own, e.Output)
			case "pass", "fail", "skip":
				if e.Action == "fail" {
					failed = true
				}
				writePackage(w, e, p, show)
				delete(pkgs, e.Package)
			}
			continue
		}
		t := p.test(e.Test)
		switch e.Action {
		case "output":
			t.raw = append(t.raw, e.Output)
			if line := strings.TrimSpace(e.Output); line != "" && !marker(line) {
				t.output = append(t.output, line)
			}
		case "pass", "fail", "skip":
			t.result = e.Action
		}
	}
	return failed
}

// marker reports whether a line is go test's own (=== RUN, --- PASS: ...).
func marker(line string) bool {
	for _, p := range []string{"=== ", "--- PASS", "--- FAIL", "--- SKIP"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func writePackage(w io.Writer, e event, p *pkg, show *regexp.Regexp) {
	var passed, skipped int
	for _, t := range p.tests {
		switch t.result {
		case "pass":
			passed++
		case "skip":
			skipped++
		}
	}
	switch {
	case e.Action == "skip" && len(p.tests) == 0:
		fmt.Fprintf(w, "?    %s\t[no test files]\n", e.Package)
		return
	case e.Action == "fail":
		fmt.Fprintf(w, "FAIL %s\t%.3fs\n", e.Package, e.Elapsed)
	default:
		counts := fmt.Sprintf("%d passed", passed)
		if skipped > 0 {
			counts += fmt.Sprintf(", %d skipped", skipped)
		}
		fmt.Fprintf(w, "ok   %s\t%.3fs\t%s\n", e.Package, e.Elapsed, counts)
	}

	for _, name := range p.order {
		t := p.tests[name]
		if strings.Contains(name, "/") || show == nil || !show.MatchString(name) || t.result != "pass" {
			continue
		}
		var cases, casesPassed int
		for _, other := range p.order {
			if parent, _, ok := strings.Cut(other, "/"); ok && parent == name && !strings.Contains(other[len(name)+1:], "/") {
				cases++
				if p.tests[other].result == "pass" {
					casesPassed++
				}
			}
		}
		line := "     " + name + ": passed"
		if cases > 0 {
			line = fmt.Sprintf("     %s: %d of %d cases passed", name, casesPassed, cases)
		}
		fmt.Fprintln(w, line)
		for _, l := range t.output {
			fmt.Fprintf(w, "         %s\n", l)
		}
	}

	writeSkips(w, p)

	if e.Action == "fail" {
		for _, name := range p.order {
			if t := p.tests[name]; t.result == "fail" {
				for _, l := range t.raw {
					if !strings.HasPrefix(strings.TrimSpace(l), "=== ") {
						fmt.Fprint(w, l)
					}
				}
			}
		}
		for _, l := range p.own {
			if s := strings.TrimSpace(l); s != "FAIL" && s != "PASS" && !strings.HasPrefix(s, "FAIL\t"+e.Package) {
				fmt.Fprint(w, l)
			}
		}
	}
}

// location is where go test says a line was logged (store_test.go:23: ),
// which differs between tests skipped for the same reason.
var location = regexp.MustCompile(`^[\w.-]+\.go:\d+: `)

// writeSkips prints the package's skipped tests, grouped by the reason they
// gave (their log lines); a test that skipped without a reason says so.
func writeSkips(w io.Writer, p *pkg) {
	byReason := map[string][]string{}
	var reasons []string
	for _, name := range p.order {
		t := p.tests[name]
		if t.result != "skip" {
			continue
		}
		var lines []string
		for _, l := range t.output {
			lines = append(lines, location.ReplaceAllString(l, ""))
		}
		reason := strings.Join(lines, " ")
		if reason == "" {
			reason = "NO REASON GIVEN: every t.Skip must say why"
		}
		if _, ok := byReason[reason]; !ok {
			reasons = append(reasons, reason)
		}
		byReason[reason] = append(byReason[reason], name)
	}
	sort.SliceStable(reasons, func(i, j int) bool { return len(byReason[reasons[i]]) > len(byReason[reasons[j]]) })
	for _, reason := range reasons {
		names := byReason[reason]
		list := strings.Join(names, ", ")
		if len(names) > 3 {
			list = fmt.Sprintf("%s and %d more", strings.Join(names[:2], ", "), len(names)-2)
		}
		fmt.Fprintf(w, "     skip %s: %s\n", list, reason)
	}
}
