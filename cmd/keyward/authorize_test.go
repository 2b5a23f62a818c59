package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/guard"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// authzFixture is a whole server on a real listener whose authentication
// clock can be moved forward (to expire sessions), with a calling service
// and clients already set up:
//   - svc: a user allowed keyward:Authorize (and GetSigningKey) for kvstore
//   - nosvc: a user with no keyward permission
//   - alice: may kvstore:GetItem her own items and sts:AssumeRole reader
//   - reader: a role that may kvstore:GetItem anything
//   - bob: a user of account 444455556666 allowed items/shared/* of account
//     111122223333 by his own policy
type authzFixture struct {
	s      *server.Server
	hs     *httptest.Server
	root   sigv4.Credentials
	offset atomic.Int64 // added to the server's authentication clock

	svc, nosvc, alice, bob sigv4.Credentials
}

const (
	kvAccount    = "111122223333"
	otherAccount = "444455556666"
	kvItemPrefix = "arn:aws:kvstore:us-east-1:" + kvAccount + ":item/"
)

func newAuthzFixture(tb testing.TB, forwardConfig string) *authzFixture {
	tb.Helper()
	tb.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	tb.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	tb.Setenv("KEYWARD_ACCOUNT_ID", kvAccount)
	if forwardConfig != "" {
		path := filepath.Join(tb.TempDir(), "forward-auth.json")
		if err := os.WriteFile(path, []byte(forwardConfig), 0o600); err != nil {
			tb.Fatal(err)
		}
		tb.Setenv("KEYWARD_FORWARD_AUTH_CONFIG", path)
	}
	cfg := serveConfig{data: tb.TempDir(), store: "sqlite:" + tb.TempDir() + "/keyward.db"}
	s, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	f := &authzFixture{s: s, root: sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}}
	s.Authenticator().Clock = func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }
	f.hs = httptest.NewServer(s.Handler())
	tb.Cleanup(func() { f.hs.Close(); s.Close() })

	f.svc = f.user(tb, f.root, "svc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["keyward:Authorize","keyward:GetSigningKey"],"Resource":"arn:aws:keyward:::service/kvstore"}]}`)
	f.nosvc = f.user(tb, f.root, "nosvc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":"keyward:Authorize","Resource":"arn:aws:keyward:::service/other"}]}`)
	f.alice = f.user(tb, f.root, "alice", `{"Version":"2012-10-17","Statement":[
		{"Sid":"OwnItems","Effect":"Allow","Action":["kvstore:GetItem","kvstore:PutItem"],"Resource":"`+kvItemPrefix+`${aws:username}/*"},
		{"Sid":"NoSecrets","Effect":"Deny","Action":"kvstore:*","Resource":"`+kvItemPrefix+`alice/secret"},
		{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	f.iam(tb, f.root, "iam", iamForm("TagUser", "UserName", "alice", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"))
	f.iam(tb, f.root, "iam", iamForm("CreateRole", "RoleName", "reader", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+kvAccount+`:root"},"Action":"sts:AssumeRole"}]}`))
	f.iam(tb, f.root, "iam", iamForm("PutRolePolicy", "RoleName", "reader", "PolicyName", "read",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kvstore:GetItem","Resource":"*"}]}`))

	otherRoot := sigv4.Credentials{AccessKeyID: "AKIAOTHEROTHEROTHER1", SecretAccessKey: "other-root-secret"}
	err = s.Store().Update(context.Background(), func(tx keyward.Tx) error {
		return server.CreateAccount(tx, otherAccount, otherRoot.AccessKeyID, otherRoot.SecretAccessKey, s.Config().KEK, time.Now())
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.bob = f.user(tb, otherRoot, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["kvstore:GetItem","s3:GetObject"],"Resource":["`+kvItemPrefix+`shared/*","arn:aws:s3:::bucket/shared/*"]}]}`)
	return f
}

// iam calls an IAM or STS action and fails the test unless it succeeds.
func (f *authzFixture) iam(tb testing.TB, creds sigv4.Credentials, service string, form url.Values) string {
	tb.Helper()
	if service == "sts" {
		form.Set("Version", "2011-06-15")
	}
	code, body := call(tb, f.hs.Client(), f.hs.URL, creds, service, form)
	if code != 200 {
		tb.Fatalf("%s %s: %d %s", service, form.Get("Action"), code, body)
	}
	return body
}

// user creates a user with one inline policy and an access key.
func (f *authzFixture) user(tb testing.TB, admin sigv4.Credentials, name, policyDoc string) sigv4.Credentials {
	tb.Helper()
	f.iam(tb, admin, "iam", iamForm("CreateUser", "UserName", name))
	f.iam(tb, admin, "iam", iamForm("PutUserPolicy", "UserName", name, "PolicyName", "p", "PolicyDocument", policyDoc))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(f.iam(tb, admin, "iam", iamForm("CreateAccessKey", "UserName", name))), &key); err != nil {
		tb.Fatal(err)
	}
	return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
}

// assumeReader returns alice's session credentials for the reader role.
func (f *authzFixture) assumeReader(tb testing.TB) sigv4.Credentials {
	tb.Helper()
	var out struct {
		ID     string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
		Secret string `xml:"AssumeRoleResult>Credentials>SecretAccessKey"`
		Token  string `xml:"AssumeRoleResult>Credentials>SessionToken"`
	}
	body := f.iam(tb, f.alice, "sts", url.Values{"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::" + kvAccount + ":role/reader"},
		"RoleSessionName": {"alice-reads"}, "DurationSeconds": {"900"}})
	if err := xml.Unmarshal([]byte(body), &out); err != nil {
		tb.Fatal(err)
	}
	return sigv4.Credentials{AccessKeyID: out.ID, SecretAccessKey: out.Secret, SessionToken: out.Token}
}

func (f *authzFixture) client(creds sigv4.Credentials) *guard.Client {
	return &guard.Client{Endpoint: f.hs.URL, Credentials: creds, HTTPClient: f.hs.Client()}
}

// signedRequest is a client's request to the kvstore service, signed at t.
func signedRequest(tb testing.TB, creds sigv4.Credentials, method, target, body string, t time.Time) authorize.ClientRequest {
	tb.Helper()
	req, _ := http.NewRequest(method, "http://kv.example:8080"+target, strings.NewReader(body))
	if err := sigv4.Sign(req, []byte(body), creds, "us-east-1", "kvstore", t); err != nil {
		tb.Fatal(err)
	}
	return asClientRequest(req, body)
}

func asClientRequest(req *http.Request, body string) authorize.ClientRequest {
	h := map[string]authorize.Values{}
	for k, vs := range req.Header {
		h[k] = vs
	}
	cr := authorize.ClientRequest{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery, Host: req.Host, Headers: h,
		SourceIP: "203.0.113.7"}
	if body != "" {
		cr.Body = []byte(body)
	}
	return cr
}

func getItem(key string) authorize.Query {
	return authorize.Query{Action: "kvstore:GetItem", Resource: kvItemPrefix + key}
}

func TestAuthorize_InputShapes(t *testing.T) {
	f := newAuthzFixture(t, "")
	svc := f.client(f.svc)
	now := time.Now()
	session := f.assumeReader(t)

	presigned := func(creds sigv4.Credentials, target string) authorize.ClientRequest {
		req, _ := http.NewRequest("GET", "http://kv.example:8080"+target, nil)
		u, err := sigv4.Presign(req, nil, creds, "us-east-1", "kvstore", now, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return authorize.ClientRequest{Method: "GET", Path: u.EscapedPath(), Query: u.RawQuery, Host: req.Host}
	}
	crossPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"ShareWithBob","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + otherAccount + `:user/bob"},"Action":"kvstore:GetItem","Resource":"` + kvItemPrefix + `shared/*"}]}`
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"ShareBucket","Effect":"Allow",
		"Principal":{"AWS":"` + otherAccount + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/shared/*"}]}`
	withHash := signedRequest(t, f.alice, "PUT", "/items/alice/notes", "hello", now)
	withHash.PayloadHash, withHash.Body = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", nil

	tests := []struct {
		name          string
		req           authorize.ClientRequest
		queries       []authorize.Query
		wantPrincipal string
		wantType      string
		want          []string // decisions
		wantSid       string   // of the first decision's first matched statement
	}{
		{"header-signed user", signedRequest(t, f.alice, "GET", "/items/alice/notes?v=2", "", now),
			[]authorize.Query{getItem("alice/notes")}, "arn:aws:iam::" + kvAccount + ":user/alice", "User", []string{"allowed"}, "OwnItems"},
		{"body given", signedRequest(t, f.alice, "PUT", "/items/alice/notes", "hello", now),
			[]authorize.Query{{Action: "kvstore:PutItem", Resource: kvItemPrefix + "alice/notes"}}, "arn:aws:iam::" + kvAccount + ":user/alice", "User", []string{"allowed"}, "OwnItems"},
		{"payload hash given", withHash,
			[]authorize.Query{{Action: "kvstore:PutItem", Resource: kvItemPrefix + "alice/notes"}}, "arn:aws:iam::" + kvAccount + ":user/alice", "User", []string{"allowed"}, "OwnItems"},
		{"batch: allowed, implicit and explicit deny", signedRequest(t, f.alice, "GET", "/items", "", now),
			[]authorize.Query{getItem("alice/a"), getItem("bob/a"), getItem("alice/secret")}, "arn:aws:iam::" + kvAccount + ":user/alice", "User",
			[]string{"allowed", "implicitDeny", "explicitDeny"}, "OwnItems"},
		{"presigned", presigned(f.alice, "/items/alice/notes"),
			[]authorize.Query{getItem("alice/notes")}, "arn:aws:iam::" + kvAccount + ":user/alice", "User", []string{"allowed"}, "OwnItems"},
		{"session credentials from AssumeRole", signedRequest(t, session, "GET", "/items/bob/a", "", now),
			[]authorize.Query{getItem("bob/a")}, "arn:aws:sts::" + kvAccount + ":assumed-role/reader/alice-reads", "AssumedRole", []string{"allowed"}, ""},
		{"presigned session", presigned(session, "/items/bob/a"),
			[]authorize.Query{getItem("bob/a")}, "arn:aws:sts::" + kvAccount + ":assumed-role/reader/alice-reads", "AssumedRole", []string{"allowed"}, ""},
		{"cross-account with a resource policy", signedRequest(t, f.bob, "GET", "/items/shared/x", "", now),
			[]authorize.Query{{Action: "kvstore:GetItem", Resource: kvItemPrefix + "shared/x", ResourcePolicy: []byte(crossPolicy)}},
			"arn:aws:iam::" + otherAccount + ":user/bob", "User", []string{"allowed"}, "ShareWithBob"},
		{"resource account given for an ARN without one", signedRequest(t, f.bob, "GET", "/b/shared/x", "", now),
			[]authorize.Query{
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/shared/x", ResourceAccount: kvAccount, ResourcePolicy: []byte(bucketPolicy)},
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/shared/x", ResourceAccount: kvAccount},
				{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/shared/x"}},
			"arn:aws:iam::" + otherAccount + ":user/bob", "User", []string{"allowed", "implicitDeny", "allowed"}, "ShareBucket"},
		{"cross-account without the resource policy", signedRequest(t, f.bob, "GET", "/items/shared/x", "", now),
			[]authorize.Query{getItem("shared/x")}, "arn:aws:iam::" + otherAccount + ":user/bob", "User", []string{"implicitDeny"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Authorize(context.Background(), &authorize.Input{Service: "kvstore", Request: tt.req, Decisions: tt.queries, Explain: true})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if !out.Authenticated {
				t.Fatalf("Authorize().Authenticated = false (%+v), want true", out.Error)
			}
			if out.Principal.ARN != tt.wantPrincipal || out.Principal.Type != tt.wantType {
				t.Errorf("Authorize().Principal = %q (%s), want %q (%s)", out.Principal.ARN, out.Principal.Type, tt.wantPrincipal, tt.wantType)
			}
			if temp := tt.wantType == "AssumedRole"; temp != (out.Principal.SessionExpiry != nil) ||
				(temp && !out.Principal.SessionExpiry.After(out.Principal.TokenIssueTime.Add(10*time.Minute))) {
				t.Errorf("Authorize().Principal.SessionExpiry = %v (issued %v), want the session's expiry for temporary credentials only", out.Principal.SessionExpiry, out.Principal.TokenIssueTime)
			}
			if tt.wantPrincipal == "arn:aws:iam::"+kvAccount+":user/alice" && out.Principal.Tags["team"] != "blue" {
				t.Errorf("Authorize().Principal.Tags = %v, want team=blue", out.Principal.Tags)
			}
			if len(out.Decisions) != len(tt.want) {
				t.Fatalf("Authorize() gave %d decisions, want %d", len(out.Decisions), len(tt.want))
			}
			for i, d := range out.Decisions {
				if d.Decision != tt.want[i] {
					t.Errorf("Authorize().Decisions[%d] = %s (%s), want %s", i, d.Decision, d.Message, tt.want[i])
				}
				if d.Explanation == "" {
					t.Errorf("Authorize().Decisions[%d].Explanation is empty, want a sentence", i)
				}
			}
			if tt.wantSid != "" && (len(out.Decisions[0].MatchedStatements) == 0 || out.Decisions[0].MatchedStatements[0].Sid != tt.wantSid) {
				t.Errorf("Authorize().Decisions[0].MatchedStatements = %+v, want Sid %q", out.Decisions[0].MatchedStatements, tt.wantSid)
			}
			if allAllowed := !strings.Contains(strings.Join(tt.want, ","), "Deny"); out.Allowed != allAllowed {
				t.Errorf("Authorize().Allowed = %v, want %v", out.Allowed, allAllowed)
			}
		})
	}
}

func TestAuthorize_ClientFailures(t *testing.T) {
	f := newAuthzFixture(t, "")
	svc := f.client(f.svc)
	now := time.Now()
	session := f.assumeReader(t)
	wrong := f.alice
	wrong.SecretAccessKey = "not-the-secret"
	tampered := signedRequest(t, f.alice, "GET", "/items/alice/notes", "", now)
	tampered.Path = "/items/alice/other"
	badHash := signedRequest(t, f.alice, "PUT", "/items/alice/notes", "hello", now)
	badHash.Body = []byte("hellO")

	tests := []struct {
		name     string
		req      authorize.ClientRequest
		advance  time.Duration // of the server's clock, before the call
		code     string
		inMsg    string
		service  string
		sigScope string
	}{
		{"bad signature", signedRequest(t, wrong, "GET", "/items/alice/notes", "", now), 0, "SignatureDoesNotMatch", "does not match", "", ""},
		{"tampered path", tampered, 0, "SignatureDoesNotMatch", "does not match", "", ""},
		{"body not what was signed", badHash, 0, "SignatureDoesNotMatch", "", "", ""},
		{"clock skew", signedRequest(t, f.alice, "GET", "/items/alice/notes", "", now.Add(-20*time.Minute)), 0, "SignatureDoesNotMatch", "Signature expired", "", ""},
		{"unknown key", signedRequest(t, sigv4.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN12", SecretAccessKey: "x"}, "GET", "/items/a", "", now), 0, "InvalidClientTokenId", "", "", ""},
		{"no signature", authorize.ClientRequest{Method: "GET", Path: "/items/a", Host: "kv.example:8080"}, 0, "MissingAuthenticationToken", "", "", ""},
		{"signed for another service", signedRequest(t, f.alice, "GET", "/items/a", "", now), 0, "SignatureDoesNotMatch", "'s3'", "s3", ""},
		{"expired session", signedRequest(t, session, "GET", "/items/a", "", now.Add(2*time.Hour)), 2 * time.Hour, "ExpiredToken", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.offset.Store(int64(tt.advance))
			defer f.offset.Store(0)
			service := "kvstore"
			if tt.service != "" {
				service = tt.service
				f.iam(t, f.root, "iam", iamForm("PutUserPolicy", "UserName", "svc", "PolicyName", "s3", "PolicyDocument",
					`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:Authorize","Resource":"*"}]}`))
			}
			// The service signs with the real clock: only the client's
			// credentials age.
			svc.Now = func() time.Time { return time.Now().Add(tt.advance) }
			out, err := svc.Authorize(context.Background(), &authorize.Input{Service: service, Request: tt.req, Decisions: []authorize.Query{getItem("alice/notes")}})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if out.Authenticated || out.Error == nil {
				t.Fatalf("Authorize().Authenticated = %v, error %+v; want %s", out.Authenticated, out.Error, tt.code)
			}
			if out.Error.Code != tt.code || !strings.Contains(out.Error.Message, tt.inMsg) {
				t.Errorf("Authorize().Error = %s %q, want %s containing %q", out.Error.Code, out.Error.Message, tt.code, tt.inMsg)
			}
			if out.Principal != nil || len(out.Decisions) != 0 || out.Allowed {
				t.Errorf("Authorize() of an unauthenticated request = principal %+v, %d decisions, allowed %v; want none", out.Principal, len(out.Decisions), out.Allowed)
			}
		})
	}
}

func TestAuthorize_CallingService(t *testing.T) {
	f := newAuthzFixture(t, "")
	req := signedRequest(t, f.alice, "GET", "/items/alice/notes", "", time.Now())
	in := &authorize.Input{Service: "kvstore", Request: req, Decisions: []authorize.Query{getItem("alice/notes")}}
	tests := []struct {
		name   string
		creds  sigv4.Credentials
		status int
		code   string
	}{
		{"without keyward:Authorize", f.nosvc, 403, "AccessDenied"},
		{"a client is not a service", f.alice, 403, "AccessDenied"},
		{"bad signature", sigv4.Credentials{AccessKeyID: f.svc.AccessKeyID, SecretAccessKey: "wrong"}, 403, "SignatureDoesNotMatch"},
		{"unknown key", sigv4.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN12", SecretAccessKey: "x"}, 403, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client(tt.creds).Authorize(context.Background(), in)
			e, ok := err.(*guard.Error)
			if !ok || e.Status != tt.status || e.Code != tt.code {
				t.Errorf("Authorize() as %s = %v, want %d %s", tt.name, err, tt.status, tt.code)
			}
		})
	}
	t.Run("root may", func(t *testing.T) {
		out, err := f.client(f.root).Authorize(context.Background(), in)
		if err != nil || !out.Allowed {
			t.Errorf("Authorize() as root = %+v, %v; want allowed", out, err)
		}
	})
	t.Run("signing key needs keyward:GetSigningKey", func(t *testing.T) {
		f.iam(t, f.root, "iam", iamForm("PutUserPolicy", "UserName", "nosvc", "PolicyName", "p", "PolicyDocument",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:Authorize","Resource":"arn:aws:keyward:::service/kvstore"}]}`))
		in := *in
		in.SigningKey = true
		out, err := f.client(f.nosvc).Authorize(context.Background(), &in)
		if err != nil || !out.Allowed || out.SigningKey != nil {
			t.Errorf("Authorize(signingKey) without keyward:GetSigningKey = %+v, %v; want allowed without a key", out, err)
		}
		out, err = f.client(f.svc).Authorize(context.Background(), &in)
		if err != nil || out.SigningKey == nil || len(out.SigningKey.Key) != 64 {
			t.Fatalf("Authorize(signingKey) with keyward:GetSigningKey = %+v, %v; want a 32-byte key", out, err)
		}
		if strings.Contains(out.SigningKey.Key, f.alice.SecretAccessKey) {
			t.Errorf("the signing key holds the secret")
		}
	})
	t.Run("never a signing key for IAM, STS or this API", func(t *testing.T) {
		f.iam(t, f.root, "iam", iamForm("PutUserPolicy", "UserName", "svc", "PolicyName", "all", "PolicyDocument",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:*","Resource":"*"}]}`))
		for _, service := range []string{"iam", "sts", "keyward"} {
			req, _ := http.NewRequest("GET", "http://kv.example:8080/", nil)
			if err := sigv4.Sign(req, nil, f.alice, "us-east-1", service, time.Now()); err != nil {
				t.Fatal(err)
			}
			out, err := f.client(f.svc).Authorize(context.Background(), &authorize.Input{Service: service, Request: asClientRequest(req, ""), SigningKey: true})
			if err != nil || !out.Authenticated || out.SigningKey != nil {
				t.Errorf("Authorize(signingKey, service %s) = %+v, %v; want authenticated without a key", service, out, err)
			}
		}
	})
}

// TestAuthorize_Streaming: an aws-chunked upload's seed request gets the
// scope's signing key, with which the first chunk's signature checks out.
func TestAuthorize_Streaming(t *testing.T) {
	f := newAuthzFixture(t, "")
	now := time.Now()
	req, _ := http.NewRequest("PUT", "http://kv.example:8080/items/alice/big", nil)
	req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingPayload)
	req.Header.Set("X-Amz-Decoded-Content-Length", "5")
	req.Header.Set("Content-Encoding", "aws-chunked")
	// sigv4.Sign refuses streaming markers (IAM and STS need the body), so
	// the seed request is signed here by hand, as AWS documents it.
	amzDate := now.UTC().Format(sigv4.TimeFormat)
	req.Header.Set("X-Amz-Date", amzDate)
	signed := "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length"
	creq := "PUT\n/items/alice/big\n\ncontent-encoding:aws-chunked\nhost:kv.example:8080\nx-amz-content-sha256:" + sigv4.StreamingPayload +
		"\nx-amz-date:" + amzDate + "\nx-amz-decoded-content-length:5\n\n" + signed + "\n" + sigv4.StreamingPayload
	scope := amzDate[:8] + "/us-east-1/kvstore/aws4_request"
	creqSum := sha256.Sum256([]byte(creq))
	key := sigv4.SigningKey(f.alice.SecretAccessKey, amzDate[:8], "us-east-1", "kvstore")
	seed := hmacHex(key, "AWS4-HMAC-SHA256\n"+amzDate+"\n"+scope+"\n"+hexString(creqSum[:]))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+f.alice.AccessKeyID+"/"+scope+", SignedHeaders="+signed+", Signature="+seed)
	out, err := f.client(f.svc).Authorize(context.Background(), &authorize.Input{Service: "kvstore", Request: asClientRequest(req, ""),
		Decisions: []authorize.Query{{Action: "kvstore:PutItem", Resource: kvItemPrefix + "alice/big"}}})
	if err != nil || !out.Allowed || out.SigningKey == nil {
		t.Fatalf("Authorize(streaming PUT) = %+v, %v; want allowed with a signing key", out, err)
	}
	want := sigv4.SigningKey(f.alice.SecretAccessKey, now.UTC().Format("20060102"), "us-east-1", "kvstore")
	if got := out.SigningKey.Key; got != hexString(want) {
		t.Errorf("Authorize(streaming PUT).SigningKey.Key = %s, want %x", got, want)
	}
	if out.SigningKey.SeedSignature != seed {
		t.Errorf("SeedSignature = %q, want the request's %q", out.SigningKey.SeedSignature, seed)
	}
	// What the service does next: check the first chunk with the key.
	got, _ := hex.DecodeString(out.SigningKey.Key)
	chunk := []byte("hello")
	if a, b := chunkSignature(got, out.SigningKey.Date, out.SigningKey.Scope, seed, chunk), chunkSignature(key, amzDate, scope, seed, chunk); a != b {
		t.Errorf("chunk signature with the returned key = %s, want %s", a, b)
	}
}

// chunkSignature checks the first chunk the way a service would with the
// signing key: AWS4-HMAC-SHA256-PAYLOAD, date, scope, previous signature,
// the empty hash and the chunk's hash.
func chunkSignature(key []byte, amzDate, scope, prev string, chunk []byte) string {
	empty := sha256.Sum256(nil)
	sum := sha256.Sum256(chunk)
	return hmacHex(key, "AWS4-HMAC-SHA256-PAYLOAD\n"+amzDate+"\n"+scope+"\n"+prev+"\n"+hexString(empty[:])+"\n"+hexString(sum[:]))
}

func hmacHex(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hexString(m.Sum(nil))
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
