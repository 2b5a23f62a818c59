package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

func TestRolesAnywhere_Smoke(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	ca := newTestCA(t, "Example CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	leaf := issueCert(t, ca, "workload-1")
	code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, `{"durationSeconds":900}`, time.Now())
	t.Logf("%d %s", code, body)
}
