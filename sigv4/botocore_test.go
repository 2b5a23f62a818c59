package sigv4

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBotocore verifies requests that botocore, the AWS CLI's library,
// signed (testdata/botocore/gen.py writes them), as a server receives them.
func TestBotocore(t *testing.T) {
	b, err := os.ReadFile("testdata/botocore/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Botocore string
		Vectors  []struct {
			Name, Method, URL, Body string
			Headers                 [][2]string
			Presigned               bool
			Now                     time.Time
		}
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			u, err := url.Parse(v.URL)
			if err != nil {
				t.Fatal(err)
			}
			// What arrives at the server: the request target as sent.
			r := httptest.NewRequest(v.Method, u.RequestURI(), strings.NewReader(v.Body))
			r.Host = u.Host
			for _, h := range v.Headers {
				r.Header.Add(h[0], strings.Trim(h[1], " \t"))
			}
			s, err := Parse(r, v.Now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.AccessKeyID != creds.AccessKeyID || s.Presigned != v.Presigned {
				t.Errorf("Parse = key %q presigned %v, want %q %v", s.AccessKeyID, s.Presigned, creds.AccessKeyID, v.Presigned)
			}
			if err := Verify(r, []byte(v.Body), s, creds.SecretAccessKey); err != nil {
				t.Errorf("Verify (botocore %s): %v", file.Botocore, err)
			}
			if err := Verify(r, []byte(v.Body+"&x=1"), s, creds.SecretAccessKey); err == nil {
				t.Errorf("Verify(body changed) = nil")
			}

			// Signing the same request here gives botocore's signature.
			if v.Presigned {
				return
			}
			c := creds
			c.SessionToken = r.Header.Get("X-Amz-Security-Token")
			again := httptest.NewRequest(v.Method, u.RequestURI(), nil)
			again.Host = u.Host
			for _, h := range v.Headers {
				if n := strings.ToLower(h[0]); strings.Contains(";"+s.signedHeadersRaw+";", ";"+n+";") {
					again.Header.Add(h[0], h[1])
				}
			}
			if err := Sign(again, []byte(v.Body), c, s.Region, s.Service, v.Now); err != nil {
				t.Fatal(err)
			}
			if got, want := again.Header.Get("Authorization"), r.Header.Get("Authorization"); got != want {
				t.Errorf("Sign: Authorization =\n%s\nwant\n%s", got, want)
			}
		})
	}
}
