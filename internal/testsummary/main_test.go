package main

import (
	"regexp"
	"strings"
	"testing"
)

// events is go test -json's output for a package with a passing suite of
// two cases that logs a count, two tests skipped for one reason, one
// skipped without a reason, and a failing subtest.
const events = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestSuite"}
{"Action":"output","Package":"example.com/p","Test":"TestSuite","Output":"=== RUN   TestSuite\n"}
{"Action":"run","Package":"example.com/p","Test":"TestSuite/a"}
{"Action":"output","Package":"example.com/p","Test":"TestSuite/a","Output":"=== RUN   TestSuite/a\n"}
{"Action":"run","Package":"example.com/p","Test":"TestSuite/b"}
{"Action":"output","Package":"example.com/p","Test":"TestSuite","Output":"    suite_test.go:9: 2 cases of the suite\n"}
{"Action":"output","Package":"example.com/p","Test":"TestSuite","Output":"--- PASS: TestSuite (0.00s)\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestSuite/a"}
{"Action":"pass","Package":"example.com/p","Test":"TestSuite/b"}
{"Action":"pass","Package":"example.com/p","Test":"TestSuite"}
{"Action":"run","Package":"example.com/p","Test":"TestPG1"}
{"Action":"output","Package":"example.com/p","Test":"TestPG1","Output":"    pg_test.go:3: no PostgreSQL: set KEYWARD_TEST_POSTGRES\n"}
{"Action":"output","Package":"example.com/p","Test":"TestPG1","Output":"--- SKIP: TestPG1 (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestPG1"}
{"Action":"run","Package":"example.com/p","Test":"TestPG2"}
{"Action":"output","Package":"example.com/p","Test":"TestPG2","Output":"    pg_test.go:30: no PostgreSQL: set KEYWARD_TEST_POSTGRES\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestPG2"}
{"Action":"run","Package":"example.com/p","Test":"TestQuiet"}
{"Action":"output","Package":"example.com/p","Test":"TestQuiet","Output":"--- SKIP: TestQuiet (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestQuiet"}
{"Action":"run","Package":"example.com/p","Test":"TestBroken/x"}
{"Action":"output","Package":"example.com/p","Test":"TestBroken/x","Output":"=== RUN   TestBroken/x\n"}
{"Action":"output","Package":"example.com/p","Test":"TestBroken/x","Output":"    broken_test.go:5: Frob(1) = 2, want 3\n"}
{"Action":"output","Package":"example.com/p","Test":"TestBroken/x","Output":"    --- FAIL: TestBroken/x (0.00s)\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestBroken/x"}
{"Action":"output","Package":"example.com/p","Output":"FAIL\n"}
{"Action":"fail","Package":"example.com/p","Elapsed":0.25}
{"Action":"start","Package":"example.com/q"}
{"Action":"output","Package":"example.com/q","Output":"?   \texample.com/q\t[no test files]\n"}
{"Action":"skip","Package":"example.com/q","Elapsed":0}
{"ImportPath":"example.com/r","Action":"build-output","Output":"r.go:3:1: syntax error\n"}
{"ImportPath":"example.com/r","Action":"build-fail"}
`

func TestSummarize(t *testing.T) {
	var b strings.Builder
	failed := summarize(strings.NewReader(events), &b, regexp.MustCompile("^(TestSuite)$"))
	got := b.String()
	want := "FAIL example.com/p\t0.250s\n" +
		"     TestSuite: 2 of 2 cases passed\n" +
		"         suite_test.go:9: 2 cases of the suite\n" +
		"     skip TestPG1, TestPG2: no PostgreSQL: set KEYWARD_TEST_POSTGRES\n" +
		"     skip TestQuiet: NO REASON GIVEN: every t.Skip must say why\n" +
		"    broken_test.go:5: Frob(1) = 2, want 3\n" +
		"    --- FAIL: TestBroken/x (0.00s)\n" +
		"?    example.com/q\t[no test files]\n" +
		"r.go:3:1: syntax error\n"
	if got != want {
		t.Errorf("summarize(events) =\n%s\nwant\n%s", got, want)
	}
	if !failed {
		t.Errorf("summarize(events) reported no failure")
	}
}

func TestSummarize_Pass(t *testing.T) {
	const pass = `{"Action":"run","Package":"example.com/p","Test":"TestA"}
{"Action":"pass","Package":"example.com/p","Test":"TestA"}
{"Action":"pass","Package":"example.com/p","Elapsed":0.5}
`
	var b strings.Builder
	if failed := summarize(strings.NewReader(pass), &b, nil); failed || b.String() != "ok   example.com/p\t0.500s\t1 passed\n" {
		t.Errorf("summarize(pass) = %q, failed %v; want one ok line and no failure", b.String(), failed)
	}
}
