package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rolesanywhere"
	ratypes "github.com/aws/aws-sdk-go-v2/service/rolesanywhere/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// IAM Roles Anywhere end to end: AWS's own credential helper, built from
// the Go module proxy at the version e2e/rahelper/go.mod pins, gets role
// credentials from the keyward binary with a certificate made here, and
// unmodified AWS SDK clients use them.

// pkiCert is a certificate of the test PKI and its key.
type pkiCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var pkiSerial atomic.Int64

func (c *pkiCert) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
}

// newPKICA makes a self-signed CA with an RSA key (the leaves it issues
// have EC keys: both of CreateSession's algorithms are exercised).
func newPKICA(t *testing.T, cn string) *pkiCert {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pkiIssue(t, nil, key, cn, func(c *x509.Certificate) {
		c.IsCA = true
		c.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	})
}

// pkiIssue issues a certificate for key, signed by ca (self-signed when
// nil): by default an end-entity certificate valid for a day, for digital
// signatures.
func pkiIssue(t *testing.T, ca *pkiCert, key crypto.Signer, cn string, mods ...func(*x509.Certificate)) *pkiCert {
	t.Helper()
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(0x1f71c5114a11 + pkiSerial.Add(1)),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}, OrganizationalUnit: []string{"Platform"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		DNSNames:              []string{cn + ".example.com"},
	}
	for _, m := range mods {
		m(tmpl)
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &pkiCert{cert: c, key: key}
}

// files writes the certificate and a private key (key, or the
// certificate's own when nil) as PEM files for the helper.
func (c *pkiCert) files(t *testing.T, key crypto.Signer) (certPath, keyPath string) {
	t.Helper()
	if key == nil {
		key = c.key
	}
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "certificate.pem"), filepath.Join(dir, "private-key.pem")
	if err := os.WriteFile(certPath, c.certPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// signingHelper builds AWS's credential helper (aws_signing_helper) from
// the module e2e/rahelper pins, with cgo, which its PKCS #11 support
// needs. The build is cached by go: after the first run it only links.
func signingHelper(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("AWS's credential helper needs cgo (its PKCS #11 signer) and no C compiler (cc) is installed")
	}
	out := filepath.Join(t.TempDir(), "aws_signing_helper")
	build := exec.Command("go", "build", "-o", out, "github.com/aws/rolesanywhere-credential-helper")
	build.Dir = "rahelper"
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building AWS's credential helper (e2e/rahelper, from the Go module proxy): %v\n%s", err, b)
	}
	return out
}

// RolesAnywhere returns a Roles Anywhere control-plane client signing with c.
func (s *Server) RolesAnywhere(c Creds) *rolesanywhere.Client {
	return rolesanywhere.NewFromConfig(s.config(c))
}

// raWorld is a trust anchor for a CA, a role trusting Roles Anywhere for
// the certificate CN workload-1 of that anchor, and a profile for it.
type raWorld struct {
	s                              *Server
	ca                             *pkiCert
	anchorARN, profileARN, roleARN string
	anchorID                       string
}

