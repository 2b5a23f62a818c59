package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

const rootSecret = "root-secret-for-benchmarks"

// auditServer is testServer with audit and enforcement flags.
func auditServer(tb testing.TB, storeURL string, ac auditConfig) (*httptest.Server, sigv4.Credentials) {
	tb.Helper()
	hs, root, _ := auditServerS(tb, storeURL, ac)
	return hs, root
}

// auditServerS is auditServer that also returns the server.
func auditServerS(tb testing.TB, storeURL string, ac auditConfig) (*httptest.Server, sigv4.Credentials, *server.Server) {
	tb.Helper()
	return auditServerLog(tb, storeURL, ac, io.Discard)
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// auditServerLog is auditServerS logging to logw.
func auditServerLog(tb testing.TB, storeURL string, ac auditConfig, logw io.Writer) (*httptest.Server, sigv4.Credentials, *server.Server) {
	tb.Helper()
	tb.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	tb.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", rootSecret)
	tb.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := serveConfig{data: tb.TempDir(), store: storeURL, audit: ac}
	s, err := newServer(ctx, cfg, slog.New(slog.NewTextHandler(logw, nil)), io.Discard)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	tb.Cleanup(func() { hs.Close(); s.Close(); cancel() })
	return hs, sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: rootSecret}, s
}

