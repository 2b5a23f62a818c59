package sigv4

import (
	"net/http"
	"testing"
)

// stsCLIRequest is GetCallerIdentity as the AWS CLI sends it with temporary
// credentials, as the server receives it.
func stsCLIRequest(b *testing.B) *http.Request {
	c := creds
	c.SessionToken = "IQoJb3JpZ2luX2VjEXAMPLETOKENxyz/abc+def=="
	r := stsRequest(stsBody)
	r.Header.Set("User-Agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/sts.get-caller-identity")
	r.Header.Set("Content-Length", "43")
	r.Header.Set("Accept-Encoding", "identity")
	if err := Sign(r, []byte(stsBody), c, "us-east-1", "sts", t0); err != nil {
		b.Fatal(err)
	}
	return r
}

func BenchmarkParse(b *testing.B) {
	r := stsCLIRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	r := stsCLIRequest(b)
	body := []byte(stsBody)
	s, err := Parse(r, t0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(r, body, s, creds.SecretAccessKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerify is the whole check a server makes per request.
func BenchmarkParseVerify(b *testing.B) {
	r := stsCLIRequest(b)
	body := []byte(stsBody)
	b.ReportAllocs()
	for b.Loop() {
		s, err := Parse(r, t0)
		if err != nil {
			b.Fatal(err)
		}
		if err := Verify(r, body, s, creds.SecretAccessKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSigningKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		SigningKey(creds.SecretAccessKey, "20150830", "us-east-1", "sts")
	}
}
