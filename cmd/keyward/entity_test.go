package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"maps"
	"math/big"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/catalog"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/sigv4"
)

// The tests of this file are generated from the actions the server serves
// and AWS's Service Authorization Reference (the embedded catalog): they
// hold for every implemented action, not for a chosen few, and a new action
// joins them by being served.

// guardrailFixture is a server with the entities coverageParams names, each
// taggable one tagged protected=true, and a principal per policy.
type guardrailFixture struct {
	t       *testing.T
	s       *server.Server
	hs      *httptest.Server
	root    sigv4.Credentials
	actions []string // service:Action, every supported one

	mu        sync.Mutex
	decisions map[string][]authz.Decision // by the caller's user name
}

// actionParams returns coverageParams with extra's values over them and
// keyID as AccessKeyId: a value for every required parameter of every
// action.
func actionParams(keyID string, extra url.Values) url.Values {
	p := maps.Clone(coverageParams)
	maps.Copy(p, extra)
	p.Set("AccessKeyId", keyID)
	return p
}

// aliceKey makes an access key of alice and returns its ID.
func (f *guardrailFixture) aliceKey() string {
	var key struct {
		ID string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
	}
	if err := xml.Unmarshal([]byte(f.must("iam", iamForm("CreateAccessKey", "UserName", "alice"))), &key); err != nil {
		f.t.Fatal(err)
	}
	return key.ID
}

