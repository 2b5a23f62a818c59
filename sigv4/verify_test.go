package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var (
	t0    = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	creds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
)

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

// stsRequest is a GetCallerIdentity POST as a server receives it.
func stsRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Host = "sts.amazonaws.com"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func signedSTS(t testing.TB, c Credentials, at time.Time) *http.Request {
	t.Helper()
	r := stsRequest(stsBody)
	if err := Sign(r, []byte(stsBody), c, "us-east-1", "sts", at); err != nil {
		t.Fatal(err)
	}
	return r
}

// check parses and verifies r with the secret of creds.
func check(r *http.Request, body string, now time.Time) error {
	s, err := Parse(r, now)
	if err != nil {
		return err
	}
	if s.AccessKeyID != creds.AccessKeyID {
		return errors.New("unknown key " + s.AccessKeyID)
	}
	return Verify(r, []byte(body), s, creds.SecretAccessKey)
}

// wantError fails unless err is an *Error with code and message.
func wantError(t *testing.T, call string, err error, code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%s = %v, want %s: %q", call, err, code, msg)
		return
	}
	if e.Code != code || e.Message != msg {
		t.Errorf("%s = %s: %q\nwant %s: %q", call, e.Code, e.Message, code, msg)
	}
}

func TestParse_Skew(t *testing.T) {
	tests := []struct {
		name    string
		now     time.Time
		code    string
		message string
	}{
		{"same time", t0, "", ""},
		{"15 min later", t0.Add(15 * time.Minute), "", ""},
		{"15 min later and a fraction", t0.Add(15*time.Minute + 999*time.Millisecond), "", ""},
		{"15 min 1 s later", t0.Add(15*time.Minute + time.Second), CodeSignatureDoesNotMatch,
			"Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"},
		{"15 min earlier", t0.Add(-15 * time.Minute), "", ""},
		{"15 min 1 s earlier", t0.Add(-15*time.Minute - time.Second), CodeSignatureDoesNotMatch,
			"Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"},
		{"a day later", t0.Add(24 * time.Hour), CodeSignatureDoesNotMatch,
			"Signature expired: 20150830T123600Z is now earlier than 20150831T122100Z (20150831T123600Z - 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check(signedSTS(t, creds, t0), stsBody, tt.now)
			if tt.code == "" {
				if err != nil {
					t.Errorf("check(now %v) = %v, want nil", tt.now, err)
				}
				return
			}
			wantError(t, "Parse", err, tt.code, tt.message)
		})
	}
}

