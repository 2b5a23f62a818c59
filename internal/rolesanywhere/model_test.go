package rolesanywhere

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

func TestOperations_FromTheModel(t *testing.T) {
	ops := Operations()
	if len(ops) != 31 {
		t.Errorf("Operations() has %d operations, want botocore's 30 and CreateSession", len(ops))
	}
	patterns := map[string]string{}
	for _, op := range ops {
		if other, ok := patterns[op.Pattern]; ok {
			t.Errorf("operations %s and %s share the route %s", other, op.Name, op.Pattern)
		}
		patterns[op.Pattern] = op.Name
		if actions[op.Name] == nil {
			t.Errorf("operation %s has no action", op.Name)
		}
		if op.Signed != (op.Name != "CreateSession") {
			t.Errorf("operation %s: Signed = %v", op.Name, op.Signed)
		}
	}
	for _, tt := range []struct {
		name, pattern string
		status        int
	}{
		{"CreateTrustAnchor", "POST /trustanchors", 201},
		{"GetTrustAnchor", "GET /trustanchor/{trustAnchorId}", 200},
		{"DeleteAttributeMapping", "DELETE /profiles/{profileId}/mappings", 200},
		{"ImportCrl", "POST /crls", 201},
		{"CreateSession", "POST /sessions", 201},
	} {
		var got *Operation
		for _, op := range ops {
			if op.Name == tt.name {
				got = op
			}
		}
		if got == nil || got.Pattern != tt.pattern || got.Status != tt.status {
			t.Errorf("Operations()[%s] = %+v, want %s answering %d", tt.name, got, tt.pattern, tt.status)
		}
	}
}

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		ErrAccessDenied: 403, ErrResourceNotFound: 404, ErrValidation: 400, ErrTooManyTags: 400, // the model's
		ErrSerialization: 400, ErrUnrecognizedClient: 403, ErrInvalidSignature: 403, ErrInternal: 500, ErrThrottling: 400,
	} {
		if got := status(code); got != want {
			t.Errorf("status(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestCode_FromQueryCodes(t *testing.T) {
	for _, tt := range []struct {
		err      error
		code     string
		internal bool
	}{
		{keyward.Errorf(keyward.ErrNoSuchEntity, "x"), ErrResourceNotFound, false},
		{keyward.Errorf(keyward.ErrSignatureDoesNotMatch, "x"), ErrInvalidSignature, false},
		{keyward.Errorf(keyward.ErrInvalidClientTokenID, "x"), ErrUnrecognizedClient, false},
		{keyward.Errorf(ErrTooManyTags, "x"), ErrTooManyTags, false},
		{errString("disk on fire"), ErrInternal, true},
	} {
		code, msg := Code(tt.err)
		if code != tt.code || (tt.internal && strings.Contains(msg, "fire")) {
			t.Errorf("Code(%v) = %q, %q; want %s (internal errors never shown)", tt.err, code, msg, tt.code)
		}
	}
}

func opNamed(t *testing.T, name string) *Operation {
	t.Helper()
	for _, op := range Operations() {
		if op.Name == name {
			return op
		}
	}
	t.Fatalf("no operation %s", name)
	return nil
}

// TestDecode: requests are checked against the model's input shapes in
// AWS's words before any action runs.
func TestDecode(t *testing.T) {
	tests := []struct {
		name, op, target, body string
		pathValues             map[string]string
		code, message          string
	}{
		{name: "valid", op: "CreateProfile", body: `{"name":"app","roleArns":["arn:aws:iam::111122223333:role/a"],"durationSeconds":900}`},
		{name: "missing required members", op: "CreateProfile", body: `{}`, code: ErrValidation,
			message: "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'roleArns' failed to satisfy constraint: Member must not be null"},
		{name: "pattern then length", op: "CreateProfile", body: `{"name":"","roleArns":[]}`, code: ErrValidation,
			message: "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "list member", op: "CreateProfile", body: `{"name":"a","roleArns":["arn:aws:iam::1:user/u"]}`, code: ErrValidation,
			message: "Value 'arn:aws:iam::1:user/u' at 'roleArns.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:iam(:.*){2}(:role.*)"},
		{name: "integer range", op: "CreateProfile", body: `{"name":"a","roleArns":[],"durationSeconds":43201}`, code: ErrValidation,
			message: "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{name: "enum", op: "PutAttributeMapping", body: `{"certificateField":"x509Nope","mappingRules":[]}`,
			pathValues: map[string]string{"profileId": "11111111-2222-4333-8444-555555555555"}, code: ErrValidation,
			message: "Value 'x509Nope' at 'certificateField' failed to satisfy constraint: Member must satisfy enum value set: [x509Subject, x509Issuer, x509SAN]"},
		{name: "nested member", op: "CreateTrustAnchor", body: `{"name":"a","source":{"sourceType":"CERTIFICATE_BUNDLE","sourceData":{"x509CertificateData":""}}}`,
			code: ErrValidation, message: "at 'source.sourceData.x509CertificateData' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "sensitive values are not shown", op: "TagResource", body: `{"resourceArn":"a","tags":[{"key":"k*","value":"v"}]}`,
			code: ErrValidation, message: "Value at 'tags.1.member.key' failed to satisfy constraint"},
		{name: "union with two members", op: "CreateTrustAnchor", body: `{"name":"a","source":{"sourceData":{"x509CertificateData":"x","acmPcaArn":"y"}}}`,
			code: ErrValidation, message: "Only one member of SourceData may be set."},
		{name: "URI member", op: "GetTrustAnchor", pathValues: map[string]string{"trustAnchorId": "nope"}, code: ErrValidation,
			message: "Value 'nope' at 'trustAnchorId' failed to satisfy constraint: Member must satisfy regular expression pattern: .*[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}.*"},
		{name: "query list", op: "DeleteAttributeMapping", target: "?certificateField=x509SAN&specifiers=DNS&specifiers=URI",
			pathValues: map[string]string{"profileId": "11111111-2222-4333-8444-555555555555"}},
		{name: "query integer", op: "ListProfiles", target: "?pageSize=x", code: ErrSerialization},
		{name: "wrong JSON type", op: "CreateProfile", body: `{"name":["a"],"roleArns":[]}`, code: ErrSerialization,
			message: "The value at 'name' must be a string."},
		{name: "not an object", op: "CreateProfile", body: `[1]`, code: ErrSerialization},
		{name: "blob not base64", op: "ImportCrl", body: `{"name":"c","crlData":"%%%","trustAnchorArn":"arn:aws:rolesanywhere:r:1:trust-anchor/x"}`, code: ErrSerialization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := opNamed(t, tt.op)
			r, err := http.NewRequest(op.Method, "http://h"+strings.Split(op.Path, "{")[0]+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.pathValues {
				r.SetPathValue(k, v)
			}
			in := map[string]any{}
			err = decode(op, r, []byte(tt.body), &in)
			code, msg := "", ""
			if err != nil {
				code, msg = Code(err)
			}
			if code != tt.code || !strings.Contains(msg, tt.message) {
				t.Errorf("decode(%s, %s) = %v, want %s containing %q", tt.op, tt.body, err, tt.code, tt.message)
			}
		})
	}
}

func TestDecode_QueryList(t *testing.T) {
	op := opNamed(t, "DeleteAttributeMapping")
	r, _ := http.NewRequest("DELETE", "http://h/profiles/x/mappings?"+url.Values{"certificateField": {"x509SAN"}, "specifiers": {"DNS", "URI"}}.Encode(), nil)
	r.SetPathValue("profileId", "11111111-2222-4333-8444-555555555555")
	var in DeleteAttributeMappingInput
	if err := decode(op, r, nil, &in); err != nil {
		t.Fatal(err)
	}
	want := DeleteAttributeMappingInput{ProfileID: "11111111-2222-4333-8444-555555555555", CertificateField: "x509SAN", Specifiers: []string{"DNS", "URI"}}
	if d := cmp.Diff(want, in); d != "" {
		t.Errorf("decode(DeleteAttributeMapping) (-want +got):\n%s", d)
	}
}

func testCert(t *testing.T, subject, issuer pkix.Name, mods ...func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: subject, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	for _, m := range mods {
		m(tmpl)
	}
	parent := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: issuer}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertificateTags(t *testing.T) {
	subject := pkix.Name{CommonName: "web-1", Organization: []string{"Example"}, OrganizationalUnit: []string{"Ops", "Second OU"},
		Country: []string{"DE"}, ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: "uid-7"}}}
	issuer := pkix.Name{CommonName: "Example CA", Organization: []string{"Example"}}
	cert := testCert(t, subject, issuer, func(c *x509.Certificate) {
		c.DNSNames = []string{"web-1.example.com", "web.example.com"}
		u, _ := url.Parse("spiffe://example.org/ns/prod/sa/web")
		c.URIs = []*url.URL{u}
	})
	tests := []struct {
		name     string
		mappings []keyward.AttributeMapping
		want     []keyward.Tag
	}{
		{"AWS's default mappings", defaultMappings(), []keyward.Tag{
			{Key: "x509Subject/CN", Value: "web-1"}, {Key: "x509Subject/C", Value: "DE"}, {Key: "x509Subject/O", Value: "Example"},
			{Key: "x509Subject/OU", Value: "Ops"}, {Key: "x509Subject/UID", Value: "uid-7"},
			{Key: "x509Issuer/CN", Value: "Example CA"}, {Key: "x509Issuer/O", Value: "Example"},
			{Key: "x509SAN/DNS", Value: "web-1.example.com"}, {Key: "x509SAN/URI", Value: "spiffe://example.org/ns/prod/sa/web"},
		}},
		{"the subject's CN only", []keyward.AttributeMapping{{CertificateField: FieldSubject, Specifiers: []string{"CN"}}},
			[]keyward.Tag{{Key: "x509Subject/CN", Value: "web-1"}}},
		{"no mappings", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, certificateTags(cert, tt.mappings)); d != "" {
				t.Errorf("certificateTags (-want +got):\n%s", d)
			}
		})
	}
	// A wildcard is no tag value: substituted into a policy variable it
	// would match any name.
	wild := testCert(t, pkix.Name{CommonName: "*.example.com"}, issuer)
	if got := certificateTags(wild, defaultMappings()); len(got) != 2 || got[0].Key != "x509Issuer/CN" {
		t.Errorf("certificateTags(CN=*.example.com) = %v, want the issuer's attributes only", got)
	}
}

