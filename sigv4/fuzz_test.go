package sigv4

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary Authorization headers, query strings and
// dates. It must not panic, must fail only with *Error, and what it accepts
// must read back the same when written out again.
func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "+
		"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "", "20150830T123600Z")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&"+
		"X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token=a%2Bb&"+
		"X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d", "")
	f.Add("AWS4-HMAC-SHA256 Credential=A B,SignedHeaders=,Signature=x", "Action=x", "2015-08-30")
	f.Add("Bearer x", "X-Amz-Credential=a/b/c/d/e&X-Amz-Credential=f", "20150830T123600Z")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20150830%2Fr%2Fs%2Faws4_request&X-Amz-Date=20150830T123600Z&"+
		"X-Amz-SignedHeaders=host%3Bx&X-Amz-Signature=00&X-Amz-Expires=+1", "")
	f.Fuzz(func(t *testing.T, auth, query, date string) {
		r := fuzzRequest(auth, query, date)
		s, err := Parse(r, t0)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %v is not an *Error", err)
			}
			return
		}
		if err := Verify(r, nil, s, "secret"); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify error %v is not an *Error", err)
			}
		}
		// Write the parsed fields out again and read them back.
		var again *http.Request
		if s.Presigned {
			q := qAlgorithm + "=" + Algorithm +
				"&" + qCredential + "=" + escape(s.AccessKeyID+"/"+s.scope) +
				"&" + qDate + "=" + s.Date.Format(TimeFormat) +
				"&" + qSignedHeaders + "=" + escape(strings.Join(s.SignedHeaders, ";")) +
				"&" + qExpires + "=" + strconv.Itoa(int(s.Expires/time.Second)) +
				"&" + qSignature + "=" + escape(s.Signature)
			if s.SessionToken != "" {
				q += "&" + qSecurityToken + "=" + escape(s.SessionToken)
			}
			again = fuzzRequest("", q, "")
		} else {
			a := Algorithm + " Credential=" + s.AccessKeyID + "/" + s.scope +
				", SignedHeaders=" + strings.Join(s.SignedHeaders, ";") + ", Signature=" + s.Signature
			again = fuzzRequest(a, query, date)
		}
		s2, err := Parse(again, t0)
		if err != nil {
			t.Fatalf("Parse(%+v written out) = %v", s, err)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("Parse(written out) = %+v, want %+v", s2, s)
		}
	})
}

func fuzzRequest(auth, query, date string) *http.Request {
	r := &http.Request{
		Method:     "GET",
		URL:        &url.URL{Path: "/", RawQuery: query},
		RequestURI: "/?" + query,
		Host:       "example.amazonaws.com",
		Header:     http.Header{},
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if date != "" {
		r.Header.Set("X-Amz-Date", date)
	}
	return r
}

// FuzzSignVerify signs arbitrary requests, sends them through net/http's
// wire format, and requires the receiving side to verify them: signer and
// verifier must agree on what net/http delivers.
func FuzzSignVerify(f *testing.F) {
	f.Add("POST", "/", "", "Content-Type", "application/x-www-form-urlencoded", []byte(stsBody), false)
	f.Add("GET", "/a%20b/./c//", "Action=List&x=a+b&y=%2F&z", "X-Amz-Meta", "  a   b  ", []byte(nil), true)
	f.Add("GET", "/%E1%88%B4", "%E1%88%B4=bar&=&&a=1&a=0", "My-Header1", "\"a   b   c\"", []byte(nil), false)
	f.Add("PUT", "/x/../y", "k=%zz&k=%25", "X-Amz-Target", "\tv\t", []byte("body"), true)
	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte, presigned bool) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path+query, "#? \t\r\n\x00\x7f") || !token(name) {
			t.Skip("not a request line HTTP can carry: the path, query or header name is malformed")
		}
		switch strings.ToLower(name) {
		case "host", "content-length", "transfer-encoding", "connection", "expect", "te", "trailer", "upgrade",
			"x-amz-content-sha256", "authorization", "x-amz-date", "x-amz-security-token":
			t.Skipf("header %s is set by net/http or by the signer, not by the request", name)
		}
		req, err := http.NewRequest(method, "http://example.amazonaws.com"+path+"?"+query, bytes.NewReader(body))
		if err != nil || !token(method) {
			t.Skipf("net/http makes no request of method %q and this URL", method)
		}
		req.Header.Set(name, value)
		c := creds
		c.SessionToken = "token/+="
		if presigned {
			u, err := Presign(req, body, c, "us-east-1", "sts", t0, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			req.URL = u
		} else if err := Sign(req, body, c, "us-east-1", "sts", t0); err != nil {
			t.Fatal(err)
		}
		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			t.Skipf("net/http does not write this request: %v", err)
		}
		sr, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			t.Skipf("net/http does not read back the request it wrote (not ours to judge): %v", err)
		}
		got, err := io.ReadAll(sr.Body)
		if err != nil {
			t.Skipf("net/http does not read back the body it wrote: %v", err)
		}
		s, err := Parse(sr, t0)
		if err != nil {
			t.Fatalf("Parse(%s %s, %s: %q) = %v", method, sr.RequestURI, name, value, err)
		}
		if err := Verify(sr, got, s, c.SecretAccessKey); err != nil {
			t.Fatalf("Verify(%s %s, %s: %q) = %v", method, sr.RequestURI, name, value, err)
		}
	})
}

func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(unreserved(c) || strings.IndexByte("!#$%&'*+^`|", c) >= 0) {
			return false
		}
	}
	return true
}
