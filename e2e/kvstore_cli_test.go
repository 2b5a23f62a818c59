package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKVStore_AWSCLI: the AWS CLI's s3 commands against examples/kvstore,
// which Keyward protects. aws s3 ls formats every listed object's
// LastModified (it crashed on a listing without it), lists with a
// delimiter and URL-encoded keys, and downloads read Last-Modified.
func TestKVStore_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	svc := s.userWithKey(t, "kvstore-service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["keyward:Authorize","keyward:GetSigningKey"],"Resource":"arn:aws:keyward:::service/s3"}]}`)
	alice := s.userWithKey(t, "alice", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::team/${aws:username}/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}},
		{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	kv := startKVStore(t, s, svc)
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		// --endpoint-url, which every AWS CLI honours (AWS_ENDPOINT_URL
		// needs 1.29 or 2.13).
		cmd := exec.Command("aws", append([]string{"--endpoint-url", kv}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+alice.ID, "AWS_SECRET_ACCESS_KEY="+alice.Secret, "AWS_SESSION_TOKEN=",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	must("s3", "cp", "notes.txt", "s3://team/alice/notes.txt", "--only-show-errors")
	must("s3", "cp", "notes.txt", "s3://team/alice/with space+plus.txt", "--only-show-errors")
	must("s3", "cp", "notes.txt", "s3://team/alice/drafts/one.txt", "--only-show-errors")

	line := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +5 (.+)$`)
	names := func(out string) (got []string) {
		for _, m := range line.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		return got
	}
	out := must("s3", "ls", "s3://team/alice/")
	if got := names(out); strings.Join(got, "|") != "notes.txt|with space+plus.txt" || !strings.Contains(out, "PRE drafts/") {
		t.Errorf("aws s3 ls s3://team/alice/ =\n%s\nwant notes.txt and with space+plus.txt with their times and sizes, and PRE drafts/", out)
	}
	out = must("s3", "ls", "s3://team/alice/", "--recursive", "--page-size", "1")
	if got := names(out); strings.Join(got, "|") != "alice/drafts/one.txt|alice/notes.txt|alice/with space+plus.txt" {
		t.Errorf("aws s3 ls --recursive --page-size 1 =\n%s\nwant the three keys, over three pages", out)
	}
	if out := must("s3", "ls"); !strings.Contains(out, " team") {
		t.Errorf("aws s3 ls (ListBuckets) =\n%s\nwant the team bucket", out)
	}
	must("s3", "cp", "s3://team/alice/with space+plus.txt", "copy.txt", "--only-show-errors")
	if b, err := os.ReadFile(filepath.Join(dir, "copy.txt")); err != nil || string(b) != "hello" {
		t.Errorf("aws s3 cp down = %q, %v; want hello", b, err)
	}
	if out, err := run("s3", "ls", "s3://team/bob/"); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("aws s3 ls s3://team/bob/ = %v\n%s\nwant AccessDenied", err, out)
	}
	must("s3", "rm", "s3://team/alice/notes.txt", "--only-show-errors")
	if got := names(must("s3", "ls", "s3://team/alice/")); strings.Join(got, "|") != "with space+plus.txt" {
		t.Errorf("after aws s3 rm, aws s3 ls lists %q, want only with space+plus.txt", got)
	}
}
