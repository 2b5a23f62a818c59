package main

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

func signedPost(t *testing.T, client *http.Client, u string, creds sigv4.Credentials, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := sigv4.Sign(req, []byte(body), creds, "us-east-1", "iam", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminReset(t *testing.T) {
	hs, root := testServer(t, "sqlite::memory:")
	c := hs.Client()
	if code, body := call(t, c, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "alice")); code != 200 {
		t.Fatalf("CreateUser: %d %s", code, body)
	}
	_, body := call(t, c, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", "alice"))
	var key struct {
		AccessKeyID string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret      string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(body), &key); err != nil || key.AccessKeyID == "" {
		t.Fatalf("CreateAccessKey: %v %s", err, body)
	}
	alice := sigv4.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.Secret}
	// A session issued before the reset must not outlive it.
	_, body = call(t, c, hs.URL, root, "sts", map[string][]string{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}})
	var st struct {
		ID     string `xml:"GetSessionTokenResult>Credentials>AccessKeyId"`
		Secret string `xml:"GetSessionTokenResult>Credentials>SecretAccessKey"`
		Token  string `xml:"GetSessionTokenResult>Credentials>SessionToken"`
	}
	if err := xml.Unmarshal([]byte(body), &st); err != nil || st.Token == "" {
		t.Fatalf("GetSessionToken: %v %s", err, body)
	}
	session := sigv4.Credentials{AccessKeyID: st.ID, SecretAccessKey: st.Secret, SessionToken: st.Token}
	gci := map[string][]string{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	if code, body := call(t, c, hs.URL, session, "sts", gci); code != 200 {
		t.Fatalf("GetCallerIdentity with the session before the reset = %d %s", code, body)
	}

	// Only the root may reset.
	if code, body := signedPost(t, c, hs.URL+"/keyward/admin/reset", alice, ""); code != 403 || !strings.Contains(body, "AccessDenied") {
		t.Errorf("reset as alice = %d %s, want 403 AccessDenied", code, body)
	}
	if code, body := signedPost(t, c, hs.URL+"/keyward/admin/reset", sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: "wrong"}, ""); code != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("reset with a bad signature = %d %s, want 403 SignatureDoesNotMatch", code, body)
	}
	if code, body := signedPost(t, c, hs.URL+"/keyward/admin/reset", root, ""); code != 200 {
		t.Fatalf("reset as root = %d %s", code, body)
	}
	// First-start state: alice and her key are gone, the root key works.
	if code, body := call(t, c, hs.URL, root, "iam", iamForm("GetUser", "UserName", "alice")); code != 404 || !strings.Contains(body, "NoSuchEntity") {
		t.Errorf("GetUser alice after reset = %d %s, want 404 NoSuchEntity", code, body)
	}
	if code, body := call(t, c, hs.URL, alice, "sts", map[string][]string{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}); code != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Errorf("alice's old key after reset = %d %s, want 403 InvalidClientTokenId", code, body)
	}
	if code, body := call(t, c, hs.URL, session, "sts", gci); code != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Errorf("a session issued before the reset = %d %s, want 403 InvalidClientTokenId", code, body)
	}
	if code, body := call(t, c, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "alice")); code != 200 {
		t.Errorf("CreateUser after reset = %d %s", code, body)
	}
}

func TestAdminReset_FileStoreRefuses(t *testing.T) {
	hs, root := testServer(t, "sqlite:"+t.TempDir()+"/k.db")
	if code, body := signedPost(t, hs.Client(), hs.URL+"/keyward/admin/reset", root, ""); code != 400 || !strings.Contains(body, "in-memory") {
		t.Errorf("reset of a file store = %d %s, want 400 saying only in-memory stores reset", code, body)
	}
}

func TestMetricsAndHealth(t *testing.T) {
	hs, root := testServer(t, "sqlite::memory:")
	c := hs.Client()
	call(t, c, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "bob"))
	call(t, c, hs.URL, root, "iam", iamForm("GetUser", "UserName", "nobody"))
	resp, err := c.Get(hs.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /healthz = %v, %v", resp, err)
	}
	resp.Body.Close()
	resp, err = c.Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`keyward_requests_total{service="iam",action="CreateUser",code="OK"} 1`,
		`keyward_requests_total{service="iam",action="GetUser",code="NoSuchEntity"} 1`,
		`keyward_request_duration_seconds_count{service="iam"} 2`,
		`keyward_decisions_total{decision="allowed"}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GET /metrics lacks %q:\n%s", want, b)
		}
	}
}
