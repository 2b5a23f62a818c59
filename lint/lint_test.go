package lint

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keyward/keyward/policy"
)

// The corpus: testdata/good-*.json must have no findings; each
// testdata/bad-*.json has a .want file listing its findings, one a line:
// "LINE:COL KIND CODE PATH", optionally followed by " | TEXT" that the
// message must contain.
func TestCheck_Corpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	kinds := map[Kind]int{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := Check(data, policy.Identity)
			var want []string
			if strings.HasPrefix(filepath.Base(file), "bad-") {
				want = readWant(t, strings.TrimSuffix(file, ".json")+".want")
				if len(want) == 0 {
					t.Fatalf("%s: a bad policy with no expected findings", file)
				}
			}
			var gotLines []string
			for _, f := range got {
				kinds[f.Kind]++
				gotLines = append(gotLines, short(f))
			}
			for i, w := range want {
				line, text, _ := strings.Cut(w, " | ")
				want[i] = line
				if text == "" {
					continue
				}
				if j := slices.Index(gotLines, line); j >= 0 && !strings.Contains(got[j].Message, text) {
					t.Errorf("Check(%s): finding %s says %q, want it to contain %q", file, line, got[j].Message, text)
				}
			}
			if !slices.Equal(gotLines, want) {
				t.Errorf("Check(%s) =\n  %s\nwant\n  %s\n(full findings:\n  %s)", file,
					strings.Join(gotLines, "\n  "), strings.Join(want, "\n  "), joinFindings(got))
			}
		})
	}
	// The corpus shows every kind at work, more than once.
	for _, k := range []Kind{Error, SecurityWarning, Warning, Suggestion} {
		if kinds[k] < 2 {
			t.Errorf("the corpus has %d findings of kind %s, want at least 2", kinds[k], k)
		}
	}
}

func short(f Finding) string {
	return strings.Join([]string{strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column), string(f.Kind), f.Code, f.Path}, " ")
}

func joinFindings(fs []Finding) string {
	var lines []string
	for _, f := range fs {
		lines = append(lines, f.String())
	}
	return strings.Join(lines, "\n  ")
}