func TestParse_PresignedExpiry(t *testing.T) {
	for _, expires := range []time.Duration{time.Second, time.Hour, MaxExpires} {
		u, err := Presign(httptest.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil),
			nil, creds, "us-east-1", "sts", t0, expires)
		if err != nil {
			t.Fatalf("Presign(%v): %v", expires, err)
		}
		get := func() *http.Request {
			r := httptest.NewRequest("GET", u.RequestURI(), nil)
			r.Host = "sts.amazonaws.com"
			return r
		}
		for _, now := range []time.Time{t0, t0.Add(expires), t0.Add(-MaxSkew)} {
			if err := check(get(), "", now); err != nil {
				t.Errorf("Presign(%v) checked at %v: %v", expires, now, err)
			}
		}
		end := t0.Add(expires)
		wantError(t, "Parse(expired)", check(get(), "", end.Add(time.Second)), CodeRequestExpired,
			"Request has expired: it was valid until "+end.Format(TimeFormat)+" (X-Amz-Date 20150830T123600Z + X-Amz-Expires "+
				u.Query().Get("X-Amz-Expires")+" s) and it is now "+end.Add(time.Second).Format(TimeFormat)+".")
		wantError(t, "Parse(early)", check(get(), "", t0.Add(-MaxSkew-time.Second)), CodeSignatureDoesNotMatch,
			"Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)")
	}

	for _, bad := range []time.Duration{0, -time.Second, 1500 * time.Millisecond, MaxExpires + time.Second} {
		if _, err := Presign(httptest.NewRequest("GET", "https://sts.amazonaws.com/", nil), nil, creds, "us-east-1", "sts", t0, bad); err == nil {
			t.Errorf("Presign(expires %v) = nil error, want one", bad)
		}
	}

	// A server sees what a client sends, not what Presign allows.
	u, err := Presign(httptest.NewRequest("GET", "https://sts.amazonaws.com/", nil), nil, creds, "us-east-1", "sts", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	withExpires := func(v string, drop bool) *http.Request {
		q := strings.ReplaceAll(u.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires="+v)
		if drop {
			q = strings.ReplaceAll(u.RawQuery, "&X-Amz-Expires=3600", "")
		}
		return httptest.NewRequest("GET", "/?"+q, nil)
	}
	tests := []struct{ value, message string }{
		{"0", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got '0'"},
		{"-1", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got '-1'"},
		{"1.5", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got '1.5'"},
		{"", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got ''"},
		{"604801", "X-Amz-Expires must be less than a week (in seconds) that is; 604800"},
		{"99999999999999999999", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, got '99999999999999999999'"},
	}
	for _, tt := range tests {
		_, err := Parse(withExpires(tt.value, false), t0)
		wantError(t, "Parse(X-Amz-Expires="+tt.value+")", err, CodeIncompleteSignature, tt.message)
	}
	// Without X-Amz-Expires (unsigned then, so the signature fails), the
	// request lives DefaultExpires.
	s, err := Parse(withExpires("", true), t0.Add(DefaultExpires))
	if err != nil || s.Expires != DefaultExpires {
		t.Errorf("Parse(no X-Amz-Expires) = %+v, %v, want Expires %v", s, err, DefaultExpires)
	}
}

func TestParse_Errors(t *testing.T) {
	good := signedSTS(t, creds, t0).Header.Get("Authorization")
	const (
		cred = "AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request"
		sig  = "Signature=0000000000000000000000000000000000000000000000000000000000000000"
	)
	tests := []struct {
		name    string
		edit    func(r *http.Request)
		code    string
		message string
	}{
		{"no authentication", func(r *http.Request) { r.Header.Del("Authorization") },
			CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") },
			CodeIncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc"},
		{"bearer token, no date", func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc"); r.Header.Del("X-Amz-Date") },
			CodeIncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' " +
				"or a 'Date' header. Authorization=Bearer abc"},
		{"no signature", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host;x-amz-date")
		}, CodeIncompleteSignature, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + cred +
			", SignedHeaders=host;x-amz-date"},
		{"space in credential", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/sts/aws4_request, SignedHeaders=host, "+sig)
		}, CodeIncompleteSignature, "'/20150830/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: " +
			"'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/sts/aws4_request, SignedHeaders=host, " + sig + "'."},
		{"other algorithm", func(r *http.Request) { r.Header.Set("Authorization", strings.Replace(good, "SHA256", "SHA512", 1)) },
			CodeIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{"two Authorization headers", func(r *http.Request) { r.Header.Add("Authorization", good) },
			CodeIncompleteSignature, "Only one Authorization header is allowed"},
		{"four-part credential", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "/aws4_request", "", 1))
		}, CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, " +
			"got 'AKIDEXAMPLE/20150830/us-east-1/sts'"},
		{"terminator", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "aws4_request", "aws4_reqest", 1))
		},
			CodeSignatureDoesNotMatch, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. "},
		{"empty region", func(r *http.Request) { r.Header.Set("Authorization", strings.Replace(good, "/us-east-1/", "//", 1)) },
			CodeSignatureDoesNotMatch, "Credential should be scoped to a valid region, not ''. "},
		{"scope date", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good, "/20150830/", "/20150831/", 1))
		},
			CodeSignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
				"'20150831' != '20150830', from '20150830T123600Z'."},
		{"extended date format", func(r *http.Request) { r.Header.Set("X-Amz-Date", "2015-08-30T12:36:00Z") },
			CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"bad Date header", func(r *http.Request) { r.Header.Del("X-Amz-Date"); r.Header.Set("Date", "yesterday") },
			CodeIncompleteSignature, "Date must be an HTTP date (RFC 1123). Got 'yesterday'."},
		{"host not signed", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=content-type;x-amz-date, "+sig)
		}, CodeIncompleteSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"x-amz-date not signed", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=content-type;host, "+sig)
		}, CodeIncompleteSignature, "'x-amz-date' must be a 'SignedHeader' in the AWS Authorization."},
		{"token not signed", func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "token") },
			CodeIncompleteSignature, "'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization."},
		{"header and query", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			r.RequestURI = "/?" + r.URL.RawQuery
		},
			CodeIncompleteSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified"},
		{"wrong signature", func(r *http.Request) { r.Header.Set("Authorization", good[:len(good)-64]+strings.Repeat("0", 64)) },
			CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedSTS(t, creds, t0)
			tt.edit(r)
			err := check(r, stsBody, t0)
			wantError(t, "Parse+Verify", err, tt.code, tt.message)
		})
	}
}

