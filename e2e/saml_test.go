package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// testIdP is a SAML 2.0 identity provider on 127.0.0.1, built on
// crewjam/saml's IdentityProvider, configured for AWS as AWS's
// documentation tells IdP administrators: service provider
// urn:amazon:webservices, ACS https://signin.aws.amazon.com/saml, and the
// Role, RoleSessionName and PrincipalTag attributes. GET /aws answers the
// IdP-initiated sign-in form carrying a fresh signed SAMLResponse.
type testIdP struct {
	srv      *httptest.Server
	idp      *saml.IdentityProvider
	session  saml.Session
	metadata string
}

func newTestIdP(t *testing.T, roleARN, providerARN string) *testIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testIdP{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metadata":
			p.idp.ServeMetadata(w, r)
		case "/aws":
			p.idp.ServeIDPInitiated(w, r, "urn:amazon:webservices", "")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.srv.Close)
	base, _ := url.Parse(p.srv.URL)
	p.idp = &saml.IdentityProvider{
		Key: key, Signer: key, Certificate: selfSigned(t, key, "idp.test"),
		MetadataURL: *base.JoinPath("/metadata"), SSOURL: *base.JoinPath("/sso"),
		ServiceProviderProvider: awsSP{}, SessionProvider: p,
	}
	p.session = saml.Session{
		ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "alice@example.com", NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		UserName: "alice", UserEmail: "alice@example.com",
		CustomAttributes: []saml.Attribute{
			{Name: "https://aws.amazon.com/SAML/Attributes/Role", Values: []saml.AttributeValue{{Type: "xs:string", Value: roleARN + "," + providerARN}}},
			{Name: "https://aws.amazon.com/SAML/Attributes/RoleSessionName", Values: []saml.AttributeValue{{Type: "xs:string", Value: "alice"}}},
			{Name: "https://aws.amazon.com/SAML/Attributes/PrincipalTag:team", Values: []saml.AttributeValue{{Type: "xs:string", Value: "blue"}}},
		},
	}
	b, err := xml.MarshalIndent(p.idp.Metadata(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p.metadata = string(b)
	return p
}

func (p *testIdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	s := p.session
	return &s
}

// awsSP is AWS's service provider metadata, as an IdP is given it.
type awsSP struct{}

func (awsSP) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	if id != "urn:amazon:webservices" {
		return nil, os.ErrNotExist
	}
	return &saml.EntityDescriptor{EntityID: id, SPSSODescriptors: []saml.SPSSODescriptor{{
		SSODescriptor:             saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol"}},
		AssertionConsumerServices: []saml.IndexedEndpoint{{Binding: saml.HTTPPostBinding, Location: "https://signin.aws.amazon.com/saml", Index: 1}},
	}}}, nil
}

