package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/guard"
	"github.com/keyward/keyward/sigv4"
)

// serveForTest runs keyward serve through Run, on 127.0.0.1:0 and an
// in-memory store with known root credentials, and returns its URL once it
// says it listens. It stops with the test.
func serveForTest(t *testing.T, args ...string) (string, sigv4.Credentials) {
	t.Helper()
	t.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	t.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", rootSecret)
	t.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	ctx, cancel := context.WithCancel(context.Background())
	logr, logw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--store", "sqlite::memory:"}, args...)
		done <- Run(ctx, args, nil, io.Discard, logw)
		logw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("keyward serve: %v", err)
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logr)
		for sc.Scan() {
			var rec struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "keyward listening" {
				urls <- rec.URL
			}
		}
		io.Copy(io.Discard, logr)
	}()
	select {
	case u := <-urls:
		return u, sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: rootSecret}
	case err := <-done:
		t.Fatalf("keyward serve ended before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("keyward serve did not start in 30 s")
	}
	return "", sigv4.Credentials{}
}

// TestGenerate_PassesLint holds keyward policy generate and keyward policy
// lint together: a principal uses IAM (List actions with and without a
// path among them), STS, and the authorize API for a service of its own;
// the policy generated from the server's audit trail passes lint with no
// finding at all, once that service is declared.
func TestGenerate_PassesLint(t *testing.T) {
	dir := t.TempDir()
	trail := filepath.Join(dir, "audit.log")
	base, root := serveForTest(t, "--audit", trail)
	hc := http.DefaultClient
	must := func(creds sigv4.Credentials, service string, form url.Values) string {
		t.Helper()
		if service == "sts" {
			form.Set("Version", "2011-06-15")
		}
		code, body := call(t, hc, base, creds, service, form)
		if code != 200 {
			t.Fatalf("%s %s: %d %s", service, form.Get("Action"), code, body)
		}
		return body
	}
	must(root, "iam", iamForm("CreateUser", "UserName", "worker", "Path", "/team/"))
	must(root, "iam", iamForm("PutUserPolicy", "UserName", "worker", "PolicyName", "everything", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*","keyward:*","kvstore:*"],"Resource":"*"}]}`))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(must(root, "iam", iamForm("CreateAccessKey", "UserName", "worker"))), &key); err != nil {
		t.Fatal(err)
	}
	worker := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	for _, f := range []url.Values{
		iamForm("ListUsers"), // on arn:aws:iam::111122223333:user/, the case
		iamForm("ListUsers", "PathPrefix", "/team/"),
		iamForm("ListRoles"),
		iamForm("ListGroups", "PathPrefix", "/team/"),
		iamForm("ListInstanceProfiles"),
		iamForm("ListPolicies", "Scope", "Local"),
		iamForm("GetAccountSummary"),
		iamForm("CreateUser", "UserName", "ann", "Path", "/team/"),
		iamForm("TagUser", "UserName", "ann", "Tags.member.1.Key", "env", "Tags.member.1.Value", "dev"),
		iamForm("GetUser", "UserName", "ann"),
		iamForm("GetUser"),
		iamForm("CreateGroup", "GroupName", "readers", "Path", "/team/"),
		iamForm("AddUserToGroup", "GroupName", "readers", "UserName", "ann"),
		iamForm("CreateRole", "RoleName", "deployer", "AssumeRolePolicyDocument", trust),
		iamForm("AttachRolePolicy", "RoleName", "deployer", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
		iamForm("ListAttachedRolePolicies", "RoleName", "deployer"),
	} {
		must(worker, "iam", f)
	}
	must(worker, "sts", url.Values{"Action": {"GetCallerIdentity"}})
	must(worker, "sts", url.Values{"Action": {"GetSessionToken"}, "DurationSeconds": {"900"}})
	must(worker, "sts", url.Values{"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::111122223333:role/deployer"}, "RoleSessionName": {"ci"}})

	// The worker as a service of its own (kvstore) asking about a request
	// it signed itself: keyward:Authorize for the service, kvstore:GetItem
	// for the client.
	gc := &guard.Client{Endpoint: base, Credentials: worker}
	out, err := gc.Authorize(context.Background(), &authorize.Input{Service: "kvstore",
		Request:   signedRequest(t, worker, "GET", "/items/notes", "", time.Now()),
		Decisions: []authorize.Query{{Action: "kvstore:GetItem", Resource: "arn:aws:kvstore:us-east-1:111122223333:item/notes"}}})
	if err != nil || !out.Allowed {
		t.Fatalf("authorize kvstore:GetItem = %+v, %v; want allowed", out, err)
	}

	stdout, stderr, code := run(t, "", "policy", "generate", "--principal", "arn:aws:iam::111122223333:user/team/worker", "--audit", trail)
	if code != 0 {
		t.Fatalf("keyward policy generate: exit %d, stderr %q", code, stderr)
	}
	generated := filepath.Join(dir, "generated.json")
	if err := os.WriteFile(generated, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	// The generated policy has what the test is about.
	for _, want := range []string{`"arn:aws:iam::111122223333:user/"`, `"arn:aws:iam::111122223333:group/team/"`, `"iam:ListRoles"`,
		`"keyward:Authorize"`, `"kvstore:GetItem"`, `"sts:AssumeRole"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("generated policy lacks %s:\n%s", want, stdout)
		}
	}

	lintOut, lintErr, code := run(t, "", "policy", "lint", "--fail-on", "suggestion", "--service-prefix", "kvstore", generated)
	if code != 0 || lintOut != "" {
		t.Errorf("keyward policy lint --fail-on suggestion (generated policy): exit %d, findings\n%s%s\npolicy:\n%s", code, lintOut, lintErr, stdout)
	}
	// Undeclared, the service of one's own is the only finding.
	lintOut, _, code = run(t, "", "policy", "lint", generated)
	if code != 1 || strings.Count(lintOut, "INVALID_SERVICE") != 1 || !strings.Contains(lintOut, `"kvstore:GetItem"`) || !strings.Contains(lintOut, "1 findings") {
		t.Errorf("keyward policy lint (kvstore undeclared): exit %d, findings\n%s\nwant exactly one INVALID_SERVICE, for kvstore", code, lintOut)
	}
}
