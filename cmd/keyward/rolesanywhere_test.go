package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/rolesanywhere"
	"github.com/keyward/keyward/sigv4"
)

// A test PKI: CAs and the certificates they issue, made in the test.

type testCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var certSerial atomic.Int64

func (c *testCert) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}))
}

// newTestCA makes a self-signed CA.
func newTestCA(tb testing.TB, cn string) *testCert {
	tb.Helper()
	return issueCert(tb, nil, cn, func(t *x509.Certificate) {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	})
}

// issueCert issues a certificate signed by ca (self-signed when nil), by
// default an end-entity one valid now, for digital signatures.
func issueCert(tb testing.TB, ca *testCert, cn string, mods ...func(*x509.Certificate)) *testCert {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x7000 + certSerial.Add(1)),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	for _, m := range mods {
		m(tmpl)
	}
	parent, signer := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &testCert{cert: c, key: key}
}

// crlPEM is a CRL of ca revoking the certificates given.
func crlPEM(tb testing.TB, ca *testCert, revoked ...*testCert) []byte {
	tb.Helper()
	l := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}
	for _, r := range revoked {
		l.RevokedCertificateEntries = append(l.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: r.cert.SerialNumber, RevocationTime: time.Now()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, l, ca.cert, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

// raCall sends one Roles Anywhere control-plane request signed with creds
// and returns the status and the body.
func raCall(tb testing.TB, hs *httptest.Server, creds sigv4.Credentials, method, path string, in any) (int, string) {
	tb.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			tb.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, hs.URL+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if creds.AccessKeyID != "" {
		if err := sigv4.Sign(req, body, creds, "us-east-1", "rolesanywhere", time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	return do(tb, hs, req)
}

func do(tb testing.TB, hs *httptest.Server, req *http.Request) (int, string) {
	tb.Helper()
	resp, err := hs.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if t := resp.Header.Get("X-Amzn-Errortype"); t != "" {
		return resp.StatusCode, t + ": " + string(b)
	}
	return resp.StatusCode, string(b)
}

// mustRA is raCall that fails the test unless the status is 2xx, and
// decodes the response into out.
func mustRA(tb testing.TB, hs *httptest.Server, creds sigv4.Credentials, method, path string, in, out any) {
	tb.Helper()
	code, body := raCall(tb, hs, creds, method, path, in)
	if code/100 != 2 {
		tb.Fatalf("%s %s = %d %s, want success", method, path, code, body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(body), out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, body)
		}
	}
}

// raSetup is a trust anchor of ca and an enabled profile for role app,
// whose trust policy is trust (with TA_ARN replaced by the anchor's ARN).
type raSetup struct {
	anchorARN, anchorID, profileARN, profileID, roleARN string
}

const raTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},
	"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],
	"Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"workload-1"},"ArnEquals":{"aws:SourceArn":"TA_ARN"}}}]}`

func setupRolesAnywhere(tb testing.TB, hs *httptest.Server, root sigv4.Credentials, ca *testCert, trust string) raSetup {
	tb.Helper()
	var ta struct {
		TrustAnchor struct{ TrustAnchorID, TrustAnchorArn string }
	}
	mustRA(tb, hs, root, "POST", "/trustanchors", map[string]any{"name": "ca", "enabled": true,
		"source": map[string]any{"sourceType": "CERTIFICATE_BUNDLE", "sourceData": map[string]any{"x509CertificateData": ca.pem()}}}, &ta)
	code, body := call(tb, hs.Client(), hs.URL, root, "iam", iamForm("CreateRole", "RoleName", "app",
		"AssumeRolePolicyDocument", strings.ReplaceAll(trust, "TA_ARN", ta.TrustAnchor.TrustAnchorArn)))
	if code != 200 {
		tb.Fatalf("CreateRole: %d %s", code, body)
	}
	if code, body := call(tb, hs.Client(), hs.URL, root, "iam", iamForm("PutRolePolicy", "RoleName", "app", "PolicyName", "list",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)); code != 200 {
		tb.Fatalf("PutRolePolicy: %d %s", code, body)
	}
	roleARN := "arn:aws:iam::111122223333:role/app"
	var p struct {
		Profile struct{ ProfileID, ProfileArn string }
	}
	mustRA(tb, hs, root, "POST", "/profiles", map[string]any{"name": "app", "enabled": true, "roleArns": []string{roleARN}}, &p)
	return raSetup{anchorARN: ta.TrustAnchor.TrustAnchorArn, anchorID: ta.TrustAnchor.TrustAnchorID,
		profileARN: p.Profile.ProfileArn, profileID: p.Profile.ProfileID, roleARN: roleARN}
}

// createSession sends CreateSession as AWS's credential helper does,
// signed with key for cert at t.
func createSession(tb testing.TB, hs *httptest.Server, set raSetup, cert *x509.Certificate, key crypto.Signer, chain []*x509.Certificate, body string, t time.Time) (int, string) {
	tb.Helper()
	q := url.Values{"profileArn": {set.profileARN}, "roleArn": {set.roleARN}, "trustAnchorArn": {set.anchorARN}}
	req, err := http.NewRequest("POST", hs.URL+"/sessions?"+strings.ReplaceAll(q.Encode(), "+", "%20"), strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if err := sigv4.SignX509(req, []byte(body), key, cert, chain, "us-east-1", t); err != nil {
		tb.Fatal(err)
	}
	return do(tb, hs, req)
}

// sessionCreds decodes a CreateSession response.
func sessionCreds(tb testing.TB, body string) (sigv4.Credentials, map[string]any) {
	tb.Helper()
	var out struct {
		CredentialSet []struct {
			Credentials struct{ AccessKeyID, SecretAccessKey, SessionToken, Expiration string }
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.CredentialSet) != 1 {
		tb.Fatalf("CreateSession response %s: %v", body, err)
	}
	var raw map[string]any
	json.Unmarshal([]byte(body), &raw)
	c := out.CredentialSet[0].Credentials
	return sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, raw
}

// expiration returns the credentials' expiry from a CreateSession response.
func expiration(tb testing.TB, body string) time.Time {
	tb.Helper()
	var out struct {
		CredentialSet []struct{ Credentials struct{ Expiration string } }
	}
	json.Unmarshal([]byte(body), &out)
	e, err := time.Parse(time.RFC3339, out.CredentialSet[0].Credentials.Expiration)
	if err != nil {
		tb.Fatalf("expiration in %s: %v", body, err)
	}
	return e
}

// TestRolesAnywhere_Session: a session from CreateSession is an ordinary
// role session: its name is the certificate's serial in hex, its source
// identity CN=<subject CN>, the certificate's attributes its principal
// tags (a policy variable reads them), the profile's session policy
// narrows it, and an aws:TokenIssueTime deny revokes it.
func TestRolesAnywhere_Session(t *testing.T) {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	iamCall := func(creds sigv4.Credentials, kv ...string) (int, string) {
		return call(t, hs.Client(), hs.URL, creds, "iam", iamForm(kv[0], kv[1:]...))
	}
	iamCall(root, "CreateUser", "UserName", "workload-1")
	iamCall(root, "CreateUser", "UserName", "someone-else")
	if code, body := iamCall(root, "PutRolePolicy", "RoleName", "app", "PolicyName", "self", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/${aws:PrincipalTag/x509Subject/CN}"}]}`); code != 200 {
		t.Fatalf("PutRolePolicy: %d %s", code, body)
	}
	leaf := issueCert(t, ca, "workload-1", func(c *x509.Certificate) { c.DNSNames = []string{"w1.example.com"} })
	code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now())
	if code != 201 {
		t.Fatalf("CreateSession = %d %s, want 201", code, body)
	}
	creds, raw := sessionCreds(t, body)
	cred := raw["credentialSet"].([]any)[0].(map[string]any)
	serial := leaf.cert.SerialNumber.Text(16)
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	wantARN := "arn:aws:sts::111122223333:assumed-role/app/" + serial
	if got := cred["assumedRoleUser"].(map[string]any)["arn"]; got != wantARN {
		t.Errorf("CreateSession assumedRoleUser.arn = %v, want %s", got, wantARN)
	}
	if got := cred["sourceIdentity"]; got != "CN=workload-1" {
		t.Errorf("CreateSession sourceIdentity = %v, want CN=workload-1", got)
	}
	if got := cred["roleArn"]; got != set.roleARN {
		t.Errorf("CreateSession roleArn = %v, want %s", got, set.roleARN)
	}
	if sa, _ := raw["subjectArn"].(string); !strings.HasPrefix(sa, "arn:aws:rolesanywhere:us-east-1:111122223333:subject/") {
		t.Errorf("CreateSession subjectArn = %q, want the account's subject ARN", sa)
	}
	_, body = call(t, hs.Client(), hs.URL, creds, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	if !strings.Contains(body, "<Arn>"+wantARN+"</Arn>") {
		t.Errorf("GetCallerIdentity with the session = %s, want %s", body, wantARN)
	}
	if code, body := iamCall(creds, "GetUser", "UserName", "workload-1"); code != 200 {
		t.Errorf("GetUser(workload-1) through ${aws:PrincipalTag/x509Subject/CN} = %d %s, want 200", code, body)
	}
	if code, _ := iamCall(creds, "GetUser", "UserName", "someone-else"); code != 403 {
		t.Errorf("GetUser(someone-else) = %d, want 403: the tag names workload-1 only", code)
	}
	if code, body := iamCall(creds, "ListUsers"); code != 200 {
		t.Errorf("ListUsers (the role's policy) = %d %s, want 200", code, body)
	}
	// The role's last use is recorded.
	if _, body := iamCall(root, "GetRole", "RoleName", "app"); !strings.Contains(body, "<RoleLastUsed>") || !strings.Contains(body, "<LastUsedDate>") {
		t.Errorf("GetRole after CreateSession = %s, want RoleLastUsed", body)
	}

	// The profile's session policy narrows later sessions.
	mustRA(t, hs, root, "PATCH", "/profile/"+set.profileID, map[string]any{"sessionPolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`}, nil)
	_, body = createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now())
	narrowed, _ := sessionCreds(t, body)
	if code, _ := iamCall(narrowed, "ListUsers"); code != 403 {
		t.Errorf("ListUsers under the profile's session policy = %d, want 403", code)
	}
	if code, body := iamCall(narrowed, "GetUser", "UserName", "workload-1"); code != 200 {
		t.Errorf("GetUser under the profile's session policy = %d %s, want 200", code, body)
	}

	// Revoking the role's sessions (AWS's aws:TokenIssueTime deny) ends
	// this one too.
	revokeAt := time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	if code, body := iamCall(root, "PutRolePolicy", "RoleName", "app", "PolicyName", "AWSRevokeOlderSessions", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"`+revokeAt+`"}}}]}`); code != 200 {
		t.Fatalf("PutRolePolicy(revoke): %d %s", code, body)
	}
	if code, _ := iamCall(creds, "ListUsers"); code != 403 {
		t.Errorf("ListUsers with a revoked session = %d, want 403", code)
	}
	_ = s
}

// TestRolesAnywhere_CreateSessionRules: what CreateSession refuses, and
// how long a session lasts.
func TestRolesAnywhere_CreateSessionRules(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	inter := issueCert(t, ca, "Issuing CA", func(c *x509.Certificate) {
		c.IsCA, c.KeyUsage = true, x509.KeyUsageCertSign
	})
	leaf := issueCert(t, ca, "workload-1")
	viaInter := issueCert(t, inter, "workload-1")
	// A second trust anchor of the same CA: the trust policy pins the first
	// (aws:SourceArn), so its certificates get nothing through this one.
	var other struct {
		TrustAnchor struct{ TrustAnchorArn string }
	}
	mustRA(t, hs, root, "POST", "/trustanchors", map[string]any{"name": "same-ca", "enabled": true,
		"source": map[string]any{"sourceType": "CERTIFICATE_BUNDLE", "sourceData": map[string]any{"x509CertificateData": ca.pem()}}}, &other)
	viaOther := set
	viaOther.anchorARN = other.TrustAnchor.TrustAnchorArn
	notInProfile := set
	notInProfile.roleARN = "arn:aws:iam::111122223333:role/admin"

	now := time.Now()
	tests := []struct {
		name    string
		set     raSetup
		cert    *testCert
		chain   []*x509.Certificate
		body    string
		at      time.Time
		code    int
		message string
		minutes int // the session's length in minutes, when granted
	}{
		{name: "default duration", cert: leaf, code: 201, minutes: 60},
		{name: "shorter on request", cert: leaf, body: `{"durationSeconds":900}`, code: 201, minutes: 15},
		{name: "through an intermediate CA", cert: viaInter, chain: []*x509.Certificate{inter.cert}, code: 201, minutes: 60},
		{name: "intermediate CA not sent", cert: viaInter, code: 403, message: "Untrusted signing certificate: it does not chain to a CA of the trust anchor."},
		{name: "a CA's certificate", cert: inter, code: 403, message: "Untrusted signing certificate: the signing certificate is a CA certificate"},
		{name: "no digitalSignature usage", cert: issueCert(t, ca, "workload-1", func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment }),
			code: 403, message: "key usage does not include digitalSignature"},
		{name: "not yet valid", cert: issueCert(t, ca, "workload-1", func(c *x509.Certificate) { c.NotBefore = now.Add(time.Hour) }),
			code: 403, message: "is not valid before"},
		{name: "session ends with the certificate", cert: issueCert(t, ca, "workload-1", func(c *x509.Certificate) { c.NotAfter = now.Add(10 * time.Minute) }),
			code: 201, minutes: 10},
		{name: "signed six minutes ago", cert: leaf, at: now.Add(-6 * time.Minute), code: 403, message: "Signature expired"},
		{name: "another trust anchor of the same CA", set: viaOther, cert: leaf, code: 403, message: "Unable to assume role for " + set.roleARN + "."},
		{name: "a role the profile lacks", set: notInProfile, cert: leaf, code: 403, message: "is not in the profile"},
		{name: "role session name not accepted", cert: leaf, body: `{"roleSessionName":"my-session"}`, code: 403, message: "Not authorized to set roleSessionName."},
		{name: "duration below the minimum", cert: leaf, body: `{"durationSeconds":60}`, code: 400,
			message: "ValidationException: {\"message\":\"1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.set
			if s.anchorARN == "" {
				s = set
			}
			at := tt.at
			if at.IsZero() {
				at = time.Now()
			}
			code, body := createSession(t, hs, s, tt.cert.cert, tt.cert.key, tt.chain, tt.body, at)
			if code != tt.code || !strings.Contains(body, tt.message) {
				t.Fatalf("CreateSession = %d %s, want %d with %q", code, body, tt.code, tt.message)
			}
			if code == 403 && !strings.HasPrefix(body, "AccessDeniedException: ") {
				t.Errorf("CreateSession refusal = %s, want AccessDeniedException", body)
			}
			if tt.minutes > 0 {
				if got := time.Until(expiration(t, body)); got > time.Duration(tt.minutes)*time.Minute || got < time.Duration(tt.minutes)*time.Minute-time.Minute {
					t.Errorf("the session lasts %v, want %d minutes", got.Round(time.Second), tt.minutes)
				}
			}
		})
	}

	// The profile's duration caps the request's; acceptRoleSessionName lets
	// the session be named; disabled anchors and profiles give nothing.
	mustRA(t, hs, root, "PATCH", "/profile/"+set.profileID, map[string]any{"durationSeconds": 900, "acceptRoleSessionName": true}, nil)
	code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, `{"durationSeconds":3600,"roleSessionName":"build-42"}`, time.Now())
	if code != 201 || !strings.Contains(body, "assumed-role/app/build-42") || time.Until(expiration(t, body)) > 15*time.Minute {
		t.Errorf("CreateSession with a named session under a 900-second profile = %d %s, want build-42 for 15 minutes", code, body)
	}
	for _, step := range []struct{ path, message string }{
		{"/profile/" + set.profileID + "/disable", "is disabled"},
		{"/trustanchor/" + set.anchorID + "/disable", "Untrusted signing certificate: the trust anchor"},
	} {
		mustRA(t, hs, root, "POST", step.path, nil, nil)
		if code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now()); code != 403 || !strings.Contains(body, step.message) {
			t.Errorf("CreateSession after POST %s = %d %s, want 403 %q", step.path, code, body, step.message)
		}
	}
}

// TestRolesAnywhere_Audit: a CreateSession's audit line names the
// certificate, the trust anchor and the session, and holds the trust
// policy's three decisions; no secret is in the trail.
func TestRolesAnywhere_Audit(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	hs, root := auditServer(t, "sqlite::memory:", auditConfig{file: trail, sync: true})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	leaf := issueCert(t, ca, "workload-1")
	code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now())
	if code != 201 {
		t.Fatalf("CreateSession = %d %s", code, body)
	}
	creds, _ := sessionCreds(t, body)
	stranger := issueCert(t, ca, "workload-2")
	if code, _ := createSession(t, hs, set, stranger.cert, stranger.key, nil, "", time.Now()); code != 403 {
		t.Fatalf("CreateSession(workload-2) = %d, want 403", code)
	}
	var sessions []*audit.Record
	for _, r := range readTrail(t, trail) {
		if r.Action == "rolesanywhere:CreateSession" {
			sessions = append(sessions, r)
		}
	}
	if len(sessions) != 2 {
		t.Fatalf("the trail has %d CreateSession lines, want 2", len(sessions))
	}
	ok, refused := sessions[0], sessions[1]
	want := &audit.X509{Subject: "CN=workload-1,O=Example Corp", Issuer: "CN=Example CA,O=Example Corp", Serial: hexSerial(leaf.cert),
		TrustAnchorARN: set.anchorARN, ProfileARN: set.profileARN, RoleARN: set.roleARN,
		SessionARN: "arn:aws:sts::111122223333:assumed-role/app/" + hexSerial(leaf.cert), AccessKeyID: creds.AccessKeyID}
	if d := cmp.Diff(want, ok.X509); d != "" {
		t.Errorf("the CreateSession line's x509 (-want +got):\n%s", d)
	}
	if got := len(ok.Decisions); got != 3 || ok.Decision != "allowed" || ok.Resource != set.roleARN {
		t.Errorf("the CreateSession line's decisions = %d, %s on %s; want the trust policy's 3, allowed, on the role", got, ok.Decision, ok.Resource)
	}
	if refused.ErrorCode != "AccessDeniedException" || refused.Decision != "implicitDeny" || refused.X509 == nil || refused.X509.SessionARN != "" {
		t.Errorf("the refused CreateSession's line = %+v, want AccessDeniedException, implicitDeny, its certificate and no session", refused)
	}
	b, _ := os.ReadFile(trail)
	if strings.Contains(string(b), creds.SecretAccessKey) || strings.Contains(string(b), creds.SessionToken) {
		t.Errorf("the audit trail holds the session's secret or token")
	}
}

func hexSerial(c *x509.Certificate) string {
	s := c.SerialNumber.Text(16)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// TestRolesAnywhere_AuthorizationCoverage walks every control-plane
// operation: each refuses an unsigned request, a badly signed one, and a
// principal with no permission (AccessDeniedException naming the action),
// and each decision is made on a resource and with context keys AWS's
// Service Authorization Reference gives the action.
func TestRolesAnywhere_AuthorizationCoverage(t *testing.T) {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	var crl struct {
		Crl struct{ CrlID, CrlArn string }
	}
	mustRA(t, hs, root, "POST", "/crls", map[string]any{"name": "c", "trustAnchorArn": set.anchorARN, "crlData": crlPEM(t, ca)}, &crl)
	if code, body := call(t, hs.Client(), hs.URL, root, "iam", iamForm("CreateUser", "UserName", "nobody")); code != 200 {
		t.Fatalf("CreateUser: %d %s", code, body)
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	_, body := call(t, hs.Client(), hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", "nobody"))
	if err := xml.Unmarshal([]byte(body), &key); err != nil {
		t.Fatal(err)
	}
	nobody := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	var decisionsMu sync.Mutex
	var decisions []authz.Decision
	prev := s.Authorizer().OnDecision
	s.Authorizer().OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		if c != nil && c.UserName == "nobody" {
			decisionsMu.Lock()
			decisions = append(decisions, d)
			decisionsMu.Unlock()
		}
		if prev != nil {
			prev(ctx, c, d)
		}
	}
	ids := strings.NewReplacer("{trustAnchorId}", set.anchorID, "{profileId}", set.profileID, "{crlId}", crl.Crl.CrlID,
		"{subjectId}", "11111111-2222-4333-8444-555555555555")
	bodies := map[string]any{
		"CreateTrustAnchor": map[string]any{"name": "x", "source": map[string]any{"sourceType": "CERTIFICATE_BUNDLE",
			"sourceData": map[string]any{"x509CertificateData": ca.pem()}}, "tags": []map[string]string{{"key": "k", "value": "v"}}},
		"UpdateTrustAnchor":         map[string]any{"name": "renamed"},
		"PutNotificationSettings":   map[string]any{"trustAnchorId": set.anchorID, "notificationSettings": []map[string]any{{"enabled": false, "event": "CA_CERTIFICATE_EXPIRY"}}},
		"ResetNotificationSettings": map[string]any{"trustAnchorId": set.anchorID, "notificationSettingKeys": []map[string]any{{"event": "CA_CERTIFICATE_EXPIRY"}}},
		"CreateProfile":             map[string]any{"name": "p", "roleArns": []string{set.roleARN}},
		"UpdateProfile":             map[string]any{"name": "renamed"},
		"PutAttributeMapping":       map[string]any{"certificateField": "x509Subject", "mappingRules": []map[string]string{{"specifier": "CN"}}},
		"ImportCrl":                 map[string]any{"name": "c2", "trustAnchorArn": set.anchorARN, "crlData": crlPEM(t, ca)},
		"UpdateCrl":                 map[string]any{"name": "renamed"},
		"TagResource":               map[string]any{"resourceArn": set.anchorARN, "tags": []map[string]string{{"key": "k", "value": "v"}}},
		"UntagResource":             map[string]any{"resourceArn": set.anchorARN, "tagKeys": []string{"team"}},
	}
	queries := map[string]string{
		"DeleteAttributeMapping": "?certificateField=x509Subject",
		"ListTagsForResource":    "?resourceArn=" + url.QueryEscape(set.anchorARN),
	}
	wrongSecret := sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: "not-the-secret"}
	n := 0
	for _, op := range rolesanywhere.Operations() {
		if !op.Signed {
			continue // CreateSession: its certificate is its credential (TestRolesAnywhere_CreateSessionRules)
		}
		n++
		path := ids.Replace(op.Path) + queries[op.Name]
		for _, tt := range []struct {
			who   string
			creds sigv4.Credentials
			want  string
		}{
			{"unsigned", sigv4.Credentials{}, "MissingAuthenticationTokenException"},
			{"badly signed", wrongSecret, "InvalidSignatureException"},
			{"with no permission", nobody, "AccessDeniedException"},
		} {
			code, body := raCall(t, hs, tt.creds, op.Method, path, bodies[op.Name])
			if code != 403 || !strings.HasPrefix(body, tt.want+": ") {
				t.Errorf("%s %s (%s) %s = %d %s, want 403 %s", op.Method, path, op.Name, tt.who, code, body, tt.want)
			}
			if tt.want == "AccessDeniedException" && !strings.Contains(body, "is not authorized to perform: rolesanywhere:"+op.Name) &&
				!strings.Contains(body, "is not authorized to perform: iam:PassRole") {
				t.Errorf("%s by a principal with no permission = %s, want a denial naming rolesanywhere:%s", op.Name, body, op.Name)
			}
		}
	}
	if n < 30 {
		t.Errorf("%d control-plane operations walked, want all 30 of botocore's model", n)
	}
	checked := map[string]bool{}
	for _, d := range decisions {
		act, ok := catalog.FindAction(d.Action)
		if !ok {
			t.Errorf("%s: not an action of AWS's catalog", d.Action)
			continue
		}
		checked[d.Action] = true
		okResource := len(act.Resources) == 0 && d.Resource == "*"
		for _, r := range act.Resources {
			if r.Type != nil && r.Type.AcceptsResource(d.Resource) {
				okResource = true
			}
		}
		if !okResource {
			t.Errorf("%s authorized on %q, which is none of the action's resource types", d.Action, d.Resource)
		}
		for k := range d.Extra {
			if _, ok := act.ConditionKey(k); !ok {
				t.Errorf("%s authorized with context key %s, which AWS does not supply for it", d.Action, k)
			}
		}
	}
	if len(checked) < 28 {
		t.Errorf("%d actions checked against the catalog, want every rolesanywhere action (and iam:PassRole's)", len(checked))
	}
}

// TestRolesAnywhere_ControlPlaneRules: what the control plane refuses and
// what it answers, beyond authorization.
func TestRolesAnywhere_ControlPlaneRules(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	leaf := issueCert(t, ca, "leaf")
	bundle := func(pemText string) map[string]any {
		return map[string]any{"name": "x", "source": map[string]any{"sourceType": "CERTIFICATE_BUNDLE",
			"sourceData": map[string]any{"x509CertificateData": pemText}}}
	}
	tests := []struct {
		name, method, path string
		in                 any
		code               int
		want               string
	}{
		{"a leaf is no CA", "POST", "/trustanchors", bundle(leaf.pem()), 400, "is not a CA: its basic constraints must say CA:true"},
		{"no certificate", "POST", "/trustanchors", bundle("hello"), 400, "holds no PEM-encoded certificate"},
		{"Private CA anchors", "POST", "/trustanchors", map[string]any{"name": "x", "source": map[string]any{"sourceType": "AWS_ACM_PCA",
			"sourceData": map[string]any{"acmPcaArn": "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/x"}}}, 400, "not supported by this server"},
		{"name pattern", "POST", "/trustanchors", map[string]any{"name": "bad/name", "source": map[string]any{}}, 400,
			`ValidationException: {"message":"1 validation error detected: Value 'bad/name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [ a-zA-Z0-9-_]*"}`},
		{"source missing", "POST", "/trustanchors", map[string]any{"name": "x"}, 400, "Value null at 'source' failed to satisfy constraint: Member must not be null"},
		{"wrong JSON type", "POST", "/profiles", map[string]any{"name": 3, "roleArns": []string{}}, 400, "SerializationException"},
		{"duration out of range", "POST", "/profiles", map[string]any{"name": "p", "roleArns": []string{}, "durationSeconds": 60}, 400,
			"Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"a role ARN that is no role", "POST", "/profiles", map[string]any{"name": "p", "roleArns": []string{"arn:aws:iam::111122223333:user/u"}}, 400,
			"at 'roleArns.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"a malformed session policy", "POST", "/profiles", map[string]any{"name": "p", "roleArns": []string{}, "sessionPolicy": "{"}, 400,
			"The session policy is not a valid policy document"},
		{"a trust anchor that is not there", "GET", "/trustanchor/11111111-2222-4333-8444-555555555555", nil, 404, "ResourceNotFoundException"},
		{"an ID that is no UUID", "GET", "/trustanchor/nope", nil, 400, "Member must have length greater than or equal to 36"},
		{"a CRL that is none", "POST", "/crls", map[string]any{"name": "c", "trustAnchorArn": "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/11111111-2222-4333-8444-555555555555",
			"crlData": []byte("not a crl")}, 400, "is not an X.509 certificate revocation list"},
		{"a bad page token", "GET", "/profiles?nextToken=garbage", nil, 400, "Invalid nextToken."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := raCall(t, hs, root, tt.method, tt.path, tt.in)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Errorf("%s %s = %d %s, want %d with %q", tt.method, tt.path, code, body, tt.code, tt.want)
			}
		})
	}

	// Paging: three profiles, two a page, by name.
	for _, name := range []string{"c", "a", "b"} {
		mustRA(t, hs, root, "POST", "/profiles", map[string]any{"name": name, "roleArns": []string{}}, nil)
	}
	var page struct {
		NextToken string
		Profiles  []struct{ Name string }
	}
	mustRA(t, hs, root, "GET", "/profiles?pageSize=2", nil, &page)
	if len(page.Profiles) != 2 || page.Profiles[0].Name != "a" || page.NextToken == "" {
		t.Fatalf("ListProfiles(pageSize 2) = %+v, want a, b and a token", page)
	}
	token := page.NextToken
	page.NextToken, page.Profiles = "", nil
	mustRA(t, hs, root, "GET", "/profiles?pageSize=2&nextToken="+url.QueryEscape(token), nil, &page)
	if len(page.Profiles) != 1 || page.Profiles[0].Name != "c" || page.NextToken != "" {
		t.Errorf("ListProfiles(page 2) = %+v, want c alone", page)
	}

	// Attribute mappings: AWS's defaults, then changed.
	var p struct {
		Profile struct {
			ProfileID         string
			AttributeMappings []struct {
				CertificateField string
				MappingRules     []struct{ Specifier string }
			}
		}
	}
	mustRA(t, hs, root, "POST", "/profiles", map[string]any{"name": "m", "roleArns": []string{}}, &p)
	if got := len(p.Profile.AttributeMappings); got != 3 {
		t.Errorf("a new profile's attribute mappings = %+v, want AWS's 3 defaults", p.Profile.AttributeMappings)
	}
	mustRA(t, hs, root, "DELETE", "/profiles/"+p.Profile.ProfileID+"/mappings?certificateField=x509Issuer", nil, &p)
	mustRA(t, hs, root, "DELETE", "/profiles/"+p.Profile.ProfileID+"/mappings?certificateField=x509SAN&specifiers=URI", nil, &p)
	got := map[string][]string{}
	for _, m := range p.Profile.AttributeMappings {
		for _, r := range m.MappingRules {
			got[m.CertificateField] = append(got[m.CertificateField], r.Specifier)
		}
	}
	if d := cmp.Diff(map[string][]string{"x509Subject": {"*"}, "x509SAN": {"DNS", "Name"}}, got); d != "" {
		t.Errorf("attribute mappings after DeleteAttributeMapping (-want +got):\n%s", d)
	}
}

// BenchmarkCreateSession: one CreateSession through the whole server over
// loopback, signed anew each time as the helper does (ECDSA P-256): the
// signature and path checks, the trust policy, the sealed token.
func BenchmarkCreateSession(b *testing.B) {
	_, hs, root := newTestServer(b, serveConfig{store: "sqlite:" + b.TempDir() + "/bench.db"})
	ca := newTestCA(b, "Example CA")
	set := setupRolesAnywhere(b, hs, root, ca, raTrust)
	leaf := issueCert(b, ca, "workload-1")
	b.ReportAllocs()
	for b.Loop() {
		if code, body := createSession(b, hs, set, leaf.cert, leaf.key, nil, `{"durationSeconds":900}`, time.Now()); code != 201 {
			b.Fatalf("CreateSession = %d %s", code, body)
		}
	}
}

// TestRolesAnywhere_Subjects: each certificate subject that opens a
// session is kept, with the certificates and instance properties it was
// seen with; ListSubjects pages them and GetSubject shows one. A known
// certificate's sighting is written at most once a minute, a new one at
// once.
func TestRolesAnywhere_Subjects(t *testing.T) {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	var offset atomic.Int64
	s.RolesAnywhere().Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	first := issueCert(t, ca, "workload-1")
	renewed := issueCert(t, ca, "workload-1")
	blue := issueCert(t, ca, "workload-1", func(c *x509.Certificate) { c.Subject.OrganizationalUnit = []string{"blue"} })
	session := func(c *testCert, body string) string {
		t.Helper()
		code, out := createSession(t, hs, set, c.cert, c.key, nil, body, time.Now().Add(time.Duration(offset.Load())))
		if code != 201 {
			t.Fatalf("CreateSession(%s) = %d %s, want 201", c.cert.Subject, code, out)
		}
		_, raw := sessionCreds(t, out)
		return raw["subjectArn"].(string)
	}
	arn1 := session(first, `{"instanceProperties":{"host":"h1"}}`)
	if again := session(renewed, ""); again != arn1 {
		t.Errorf("CreateSession(renewed certificate) subjectArn = %s, want %s (one subject)", again, arn1)
	}
	arn2 := session(blue, "")
	if arn2 == arn1 || !strings.HasPrefix(arn2, "arn:aws:rolesanywhere:us-east-1:111122223333:subject/") {
		t.Errorf("CreateSession(OU=blue) subjectArn = %s, want another subject of the account (first %s)", arn2, arn1)
	}
	id1 := arn1[strings.LastIndexByte(arn1, '/')+1:]

	type summary struct {
		SubjectArn, SubjectID, X509Subject string
		Enabled                            bool
		LastSeenAt, CreatedAt, UpdatedAt   string
	}
	var page1, page2 struct {
		Subjects  []summary
		NextToken string
	}
	mustRA(t, hs, root, "GET", "/subjects?pageSize=1", nil, &page1)
	mustRA(t, hs, root, "GET", "/subjects?pageSize=1&nextToken="+url.QueryEscape(page1.NextToken), nil, &page2)
	if len(page1.Subjects) != 1 || page1.NextToken == "" || len(page2.Subjects) != 1 || page2.NextToken != "" {
		t.Fatalf("ListSubjects pages = %+v, %+v, want one subject each and a nextToken on the first only", page1, page2)
	}
	got := []string{page1.Subjects[0].X509Subject, page2.Subjects[0].X509Subject}
	if want := []string{"CN=workload-1,O=Example Corp", "CN=workload-1,OU=blue,O=Example Corp"}; !cmp.Equal(got, want) {
		t.Errorf("ListSubjects x509Subjects = %q, want %q", got, want)
	}
	if s := page1.Subjects[0]; s.SubjectArn != arn1 || s.SubjectID != id1 || !s.Enabled || s.LastSeenAt == "" || s.CreatedAt == "" || s.UpdatedAt == "" {
		t.Errorf("ListSubjects first = %+v, want %s, enabled, with its dates", s, arn1)
	}

	type detail struct {
		Subject struct {
			summary
			Credentials []struct {
				SeenAt, SerialNumber, Issuer, X509CertificateData string
				Enabled, Failed                                   bool
			}
			InstanceProperties []struct {
				SeenAt     string
				Properties map[string]string
				Failed     bool
			}
		}
	}
	var d detail
	mustRA(t, hs, root, "GET", "/subject/"+id1, nil, &d)
	if d.Subject.SubjectArn != arn1 || d.Subject.X509Subject != "CN=workload-1,O=Example Corp" || len(d.Subject.Credentials) != 2 {
		t.Fatalf("GetSubject = %s %s with %d certificates, want %s CN=workload-1,O=Example Corp with two",
			d.Subject.SubjectArn, d.Subject.X509Subject, len(d.Subject.Credentials), arn1)
	}
	for i, c := range []*testCert{first, renewed} {
		g := d.Subject.Credentials[i]
		if g.SerialNumber != hexSerial(c.cert) || g.Issuer != "CN=Example CA,O=Example Corp" || g.X509CertificateData != c.pem() ||
			!g.Enabled || g.Failed || g.SeenAt == "" {
			t.Errorf("GetSubject credentials[%d] = serial %s of %s, seen %q, enabled %t, failed %t, PEM matches %t; want serial %s of CN=Example CA,O=Example Corp, seen, enabled, its PEM",
				i, g.SerialNumber, g.Issuer, g.SeenAt, g.Enabled, g.Failed, g.X509CertificateData == c.pem(), hexSerial(c.cert))
		}
	}
	if p := d.Subject.InstanceProperties; len(p) != 1 || !cmp.Equal(p[0].Properties, map[string]string{"host": "h1"}) || p[0].SeenAt == "" {
		t.Errorf("GetSubject instanceProperties = %+v, want host=h1, seen", p)
	}
	if code, body := raCall(t, hs, root, "GET", "/subject/11111111-2222-4333-8444-555555555555", nil); code != 404 || !strings.Contains(body, "ResourceNotFoundException") {
		t.Errorf("GetSubject(unknown) = %d %s, want 404 ResourceNotFoundException", code, body)
	}

	// Within the minute a known certificate's session writes nothing (the
	// stored date, moved back, stays); a minute later it is written.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	setLastSeen := func() {
		t.Helper()
		err := s.Store().Update(context.Background(), func(tx keyward.Tx) error {
			sub, err := tx.GetRolesAnywhereSubject(id1)
			if err != nil {
				return err
			}
			sub.LastSeenAt = old
			return tx.UpdateRolesAnywhereSubject(sub)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	lastSeen := func() string {
		t.Helper()
		var d detail
		mustRA(t, hs, root, "GET", "/subject/"+id1, nil, &d)
		return d.Subject.LastSeenAt
	}
	setLastSeen()
	session(first, `{"instanceProperties":{"host":"h1"}}`)
	if got := lastSeen(); got != "2020-01-02T03:04:05.000Z" {
		t.Errorf("lastSeenAt after a session within the minute = %s, want the stored 2020-01-02T03:04:05.000Z (no write)", got)
	}
	offset.Store(int64(61 * time.Second))
	session(first, `{"instanceProperties":{"host":"h1"}}`)
	if got := lastSeen(); got == "2020-01-02T03:04:05.000Z" {
		t.Errorf("lastSeenAt after a session a minute later = %s, want the session's time", got)
	}
}

// raSubject is GetSubject's subject, as the tests read it.
type raSubject struct {
	SubjectArn, X509Subject, LastSeenAt string
	Credentials                         []struct {
		SeenAt, SerialNumber string
		Failed               bool
	}
	InstanceProperties []struct {
		SeenAt     string
		Properties map[string]string
		Failed     bool
	}
}

// raSubjects returns the account's subjects by x509Subject, each as
// GetSubject shows it.
func raSubjects(tb testing.TB, hs *httptest.Server, root sigv4.Credentials) map[string]raSubject {
	tb.Helper()
	var list struct {
		Subjects []struct{ SubjectID, X509Subject string }
	}
	mustRA(tb, hs, root, "GET", "/subjects", nil, &list)
	out := map[string]raSubject{}
	for _, s := range list.Subjects {
		var d struct{ Subject raSubject }
		mustRA(tb, hs, root, "GET", "/subject/"+s.SubjectID, nil, &d)
		out[s.X509Subject] = d.Subject
	}
	return out
}

// TestRolesAnywhere_SubjectAttempts: a CreateSession refused after its
// certificate is verified against the trust anchor is recorded on the
// certificate's subject, failed, its refusal unchanged; one refused
// before (untrusted CA, another key's signature, expired, no such anchor)
// writes nothing, even when its parameters are invalid too. The latest
// attempt wins: a success after a refusal clears failed, a refusal after
// a success sets it, within the minute.
func TestRolesAnywhere_SubjectAttempts(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	other := newTestCA(t, "Other CA")
	stranger := issueCert(t, ca, "stranger")
	var disabled struct{ Profile struct{ ProfileArn string } }
	mustRA(t, hs, root, "POST", "/profiles", map[string]any{"name": "off", "roleArns": []string{set.roleARN}}, &disabled)
	noProfile, offProfile, notInProfile, noAnchor := set, set, set, set
	noProfile.profileARN = strings.Replace(set.profileARN, set.profileID, "11111111-2222-4333-8444-555555555555", 1)
	offProfile.profileARN = disabled.Profile.ProfileArn
	notInProfile.roleARN = "arn:aws:iam::111122223333:role/admin"
	noAnchor.anchorARN = strings.Replace(set.anchorARN, set.anchorID, "11111111-2222-4333-8444-555555555555", 1)
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprint("k", i)] = "v"
	}
	manyJSON, _ := json.Marshal(map[string]any{"instanceProperties": many})
	// A session policy that deflates past the 2,048 bytes of a packed
	// session: statements naming resources no compressor can shorten.
	var stmts []string
	for i := range 60 {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/%x"}`, sum))
	}
	var big struct{ Profile struct{ ProfileArn string } }
	mustRA(t, hs, root, "POST", "/profiles", map[string]any{"name": "big", "enabled": true, "roleArns": []string{set.roleARN},
		"sessionPolicy": `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`}, &big)
	bigProfile := set
	bigProfile.profileARN = big.Profile.ProfileArn

	tests := []struct {
		name    string
		set     raSetup
		cert    *testCert
		key     crypto.Signer // nil: the certificate's
		body    string
		message string
		written bool              // the subject is recorded, failed
		props   map[string]string // the instance properties recorded
	}{
		{name: "refused by the trust policy", cert: issueCert(t, ca, "workload-2"), body: `{"instanceProperties":{"host":"h2"}}`,
			message: "AccessDeniedException: {\"message\":\"Unable to assume role for " + set.roleARN + ".\"}", written: true, props: map[string]string{"host": "h2"}},
		{name: "no such profile", set: noProfile, cert: issueCert(t, ca, "workload-3"), message: "No profile " + noProfile.profileARN, written: true},
		{name: "disabled profile", set: offProfile, cert: issueCert(t, ca, "workload-4"), message: "is disabled", written: true},
		{name: "a role the profile lacks", set: notInProfile, cert: issueCert(t, ca, "workload-5"), message: "is not in the profile", written: true},
		{name: "role session name not accepted", cert: issueCert(t, ca, "workload-6"), body: `{"roleSessionName":"mine"}`,
			message: "Not authorized to set roleSessionName.", written: true},
		{name: "duration out of range", cert: issueCert(t, ca, "workload-7"), body: `{"durationSeconds":60,"instanceProperties":{"host":"h7"}}`,
			message: "ValidationException: {\"message\":\"1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900\"}",
			written: true},
		{name: "more than 50 instance properties", cert: issueCert(t, ca, "workload-8"), body: string(manyJSON),
			message: "at 'instanceProperties' failed to satisfy constraint: Member must have length less than or equal to 50", written: true},
		// workload-1 passes the trust policy; its own subject, by OU.
		{name: "packed session too large", set: bigProfile, cert: issueCert(t, ca, "workload-1", func(c *x509.Certificate) {
			c.Subject.OrganizationalUnit = []string{"packed"}
		}), body: `{"instanceProperties":{"host":"h14"}}`,
			message: "Packed policy consumes", written: true, props: map[string]string{"host": "h14"}},
		{name: "untrusted CA", cert: issueCert(t, other, "workload-9"), message: "it does not chain to a CA of the trust anchor."},
		{name: "signed with another key", cert: issueCert(t, ca, "workload-10"), key: stranger.key, message: "AccessDeniedException"},
		{name: "expired", cert: issueCert(t, ca, "workload-11", func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
		}), message: "expired at"},
		{name: "no such trust anchor", set: noAnchor, cert: issueCert(t, ca, "workload-12"), message: "Untrusted signing certificate: no trust anchor"},
		{name: "untrusted and invalid", cert: issueCert(t, other, "workload-13"), body: `{"durationSeconds":60}`,
			message: "ValidationException: {\"message\":\"1 validation error detected: Value '60' at 'durationSeconds'"},
	}
	for _, tt := range tests {
		s := tt.set
		if s.anchorARN == "" {
			s = set
		}
		key := tt.key
		if key == nil {
			key = tt.cert.key
		}
		code, body := createSession(t, hs, s, tt.cert.cert, key, nil, tt.body, time.Now())
		if code/100 != 4 || !strings.Contains(body, tt.message) {
			t.Errorf("CreateSession(%s) = %d %s, want a refusal with %q", tt.name, code, body, tt.message)
		}
	}
	subjects := raSubjects(t, hs, root)
	for _, tt := range tests {
		sub, ok := subjects[tt.cert.cert.Subject.String()]
		if !tt.written {
			if ok {
				t.Errorf("CreateSession(%s) recorded subject %s: its certificate was not verified", tt.name, sub.X509Subject)
			}
			continue
		}
		if !ok {
			t.Errorf("CreateSession(%s) recorded no subject %s, want it with a failed certificate", tt.name, tt.cert.cert.Subject)
			continue
		}
		if c := sub.Credentials; len(c) != 1 || c[0].SerialNumber != hexSerial(tt.cert.cert) || !c[0].Failed || c[0].SeenAt == "" || sub.LastSeenAt != c[0].SeenAt {
			t.Errorf("GetSubject(%s) = credentials %+v, lastSeenAt %q; want the certificate, failed, seen at lastSeenAt", tt.name, c, sub.LastSeenAt)
		}
		var props []map[string]string
		for _, p := range sub.InstanceProperties {
			props = append(props, p.Properties)
			if !p.Failed || p.SeenAt == "" {
				t.Errorf("GetSubject(%s) instance properties %v: failed %t, seenAt %q; want failed, seen", tt.name, p.Properties, p.Failed, p.SeenAt)
			}
		}
		var want []map[string]string
		if tt.props != nil {
			want = []map[string]string{tt.props}
		}
		if !cmp.Equal(props, want) {
			t.Errorf("GetSubject(%s) instance properties = %v, want %v", tt.name, props, want)
		}
	}
	if n := len(subjects); n != 8 {
		t.Errorf("ListSubjects = %d subjects, want the 8 of verified certificates", n)
	}

	// workload-1 may have a session: refused, granted, refused again, each
	// within the minute, its certificate shows the latest.
	leaf := issueCert(t, ca, "workload-1")
	for i, step := range []struct {
		body   string
		code   int
		failed bool
	}{
		{`{"roleSessionName":"mine","instanceProperties":{"host":"h1"}}`, 403, true},
		{`{"instanceProperties":{"host":"h1"}}`, 201, false},
		{`{"roleSessionName":"mine","instanceProperties":{"host":"h1"}}`, 403, true},
		{`{"instanceProperties":{"host":"h1"}}`, 201, false},
	} {
		if code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, step.body, time.Now()); code != step.code {
			t.Fatalf("CreateSession(workload-1, step %d) = %d %s, want %d", i, code, body, step.code)
		}
		sub := raSubjects(t, hs, root)[leaf.cert.Subject.String()]
		if len(sub.Credentials) != 1 || sub.Credentials[0].Failed != step.failed || len(sub.InstanceProperties) != 1 || sub.InstanceProperties[0].Failed != step.failed {
			t.Errorf("GetSubject(workload-1) after step %d (%d) = %+v, want its certificate and properties failed=%t", i, step.code, sub, step.failed)
		}
	}
}

