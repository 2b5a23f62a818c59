package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/sigv4"
	"golang.org/x/crypto/ssh"
)

func TestExportImport_SQLiteToSQLite(t *testing.T) {
	exportImport(t, "sqlite:"+filepath.Join(t.TempDir(), "target.db"))
}

func TestExportImport_SQLiteToPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	exportImport(t, dsn)
}

// exportImport fills a SQLite installation through a real server, moves it
// to target with keyward export | keyward import, and checks that the
// target holds the same (its own export is the same stream) and answers the
// same: an access key made on the source still signs, a session token
// issued by the source still opens.
func exportImport(t *testing.T, target string) {
	t.Setenv("KEYWARD_KEK", base64.StdEncoding.EncodeToString(seal.GenerateKey()))
	source := "sqlite:" + filepath.Join(t.TempDir(), "source.db")
	src, root := testServer(t, source)
	do := func(creds sigv4.Credentials, service string, form url.Values) string {
		t.Helper()
		code, body := call(t, src.Client(), src.URL, creds, service, form)
		if code != 200 {
			t.Fatalf("%s on the source: %d %s", form.Get("Action"), code, body)
		}
		return body
	}
	iam := func(kv ...string) string { t.Helper(); return do(root, "iam", iamForm(kv[0], kv[1:]...)) }
	doc := func(action string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
	}
	iam("CreateAccountAlias", "AccountAlias", "example-corp")
	iam("UpdateAccountPasswordPolicy", "MinimumPasswordLength", "12", "RequireSymbols", "true")
	iam("CreateUser", "UserName", "Alice", "Path", "/eng/", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue")
	body := iam("CreateAccessKey", "UserName", "Alice")
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(body), &key); err != nil || key.ID == "" {
		t.Fatalf("CreateAccessKey: %v %s", err, body)
	}
	alice := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	iam("CreateGroup", "GroupName", "devs")
	iam("AddUserToGroup", "GroupName", "devs", "UserName", "Alice")
	iam("PutGroupPolicy", "GroupName", "devs", "PolicyName", "sts", "PolicyDocument", doc("sts:*"))
	iam("CreatePolicy", "PolicyName", "readers", "PolicyDocument", doc("s3:GetObject"), "Description", "read")
	arn := "arn:aws:iam::111122223333:policy/readers"
	iam("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", doc("iam:GetUser"), "SetAsDefault", "true")
	iam("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", doc("iam:ListUsers"))
	iam("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v1")
	iam("TagPolicy", "PolicyArn", arn, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	iam("AttachUserPolicy", "UserName", "Alice", "PolicyArn", arn)
	iam("CreatePolicy", "PolicyName", "Boundary", "PolicyDocument", doc("*"))
	iam("CreateRole", "RoleName", "app", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`,
		"PermissionsBoundary", "arn:aws:iam::111122223333:policy/Boundary", "Description", "the app")
	iam("PutRolePolicy", "RoleName", "app", "PolicyName", "inline", "PolicyDocument", doc("s3:*"))
	iam("TagRole", "RoleName", "app", "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod")
	iam("CreateInstanceProfile", "InstanceProfileName", "web")
	iam("AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "app")
	iam("CreateOpenIDConnectProvider", "Url", "https://token.example.com", "ClientIDList.member.1", "sts.amazonaws.com",
		"ThumbprintList.member.1", strings.Repeat("a", 40))
	// The credentials of people: password, MFA device, SSH key, signing and
	// server certificates, service-specific credential, SAML provider.
	iam("CreateLoginProfile", "UserName", "Alice", "Password", "Export-pass-1")
	iam("CreateVirtualMFADevice", "VirtualMFADeviceName", "alice-phone", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	cert, certKey := testServerCertificate(t, "www.example.com")
	iam("UploadServerCertificate", "ServerCertificateName", "www", "CertificateBody", cert, "PrivateKey", certKey, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	iam("UploadSigningCertificate", "UserName", "Alice", "CertificateBody", cert)
	iam("UploadSigningCertificate", "CertificateBody", cert) // root's
	iam("UploadSSHPublicKey", "UserName", "Alice", "SSHPublicKeyBody", testSSHPublicKey(t))
	iam("CreateServiceSpecificCredential", "UserName", "Alice", "ServiceName", "codecommit.amazonaws.com")
	iam("CreateSAMLProvider", "Name", "idp", "SAMLMetadataDocument", testSAMLMetadata(t, cert), "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	iam("SetSecurityTokenServicePreferences", "GlobalEndpointTokenVersion", "v2Token")
	body = do(alice, "sts", url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}, "DurationSeconds": {"900"}})
	var st struct {
		ID     string `xml:"GetSessionTokenResult>Credentials>AccessKeyId"`
		Secret string `xml:"GetSessionTokenResult>Credentials>SecretAccessKey"`
		Token  string `xml:"GetSessionTokenResult>Credentials>SessionToken"`
	}
	if err := xml.Unmarshal([]byte(body), &st); err != nil || st.Token == "" {
		t.Fatalf("GetSessionToken: %v %s", err, body)
	}
	session := sigv4.Credentials{AccessKeyID: st.ID, SecretAccessKey: st.Secret, SessionToken: st.Token}
	// IAM Roles Anywhere: a tagged trust anchor, a CRL and a profile.
	ca := newTestCA(t, "Export CA")
	var ta struct {
		TrustAnchor struct{ TrustAnchorArn string }
	}
	mustRA(t, src, root, "POST", "/trustanchors", map[string]any{"name": "ca", "enabled": true,
		"source": map[string]any{"sourceType": "CERTIFICATE_BUNDLE", "sourceData": map[string]any{"x509CertificateData": ca.pem()}},
		"tags":   []map[string]string{{"key": "team", "value": "pki"}}}, &ta)
	mustRA(t, src, root, "POST", "/crls", map[string]any{"name": "revoked", "enabled": true, "trustAnchorArn": ta.TrustAnchor.TrustAnchorArn,
		"crlData": crlPEM(t, ca, issueCert(t, ca, "gone"))}, nil)
	iam("CreateRole", "RoleName", "workload", "AssumeRolePolicyDocument", strings.ReplaceAll(raTrust, "TA_ARN", ta.TrustAnchor.TrustAnchorArn))
	var prof struct{ Profile struct{ ProfileArn string } }
	mustRA(t, src, root, "POST", "/profiles", map[string]any{"name": "workload", "enabled": true, "durationSeconds": 900,
		"roleArns": []string{"arn:aws:iam::111122223333:role/workload"}, "sessionPolicy": doc("s3:GetObject")}, &prof)
	raSet := raSetup{anchorARN: ta.TrustAnchor.TrustAnchorArn, profileARN: prof.Profile.ProfileArn, roleARN: "arn:aws:iam::111122223333:role/workload"}
	// A session makes a subject, with the certificate and properties seen.
	seen := issueCert(t, ca, "workload-1")
	if code, body := createSession(t, src, raSet, seen.cert, seen.key, nil, `{"instanceProperties":{"host":"h1"}}`, time.Now()); code != 201 {
		t.Fatalf("CreateSession on the source = %d %s, want 201", code, body)
	}

	// A delegation request, its token released: the sealed token moves
	// with it. The account is its own partner here.
	iam("CreatePolicy", "PolicyName", "template", "PolicyDocument", doc("iam:GetUser"))
	body = iam("CreateDelegationRequest", "Description", "export", "Permissions.PolicyTemplateArn", "arn:aws:iam::111122223333:policy/template",
		"RequestorWorkflowId", "export-workflow", "NotificationChannel", "arn:aws:sns:us-east-1:111122223333:partner", "SessionDuration", "3600")
	var dr struct {
		ID string `xml:"CreateDelegationRequestResult>DelegationRequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &dr); err != nil || dr.ID == "" {
		t.Fatalf("CreateDelegationRequest: %v %s", err, body)
	}
	iam("CreateUser", "UserName", "approver")
	iam("PutUserPolicy", "UserName", "approver", "PolicyName", "delegation", "PolicyDocument", doc("iam:*"))
	if err := xml.Unmarshal([]byte(iam("CreateAccessKey", "UserName", "approver")), &key); err != nil {
		t.Fatal(err)
	}
	approver := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	for _, a := range []string{"AssociateDelegationRequest", "AcceptDelegationRequest", "SendDelegationToken"} {
		do(approver, "iam", iamForm(a, "DelegationRequestId", dr.ID))
	}

	// Outbound federation: its signing keys move sealed, as stored.
	iam("EnableOutboundWebIdentityFederation")

	before := runCLI(t, "", "export", "--store", source)
	runCLI(t, before, "import", "--store", target)
	after := runCLI(t, "", "export", "--store", target)
	if d := cmp.Diff(records(t, before), records(t, after)); d != "" {
		t.Errorf("the target's export differs from the source's (-source +target):\n%s", d)
	}
	for _, want := range []string{`"type":"account"`, `"type":"policy"`, `"type":"group"`, `"type":"role"`, `"type":"user"`,
		`"type":"instance-profile"`, `"type":"oidc-provider"`, `"type":"key-ring"`, `"Alias":"example-corp"`, `"VersionID":"v3"`,
		`"type":"mfa-device"`, `"type":"server-certificate"`, `"type":"saml-provider"`, `"LoginProfile":`, `"Kind":"ssh-public-key"`,
		`"Kind":"signing-certificate"`, `"Kind":"service-specific"`, `"RootCredentials":`, `"GlobalEndpointTokenVersion":2`,
		`"type":"trust-anchor"`, `"type":"crl"`, `"type":"rolesanywhere-profile"`, `"type":"delegation-request"`, `"State":"FINALIZED"`,
		`"type":"rolesanywhere-subject"`, `"SerialNumber":"` + hexSerial(seen.cert) + `"`, `"host":"h1"`,
		`"type":"outbound-key"`, `"Algorithm":"RS256"`, `"Algorithm":"ES384"`} {
		if !strings.Contains(before, want) {
			t.Errorf("the export has no %s", want)
		}
	}

	// The target answers as the source did.
	dst, _ := testServer(t, target)
	for _, c := range []struct {
		creds   sigv4.Credentials
		service string
		form    url.Values
		want    string
	}{
		{alice, "iam", iamForm("GetUser", "UserName", "Alice"), "<Path>/eng/</Path>"},
		{root, "iam", iamForm("GetPolicy", "PolicyArn", arn), "<DefaultVersionId>v2</DefaultVersionId>"},
		{root, "iam", iamForm("ListAccountAliases"), "example-corp"},
		{root, "iam", iamForm("GetLoginProfile", "UserName", "Alice"), "<UserName>Alice</UserName>"},
		{root, "iam", iamForm("GetServerCertificate", "ServerCertificateName", "www"), "<ServerCertificateName>www</ServerCertificateName>"},
		{root, "iam", iamForm("ListVirtualMFADevices"), "mfa/alice-phone"},
		{root, "iam", iamForm("ListSAMLProviderTags", "SAMLProviderArn", "arn:aws:iam::111122223333:saml-provider/idp"), "<Key>k</Key>"},
		{session, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, ":user/eng/Alice<"},
	} {
		code, body := call(t, dst.Client(), dst.URL, c.creds, c.service, c.form)
		if code != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s on the target = %d %s, want 200 with %s", c.form.Get("Action"), code, body, c.want)
		}
	}
	// A certificate of the trust anchor gets a session on the target.
	leaf := issueCert(t, ca, "workload-1")
	if code, body := createSession(t, dst, raSet, leaf.cert, leaf.key, nil, "", time.Now()); code != 201 {
		t.Errorf("CreateSession on the target = %d %s, want 201", code, body)
	}
	// The partner reads the released token on the target and trades it.
	code, body := call(t, dst.Client(), dst.URL, root, "keyward", url.Values{"Action": {"ListDelegationNotifications"},
		"Version": {"2025-11-15"}, "TopicArn": {"arn:aws:sns:us-east-1:111122223333:partner"}})
	token := ""
	if m := regexp.MustCompile(`ExchangeToken&#34;:&#34;([^&]+)&#34;`).FindStringSubmatch(body); m != nil {
		token = m[1]
	}
	if code != 200 || token == "" {
		t.Fatalf("the notification feed on the target = %d %s, want the exchange token", code, body)
	}
	code, body = call(t, dst.Client(), dst.URL, root, "sts", url.Values{"Action": {"GetDelegatedAccessToken"}, "Version": {"2011-06-15"}, "TradeInToken": {token}})
	if code != 200 || !strings.Contains(body, "<AssumedPrincipal>arn:aws:iam::111122223333:user/approver</AssumedPrincipal>") {
		t.Errorf("GetDelegatedAccessToken on the target = %d %s, want the approver's credentials", code, body)
	}
	// Denied on both: alice's policies came along, no more.
	if code, body := call(t, dst.Client(), dst.URL, alice, "iam", iamForm("ListRoles")); code != 403 {
		t.Errorf("ListRoles as alice on the target = %d %s, want 403", code, body)
	}

	// A second import into the now non-empty store is refused.
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"import", "--store", target}, strings.NewReader(before), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "empty store") {
		t.Errorf("import into a store with accounts = %v, want a refusal", err)
	}
}