func TestParse_PresignedErrors(t *testing.T) {
	u, err := Presign(httptest.NewRequest("GET", "https://sts.amazonaws.com/", nil), nil, creds, "us-east-1", "sts", t0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query, code, message string
	}{
		{"no signature or date", strings.NewReplacer("&X-Amz-Date=20150830T123600Z", "", "&X-Amz-Signature=", "&Other=").Replace(u.RawQuery),
			CodeIncompleteSignature, "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include " +
				"'X-Amz-Date'. Re-examine the query-string parameters."},
		{"only a credential", "X-Amz-Credential=AKID", CodeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. " +
				"Re-examine the query-string parameters."},
		{"other algorithm", strings.Replace(u.RawQuery, "SHA256", "SHA1", 1), CodeIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'."},
		{"signature twice", u.RawQuery + "&X-Amz-Signature=00", CodeIncompleteSignature,
			"The query-string parameter 'X-Amz-Signature' must not appear more than once."},
		{"host not signed", strings.Replace(u.RawQuery, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-foo", 1),
			CodeIncompleteSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"wrong signature", u.RawQuery[:len(u.RawQuery)-64] + strings.Repeat("0", 64), CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, "Parse+Verify", check(httptest.NewRequest("GET", "/?"+tt.query, nil), "", t0), tt.code, tt.message)
		})
	}
}