func newGuardrailFixture(t *testing.T) *guardrailFixture {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	f := &guardrailFixture{t: t, s: s, hs: hs, root: root, decisions: map[string][]authz.Decision{}}
	f.must("iam", iamForm("CreateUser", "UserName", "alice", "Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreateGroup", "GroupName", "devs"))
	f.must("iam", iamForm("CreateRole", "RoleName", "app", "AssumeRolePolicyDocument", coverageParams.Get("AssumeRolePolicyDocument"),
		"Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreatePolicy", "PolicyName", "managed", "PolicyDocument", coverageParams.Get("PolicyDocument"),
		"Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreateInstanceProfile", "InstanceProfileName", "ip", "Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreateOpenIDConnectProvider", "Url", "https://oidc.example.com", "ThumbprintList.member.1", coverageParams.Get("ThumbprintList.member.1"),
		"Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	cert, key := testServerCertificate(t, "coverage.example.com")
	f.must("iam", iamForm("UploadServerCertificate", "ServerCertificateName", "coverage", "CertificateBody", cert, "PrivateKey", key,
		"Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreateSAMLProvider", "Name", "coverage", "SAMLMetadataDocument", testSAMLMetadata(t, cert),
		"Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("CreateVirtualMFADevice", "VirtualMFADeviceName", "coverage", "Tags.member.1.Key", "protected", "Tags.member.1.Value", "true"))
	f.must("iam", iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	f.must("iam", iamForm("PutGroupPolicy", "GroupName", "devs", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))
	f.must("iam", iamForm("PutRolePolicy", "RoleName", "app", "PolicyName", "inline", "PolicyDocument", coverageParams.Get("PolicyDocument")))

	supported := map[string]bool{}
	for _, op := range iam.Operations {
		supported["iam:"+op.Name] = op.Supported
	}
	for svc, handlers := range s.Handlers() {
		for name := range handlers {
			if a := svc + ":" + name; svc != "iam" || supported[a] {
				f.actions = append(f.actions, a)
			}
		}
	}
	sort.Strings(f.actions)
	prev := s.Authorizer().OnDecision
	s.Authorizer().OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		f.mu.Lock()
		f.decisions[c.UserName] = append(f.decisions[c.UserName], d)
		f.mu.Unlock()
		if prev != nil {
			prev(ctx, c, d)
		}
	}
	return f
}

func (f *guardrailFixture) must(service string, form url.Values) string {
	f.t.Helper()
	code, body := call(f.t, f.hs.Client(), f.hs.URL, f.root, service, form)
	if code != 200 {
		f.t.Fatalf("setup %s: %d %s", form.Get("Action"), code, body)
	}
	return body
}

// principal makes a user with one inline policy and an access key.
func (f *guardrailFixture) principal(name, doc string) sigv4.Credentials {
	f.t.Helper()
	f.must("iam", iamForm("CreateUser", "UserName", name))
	f.must("iam", iamForm("PutUserPolicy", "UserName", name, "PolicyName", "p", "PolicyDocument", doc))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(f.must("iam", iamForm("CreateAccessKey", "UserName", name))), &key); err != nil {
		f.t.Fatal(err)
	}
	return sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
}

// send calls action (service:Name) with params as creds.
func (f *guardrailFixture) send(action string, params url.Values, creds sigv4.Credentials) (int, string) {
	service, name, _ := strings.Cut(action, ":")
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("Action", name)
	form.Set("Version", queryVersions[service])
	if service == "sts" {
		form.Del("SerialNumber") // STS's names the caller's own MFA device
	}
	code, body := call(f.t, f.hs.Client(), f.hs.URL, creds, service, form)
	if m := storeWords.FindStringSubmatch(body); m != nil {
		f.t.Errorf("%s answered the store's neutral words %q; clients read AWS's sentence (iam's said, sts's errors)", action, m[1])
	}
	return code, body
}

// storeWords matches an error message in a store's neutral words
// (internal/sqlcore/messages.go: "no such user alice", "role app exists",
// "cannot delete user: it has access keys", "user alice is not in group
// devs"), which are for logs: a client must never read one. AWS's
// sentences begin with a capital letter; the store's never do.
var storeWords = regexp.MustCompile(`<Message>((?:no such |invalid |cannot [a-z ]+: it )[^<]*|[a-z][^<]* (?:exists|is (?:not )?in (?:group|instance profile) [^<]*))</Message>`)

// takesTag reports whether AWS supplies key (aws:ResourceTag/${TagKey} or
// iam:ResourceTag/${TagKey}) for one of the resource types action acts on.
func takesTag(action, key string) bool {
	a, ok := catalog.FindAction(action)
	if !ok {
		return false
	}
	for _, r := range a.Resources {
		if slices.Contains(r.ConditionKeys, key) || (r.Type != nil && slices.Contains(r.Type.ConditionKeys, key)) {
			return true
		}
	}
	return false
}

// tagGuardExceptions are the actions whose resource type takes
// aws:ResourceTag but whose request names no tagged resource.
var tagGuardExceptions = map[string]string{
	"iam:GetServiceLinkedRoleDeletionStatus": "the role a deletion task names is deleted: it has no tags left",
	"iam:ChangePassword":                     "it acts on the calling user itself, which the request does not name",
	"iam:UploadServerCertificate":            "like a Create action it makes the certificate it names, which has no tags yet",
	"sts:AssumeRoleWithWebIdentity":          "no caller's policies apply: the identity provider's token and the role's trust policy decide",
	"sts:AssumeRoleWithSAML":                 "no caller's policies apply: the identity provider's assertion and the role's trust policy decide",
}

// TestGuardrails_ResourceTags: for every implemented action whose resource
// type takes aws:ResourceTag/${TagKey} (and, separately, iam:ResourceTag),
// as AWS's Service Authorization Reference lists them, a Deny conditioned
// on the resource's tag denies it through the real server: the request is
// refused with AccessDenied, and the decision recorded for it is an
// explicit deny by that statement, whose only condition is the tag. The
// principal is otherwise allowed everything, so without the stored
// entity's tags nothing would deny it. Create actions are left out: what
// they name does not exist yet, so it has no tags.
func TestGuardrails_ResourceTags(t *testing.T) {
	f := newGuardrailFixture(t)
	const allow = `{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}`
	guarded := map[string]sigv4.Credentials{}
	user := map[string]string{"aws:ResourceTag": "aws-guarded", "iam:ResourceTag": "iam-guarded"}
	for _, key := range []string{"aws:ResourceTag", "iam:ResourceTag"} {
		guarded[key] = f.principal(user[key], `{"Version":"2012-10-17","Statement":[`+allow+`,
			{"Sid":"Protected","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"`+key+`/protected":"true"}}}]}`)
	}
	params := actionParams(f.aliceKey(), nil)

	checked := map[string]int{}
	for _, tagKey := range []string{"aws:ResourceTag", "iam:ResourceTag"} {
		for _, a := range f.actions {
			_, name, _ := strings.Cut(a, ":")
			if !takesTag(a, tagKey+"/${TagKey}") || strings.HasPrefix(name, "Create") || tagGuardExceptions[a] != "" {
				continue
			}
			f.mu.Lock()
			f.decisions[user[tagKey]] = nil
			f.mu.Unlock()
			code, body := f.send(a, params, guarded[tagKey])
			if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
				t.Errorf("%s on a resource tagged protected=true, Deny on %s/protected = %d %s; want 403 AccessDenied", a, tagKey, code, body)
				continue
			}
			if !deniedBy(f.decisions[user[tagKey]], a, "Protected") {
				t.Errorf("%s: decisions %+v; want an explicit deny by statement Protected", a, f.decisions[user[tagKey]])
				continue
			}
			checked[tagKey]++
		}
	}
	if checked["aws:ResourceTag"] < 40 || checked["iam:ResourceTag"] < 40 {
		t.Errorf("tag guardrails checked on %v actions; want every implemented action the reference lists (over 40 each)", checked)
	}
	t.Logf("a tag-conditioned Deny denied %d actions (aws:ResourceTag) and %d (iam:ResourceTag) on the stored entity's tags", checked["aws:ResourceTag"], checked["iam:ResourceTag"])
}

// deniedBy reports whether ds hold an explicit deny of action by the
// statement sid.
func deniedBy(ds []authz.Decision, action, sid string) bool {
	for _, d := range ds {
		if d.Action != action || d.Result.Decision.String() != "explicitDeny" {
			continue
		}
		for _, m := range d.Result.Matched {
			if m.Sid == sid {
				return true
			}
		}
	}
	return false
}

// TestEntity_CaseAndPath: every implemented action, called with the
// entities' names and ARNs in another letter case, and with ARNs on another
// path, is either refused or decided on the stored entity: no decision is
// ever made on a spelling of an existing entity other than its own (its ARN
// as stored, path and case), and a request that names no entity exactly
// never succeeds on one it does not name.
func TestEntity_CaseAndPath(t *testing.T) {
	s, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:"})
	f := &guardrailFixture{t: t, s: s, hs: hs, root: root, decisions: map[string][]authz.Decision{}}
	const acct = "111122223333"
	doc := coverageParams.Get("PolicyDocument")
	f.must("iam", iamForm("CreateUser", "UserName", "alice", "Path", "/team/"))
	f.must("iam", iamForm("CreateGroup", "GroupName", "devs", "Path", "/team/"))
	f.must("iam", iamForm("CreateRole", "RoleName", "app", "Path", "/team/", "AssumeRolePolicyDocument", coverageParams.Get("AssumeRolePolicyDocument")))
	f.must("iam", iamForm("CreatePolicy", "PolicyName", "managed", "Path", "/team/", "PolicyDocument", doc))
	f.must("iam", iamForm("CreateInstanceProfile", "InstanceProfileName", "ip", "Path", "/team/"))
	f.must("iam", iamForm("AddRoleToInstanceProfile", "InstanceProfileName", "ip", "RoleName", "app"))
	f.must("iam", iamForm("AttachRolePolicy", "RoleName", "app", "PolicyArn", "arn:aws:iam::"+acct+":policy/team/managed"))
	f.must("iam", iamForm("CreateOpenIDConnectProvider", "Url", "https://oidc.example.com", "ThumbprintList.member.1", coverageParams.Get("ThumbprintList.member.1")))
	for _, k := range []string{"User", "Group", "Role"} {
		f.must("iam", iamForm("Put"+k+"Policy", k+"Name", map[string]string{"User": "alice", "Group": "devs", "Role": "app"}[k], "PolicyName", "inline", "PolicyDocument", doc))
	}
	keyID := f.aliceKey()
	admin := f.principal("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}]}`)
	// The stored ARNs: the only spellings of these entities a decision may use.
	canonical := map[string]bool{}
	for _, a := range []string{"user/team/alice", "group/team/devs", "role/team/app", "policy/team/managed", "instance-profile/team/ip", "oidc-provider/oidc.example.com", "user/admin"} {
		canonical["arn:aws:iam::"+acct+":"+a] = true
	}
	names := []string{"alice", "devs", "app", "managed", "ip", "oidc.example.com"}

	supported := map[string]bool{}
	for _, op := range iam.Operations {
		supported["iam:"+op.Name] = op.Supported
	}
	for svc, handlers := range s.Handlers() {
		for name := range handlers {
			if a := svc + ":" + name; svc != "iam" || supported[a] {
				f.actions = append(f.actions, a)
			}
		}
	}
	sort.Strings(f.actions)
	prev := s.Authorizer().OnDecision
	s.Authorizer().OnDecision = func(ctx context.Context, c *keyward.Caller, d authz.Decision) {
		f.mu.Lock()
		f.decisions[c.UserName] = append(f.decisions[c.UserName], d)
		f.mu.Unlock()
		prev(ctx, c, d)
	}

	variants := map[string]url.Values{
		"case": {
			"UserName": {"ALICE"}, "GroupName": {"DEVS"}, "RoleName": {"APP"}, "InstanceProfileName": {"IP"}, "PolicyName": {"INLINE"},
			"PolicyArn":                {"arn:aws:iam::" + acct + ":policy/team/MANAGED"},
			"PermissionsBoundary":      {"arn:aws:iam::" + acct + ":policy/team/MANAGED"},
			"PolicySourceArn":          {"arn:aws:iam::" + acct + ":user/team/ALICE"},
			"Arn":                      {"arn:aws:iam::" + acct + ":role/team/APP"},
			"RoleArn":                  {"arn:aws:iam::" + acct + ":role/team/APP"},
			"OpenIDConnectProviderArn": {"arn:aws:iam::" + acct + ":oidc-provider/OIDC.example.com"},
		},
		"path": {
			"UserName": {"alice"}, "GroupName": {"devs"}, "RoleName": {"app"}, "InstanceProfileName": {"ip"}, "PolicyName": {"inline"},
			"PolicyArn":                {"arn:aws:iam::" + acct + ":policy/other/managed"},
			"PermissionsBoundary":      {"arn:aws:iam::" + acct + ":policy/managed"},
			"PolicySourceArn":          {"arn:aws:iam::" + acct + ":user/other/alice"},
			"Arn":                      {"arn:aws:iam::" + acct + ":role/app"},
			"RoleArn":                  {"arn:aws:iam::" + acct + ":role/other/app"},
			"OpenIDConnectProviderArn": {"arn:aws:iam::" + acct + ":oidc-provider/oidc.example.com/other"},
		},
	}
	checked := 0
	for _, variant := range []string{"case", "path"} {
		params := actionParams(keyID, variants[variant])
		for _, a := range f.actions {
			if tagGuardExceptions[a] != "" && strings.HasPrefix(a, "sts:AssumeRoleWith") {
				continue // no caller: nothing is decided for one
			}
			f.mu.Lock()
			f.decisions["admin"] = nil
			f.mu.Unlock()
			code, body := f.send(a, params, admin)
			f.mu.Lock()
			ds := f.decisions["admin"]
			f.mu.Unlock()
			for _, d := range ds {
				spellings := []string{d.Resource}
				for _, k := range []string{"iam:PolicyARN", "iam:PermissionsBoundary"} {
					spellings = append(spellings, d.Extra[k]...)
				}
				for _, sp := range spellings {
					if canonical[sp] {
						continue
					}
					// Another spelling of a stored ARN: allowed only when the
					// store does not take it for that entity (OIDC provider
					// ARNs compare exactly), so the request found nothing.
					for c := range canonical {
						if !strings.EqualFold(sp, c) {
							continue
						}
						switch {
						case strings.Contains(body, "<Code>NoSuchEntity</Code>"):
						case a == "iam:DeleteOpenIDConnectProvider" && code == 200:
							// Idempotent: it must have deleted nothing.
							if code, b := f.send("iam:GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {c}}, admin); code != 200 {
								t.Errorf("%s (%s variant) deleted the stored %s: %d %s", a, variant, c, code, b)
							}
						default:
							t.Errorf("%s (%s variant) decided on %q, a spelling of the stored %q, and answered %d %s", a, variant, sp, c, code, body)
						}
					}
					// An ARN naming one of the entities on another path
					// names nothing: the request must not succeed.
					if code == 200 && a != "iam:DeleteOpenIDConnectProvider" && strings.HasPrefix(sp, "arn:aws:iam::"+acct+":") {
						for _, n := range names {
							if strings.HasSuffix(strings.ToLower(sp), "/"+n) {
								t.Errorf("%s (%s variant) succeeded with a decision on %q, which is not the stored entity", a, variant, sp)
							}
						}
					}
				}
			}
			checked++
		}
	}
	if checked < 200 {
		t.Errorf("checked %d requests; want every implemented action, twice", checked)
	}
	t.Logf("%d actions, with names and ARNs in another case and on another path: every decision was on the stored entity or the request was refused", checked/2)
}

// testServerCertificate returns a new self-signed certificate for host,
// valid for a day, and its private key, in PEM.
func testServerCertificate(t testing.TB, host string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

// testSAMLMetadata is an IdP's SAML 2.0 metadata document whose signing
// certificate is cert (PEM); more than the 1,000 characters IAM's model
// requires, even with a short EC certificate.
func testSAMLMetadata(t testing.TB, cert string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(cert))
	if block == nil {
		t.Fatal("testSAMLMetadata: no PEM certificate")
	}
	return `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/metadata">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` +
		base64.StdEncoding.EncodeToString(block.Bytes) + `</X509Certificate></X509Data></KeyInfo>
    </KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </IDPSSODescriptor>
  <Organization>
    <OrganizationName xml:lang="en">Example Corporation's identity provider, for Keyward's tests</OrganizationName>
    <OrganizationDisplayName xml:lang="en">Example Corporation</OrganizationDisplayName>
    <OrganizationURL xml:lang="en">https://www.example.com/</OrganizationURL>
  </Organization>
</EntityDescriptor>`
}