func TestCheckCA(t *testing.T) {
	ca := func(c *x509.Certificate) {
		c.IsCA, c.BasicConstraintsValid, c.KeyUsage = true, true, x509.KeyUsageCertSign
	}
	tests := []struct {
		name string
		mod  func(*x509.Certificate)
		want string
	}{
		{"a CA", ca, ""},
		{"not a CA", func(c *x509.Certificate) { c.BasicConstraintsValid = true }, "is not a CA"},
		{"may not sign certificates", func(c *x509.Certificate) { ca(c); c.KeyUsage = x509.KeyUsageDigitalSignature }, "lacks keyCertSign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkCA(testCert(t, pkix.Name{CommonName: "c"}, pkix.Name{CommonName: "c"}, tt.mod))
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("checkCA = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseARN(t *testing.T) {
	for _, tt := range []struct {
		in                        string
		region, account, kind, id string
		ok                        bool
	}{
		{"arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/abc", "eu-west-1", "111122223333", "trust-anchor", "abc", true},
		{"arn:aws:iam::111122223333:role/abc", "", "", "", "", false},
		{"arn:aws:rolesanywhere:r:1:profile/", "", "", "", "", false},
		{"arn:aws:rolesanywhere:r:1:profile/a/b", "", "", "", "", false},
	} {
		region, account, kind, id, ok := parseARN(tt.in)
		if region != tt.region || account != tt.account || kind != tt.kind || id != tt.id || ok != tt.ok {
			t.Errorf("parseARN(%q) = %q, %q, %q, %q, %v; want %q, %q, %q, %q, %v", tt.in, region, account, kind, id, ok, tt.region, tt.account, tt.kind, tt.id, tt.ok)
		}
	}
}