// runCLI runs keyward with args and stdin, fails the test on error, and
// returns its standard output.
func runCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr); err != nil {
		t.Fatalf("keyward %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// records parses an export stream, leaving out the header (its time
// differs) and the activity log (a store may not keep one).
func records(t *testing.T, stream string) []string {
	t.Helper()
	var out []string
	dec := json.NewDecoder(strings.NewReader(stream))
	for dec.More() {
		var r exportRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("export stream: %v", err)
		}
		switch r.Type {
		case "header", "activity", "end":
			continue
		}
		out = append(out, r.Type+" "+string(r.Data))
	}
	return out
}

func TestImport_Refuses(t *testing.T) {
	target := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	for _, tt := range []struct {
		name, stream, want string
	}{
		{"empty", "", "without its end record"},
		{"no header", `{"type":"account","data":{}}` + "\n", "does not begin with a header"},
		{"other format", `{"type":"header","data":{"format":"other","version":1}}` + "\n", "not a keyward-export"},
		{"truncated", `{"type":"header","data":{"format":"keyward-export","version":1}}` + "\n", "without its end record"},
		{"bad count", `{"type":"header","data":{"format":"keyward-export","version":1}}` + "\n" +
			`{"type":"end","data":{"records":5}}` + "\n", "end record says 5"},
		{"not JSON", "hello\n", "record 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), []string{"import", "--store", target}, strings.NewReader(tt.stream), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("import of %q = %v, want an error saying %q", tt.stream, err, tt.want)
			}
		})
	}
}

// testSSHPublicKey returns a new 2,048-bit RSA key's OpenSSH public key.
func testSSHPublicKey(t testing.TB) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(ssh.MarshalAuthorizedKey(pub))
}
