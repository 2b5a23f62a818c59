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
