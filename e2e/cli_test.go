package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestQuickstart_AWSCLI runs the README's quick start with the AWS CLI: the
// root creates a user with a policy and a key, and the user can do what the
// policy allows and nothing else.
func TestQuickstart_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not installed")
	}
	s := startServer(t)
	run := func(c Creds, args ...string) (string, error) {
		cmd := exec.Command("aws", args...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+c.ID, "AWS_SECRET_ACCESS_KEY="+c.Secret, "AWS_SESSION_TOKEN="+c.Token,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_ENDPOINT_URL="+s.URL,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(c Creds, args ...string) string {
		t.Helper()
		out, err := run(c, args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must(s.Root, "iam", "create-user", "--user-name", "alice")
	must(s.Root, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "read-self",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(must(s.Root, "iam", "create-access-key", "--user-name", "alice")), &key); err != nil {
		t.Fatal(err)
	}
	alice := Creds{ID: key.AccessKey.AccessKeyId, Secret: key.AccessKey.SecretAccessKey}

	var id struct{ Arn string }
	json.Unmarshal([]byte(must(alice, "sts", "get-caller-identity")), &id)
	if want := "arn:aws:iam::" + testAccount + ":user/alice"; id.Arn != want {
		t.Errorf("alice's get-caller-identity Arn = %q, want %q", id.Arn, want)
	}
	if out := must(alice, "iam", "get-user", "--user-name", "alice"); !strings.Contains(out, `"UserName": "alice"`) {
		t.Errorf("alice's get-user = %s", out)
	}
	must(s.Root, "iam", "create-user", "--user-name", "bob")
	out, err := run(alice, "iam", "get-user", "--user-name", "bob")
	if err == nil || !strings.Contains(out, "AccessDenied") ||
		!strings.Contains(out, "User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:GetUser on resource: arn:aws:iam::"+testAccount+":user/bob because no identity-based policy allows the iam:GetUser action") {
		t.Errorf("alice's get-user bob = %v\n%s\nwant AccessDenied with AWS's message", err, out)
	}
	if out, err := run(alice, "iam", "create-user", "--user-name", "mallory"); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("alice's create-user = %v\n%s\nwant AccessDenied", err, out)
	}
}
