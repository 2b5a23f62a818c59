package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestPolicyValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), 0o600)
	os.WriteFile(bad, []byte("{\"Statement\":[{\n \"Effect\":\"allow\",\"Action\":\"s3\",\"Resource\":\"*\"}]}"), 0o600)
	inline := filepath.Join(dir, "inline.json") // no Version: fine inline, refused as a managed policy
	os.WriteFile(inline, []byte(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), 0o600)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"valid", []string{"policy", "validate", good}, 0, ""},
		{"findings", []string{"policy", "validate", good, bad}, 1, bad + ":2:11: Statement[0].Effect: Effect must be \"Allow\" or \"Deny\""},
		{"second finding", []string{"policy", "validate", bad}, 1, bad + ":2:28: Statement[0].Action: action \"s3\" has no service prefix"},
		{"trust type", []string{"policy", "validate", "--type", "trust", good}, 1, "a trust policy must not have Resource"},
		{"AWS's message", []string{"policy", "validate", "--type", "trust", good}, 1, `(AWS: "Has prohibited field Resource.")`},
		{"inline without Version", []string{"policy", "validate", inline}, 0, ""},
		{"managed without Version", []string{"policy", "validate", "--managed", inline}, 1, inline + `:1:1: Version: the policy has no Version: a managed policy must be version "2012-10-17" (inline policies may omit Version) (AWS: "Policy document must be version 2012-10-17 or greater.")`},
		{"type managed", []string{"policy", "validate", "--type", "managed", inline}, 1, `(AWS: "Policy document must be version 2012-10-17 or greater.")`},
		{"managed with Version", []string{"policy", "validate", "--managed", good}, 0, ""},
		{"no files", []string{"policy", "validate"}, 2, "no files given"},
		{"unknown type", []string{"policy", "validate", "--type", "iam", good}, 2, "unknown policy type"},
		{"missing file", []string{"policy", "validate", filepath.Join(dir, "nope.json")}, 2, "no such file"},
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

const evalRequest = `{
  "action": "s3:GetObject",
  "resource": "arn:aws:s3:::bucket/alice/key",
  "principal": "arn:aws:iam::111122223333:user/alice",
  "context": {"aws:SourceIp": "203.0.113.7"},
  "identityPolicies": [
    {"id": "home", "document": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"},
      {"Sid": "Mfa", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
    ]}}
  ]
}`

func TestPolicyEval(t *testing.T) {
	out, errOut, code := run(t, evalRequest, "policy", "eval")
	if code != 0 {
		t.Fatalf("keyward policy eval: exit %d, stderr %q", code, errOut)
	}
	var got struct {
		Decision          string
		MatchedStatements []struct{ SourcePolicyID, SourcePolicyType, Sid string }
		Missing           []string `json:"missingContextValues"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if got.Decision != "allowed" || len(got.MatchedStatements) != 1 || got.MatchedStatements[0].Sid != "Home" ||
		got.MatchedStatements[0].SourcePolicyID != "home" || got.MatchedStatements[0].SourcePolicyType != "identity" {
		t.Errorf("keyward policy eval = %+v, want allowed by home/Home", got)
	}

	// --explain says why each statement did or did not apply.
	out, _, code = run(t, evalRequest, "policy", "eval", "--explain")
	for _, want := range []string{
		"allowed: 1 statement(s) allow s3:GetObject",
		"Allow statement Home (identity policy \"home\", line 2): APPLIES",
		"resource arn:aws:s3:::bucket/alice/key matches \"arn:aws:s3:::bucket/${aws:username}/*\"",
		"Deny statement Mfa (identity policy \"home\", line 3): does not apply",
		"action s3:GetObject matches nothing in Action [\"s3:Delete*\"]",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("keyward policy eval --explain: exit %d, output\n%s\nwant it to contain %q", code, out, want)
		}
	}
}

func TestPolicyEval_Malformed(t *testing.T) {
	tests := []struct {
		name, req, contains string
	}{
		{"bad policy", `{"action":"s3:GetObject","identityPolicies":[{"id":"p1","document":{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}}]}`,
			`identityPolicies[0] (id "p1"): Statement[0].NotAction: line 1, column`},
		{"no action", `{"identityPolicies":[]}`, "action: the request has no action"},
		{"not json", `{"action":`, "invalid JSON"},
		{"unknown field", `{"action":"s3:GetObject","identity":[]}`, `unknown field "identity"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, tt.req, "policy", "eval")
			if code != 2 || !strings.Contains(errOut, tt.contains) {
				t.Errorf("keyward policy eval: exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.contains)
			}
		})
	}
}

func TestRun_Usage(t *testing.T) {
	if _, _, code := run(t, "", "frobnicate"); code != 2 {
		t.Errorf("keyward frobnicate: exit %d, want 2", code)
	}
	var ee *exitError
	if err := Run(context.Background(), nil, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &ee) || ee.code != 2 {
		t.Errorf("keyward with no arguments = %v, want exit 2", err)
	}
}