var samlResponseField = regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`)

// response signs in at the IdP and returns the SAMLResponse its form
// carries (base64), and the XML.
func (p *testIdP) response(t *testing.T) (string, string) {
	t.Helper()
	resp, err := http.Get(p.srv.URL + "/aws")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := samlResponseField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the IdP's answer has no SAMLResponse: %d %s", resp.StatusCode, body)
	}
	enc := html.UnescapeString(string(m[1]))
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	return enc, string(raw)
}

func selfSigned(t *testing.T, key *rsa.PrivateKey, cn string) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// xmlDoc parses a response for tampering.
func xmlDoc(t *testing.T, raw string) *etree.Document {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(raw); err != nil {
		t.Fatal(err)
	}
	return d
}

func encodeDoc(t *testing.T, d *etree.Document) string {
	t.Helper()
	s, err := d.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// removeSignatures drops the ds:Signature children of el (not deeper).
func removeSignatures(el *etree.Element) {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" {
			el.RemoveChild(c)
		}
	}
}

// TestSAML_EndToEnd: a SAML provider made from a real IdP's metadata; a
// signed response from the IdP on 127.0.0.1 goes through
// AssumeRoleWithSAML into a role whose trust policy checks saml:aud and
// saml:sub, and the session's credentials work; forged, unsigned,
// re-signed by another key, wrapped, expired and replayed responses are
// all refused.
func TestSAML_EndToEnd(t *testing.T) {
	s := startServer(t)
	root := s.IAM(s.Root)
	roleARN := "arn:aws:iam::" + testAccount + ":role/saml-admins"
	provARN := "arn:aws:iam::" + testAccount + ":saml-provider/TestIdP"
	idp := newTestIdP(t, roleARN, provARN)

	out, err := root.CreateSAMLProvider(ctx(t), &iam.CreateSAMLProviderInput{Name: aws.String("TestIdP"), SAMLMetadataDocument: aws.String(idp.metadata)})
	if err != nil {
		t.Fatalf("CreateSAMLProvider: %v", err)
	}
	if aws.ToString(out.SAMLProviderArn) != provARN {
		t.Fatalf("CreateSAMLProvider = %s, want %s", aws.ToString(out.SAMLProviderArn), provARN)
	}
	_, err = root.CreateSAMLProvider(ctx(t), &iam.CreateSAMLProviderInput{Name: aws.String("Broken"), SAMLMetadataDocument: aws.String("<nope>" + strings.Repeat("x", 1000) + "</nope>")})
	wantErrorCode(t, "CreateSAMLProvider(bad metadata)", err, "InvalidInput")
	got, err := root.GetSAMLProvider(ctx(t), &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(provARN)})
	if err != nil || aws.ToString(got.SAMLMetadataDocument) != idp.metadata || got.CreateDate == nil {
		t.Fatalf("GetSAMLProvider = %+v, %v", got, err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},` +
		`"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:sub":"alice@example.com","saml:sub_type":"persistent"}}}]}`
	if _, err := root.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("saml-admins"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("saml-admins"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	anon := s.STS(Creds{}) // AssumeRoleWithSAML is unsigned
	assume := func(enc string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return anon.AssumeRoleWithSAML(ctx(t), &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(enc)},
			func(o *sts.Options) { o.Credentials = aws.AnonymousCredentials{} })
	}

	enc, _ := idp.response(t)
	res, err := assume(enc)
	if err != nil {
		t.Fatalf("AssumeRoleWithSAML(a signed response): %v", err)
	}
	if aws.ToString(res.Subject) != "alice@example.com" || aws.ToString(res.SubjectType) != "persistent" || aws.ToString(res.Issuer) != idp.srv.URL+"/metadata" ||
		aws.ToString(res.Audience) != "https://signin.aws.amazon.com/saml" || aws.ToString(res.NameQualifier) == "" ||
		aws.ToString(res.AssumedRoleUser.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/saml-admins/alice" {
		t.Errorf("AssumeRoleWithSAML = subject %q (%q), issuer %q, audience %q, qualifier %q, user %q", aws.ToString(res.Subject), aws.ToString(res.SubjectType),
			aws.ToString(res.Issuer), aws.ToString(res.Audience), aws.ToString(res.NameQualifier), aws.ToString(res.AssumedRoleUser.Arn))
	}
	sess := Creds{ID: aws.ToString(res.Credentials.AccessKeyId), Secret: aws.ToString(res.Credentials.SecretAccessKey), Token: aws.ToString(res.Credentials.SessionToken)}
	if _, err := s.IAM(sess).ListRoles(ctx(t), &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with the SAML session (allowed for its PrincipalTag team=blue): %v", err)
	}
	_, err = assume(enc)
	wantErrorCode(t, "AssumeRoleWithSAML(replayed)", err, "InvalidIdentityToken")

	// Only the assertion signed (the response's signature removed): still
	// accepted, as AWS accepts it.
	_, raw := idp.response(t)
	d := xmlDoc(t, raw)
	removeSignatures(d.Root())
	if _, err := assume(encodeDoc(t, d)); err != nil {
		t.Errorf("AssumeRoleWithSAML(assertion signed, response not): %v", err)
	}

	attacks := []struct {
		name string
		make func() string
	}{
		{"forged: the subject changed after signing", func() string {
			_, raw := idp.response(t)
			return base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(raw, "alice@example.com", "mallory@example.com")))
		}},
		{"forged: the session name changed in the assertion only", func() string {
			_, raw := idp.response(t)
			d := xmlDoc(t, raw)
			removeSignatures(d.Root())
			for _, v := range d.FindElements("//AttributeValue") {
				if v.Text() == "alice" {
					v.SetText("root")
				}
			}
			return encodeDoc(t, d)
		}},
		{"unsigned", func() string {
			_, raw := idp.response(t)
			d := xmlDoc(t, raw)
			removeSignatures(d.Root())
			for _, a := range d.FindElements("//Assertion") {
				removeSignatures(a)
			}
			return encodeDoc(t, d)
		}},
		{"re-signed by another key", func() string {
			other := newTestIdP(t, roleARN, provARN)
			other.idp.MetadataURL = idp.idp.MetadataURL // the same issuer, another key
			enc, _ := other.response(t)
			return enc
		}},
		{"wrapped: an unsigned assertion before the signed one", func() string {
			_, raw := idp.response(t)
			d := xmlDoc(t, raw)
			removeSignatures(d.Root())
			signed := d.FindElement("//Assertion")
			evil := signed.Copy()
			removeSignatures(evil)
			evil.CreateAttr("ID", "_evil")
			for _, n := range evil.FindElements(".//NameID") {
				n.SetText("mallory@example.com")
			}
			d.Root().InsertChildAt(signed.Index(), evil)
			return encodeDoc(t, d)
		}},
		{"wrapped: the signed assertion hidden inside an unsigned one", func() string {
			_, raw := idp.response(t)
			d := xmlDoc(t, raw)
			removeSignatures(d.Root())
			signed := d.FindElement("//Assertion")
			evil := signed.Copy()
			removeSignatures(evil)
			evil.CreateAttr("ID", "_evil")
			for _, n := range evil.FindElements(".//NameID") {
				n.SetText("mallory@example.com")
			}
			d.Root().RemoveChild(signed)
			advice := evil.CreateElement("saml:Advice")
			advice.AddChild(signed)
			d.Root().AddChild(evil)
			return encodeDoc(t, d)
		}},
		{"expired", func() string {
			old := idp.idp.Clock
			idp.idp.Clock = dsig.NewFakeClockAt(time.Now().Add(-time.Hour))
			defer func() { idp.idp.Clock = old }()
			enc, _ := idp.response(t)
			return enc
		}},
	}
	for _, a := range attacks {
		_, err := assume(a.make())
		if err == nil {
			t.Errorf("AssumeRoleWithSAML(%s) succeeded, want a refusal", a.name)
			continue
		}
		t.Logf("%s: %v", a.name, err)
		if c := errorCode(err); c != "InvalidIdentityToken" && c != "ExpiredTokenException" {
			t.Errorf("AssumeRoleWithSAML(%s) = %v, want InvalidIdentityToken or ExpiredTokenException", a.name, err)
		}
	}

	// The trust policy decides on saml:sub; a role the assertion does not
	// name is refused.
	idp.session.NameID = "bob@example.com"
	enc, _ = idp.response(t)
	_, err = assume(enc)
	wantErrorCode(t, "AssumeRoleWithSAML(a subject the trust policy refuses)", err, "AccessDenied")
	idp.session.NameID = "alice@example.com"
	enc, _ = idp.response(t)
	_, err = anon.AssumeRoleWithSAML(ctx(t), &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/other"), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(enc)},
		func(o *sts.Options) { o.Credentials = aws.AnonymousCredentials{} })
	wantErrorCode(t, "AssumeRoleWithSAML(a role the assertion does not name)", err, "AccessDenied")

	// Deleted, the provider accepts nothing.
	if _, err := root.DeleteSAMLProvider(ctx(t), &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(provARN)}); err != nil {
		t.Fatal(err)
	}
	enc, _ = idp.response(t)
	_, err = assume(enc)
	wantErrorCode(t, "AssumeRoleWithSAML(deleted provider)", err, "InvalidIdentityToken")
}