// TestRolesAnywhere_SubjectWriteFails: when the subject cannot be written
// (the database refuses it), the refusal and the session are answered as
// they would be, and the store's error is logged, without the session's
// secrets.
func TestRolesAnywhere_SubjectWriteFails(t *testing.T) {
	t.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	t.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	t.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	data := t.TempDir()
	db := filepath.Join(data, "keyward.db")
	var logs lockedBuffer
	s, err := newServer(context.Background(), serveConfig{data: data, store: "sqlite:" + db},
		slog.New(slog.NewTextHandler(&logs, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	root := sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)

	sdb, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if _, err := sdb.Exec(`CREATE TRIGGER refuse_subjects BEFORE INSERT ON ra_subjects BEGIN SELECT RAISE(ABORT, 'no subjects here'); END`); err != nil {
		t.Fatal(err)
	}
	refused := issueCert(t, ca, "workload-2")
	code, body := createSession(t, hs, set, refused.cert, refused.key, nil, "", time.Now())
	if want := "AccessDeniedException: {\"message\":\"Unable to assume role for " + set.roleARN + ".\"}"; code != 403 || strings.TrimSpace(body) != want {
		t.Errorf("CreateSession(refused, subject not writable) = %d %s, want 403 %s", code, body, want)
	}
	leaf := issueCert(t, ca, "workload-1")
	code, body = createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now())
	if code != 201 {
		t.Fatalf("CreateSession(granted, subject not writable) = %d %s, want 201", code, body)
	}
	creds, _ := sessionCreds(t, body)
	log := logs.String()
	if n := strings.Count(log, "rolesanywhere: recording a subject"); n != 2 || !strings.Contains(log, "no subjects here") {
		t.Errorf("the log has %d lines about recording a subject (with the store's error: %t), want 2:\n%s", n, strings.Contains(log, "no subjects here"), log)
	}
	for _, secret := range []string{creds.SecretAccessKey, creds.SessionToken} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the session's secret %q", secret)
		}
	}
	if subjects := raSubjects(t, hs, root); len(subjects) != 0 {
		t.Errorf("ListSubjects = %d subjects, want none (the database refused them)", len(subjects))
	}
}
