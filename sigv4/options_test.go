package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

var optCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signedFor signs a PUT of body to target, with x-amz-content-sha256 set
// to header when not empty; signBody is what Sign hashes.
func signedFor(t *testing.T, target, header, signBody string, now time.Time) *http.Request {
	t.Helper()
	r, _ := http.NewRequest("PUT", "http://svc.example"+target, nil)
	if header != "" {
		r.Header.Set("X-Amz-Content-Sha256", header)
	}
	if err := Sign(r, []byte(signBody), optCreds, "us-east-1", "svc", now); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyOptions_Payload(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	body := "hello"
	tests := []struct {
		name string
		req  *http.Request
		body string
		o    Options
		code string // "" for success
	}{
		{"hash given, no header", signedFor(t, "/a", "", body, now), "", Options{Payload: PayloadHash, Hash: sha256Hex(body)}, ""},
		{"hash given, wrong body", signedFor(t, "/a", "", body, now), "", Options{Payload: PayloadHash, Hash: sha256Hex("other")}, CodeSignatureDoesNotMatch},
		{"hash given, header agrees", signedFor(t, "/a", sha256Hex(body), body, now), "", Options{Payload: PayloadHash, Hash: strings.ToUpper(sha256Hex(body))}, ""},
		{"hash given, header disagrees", signedFor(t, "/a", sha256Hex(body), body, now), "", Options{Payload: PayloadHash, Hash: sha256Hex("other")}, CodeSignatureDoesNotMatch},
		{"hash not hex", signedFor(t, "/a", "", body, now), "", Options{Payload: PayloadHash, Hash: "xyz"}, CodeIncompleteSignature},
		{"hash given, unsigned payload", signedFor(t, "/a", UnsignedPayload, "", now), "", Options{Payload: PayloadHash, Hash: sha256Hex(body)}, ""},
		{"body, unsigned payload accepted", signedFor(t, "/a", UnsignedPayload, "", now), body, Options{Payload: PayloadBody}, ""},
		{"body, signed body", signedFor(t, "/a", "", body, now), body, Options{Payload: PayloadBody}, ""},
		{"body, another body", signedFor(t, "/a", "", body, now), "hellO", Options{Payload: PayloadBody}, CodeSignatureDoesNotMatch},
		{"declared, unsigned payload", signedFor(t, "/a", UnsignedPayload, "", now), "", Options{Payload: PayloadDeclared}, ""},
		{"declared, a hash nobody checks", signedFor(t, "/a", sha256Hex(body), body, now), "", Options{Payload: PayloadDeclared}, ""},
		{"declared, no header means no body", signedFor(t, "/a", "", "", now), "", Options{Payload: PayloadDeclared}, ""},
		{"declared, no header but a signed body", signedFor(t, "/a", "", body, now), "", Options{Payload: PayloadDeclared}, CodeSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.req, now)
			if err != nil {
				t.Fatal(err)
			}
			err = VerifyOptions(tt.req, []byte(tt.body), s, optCreds.SecretAccessKey, tt.o)
			if got := codeOf(err); got != tt.code {
				t.Errorf("VerifyOptions(%s) = %v, want code %q", tt.name, err, tt.code)
			}
			key := SigningKey(optCreds.SecretAccessKey, "20261127", "us-east-1", "svc")
			if got := codeOf(VerifyKey(tt.req, []byte(tt.body), s, key, tt.o)); got != tt.code {
				t.Errorf("VerifyKey(%s) = %q, want the code VerifyOptions gives, %q", tt.name, got, tt.code)
			}
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	return "not *Error: " + err.Error()
}

// signS3 signs a GET as S3 clients do, by hand from AWS's description: the
// path encoded once, dot segments and double slashes kept.
func signS3(t *testing.T, rawPath, canonicalPath string, now time.Time) *http.Request {
	t.Helper()
	r, _ := http.NewRequest("GET", "http://s3.example"+rawPath, nil)
	r.RequestURI = rawPath // as a server sees it
	amzDate := now.UTC().Format(TimeFormat)
	empty := sha256Hex("")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", empty)
	creq := "GET\n" + canonicalPath + "\n\nhost:s3.example\nx-amz-content-sha256:" + empty + "\nx-amz-date:" + amzDate +
		"\n\nhost;x-amz-content-sha256;x-amz-date\n" + empty
	scope := amzDate[:8] + "/us-east-1/s3/aws4_request"
	m := hmac.New(sha256.New, SigningKey(optCreds.SecretAccessKey, amzDate[:8], "us-east-1", "s3"))
	m.Write([]byte(Algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(creq)))
	r.Header.Set("Authorization", Algorithm+" Credential="+optCreds.AccessKeyID+"/"+scope+
		", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="+hex.EncodeToString(m.Sum(nil)))
	return r
}

func TestVerifyOptions_S3Path(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, raw, canonical string
		s3                   bool
		ok                   bool
	}{
		{"plain", "/bucket/key", "/bucket/key", true, true},
		{"space encoded once", "/bucket/a%20b", "/bucket/a%20b", true, true},
		{"double slash and dots kept", "/bucket//a/./b/../c", "/bucket//a/./b/../c", true, true},
		{"characters S3 clients encode", "/bucket/a%21b%28c%29", "/bucket/a%21b%28c%29", true, true},
		{"unencoded on the wire, encoded in the signature", "/bucket/a!b", "/bucket/a%21b", true, true},
		{"the IAM rule refuses an S3 signature", "/bucket/a%20b", "/bucket/a%20b", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signS3(t, tt.raw, tt.canonical, now)
			s, err := Parse(r, now)
			if err != nil {
				t.Fatal(err)
			}
			err = VerifyOptions(r, nil, s, optCreds.SecretAccessKey, Options{S3: tt.s3})
			if (err == nil) != tt.ok {
				t.Errorf("VerifyOptions(%s, S3: %v) = %v, want ok %v", tt.raw, tt.s3, err, tt.ok)
			}
		})
	}
}
