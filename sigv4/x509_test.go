package sigv4

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// x509Cert makes a self-signed certificate for key with the given serial:
// the signature checks need a certificate, not a trusted one.
func x509Cert(t testing.TB, key crypto.Signer, serial int64) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "client"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	testRSAKey, _   = rsa.GenerateKey(rand.Reader, 2048)
	testECKey, _    = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherECKey, _   = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	x509SigningTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
)

// createSession is a CreateSession request as AWS's credential helper
// builds it: the ARNs in the query, the rest in a JSON body.
func createSession(t testing.TB) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"durationSeconds":3600}`)
	q := url.Values{
		"profileArn":     {"arn:aws:rolesanywhere:us-east-1:111122223333:profile/0c8f6d8e-1111-4222-8333-444455556666"},
		"roleArn":        {"arn:aws:iam::111122223333:role/app"},
		"trustAnchorArn": {"arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/7a1b2c3d-1111-4222-8333-444455556666"},
	}
	r, err := http.NewRequest("POST", "http://127.0.0.1:9876/sessions?"+strings.ReplaceAll(q.Encode(), "+", "%20"), strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Amz-Sdk-Invocation-Id", "0a1b2c3d")
	return r, body
}

// asServer turns a client's request into what a server sees.
func asServer(r *http.Request) *http.Request {
	s := r.Clone(r.Context())
	s.RequestURI = r.URL.RequestURI()
	s.Host = r.URL.Host
	return s
}

func TestVerifyX509_SignedRequestsVerify(t *testing.T) {
	tests := []struct {
		name  string
		key   crypto.Signer
		alg   string
		chain bool
	}{
		{"RSA", testRSAKey, AlgorithmX509RSA, false},
		{"ECDSA", testECKey, AlgorithmX509ECDSA, false},
		{"ECDSA with chain", testECKey, AlgorithmX509ECDSA, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := x509Cert(t, tt.key, 0x1f71c5114a119fc0)
			var chain []*x509.Certificate
			if tt.chain {
				chain = []*x509.Certificate{x509Cert(t, otherECKey, 7), x509Cert(t, otherECKey, 8)}
			}
			r, body := createSession(t)
			if err := SignX509(r, body, tt.key, cert, chain, "us-east-1", x509SigningTime); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); !strings.HasPrefix(got, tt.alg+" Credential="+cert.SerialNumber.String()+"/20260601/us-east-1/rolesanywhere/aws4_request, SignedHeaders=") {
				t.Errorf("SignX509: Authorization = %q, want the %s algorithm and the serial's scope", got, tt.alg)
			}
			sr := asServer(r)
			s, err := ParseX509(sr, x509SigningTime.Add(4*time.Minute))
			if err != nil {
				t.Fatalf("ParseX509 = %v, want nil", err)
			}
			if s.Algorithm != tt.alg || s.Serial.Cmp(cert.SerialNumber) != 0 || s.Region != "us-east-1" || s.Service != "rolesanywhere" || len(s.Chain) != len(chain) {
				t.Errorf("ParseX509 = %+v, want %s, serial %s, us-east-1, rolesanywhere, %d chain certificates", s, tt.alg, cert.SerialNumber, len(chain))
			}
			if err := s.CheckService("rolesanywhere"); err != nil {
				t.Errorf("CheckService(rolesanywhere) = %v, want nil", err)
			}
			if err := VerifyX509(sr, body, s); err != nil {
				t.Errorf("VerifyX509 = %v, want nil", err)
			}
		})
	}
}

// TestVerifyX509_Refusals changes one thing of a well-signed request at a
// time; each must be refused with its code.
func TestVerifyX509_Refusals(t *testing.T) {
	cert := x509Cert(t, testECKey, 4242)
	rsaCert := x509Cert(t, testRSAKey, 4242)
	tests := []struct {
		name string
		// sign signs the request; nil signs it well with testECKey.
		sign    func(r *http.Request, body []byte) error
		mutate  func(r *http.Request) // after signing, as the server sees it
		body    string                // sent instead of the signed body, when set
		now     time.Time
		code    string
		inError string
		verify  bool // the failure is Verify's, not Parse's
	}{
		{name: "five minutes late is still current", now: x509SigningTime.Add(5 * time.Minute)},
		{name: "more than five minutes late", now: x509SigningTime.Add(5*time.Minute + time.Second), code: CodeSignatureDoesNotMatch, inError: "Signature expired: 20260601T120000Z is now earlier than 20260601T120001Z (20260601T120501Z - 5 min.)"},
		{name: "more than five minutes early", now: x509SigningTime.Add(-5*time.Minute - time.Second), code: CodeSignatureDoesNotMatch, inError: "Signature not yet current"},
		{name: "signed by another key", sign: func(r *http.Request, body []byte) error {
			return SignX509(r, body, otherECKey, cert, nil, "us-east-1", x509SigningTime)
		}, code: CodeSignatureDoesNotMatch, inError: "does not verify with the public key", verify: true},
		{name: "body changed", body: `{"durationSeconds":43200}`, code: CodeSignatureDoesNotMatch, verify: true},
		{name: "query changed", mutate: func(r *http.Request) {
			r.RequestURI = strings.Replace(r.RequestURI, "role%2Fapp", "role%2Fadmin", 1)
		}, code: CodeSignatureDoesNotMatch, verify: true},
		{name: "certificate swapped for another with the same serial", mutate: func(r *http.Request) {
			r.Header.Set(HeaderX509, mustB64(x509Cert(t, otherECKey, 4242).Raw))
		}, code: CodeSignatureDoesNotMatch, verify: true},
		{name: "serial of another certificate", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=4242/", "Credential=4243/", 1))
		}, code: CodeSignatureDoesNotMatch, inError: "is not the signing certificate's"},
		{name: "serial not decimal", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=4242/", "Credential=10:92/", 1))
		}, code: CodeIncompleteSignature, inError: "serial number in decimal"},
		{name: "RSA algorithm with an EC key", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), AlgorithmX509ECDSA, AlgorithmX509RSA, 1))
		}, code: CodeIncompleteSignature, inError: "holds an EC key"},
		{name: "ECDSA algorithm with an RSA key", sign: func(r *http.Request, body []byte) error {
			if err := SignX509(r, body, testRSAKey, rsaCert, nil, "us-east-1", x509SigningTime); err != nil {
				return err
			}
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), AlgorithmX509RSA, AlgorithmX509ECDSA, 1))
			return nil
		}, code: CodeIncompleteSignature, inError: "holds an RSA key"},
		{name: "HMAC algorithm", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), AlgorithmX509ECDSA, Algorithm, 1))
		}, code: CodeIncompleteSignature, inError: "Unsupported AWS 'algorithm'"},
		{name: "no Authorization", mutate: func(r *http.Request) { r.Header.Del("Authorization") }, code: CodeMissingAuthenticationToken},
		{name: "no certificate", mutate: func(r *http.Request) { r.Header.Del(HeaderX509) }, code: CodeIncompleteSignature, inError: "X-Amz-X509"},
		{name: "certificate not base64", mutate: func(r *http.Request) { r.Header.Set(HeaderX509, "%%%") }, code: CodeIncompleteSignature, inError: "not base64"},
		{name: "certificate not DER", mutate: func(r *http.Request) { r.Header.Set(HeaderX509, "AAAA") }, code: CodeIncompleteSignature, inError: "not a certificate"},
		{name: "chain added after signing", mutate: func(r *http.Request) { r.Header.Set(HeaderX509Chain, mustB64(cert.Raw)) }, code: CodeIncompleteSignature, inError: "'x-amz-x509-chain' must be a 'SignedHeader'"},
		{name: "certificate not signed", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-amz-x509,", ",", 1))
		}, code: CodeIncompleteSignature, inError: "'x-amz-x509' must be a 'SignedHeader'"},
		{name: "signature not hex", mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2]+"zz")
		}, code: CodeIncompleteSignature, inError: "must be hex"},
		{name: "scope of another day", mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260601/", "/20260602/", 1))
		}, code: CodeSignatureDoesNotMatch, inError: "Date in Credential scope does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := createSession(t)
			sign := tt.sign
			if sign == nil {
				sign = func(r *http.Request, body []byte) error {
					return SignX509(r, body, testECKey, cert, nil, "us-east-1", x509SigningTime)
				}
			}
			if err := sign(r, body); err != nil {
				t.Fatal(err)
			}
			sr := asServer(r)
			if tt.mutate != nil {
				tt.mutate(sr)
			}
			if tt.body != "" {
				body = []byte(tt.body)
			}
			now := tt.now
			if now.IsZero() {
				now = x509SigningTime
			}
			s, err := ParseX509(sr, now)
			if err == nil {
				err = VerifyX509(sr, body, s)
				if err != nil && !tt.verify {
					t.Errorf("the failure %v came from VerifyX509, want it from ParseX509", err)
				}
			} else if tt.verify {
				t.Errorf("ParseX509 = %v, want nil (the failure is VerifyX509's)", err)
			}
			if tt.code == "" {
				if err != nil {
					t.Errorf("ParseX509 then VerifyX509 = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.inError) {
				t.Errorf("ParseX509 then VerifyX509 = %v, want %s containing %q", err, tt.code, tt.inError)
			}
		})
	}
}

// TestParse_RefusesX509: the X.509 algorithms are CreateSession's only;
// the HMAC verifier of every other API refuses them.
func TestParse_RefusesX509(t *testing.T) {
	r, body := createSession(t)
	if err := SignX509(r, body, testECKey, x509Cert(t, testECKey, 1), nil, "us-east-1", x509SigningTime); err != nil {
		t.Fatal(err)
	}
	_, err := Parse(asServer(r), x509SigningTime)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeIncompleteSignature || !strings.Contains(e.Message, "Unsupported AWS 'algorithm': '"+AlgorithmX509ECDSA+"'") {
		t.Errorf("Parse(X.509-signed) = %v, want IncompleteSignature: Unsupported AWS 'algorithm'", err)
	}
}

func mustB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func BenchmarkVerifyX509_ECDSA(b *testing.B) {
	cert := x509Cert(b, testECKey, 99)
	r, body := createSession(b)
	if err := SignX509(r, body, testECKey, cert, nil, "us-east-1", x509SigningTime); err != nil {
		b.Fatal(err)
	}
	sr := asServer(r)
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseX509(sr, x509SigningTime)
		if err != nil {
			b.Fatal(err)
		}
		if err := VerifyX509(sr, body, s); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseX509 feeds ParseX509 and VerifyX509 arbitrary Authorization,
// X-Amz-X509, X-Amz-X509-Chain and X-Amz-Date headers, seeded with a
// well-signed request of each algorithm. Neither may panic or fail with
// anything but an *Error, and what ParseX509 accepts must hold together:
// the scope's serial is the certificate's, the key is of the algorithm's
// kind, and the time is within the skew.
func FuzzParseX509(f *testing.F) {
	for _, key := range []crypto.Signer{testECKey, testRSAKey} {
		r, body := createSession(f)
		cert := x509Cert(f, key, 0x1f71c5114a119fc0)
		if err := SignX509(r, body, key, cert, []*x509.Certificate{x509Cert(f, otherECKey, 2)}, "us-east-1", x509SigningTime); err != nil {
			f.Fatal(err)
		}
		f.Add(r.Header.Get("Authorization"), r.Header.Get(HeaderX509), r.Header.Get(HeaderX509Chain), r.Header.Get("X-Amz-Date"))
	}
	f.Add(AlgorithmX509RSA+" Credential=-1/20260601/r/rolesanywhere/aws4_request, SignedHeaders=host;x-amz-date;x-amz-x509, Signature=00", "MA==", "", "20260601T120000Z")
	f.Add(AlgorithmX509ECDSA+" Credential=1/2/3/4/5,SignedHeaders=,Signature=", "", ",,,", "x")
	f.Fuzz(func(t *testing.T, auth, cert, chain, date string) {
		r, body := createSession(t)
		r.Header.Set("Authorization", auth)
		r.Header.Set(HeaderX509, cert)
		if chain != "" {
			r.Header.Set(HeaderX509Chain, chain)
		}
		r.Header.Set("X-Amz-Date", date)
		sr := asServer(r)
		s, err := ParseX509(sr, x509SigningTime)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseX509 error %v is not an *Error", err)
			}
			return
		}
		if s.Serial.Cmp(s.Certificate.SerialNumber) != 0 {
			t.Errorf("ParseX509 accepted serial %s for a certificate with serial %s", s.Serial, s.Certificate.SerialNumber)
		}
		switch s.Certificate.PublicKey.(type) {
		case *rsa.PublicKey:
			if s.Algorithm != AlgorithmX509RSA {
				t.Errorf("ParseX509 accepted %s for an RSA key", s.Algorithm)
			}
		case *ecdsa.PublicKey:
			if s.Algorithm != AlgorithmX509ECDSA {
				t.Errorf("ParseX509 accepted %s for an EC key", s.Algorithm)
			}
		default:
			t.Errorf("ParseX509 accepted a %T key", s.Certificate.PublicKey)
		}
		if d := s.Date.Sub(x509SigningTime); d > X509MaxSkew || d < -X509MaxSkew {
			t.Errorf("ParseX509 accepted a request signed %v from now", d)
		}
		if err := VerifyX509(sr, body, s); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("VerifyX509 error %v is not an *Error", err)
			}
		}
	})
}