func newRAWorld(t *testing.T, s *Server) *raWorld {
	t.Helper()
	w := &raWorld{s: s, ca: newPKICA(t, "Keyward Test Root CA")}
	ra := s.RolesAnywhere(s.Root)
	ta, err := ra.CreateTrustAnchor(ctx(t), &rolesanywhere.CreateTrustAnchorInput{
		Name: aws.String("test-ca"),
		Source: &ratypes.Source{SourceType: ratypes.TrustAnchorTypeCertificateBundle,
			SourceData: &ratypes.SourceDataMemberX509CertificateData{Value: string(w.ca.certPEM())}},
		Enabled: aws.Bool(true),
		Tags:    []ratypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	})
	if err != nil {
		t.Fatalf("CreateTrustAnchor: %v", err)
	}
	w.anchorARN, w.anchorID = aws.ToString(ta.TrustAnchor.TrustAnchorArn), aws.ToString(ta.TrustAnchor.TrustAnchorId)
	// The trust policy AWS's documentation shows: the service principal,
	// the three actions, a subject and the trust anchor pinned.
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"rolesanywhere.amazonaws.com"},
		"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":"workload-1"},"ArnEquals":{"aws:SourceArn":%q}}}]}`, w.anchorARN)
	c := s.IAM(s.Root)
	role, err := c.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("workload"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	w.roleARN = aws.ToString(role.Role.Arn)
	if _, err := c.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("workload"), PolicyName: aws.String("list-users"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	p, err := ra.CreateProfile(ctx(t), &rolesanywhere.CreateProfileInput{Name: aws.String("workload"), RoleArns: []string{w.roleARN},
		Enabled: aws.Bool(true), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	w.profileARN = aws.ToString(p.Profile.ProfileArn)
	return w
}

// helperArgs are the helper's flags for a certificate and key file.
func (w *raWorld) helperArgs(certPath, keyPath string) []string {
	return []string{"--certificate", certPath, "--private-key", keyPath, "--trust-anchor-arn", w.anchorARN,
		"--profile-arn", w.profileARN, "--role-arn", w.roleARN, "--endpoint", w.s.URL}
}

// credentialProcess runs the helper's credential-process and returns its
// output, or its error output when it fails.
func credentialProcess(t *testing.T, helper string, args []string) (Creds, string, error) {
	t.Helper()
	cmd := exec.Command(helper, append([]string{"credential-process"}, args...)...)
	cmd.Env = helperEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Creds{}, stderr.String(), err
	}
	var out struct {
		Version                                                int
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("credential-process printed %q: %v", stdout.String(), err)
	}
	if out.Version != 1 || out.AccessKeyId == "" || out.SessionToken == "" {
		t.Fatalf("credential-process printed %q, want Version 1 and credentials", stdout.String())
	}
	if _, err := time.Parse(time.RFC3339, out.Expiration); err != nil {
		t.Errorf("credential-process Expiration = %q, not RFC 3339: %v", out.Expiration, err)
	}
	return Creds{ID: out.AccessKeyId, Secret: out.SecretAccessKey, Token: out.SessionToken}, stderr.String(), nil
}

// helperEnv is the environment the helper runs in: this one without
// AWS_CA_BUNDLE, which the helper (v1.5.0) cannot apply to the HTTP client
// it makes ("unable to add custom RootCAs HTTPClient") and which an
// http:// endpoint does not need.
func helperEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	return env
}

// sdkWithoutCredentials isolates the default credential chain of the AWS
// SDK from the machine's: no environment keys, no shared files but
// configFile ("" for none), no container credentials.
func sdkWithoutCredentials(t *testing.T, configFile string) {
	t.Helper()
	if configFile == "" {
		configFile = filepath.Join(t.TempDir(), "no-config")
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "no-credentials"))
}

// checkRoleSession calls GetCallerIdentity and an allowed and a denied IAM
// action with cfg, whose credentials must be a session of the workload
// role named after the certificate's serial number.
func (w *raWorld) checkRoleSession(t *testing.T, cfg aws.Config, leaf *pkiCert) {
	t.Helper()
	cfg.BaseEndpoint = aws.String(w.s.URL)
	cfg.RetryMaxAttempts = 1
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the role credentials: %v", err)
	}
	want := "arn:aws:sts::" + testAccount + ":assumed-role/workload/" + hex.EncodeToString(leaf.cert.SerialNumber.Bytes())
	if got := aws.ToString(id.Arn); got != want {
		t.Errorf("GetCallerIdentity().Arn = %q, want %q", got, want)
	}
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers (allowed to the role) = %v, want success", err)
	}
	if _, err := iam.NewFromConfig(cfg).ListRoles(ctx(t), &iam.ListRolesInput{}); errorCode(err) != "AccessDenied" {
		t.Errorf("ListRoles (not allowed to the role) = %v, want AccessDenied", err)
	}
}

func TestRolesAnywhere_CredentialProcess(t *testing.T) {
	helper := signingHelper(t)
	s := startServer(t)
	w := newRAWorld(t, s)
	leaf := pkiIssue(t, w.ca, nil, "workload-1")
	certPath, keyPath := leaf.files(t, nil)
	args := w.helperArgs(certPath, keyPath)

	t.Run("printed credentials work", func(t *testing.T) {
		creds, stderr, err := credentialProcess(t, helper, args)
		if err != nil {
			t.Fatalf("credential-process: %v\n%s", err, stderr)
		}
		cfg := s.config(creds)
		w.checkRoleSession(t, cfg, leaf)
	})

	t.Run("an unmodified SDK runs it from ~/.aws/config", func(t *testing.T) {
		// The line docs/roles-anywhere.md shows (paths without spaces: the
		// SDK's config parser strips quotes around the whole value).
		line := strings.Join(append([]string{helper, "credential-process"}, args...), " ")
		cfgFile := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(cfgFile, []byte("[default]\nregion = us-east-1\ncredential_process = "+line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		sdkWithoutCredentials(t, cfgFile)
		cfg, err := config.LoadDefaultConfig(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		w.checkRoleSession(t, cfg, leaf)
	})

	t.Run("the SDK lists the certificate's subject", func(t *testing.T) {
		ra := s.RolesAnywhere(s.Root)
		list, err := ra.ListSubjects(ctx(t), &rolesanywhere.ListSubjectsInput{})
		if err != nil || len(list.Subjects) != 1 {
			t.Fatalf("ListSubjects = %+v, %v; want the one subject of workload-1", list, err)
		}
		sum := list.Subjects[0]
		if want := leaf.cert.Subject.String(); aws.ToString(sum.X509Subject) != want || !aws.ToBool(sum.Enabled) || sum.LastSeenAt == nil ||
			!strings.HasPrefix(aws.ToString(sum.SubjectArn), "arn:aws:rolesanywhere:us-east-1:"+testAccount+":subject/") {
			t.Errorf("ListSubjects()[0] = %s %s enabled %t seen %v, want %s, enabled, seen", aws.ToString(sum.SubjectArn),
				aws.ToString(sum.X509Subject), aws.ToBool(sum.Enabled), sum.LastSeenAt, want)
		}
		got, err := ra.GetSubject(ctx(t), &rolesanywhere.GetSubjectInput{SubjectId: sum.SubjectId})
		if err != nil {
			t.Fatalf("GetSubject(%s): %v", aws.ToString(sum.SubjectId), err)
		}
		creds := got.Subject.Credentials
		if len(creds) != 1 || aws.ToString(creds[0].SerialNumber) != hex.EncodeToString(leaf.cert.SerialNumber.Bytes()) ||
			aws.ToString(creds[0].X509CertificateData) != string(leaf.certPEM()) || !aws.ToBool(creds[0].Enabled) || aws.ToBool(creds[0].Failed) {
			t.Errorf("GetSubject().Credentials = %d entries (first serial %v), want the one certificate, its serial and PEM, enabled",
				len(creds), func() any {
					if len(creds) > 0 {
						return aws.ToString(creds[0].SerialNumber)
					}
					return nil
				}())
		}
	})
}

func TestRolesAnywhere_Serve(t *testing.T) {
	helper := signingHelper(t)
	s := startServer(t)
	w := newRAWorld(t, s)
	leaf := pkiIssue(t, w.ca, nil, "workload-1")
	certPath, keyPath := leaf.files(t, nil)
	cmd := exec.Command(helper, append([]string{"serve", "--port", "0"}, w.helperArgs(certPath, keyPath)...)...)
	cmd.Env = helperEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	endpoint := make(chan string, 1)
	var log strings.Builder
	go func() {
		re := regexp.MustCompile(`AWS_EC2_METADATA_SERVICE_ENDPOINT=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				endpoint <- m[1]
			}
		}
	}()
	var url string
	select {
	case url = <-endpoint:
	case <-time.After(30 * time.Second):
		t.Fatalf("aws_signing_helper serve did not start")
	}
	// An unmodified SDK whose only credential source is the instance
	// metadata endpoint (IMDSv2) the helper serves.
	sdkWithoutCredentials(t, "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
	cfg, err := config.LoadDefaultConfig(ctx(t), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Credentials.Retrieve(ctx(t))
	if err != nil {
		t.Fatalf("the SDK's credentials from the helper's metadata endpoint: %v", err)
	}
	if got.Source != "EC2RoleProvider" || !strings.HasPrefix(got.AccessKeyID, "ASIA") {
		t.Errorf("credentials from %s, key %s: want the EC2 role provider's temporary credentials", got.Source, got.AccessKeyID)
	}
	w.checkRoleSession(t, cfg, leaf)
}

// TestRolesAnywhere_Refusals: certificates CreateSession must refuse,
// through the helper, each with AccessDeniedException.
func TestRolesAnywhere_Refusals(t *testing.T) {
	helper := signingHelper(t)
	s := startServer(t)
	w := newRAWorld(t, s)
	other := newPKICA(t, "Untrusted CA")
	revoked := pkiIssue(t, w.ca, nil, "workload-1")
	crl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: revoked.cert.SerialNumber, RevocationTime: time.Now()}}}
	der, err := x509.CreateRevocationList(rand.Reader, crl, w.ca.cert, w.ca.key)
	if err != nil {
		t.Fatal(err)
	}
	ra := s.RolesAnywhere(s.Root)
	if _, err := ra.ImportCrl(ctx(t), &rolesanywhere.ImportCrlInput{Name: aws.String("revoked"), TrustAnchorArn: aws.String(w.anchorARN),
		CrlData: pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), Enabled: aws.Bool(true)}); err != nil {
		t.Fatalf("ImportCrl: %v", err)
	}
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	excluded := pkiIssue(t, w.ca, nil, "workload-2")
	tests := []struct {
		name    string
		cert    *pkiCert
		key     crypto.Signer // nil: the certificate's own
		message string
	}{
		{"expired", pkiIssue(t, w.ca, nil, "workload-1", func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
		}), nil, "Untrusted signing certificate: the certificate CN=workload-1,OU=Platform,O=Example Corp expired at"},
		{"untrusted CA", pkiIssue(t, other, nil, "workload-1"), nil, "Untrusted signing certificate: it does not chain to a CA of the trust anchor."},
		{"revoked by a CRL", revoked, nil, "Untrusted signing certificate: the signing certificate is revoked by a CRL of the trust anchor."},
		{"signed with another key", pkiIssue(t, w.ca, nil, "workload-1"), stranger, "does not verify with the public key of the signing certificate"},
		{"excluded by the trust policy", excluded, nil, "Unable to assume role for " + w.roleARN + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPath, keyPath := tt.cert.files(t, tt.key)
			_, stderr, err := credentialProcess(t, helper, w.helperArgs(certPath, keyPath))
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("credential-process = %v, want it to fail", err)
			}
			if !strings.Contains(stderr, "StatusCode: 403") || !strings.Contains(stderr, "AccessDeniedException") || !strings.Contains(stderr, tt.message) {
				t.Errorf("credential-process said %q, want a 403 AccessDeniedException saying %q", stderr, tt.message)
			}
		})
	}
	// Of these, only the certificate the trust anchor verified (the trust
	// policy refused it) is on a subject, failed; the others wrote nothing.
	wantSubject := func(step string, failed bool) {
		t.Helper()
		list, err := ra.ListSubjects(ctx(t), &rolesanywhere.ListSubjectsInput{})
		if err != nil || len(list.Subjects) != 1 || aws.ToString(list.Subjects[0].X509Subject) != excluded.cert.Subject.String() {
			t.Fatalf("ListSubjects %s = %+v, %v; want only %s", step, list, err, excluded.cert.Subject)
		}
		got, err := ra.GetSubject(ctx(t), &rolesanywhere.GetSubjectInput{SubjectId: list.Subjects[0].SubjectId})
		if err != nil {
			t.Fatalf("GetSubject %s: %v", step, err)
		}
		c := got.Subject.Credentials
		if len(c) != 1 || aws.ToString(c[0].SerialNumber) != hex.EncodeToString(excluded.cert.SerialNumber.Bytes()) ||
			aws.ToBool(c[0].Failed) != failed || c[0].SeenAt == nil || got.Subject.LastSeenAt == nil {
			t.Errorf("GetSubject %s: %d credentials, want workload-2's, seen, failed %t", step, len(c), failed)
		}
	}
	wantSubject("after the refusals", true)
	// The trust policy lets workload-2 in: its next attempt succeeds, and
	// its certificate is no longer failed.
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"rolesanywhere.amazonaws.com"},
		"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"aws:PrincipalTag/x509Subject/CN":["workload-1","workload-2"]},"ArnEquals":{"aws:SourceArn":%q}}}]}`, w.anchorARN)
	if _, err := s.IAM(s.Root).UpdateAssumeRolePolicy(ctx(t), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("workload"),
		PolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("UpdateAssumeRolePolicy: %v", err)
	}
	certPath, keyPath := excluded.files(t, nil)
	if _, stderr, err := credentialProcess(t, helper, w.helperArgs(certPath, keyPath)); err != nil {
		t.Fatalf("credential-process for workload-2 once trusted: %v\n%s", err, stderr)
	}
	wantSubject("after a success", false)

	// The revoked certificate works again once its CRL is disabled.
	crls, err := ra.ListCrls(ctx(t), &rolesanywhere.ListCrlsInput{})
	if err != nil || len(crls.Crls) != 1 {
		t.Fatalf("ListCrls = %v, %v; want the one CRL", crls, err)
	}
	if _, err := ra.DisableCrl(ctx(t), &rolesanywhere.DisableCrlInput{CrlId: crls.Crls[0].CrlId}); err != nil {
		t.Fatalf("DisableCrl: %v", err)
	}
	certPath, keyPath = revoked.files(t, nil)
	if _, stderr, err := credentialProcess(t, helper, w.helperArgs(certPath, keyPath)); err != nil {
		t.Errorf("credential-process after DisableCrl: %v\n%s", err, stderr)
	}
}