// newWorker creates user team/worker with an inline policy and returns its
// credentials.
func newWorker(t *testing.T, hs *httptest.Server, root sigv4.Credentials, policyDoc string) sigv4.Credentials {
	t.Helper()
	c := hs.Client()
	steps := []url.Values{
		iamForm("CreateUser", "UserName", "worker", "Path", "/team/"),
		iamForm("PutUserPolicy", "UserName", "worker", "PolicyName", "work", "PolicyDocument", policyDoc),
	}
	for _, f := range steps {
		if code, body := call(t, c, hs.URL, root, "iam", f); code != 200 {
			t.Fatalf("%s: %d %s", f.Get("Action"), code, body)
		}
	}
	code, body := call(t, c, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", "worker"))
	if code != 200 {
		t.Fatalf("CreateAccessKey: %d %s", code, body)
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(body), &key); err != nil {
		t.Fatal(err)
	}
	return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
}

// workload is what the worker does; every step must succeed under the
// generated policy.
var workload = []url.Values{
	iamForm("CreateUser", "UserName", "ann", "Path", "/team/"),
	iamForm("TagUser", "UserName", "ann", "Tags.member.1.Key", "env", "Tags.member.1.Value", "dev"),
	iamForm("GetUser", "UserName", "ann"),
	iamForm("ListUsers", "PathPrefix", "/team/"),
	iamForm("GetUser"), // itself
}

var requestIDPattern = regexp.MustCompile(`<RequestId>([^<]+)</RequestId>`)

func readTrail(t *testing.T, path string) []*audit.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*audit.Record
	if err := audit.Read(f, audit.Filter{}, func(r *audit.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAudit_TrailAndGenerate records a workload in the audit trail, checks
// its lines (one per request, written before the response, with the
// deciding statement and never a secret), reads it back with keyward
// audit, generates a policy with keyward policy generate, and replays the
// workload on a fresh server as a user with only that policy: every step
// succeeds and a neighbouring action is denied.
func TestAudit_TrailAndGenerate(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	hs, root := auditServer(t, "sqlite::memory:", auditConfig{file: trail, sync: true})
	c := hs.Client()
	admin := `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"iam:*","Resource":"*"},{"Sid":"NoRoles","Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`
	worker := newWorker(t, hs, root, admin)
	before := len(readTrail(t, trail))
	for _, f := range workload {
		code, body := call(t, c, hs.URL, worker, "iam", f)
		if code != 200 {
			t.Fatalf("%s as worker: %d %s", f.Get("Action"), code, body)
		}
		// The line is in the file before the response arrives.
		recs := readTrail(t, trail)
		last := recs[len(recs)-1]
		if id := requestIDPattern.FindStringSubmatch(body)[1]; last.RequestID != id {
			t.Fatalf("%s: last line is request %s, want %s", f.Get("Action"), last.RequestID, id)
		}
		if last.Caller != "arn:aws:iam::111122223333:user/team/worker" || last.Decision != "allowed" || last.ErrorCode != "" ||
			last.Action != "iam:"+f.Get("Action") || len(last.Matched) != 1 || last.Matched[0].PolicyID != "work" || last.Matched[0].Sid != "Admin" ||
			last.AccessKeyID != worker.AccessKeyID || last.Region != "us-east-1" || last.SourceIP != "127.0.0.1" {
			t.Errorf("%s: line %+v", f.Get("Action"), last)
		}
	}
	// A denial and an unauthenticated request.
	if code, _ := call(t, c, hs.URL, worker, "iam", iamForm("DeleteRole", "RoleName", "r")); code != 403 {
		t.Fatalf("DeleteRole as worker: %d, want 403", code)
	}
	bad := sigv4.Credentials{AccessKeyID: worker.AccessKeyID, SecretAccessKey: "wrong"}
	if code, _ := call(t, c, hs.URL, bad, "iam", iamForm("GetUser")); code != 403 {
		t.Fatalf("GetUser with a wrong secret: %d, want 403", code)
	}
	recs := readTrail(t, trail)
	if len(recs) != before+len(workload)+2 {
		t.Fatalf("trail has %d lines, want %d", len(recs), before+len(workload)+2)
	}
	deny, unauth := recs[len(recs)-2], recs[len(recs)-1]
	if deny.Decision != "explicitDeny" || deny.ErrorCode != "AccessDenied" || deny.Resource != "arn:aws:iam::111122223333:role/r" || deny.Matched[0].Sid != "NoRoles" ||
		!strings.Contains(deny.Reason, "explicit deny") {
		t.Errorf("denied line = %+v", deny)
	}
	if unauth.ErrorCode != "SignatureDoesNotMatch" || unauth.Caller != "" || unauth.Decision != "" || unauth.Action != "iam:GetUser" {
		t.Errorf("unauthenticated line = %+v", unauth)
	}
	raw, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{rootSecret, worker.SecretAccessKey, "wrong"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the audit trail contains a secret %q", secret)
		}
	}

	// keyward audit reads it back with filters.
	var out, errb bytes.Buffer
	err = Run(context.Background(), []string{"audit", "--file", trail, "--principal", "arn:aws:iam::111122223333:user/team/worker", "--decision", "denied", "--explain"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("keyward audit: %v %s", err, errb.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[0], "iam:DeleteRole") ||
		!strings.Contains(lines[2], "statement NoRoles of identity policy work at 1:") {
		t.Errorf("keyward audit --decision denied --explain =\n%s", out.String())
	}
	out.Reset()
	if err := Run(context.Background(), []string{"audit", "--file", trail, "--action", "iam:TagUser", "--json"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	var tag audit.Record
	if err := json.Unmarshal(out.Bytes(), &tag); err != nil || tag.Action != "iam:TagUser" || tag.Resource != "arn:aws:iam::111122223333:user/team/ann" {
		t.Errorf("keyward audit --action iam:TagUser --json = %s (%v)", out.String(), err)
	}

	// keyward policy generate.
	out.Reset()
	errb.Reset()
	if err := Run(context.Background(), []string{"policy", "generate", "--principal", "arn:aws:iam::111122223333:user/team/worker", "--audit", trail}, nil, &out, &errb); err != nil {
		t.Fatalf("keyward policy generate: %v %s", err, errb.String())
	}
	generated := out.String()
	if strings.Contains(generated, "DeleteRole") || strings.Contains(generated, `"iam:*"`) {
		t.Errorf("generated policy allows more than the workload:\n%s", generated)
	}

	// Replay on a fresh server, as a worker with only the generated policy.
	hs2, root2 := auditServer(t, "sqlite::memory:", auditConfig{})
	worker2 := newWorker(t, hs2, root2, generated)
	for _, f := range workload {
		if code, body := call(t, hs2.Client(), hs2.URL, worker2, "iam", f); code != 200 {
			t.Errorf("replay %s under the generated policy: %d %s\npolicy:\n%s", f.Get("Action"), code, body, generated)
		}
	}
	for _, f := range []url.Values{
		iamForm("DeleteUser", "UserName", "ann"),                   // a neighbouring action
		iamForm("CreateUser", "UserName", "bob", "Path", "/team/"), // a neighbouring resource
		iamForm("ListRoles"),
	} {
		if code, body := call(t, hs2.Client(), hs2.URL, worker2, "iam", f); code != 403 {
			t.Errorf("%s under the generated policy: %d %s, want 403", f.Get("Action"), code, body)
		}
	}
}

// TestAudit_SoftEnforcement: with --enforcement=log a request the policies
// deny succeeds, and its line says what would have happened.
func TestAudit_SoftEnforcement(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	var logw lockedBuffer
	hs, root, _ := auditServerLog(t, "sqlite::memory:", auditConfig{file: trail, enforcement: "log"}, &logw)
	worker := newWorker(t, hs, root, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	code, body := call(t, hs.Client(), hs.URL, worker, "iam", iamForm("ListUsers"))
	if code != 200 {
		t.Fatalf("ListUsers under --enforcement=log: %d %s, want 200", code, body)
	}
	recs := readTrail(t, trail)
	last := recs[len(recs)-1]
	if last.Action != "iam:ListUsers" || last.Decision != "implicitDeny" || last.Enforcement != "log" || last.ErrorCode != "" {
		t.Errorf("line = %+v, want implicitDeny let through (enforcement log)", last)
	}
	if log := logw.String(); !strings.Contains(log, "would deny") || !strings.Contains(log, "request_id="+last.RequestID) ||
		!strings.Contains(log, "is not authorized to perform: iam:ListUsers") {
		t.Errorf("the server log does not say what it let through:\n%s", log)
	}
	// Signatures are never softened.
	bad := sigv4.Credentials{AccessKeyID: worker.AccessKeyID, SecretAccessKey: "wrong"}
	if code, _ := call(t, hs.Client(), hs.URL, bad, "iam", iamForm("GetUser")); code != 403 {
		t.Errorf("a bad signature under --enforcement=log: %d, want 403", code)
	}
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"policy", "generate", "--principal", "arn:aws:iam::111122223333:user/team/worker", "--audit", trail}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"iam:ListUsers"`) {
		t.Errorf("generated policy lacks the action let through:\n%s", out.String())
	}
	for _, args := range [][]string{{"serve", "--enforcement", "maybe"}, {"serve", "--audit-sync"}} {
		if err := Run(context.Background(), args, nil, io.Discard, io.Discard); exitCode(err, io.Discard) != 2 {
			t.Errorf("keyward %s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// TestAudit_LastUsed: what the server saw shows in GetAccessKeyLastUsed,
// the last-accessed report and the credential report.
func TestAudit_LastUsed(t *testing.T) {
	hs, root := auditServer(t, "sqlite::memory:", auditConfig{})
	c := hs.Client()
	worker := newWorker(t, hs, root, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)
	if code, body := call(t, c, hs.URL, worker, "iam", iamForm("GetUser")); code != 200 {
		t.Fatalf("GetUser: %d %s", code, body)
	}
	_, body := call(t, c, hs.URL, root, "iam", iamForm("GenerateServiceLastAccessedDetails", "Arn", "arn:aws:iam::111122223333:user/team/worker"))
	id := regexp.MustCompile(`<JobId>([^<]+)</JobId>`).FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("GenerateServiceLastAccessedDetails: %s", body)
	}
	_, body = call(t, c, hs.URL, root, "iam", iamForm("GetServiceLastAccessedDetails", "JobId", id[1]))
	if !strings.Contains(body, "<ServiceNamespace>iam</ServiceNamespace>") || !strings.Contains(body, "<LastAuthenticatedEntity>arn:aws:iam::111122223333:user/team/worker</LastAuthenticatedEntity>") ||
		!strings.Contains(body, "<LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion>") {
		t.Errorf("GetServiceLastAccessedDetails = %s", body)
	}
	_, body = call(t, c, hs.URL, root, "iam", iamForm("GetAccessKeyLastUsed", "AccessKeyId", worker.AccessKeyID))
	if !strings.Contains(body, "<ServiceName>iam</ServiceName>") {
		t.Errorf("GetAccessKeyLastUsed = %s", body)
	}
}

// BenchmarkAudit: a signed iam:GetUser through the whole server, without
// an audit trail, with one, and with one synced per request, side by side.
func BenchmarkAudit(b *testing.B) {
	for _, tc := range []struct {
		name string
		ac   func(dir string) auditConfig
	}{
		{"no-audit", func(string) auditConfig { return auditConfig{} }},
		{"audit-file", func(dir string) auditConfig { return auditConfig{file: filepath.Join(dir, "audit.log")} }},
		{"audit-file-sync", func(dir string) auditConfig { return auditConfig{file: filepath.Join(dir, "audit.log"), sync: true} }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			hs, root := auditServer(b, "sqlite::memory:", tc.ac(b.TempDir()))
			client := hs.Client()
			if code, body := call(b, client, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "alice")); code != 200 {
				b.Fatalf("CreateUser: %d %s", code, body)
			}
			form := iamForm("GetUser", "UserName", "alice")
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					if code, body := call(b, client, hs.URL, root, "iam", form); code != http.StatusOK {
						b.Fatalf("%d %s", code, body)
					}
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
			// Concurrent clients: durable lines share their fsyncs.
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism(8)
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if code, body := call(b, client, hs.URL, root, "iam", form); code != http.StatusOK {
							b.Errorf("%d %s", code, body)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
		})
	}
}

// TestAudit_ExplainAgain: keyward audit --explain --store decides a line
// again with the caller's current policies and says why.
func TestAudit_ExplainAgain(t *testing.T) {
	dir := t.TempDir()
	trail := filepath.Join(dir, "audit.log")
	db := "sqlite:" + filepath.Join(dir, "keyward.db")
	hs, root := auditServer(t, db, auditConfig{file: trail})
	worker := newWorker(t, hs, root, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`)
	if code, body := call(t, hs.Client(), hs.URL, worker, "iam", iamForm("ListUsers")); code != 403 {
		t.Fatalf("ListUsers: %d %s", code, body)
	}
	if code, body := call(t, hs.Client(), hs.URL, worker, "iam", iamForm("GetUser")); code != 200 {
		t.Fatalf("GetUser: %d %s", code, body)
	}
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"audit", "--file", trail, "--principal", "arn:aws:iam::111122223333:user/team/worker", "--explain", "--store", db}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("keyward audit --explain --store: %v %s", err, errb.String())
	}
	for _, want := range []string{
		"implicitDeny: no identity-based policy allows the iam:ListUsers action",
		"action iam:ListUsers matches nothing in Action",
		`condition IpAddress aws:SourceIp ["127.0.0.0/8"] holds: the request has aws:SourceIp = ["127.0.0.1"]`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("keyward audit --explain --store lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAudit_AuthorizeDecisions: a decision made for another service (the
// authorize endpoints call authz outside any IAM request) gets its own
// line, and counts as the caller's use of that service.
func TestAudit_AuthorizeDecisions(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	hs, root, s := auditServerS(t, "sqlite::memory:", auditConfig{file: trail})
	newWorker(t, hs, root, `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	var worker keyward.User
	if err := s.Store().View(context.Background(), func(tx keyward.Tx) (err error) {
		worker, err = tx.GetUser("111122223333", "worker")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := &keyward.Caller{Kind: keyward.CallerUser, AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/team/worker", UserName: "worker",
		UserID: worker.ID, PrincipalID: worker.ID, RequestID: "req-1", SourceIP: "192.0.2.1"}
	res, err := s.Authorizer().Evaluate(context.Background(), c, "s3:GetObject", "arn:aws:s3:::bucket/key", nil, nil)
	if err != nil || res.Decision.String() != "allowed" {
		t.Fatalf("Evaluate = %v, %v", res.Decision, err)
	}
	recs := readTrail(t, trail)
	last := recs[len(recs)-1]
	if last.Via != "authorize" || last.RequestID != "req-1" || last.Action != "s3:GetObject" || last.Decision != "allowed" ||
		last.Resource != "arn:aws:s3:::bucket/key" || last.SourceIP != "192.0.2.1" || last.Matched[0].Sid != "Get" {
		t.Errorf("line = %+v", last)
	}
	acts, err := s.Store().(keyward.ActivityLog).ListActivity(context.Background(), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range acts {
		found = found || (a.Principal == c.ARN && a.Service == "s3" && a.Action == "GetObject")
	}
	if !found {
		t.Errorf("activity = %+v, want worker's s3:GetObject", acts)
	}
}