func TestVerify_DateHeader(t *testing.T) {
	// Clients may sign with Date instead of X-Amz-Date; the string to sign
	// then carries that time in ISO 8601 basic format.
	r := stsRequest(stsBody)
	r.Header.Set("Date", t0.Format(http.TimeFormat))
	sg := signing{
		path: "/", signedHeaders: []string{"content-type", "date", "host"}, signedHeadersRaw: "content-type;date;host",
		normalize: true, amzDate: "20150830T123600Z", scope: "20150830/us-east-1/sts/aws4_request",
	}
	if err := sg.setPayload(r, []byte(stsBody)); err != nil {
		t.Fatal(err)
	}
	sig, _, _ := sg.sign(r, (*[32]byte)(SigningKey(creds.SecretAccessKey, "20150830", "us-east-1", "sts")), nil, nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"+sg.scope+", SignedHeaders="+sg.signedHeadersRaw+", Signature="+string(sig[:]))
	if err := check(r, stsBody, t0); err != nil {
		t.Errorf("check(Date header) = %v", err)
	}
	r.Header.Set("Date", t0.Add(time.Second).Format(http.TimeFormat))
	wantError(t, "check(Date changed)", check(r, stsBody, t0), CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch)
}

func TestVerify_PayloadHash(t *testing.T) {
	// A signed x-amz-content-sha256 that matches the body verifies, in
	// either case of hex.
	for _, upper := range []bool{false, true} {
		r := stsRequest(stsBody)
		sum := sha256.Sum256([]byte(stsBody))
		h := hex.EncodeToString(sum[:])
		if upper {
			h = strings.ToUpper(h)
		}
		r.Header.Set("X-Amz-Content-Sha256", h)
		if err := Sign(r, []byte(stsBody), creds, "us-east-1", "sts", t0); err != nil {
			t.Fatal(err)
		}
		if err := check(r, stsBody, t0); err != nil {
			t.Errorf("check(x-amz-content-sha256 %s) = %v", h, err)
		}
		wantError(t, "check(body changed)", check(r, stsBody+"&x=1", t0), CodeSignatureDoesNotMatch,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	tests := []struct{ name, header, code, message string }{
		{"mismatch", strings.Repeat("0", 64), CodeSignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{"unsigned payload with a body", UnsignedPayload, CodeIncompleteSignature,
			"x-amz-content-sha256 UNSIGNED-PAYLOAD is not accepted for a request with a body: sign the body"},
		{"streaming", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", CodeIncompleteSignature,
			"x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body, got 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'."},
	}
	for _, tt := range tests {
		r := stsRequest(stsBody)
		r.Header.Set("X-Amz-Content-Sha256", tt.header)
		var sg signing
		wantError(t, "setPayload("+tt.name+")", sg.setPayload(r, []byte(stsBody)), tt.code, tt.message)
		if err := Sign(r, []byte(stsBody), creds, "us-east-1", "sts", t0); err == nil {
			t.Errorf("Sign(%s) = nil, want the same error", tt.name)
		}
	}

	// UNSIGNED-PAYLOAD is fine when there is no body.
	r := httptest.NewRequest("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	r.Host = "sts.amazonaws.com"
	r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
	if err := Sign(r, nil, creds, "us-east-1", "sts", t0); err != nil {
		t.Fatal(err)
	}
	if err := check(r, "", t0); err != nil {
		t.Errorf("check(UNSIGNED-PAYLOAD, no body) = %v", err)
	}
}

func TestSigned_CheckService(t *testing.T) {
	r := signedSTS(t, creds, t0)
	s, err := Parse(r, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckService("sts"); err != nil {
		t.Errorf("CheckService(sts) = %v", err)
	}
	wantError(t, "CheckService(iam)", s.CheckService("iam"), CodeSignatureDoesNotMatch, "Credential should be scoped to correct service: 'iam'. ")
}

func TestVerify_NotFromParse(t *testing.T) {
	r := signedSTS(t, creds, t0)
	err := Verify(r, []byte(stsBody), &Signed{AccessKeyID: creds.AccessKeyID}, creds.SecretAccessKey)
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Errorf("Verify(Signed not from Parse) = %v, want an internal error", err)
	}
}

func TestVerify_SessionToken(t *testing.T) {
	c := creds
	c.SessionToken = "FQoGZXIvYXdzEXAMPLE+token/with=chars"
	r := signedSTS(t, c, t0)
	s, err := Parse(r, t0)
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionToken != c.SessionToken {
		t.Errorf("Parse: SessionToken = %q, want %q", s.SessionToken, c.SessionToken)
	}
	if err := Verify(r, []byte(stsBody), s, c.SecretAccessKey); err != nil {
		t.Errorf("Verify: %v", err)
	}
	r.Header.Set("X-Amz-Security-Token", c.SessionToken+"x")
	s, err = Parse(r, t0)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "Verify(token changed)", Verify(r, []byte(stsBody), s, c.SecretAccessKey), CodeSignatureDoesNotMatch, msgSignatureDoesNotMatch)

	u, err := Presign(httptest.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil),
		nil, c, "us-east-1", "sts", t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s, err = Parse(httptest.NewRequest("GET", u.RequestURI(), nil), t0)
	if err != nil || s.SessionToken != c.SessionToken {
		t.Errorf("Parse(presigned) = %+v, %v, want SessionToken %q", s, err, c.SessionToken)
	}
}

// TestServer signs with a real client and verifies in a real server: what
// net/http sends and receives (paths, queries, Content-Length, a
// transport-added User-Agent) must not break signatures.
func TestServer(t *testing.T) {
	var now time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 0, 64)
		buf := make([]byte, 512)
		for {
			n, err := r.Body.Read(buf)
			body = append(body, buf[:n]...)
			if err != nil {
				break
			}
		}
		if err := check(r, string(body), now); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	}))
	defer srv.Close()
	now = time.Now()

	tests := []struct {
		name, method, target, body string
		header                     map[string]string
	}{
		{"sts post", "POST", "/", stsBody, map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}},
		{"iam get with query", "GET", "/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision_abc%2F&Marker=a+b", "", nil},
		{"encoded path", "GET", "/a%20b/c%2Fd/~x/", "", map[string]string{"X-Amz-Meta-Note": "  spaced   out  "}},
		{"dot segments", "GET", "/a/./b/../c", "", nil},
		{"unicode query", "GET", "/?%E1%88%B4=%E1%88%B4&empty=&flag", "", nil},
		{"repeated header", "POST", "/", "x=1", map[string]string{"X-Amz-Target": "a", "x-custom": "b"}},
	}
	for _, tt := range tests {
		for _, presigned := range []bool{false, true} {
			name := tt.name
			if presigned {
				name += " presigned"
			}
			t.Run(name, func(t *testing.T) {
				req, err := http.NewRequest(tt.method, srv.URL+tt.target, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.header {
					req.Header.Add(k, v)
				}
				if presigned {
					u, err := Presign(req, []byte(tt.body), creds, "eu-west-3", "iam", now, time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					req.URL = u
				} else if err := Sign(req, []byte(tt.body), creds, "eu-west-3", "iam", now); err != nil {
					t.Fatal(err)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg := make([]byte, 512)
				n, _ := resp.Body.Read(msg)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s %s: %s %s", tt.method, req.URL.RequestURI(), resp.Status, msg[:n])
				}
			})
		}
	}
}

func TestPresign_KeepsQuery(t *testing.T) {
	r := httptest.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Signature=old&Version=2011-06-15", nil)
	u, err := Presign(r, nil, creds, "us-east-1", "sts", t0, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if got := q["X-Amz-Signature"]; len(got) != 1 || got[0] == "old" {
		t.Errorf("Presign: X-Amz-Signature = %q, want one new signature", got)
	}
	if q.Get("Action") != "GetCallerIdentity" || q.Get("X-Amz-Expires") != "900" {
		t.Errorf("Presign: query = %q", u.RawQuery)
	}
	if r.URL.RawQuery != "Action=GetCallerIdentity&X-Amz-Signature=old&Version=2011-06-15" {
		t.Errorf("Presign changed r.URL to %q", r.URL)
	}
}

func TestHMACSum(t *testing.T) {
	// Keys shorter than, as long as and longer than SHA-256's block, and
	// messages up to past the stack buffer.
	for _, kl := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, ml := range []int{0, 1, 55, 56, 64, 150, 256, 257, 1000} {
			key := bytes.Repeat([]byte{byte(kl)}, kl)
			msg := bytes.Repeat([]byte{byte(ml + 1)}, ml)
			mac := hmac.New(sha256.New, key)
			mac.Write(msg)
			var got [32]byte
			hmacSum(&got, key, msg)
			if want := mac.Sum(nil); !bytes.Equal(got[:], want) {
				t.Errorf("hmacSum(key %d bytes, msg %d bytes) = %x, want %x", kl, ml, got, want)
			}
		}
	}
}