// TestRolesAnywhere_ControlPlane drives the control plane with the SDK's
// client: what it creates reads back, lists, tags, updates, disables and
// deletes as AWS's API says, and a principal without permission is
// refused with AccessDeniedException.
func TestRolesAnywhere_ControlPlane(t *testing.T) {
	s := startServer(t)
	w := newRAWorld(t, s)
	ra := s.RolesAnywhere(s.Root)
	c := context.Background()

	got, err := ra.GetTrustAnchor(c, &rolesanywhere.GetTrustAnchorInput{TrustAnchorId: aws.String(w.anchorID)})
	if err != nil {
		t.Fatalf("GetTrustAnchor: %v", err)
	}
	if a := got.TrustAnchor; aws.ToString(a.Name) != "test-ca" || !aws.ToBool(a.Enabled) || a.Source.SourceType != ratypes.TrustAnchorTypeCertificateBundle ||
		a.CreatedAt == nil || len(a.NotificationSettings) != 2 {
		t.Errorf("GetTrustAnchor = %+v, want test-ca, enabled, a certificate bundle, a creation time and the two default notification settings", a)
	}
	tags, err := ra.ListTagsForResource(c, &rolesanywhere.ListTagsForResourceInput{ResourceArn: aws.String(w.anchorARN)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("ListTagsForResource = %+v, %v; want team=platform", tags, err)
	}
	if _, err := ra.UpdateProfile(c, &rolesanywhere.UpdateProfileInput{ProfileId: aws.String(profileID(w.profileARN)), DurationSeconds: aws.Int32(900),
		AcceptRoleSessionName: aws.Bool(true)}); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	profiles, err := ra.ListProfiles(c, &rolesanywhere.ListProfilesInput{})
	if err != nil || len(profiles.Profiles) != 1 || aws.ToInt32(profiles.Profiles[0].DurationSeconds) != 900 ||
		!aws.ToBool(profiles.Profiles[0].AcceptRoleSessionName) || len(profiles.Profiles[0].AttributeMappings) != 3 {
		t.Errorf("ListProfiles = %+v, %v; want the profile, 900 s, accepting session names, with AWS's 3 default mappings", profiles, err)
	}
	if _, err := ra.DisableTrustAnchor(c, &rolesanywhere.DisableTrustAnchorInput{TrustAnchorId: aws.String(w.anchorID)}); err != nil {
		t.Fatalf("DisableTrustAnchor: %v", err)
	}
	_, err = ra.GetProfile(c, &rolesanywhere.GetProfileInput{ProfileId: aws.String("11111111-2222-4333-8444-555555555555")})
	if code := errorCode(err); code != "ResourceNotFoundException" {
		t.Errorf("GetProfile(missing) = %v, want ResourceNotFoundException", err)
	}
	_, err = ra.CreateProfile(c, &rolesanywhere.CreateProfileInput{Name: aws.String("bad name!"), RoleArns: []string{w.roleARN}})
	if code := errorCode(err); code != "ValidationException" || !strings.Contains(err.Error(), "Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [ a-zA-Z0-9-_]*") {
		t.Errorf("CreateProfile(bad name) = %v, want AWS's ValidationException", err)
	}
	nobody := s.userWithKey(t, "nobody")
	_, err = s.RolesAnywhere(nobody).ListTrustAnchors(c, &rolesanywhere.ListTrustAnchorsInput{})
	if code := errorCode(err); code != "AccessDeniedException" || !strings.Contains(err.Error(), "is not authorized to perform: rolesanywhere:ListTrustAnchors") {
		t.Errorf("ListTrustAnchors as nobody = %v, want AccessDeniedException", err)
	}
	if _, err := ra.DeleteProfile(c, &rolesanywhere.DeleteProfileInput{ProfileId: aws.String(profileID(w.profileARN))}); err != nil {
		t.Fatalf("DeleteProfile: %v", err)
	}
	if _, err := ra.DeleteTrustAnchor(c, &rolesanywhere.DeleteTrustAnchorInput{TrustAnchorId: aws.String(w.anchorID)}); err != nil {
		t.Fatalf("DeleteTrustAnchor: %v", err)
	}
	anchors, err := ra.ListTrustAnchors(c, &rolesanywhere.ListTrustAnchorsInput{})
	if err != nil || len(anchors.TrustAnchors) != 0 {
		t.Errorf("ListTrustAnchors after delete = %+v, %v; want none", anchors, err)
	}
}

func profileID(profileARN string) string {
	return profileARN[strings.LastIndexByte(profileARN, '/')+1:]
}