func readWant(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"error", Error, true},
		{"SECURITY_WARNING", SecurityWarning, true},
		{"security-warning", SecurityWarning, true},
		{"Suggestion", Suggestion, true},
		{"fatal", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseKind(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if !(Error.Severity() > SecurityWarning.Severity() && SecurityWarning.Severity() > Warning.Severity() && Warning.Severity() > Suggestion.Severity()) {
		t.Errorf("severities out of order")
	}
}

func TestExpand(t *testing.T) {
	doc := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["iam:GetUser*", "sts:GetCallerIdentity"], "Resource": "*"},
  {"Effect": "Deny", "NotAction": "s3:Descibe*", "Resource": "*"}]}`
	got, err := Expand([]byte(doc), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		path    string
		line    int
		actions []string
	}{
		{"Statement[0].Action[0]", 2, []string{"iam:GetUser", "iam:GetUserPolicy"}},
		{"Statement[0].Action[1]", 2, []string{"sts:GetCallerIdentity"}},
		{"Statement[1].NotAction", 3, []string{}},
	}
	if len(got) != len(want) {
		t.Fatalf("Expand = %d expansions %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Path != w.path || g.Line != w.line || !slices.Equal(g.Actions, w.actions) {
			t.Errorf("Expand[%d] = %s line %d %q, want %s line %d %q", i, g.Path, g.Line, g.Actions, w.path, w.line, w.actions)
		}
	}
	if !got[2].Not || got[2].Effect != "Deny" {
		t.Errorf("Expand[2] = %+v, want a Deny NotAction", got[2])
	}
	if _, err := Expand([]byte(`{"Statement": 1}`), policy.Identity); err == nil {
		t.Errorf("Expand(bad document) = nil error")
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		s          string
		candidates []string
		want       string
	}{
		{"GetObjekt", []string{"GetObject", "PutObject"}, "GetObject"},
		{"getobject", []string{"GetObject"}, "GetObject"},
		{"s4", []string{"s3", "sqs"}, "s3"},
		{"Frobnicate", []string{"GetObject", "PutObject"}, ""},
	}
	for _, tt := range tests {
		if got := closest(tt.s, tt.candidates); got != tt.want {
			t.Errorf("closest(%q, %q) = %q, want %q", tt.s, tt.candidates, got, tt.want)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	data, err := os.ReadFile("testdata/bad-redundant.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	Check(data, policy.Identity)
	for b.Loop() {
		Check(data, policy.Identity)
	}
}

// TestLinter_Services: a declared service's actions, resources and
// condition keys are the deployment's own, so lint does not judge them
// against AWS's catalog; the rest of its checks still apply to them.
func TestLinter_Services(t *testing.T) {
	doc := func(stmts string) []byte {
		return []byte(`{"Version": "2012-10-17", "Statement": [` + stmts + `]}`)
	}
	tests := []struct {
		name     string
		services []string
		doc      []byte
		want     []string // short(finding)
	}{
		{"undeclared", nil,
			doc(`{"Effect": "Allow", "Action": "kvstore:GetItem", "Resource": "arn:aws:kvstore:::item/*"}`),
			[]string{"1:61 ERROR INVALID_SERVICE Statement[0].Action"}},
		{"declared", []string{"kvstore"},
			doc(`{"Effect": "Allow", "Action": ["kvstore:GetItem", "kvstore:Put*"], "Resource": "arn:aws:kvstore:::item/*",
			  "Condition": {"StringEquals": {"kvstore:ContentType": "text/plain"}, "NumericLessThan": {"kvstore:Size": "1024"}}}`),
			nil},
		{"declared in another case", []string{"KVStore"},
			doc(`{"Effect": "Allow", "Action": "kvstore:GetItem", "Resource": "*"}`),
			nil},
		{"the other checks still apply", []string{"kvstore"},
			doc(`{"Effect": "Allow", "NotAction": "kvstore:DeleteItem", "Resource": "*"},
			     {"Effect": "Allow", "Action": ["kvstore:GetItem", "kvstore:GetItem"], "Resource": "*",
			      "Condition": {"StringEquals": {"aws:SourceIpp": "10.0.0.1"}}}`),
			[]string{
				"1:61 SECURITY_WARNING ALLOW_WITH_NOT_ACTION Statement[0].NotAction",
				"2:59 SUGGESTION REDUNDANT_ACTION Statement[1].Action[1]",
				"3:41 ERROR INVALID_CONDITION_KEY Statement[1].Condition.StringEquals.aws:SourceIpp",
			}},
		{"AWS's services are still checked", []string{"kvstore"},
			doc(`{"Effect": "Allow", "Action": ["kvstore:GetItem", "s3:GetObjekt"], "Resource": "*"}`),
			[]string{"1:91 ERROR INVALID_ACTION Statement[0].Action[1]"}},
		{"declaring an AWS prefix turns its checks off", []string{"s3"},
			doc(`{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/k"}`),
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Linter{Services: tt.services}
			var got []string
			for _, f := range l.Check(tt.doc, policy.Identity) {
				got = append(got, short(f))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Linter{Services: %q}.Check(%s) =\n  %s\nwant\n  %s", tt.services, tt.doc, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestArnOverlap(t *testing.T) {
	tests := []struct {
		format, resource string
		want             bool
	}{
		{"arn:*:keyward:::service/*", "arn:aws:keyward:::service/kvstore", true},
		{"arn:*:keyward:::service/*", "arn:aws:keyward:::service/*", true},
		{"arn:*:keyward:::service/*", "arn:aws:keyward:*", true}, // a last * runs past colons
		{"arn:*:keyward:::service/*", "arn:aws:*", true},         // likewise
		{"arn:*:keyward:::service/*", "arn:aws:keyward", false},  // too few segments, no *
		{"arn:*:keyward:::service/*", "arn:aws:kvstore:::item/*", false},
		{"arn:*:iam::*:user/*", "arn:aws:iam::123456789012:user/", true},
		{"arn:*:iam::*:user/*", "arn:aws:iam::123456789012:role/*", false}, // the account's * stays in its segment
		{"arn:*:iam::*:user/*", "arn:aws:iam::*:user/team/*", true},
		{"arn:*:iam::*:user/*", "*", true},
	}
	for _, tt := range tests {
		if got := arnOverlap(tt.format, tt.resource); got != tt.want {
			t.Errorf("arnOverlap(%q, %q) = %v, want %v", tt.format, tt.resource, got, tt.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*x", "*", true},
		{"a*c", "ab*", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"user/*", "role/*", false},
		{"*a*", "*b*", true},
		{"abc", "abd", false},
	}
	for _, tt := range tests {
		if got := overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("overlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := overlap(tt.b, tt.a); got != tt.want {
			t.Errorf("overlap(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
