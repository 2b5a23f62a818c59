package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The lint package's corpus serves the command's tests too.
func lintCase(name string) string { return filepath.Join("..", "..", "lint", "testdata", name) }

func TestPolicyLint(t *testing.T) {
	good, typos, redundant := lintCase("good-pass-role.json"), lintCase("bad-typos.json"), lintCase("bad-redundant.json")
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"clean", []string{"policy", "lint", good}, 0, ""},
		{"errors", []string{"policy", "lint", good, typos}, 1,
			typos + `:6:18: ERROR INVALID_ACTION: Statement[0].Action[0]: "s3:GetObjekt" is not an action of Amazon S3 (s3); did you mean "s3:GetObject"?`},
		{"summary", []string{"policy", "lint", typos}, 1, "6 findings in 1 files: 6 ERROR"},
		{"a warning fails by default", []string{"policy", "lint", redundant}, 1, "WARNING SHADOWED_STATEMENT"},
		{"fail on errors only", []string{"policy", "lint", "--fail-on", "error", redundant}, 0, "SUGGESTION REDUNDANT_STATEMENT"},
		{"fail on suggestions", []string{"policy", "lint", "--fail-on", "suggestion", redundant}, 1, ""},
		{"validate --strict is lint", []string{"policy", "validate", "--strict", typos}, 1, "did you mean \"dynamodb:Query\""},
		{"validate without --strict", []string{"policy", "validate", typos}, 0, ""},
		{"bad fail-on", []string{"policy", "lint", "--fail-on", "fatal", good}, 2, "--fail-on"},
		{"bad format", []string{"policy", "lint", "--format", "xml", good}, 2, "--format"},
		{"no files", []string{"policy", "lint"}, 2, "no files given"},
		{"missing file", []string{"policy", "lint", lintCase("nope.json")}, 2, "no such file"},
		{"expand", []string{"policy", "expand", lintCase("good-readonly-wildcards.json")}, 0, `Statement.Action[3] Allow "sts:GetCallerIdentity" matches 1 actions`},
		{"expand a broken policy", []string{"policy", "expand", lintCase("bad-syntax.json")}, 2, "Effect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("keyward %s: exit %d, want %d (stdout %q, stderr %q)", strings.Join(tt.args, " "), code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("keyward %s: output %q, want it to contain %q", strings.Join(tt.args, " "), out+errOut, tt.contains)
			}
		})
	}
}

func TestPolicyLint_JSON(t *testing.T) {
	out, errOut, code := run(t, "", "policy", "lint", "--format", "json", lintCase("bad-broad-grants.json"), lintCase("good-self-service.json"))
	if code != 1 {
		t.Fatalf("policy lint --format json: exit %d, want 1 (stderr %q)", code, errOut)
	}
	var got lintOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("policy lint --format json: %v\n%s", err, out)
	}
	if len(got.Files) != 2 || len(got.Files[0].Findings) != 4 || len(got.Files[1].Findings) != 0 ||
		got.Counts["SECURITY_WARNING"] != 4 || !got.Failed || got.FailOn != "WARNING" {
		t.Errorf("policy lint --format json = %+v, want 4 security warnings in the first file and none in the second, failed", got)
	}
	if f := got.Files[0].Findings[0]; f.Code != "ALLOW_WITH_NOT_ACTION" || f.Line != 7 || f.Column != 7 || f.Path != "Statement[0].NotAction" {
		t.Errorf("first finding = %+v, want ALLOW_WITH_NOT_ACTION at 7:7 Statement[0].NotAction", f)
	}
}
