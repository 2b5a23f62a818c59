package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// suiteDir is AWS's SigV4 test suite, carried in the repository with its
// licence (testdata/aws-sigv4/README.md says where it comes from).
const suiteDir = "testdata/aws-sigv4/v4"

// suiteCase is one folder of the suite.
type suiteCase struct {
	name string
	dir  string
	ctx  suiteContext
}

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	ExpirationInSeconds int64     `json:"expiration_in_seconds"`
	Normalize           bool      `json:"normalize"`
	Region              string    `json:"region"`
	Service             string    `json:"service"`
	SignBody            bool      `json:"sign_body"`
	Timestamp           time.Time `json:"timestamp"`
	OmitSessionToken    bool      `json:"omit_session_token"`
}

func (c *suiteCase) creds() Credentials {
	cr := Credentials{AccessKeyID: c.ctx.Credentials.AccessKeyID, SecretAccessKey: c.ctx.Credentials.SecretAccessKey}
	if !c.ctx.OmitSessionToken {
		cr.SessionToken = c.ctx.Credentials.Token
	}
	return cr
}

func (c *suiteCase) file(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (c *suiteCase) request(t testing.TB, name string) *rawRequest {
	t.Helper()
	rr, err := parseRaw(c.file(t, name))
	if err != nil {
		t.Fatalf("%s/%s: %v", c.name, name, err)
	}
	return rr
}

func loadSuite(t testing.TB) []*suiteCase {
	t.Helper()
	root := suiteDir
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []*suiteCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c := &suiteCase{name: e.Name(), dir: filepath.Join(root, e.Name())}
		b, err := os.ReadFile(filepath.Join(c.dir, "context.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &c.ctx); err != nil {
			t.Fatalf("%s/context.json: %v", c.name, err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %s", root)
	}
	return cases
}

// rawRequest is an HTTP/1.1 request as the suite writes it. http.ReadRequest
// refuses some of them (a space in the path), so the test reads them itself.
type rawRequest struct {
	method, uri string
	headers     []rawHeader
	body        []byte
}

type rawHeader struct{ name, value string }

// parseRaw reads a request: the request line (the target is everything
// between the first and the last space), headers with folded continuation
// lines joined by a space, a blank line, and the body.
func parseRaw(text string) (*rawRequest, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimSuffix(head, "\n"), "\n")
	first := lines[0]
	sp1, sp2 := strings.IndexByte(first, ' '), strings.LastIndexByte(first, ' ')
	if sp1 < 0 || sp2 <= sp1 {
		return nil, fmt.Errorf("bad request line %q", first)
	}
	rr := &rawRequest{method: first[:sp1], uri: first[sp1+1 : sp2], body: []byte(body)}
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(rr.headers) == 0 {
				return nil, fmt.Errorf("continuation line %q before any header", line)
			}
			h := &rr.headers[len(rr.headers)-1]
			h.value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("bad header line %q", line)
		}
		rr.headers = append(rr.headers, rawHeader{name, strings.Trim(value, " \t")})
	}
	return rr, nil
}

func (rr *rawRequest) clone() *rawRequest {
	c := *rr
	c.headers = append([]rawHeader(nil), rr.headers...)
	c.body = append([]byte(nil), rr.body...)
	return &c
}

func (rr *rawRequest) get(name string) string {
	for _, h := range rr.headers {
		if strings.EqualFold(h.name, name) {
			return h.value
		}
	}
	return ""
}

// http builds the *http.Request a Go server would hand its handler.
func (rr *rawRequest) http() *http.Request {
	path, query, _ := strings.Cut(rr.uri, "?")
	r := &http.Request{
		Method:     rr.method,
		RequestURI: rr.uri,
		URL:        &url.URL{Path: path, RawQuery: query},
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header),
		Body:   io.NopCloser(bytes.NewReader(rr.body)),
	}
	for _, h := range rr.headers {
		if strings.EqualFold(h.name, "host") {
			r.Host = h.value
			continue
		}
		r.Header.Add(h.name, h.value)
	}
	if cl := r.Header.Get("Content-Length"); cl != "" {
		r.ContentLength, _ = strconv.ParseInt(cl, 10, 64)
	}
	return r
}

func TestSuite_Header(t *testing.T) {
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			wantCanon := c.file(t, "header-canonical-request.txt")
			wantSTS := c.file(t, "header-string-to-sign.txt")
			wantSig := strings.TrimSpace(c.file(t, "header-signature.txt"))
			signedText := c.file(t, "header-signed-request.txt")
			signedRaw, err := parseRaw(signedText)
			if err != nil {
				t.Fatal(err)
			}
			wantAuth := signedRaw.get("Authorization")

			// Sign request.txt.
			rr := c.request(t, "request.txt")
			r := rr.http()
			if c.ctx.SignBody {
				sum := sha256.Sum256(rr.body)
				r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
			}
			tr, err := sign(r, rr.body, c.creds(), c.ctx.Region, c.ctx.Service, c.ctx.Timestamp, c.ctx.Normalize)
			if err != nil {
				t.Fatalf("sign: %v", err)
			}
			if got := string(tr.canonicalRequest); got != wantCanon {
				t.Errorf("sign: canonical request\n%s\nwant\n%s", got, wantCanon)
			}
			if got := string(tr.stringToSign); got != wantSTS {
				t.Errorf("sign: string to sign\n%s\nwant\n%s", got, wantSTS)
			}
			if tr.signature != wantSig {
				t.Errorf("sign: signature = %s, want %s", tr.signature, wantSig)
			}
			if got := r.Header.Get("Authorization"); got != wantAuth {
				t.Errorf("sign: Authorization = %q, want %q", got, wantAuth)
			}

			// Verify header-signed-request.txt.
			sr := signedRaw.http()
			s, err := Parse(sr, c.ctx.Timestamp)
			if c.ctx.OmitSessionToken {
				// The token was added after signing: AWS's rule that every
				// x-amz-* header is signed refuses it.
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeIncompleteSignature || !strings.Contains(e.Message, "x-amz-security-token") {
					t.Errorf("Parse(token not signed) = %v, want IncompleteSignature naming x-amz-security-token", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkParsed(t, c, s, false, wantSig)
			var sg signing
			if err := s.signing(&sg, sr, signedRaw.body, c.ctx.Normalize); err != nil {
				t.Fatalf("signing: %v", err)
			}
			_, creq, sts := sg.sign(sr, (*[32]byte)(SigningKey(c.ctx.Credentials.SecretAccessKey, "20150830", c.ctx.Region, c.ctx.Service)), nil, nil)
			if string(creq) != wantCanon {
				t.Errorf("verify: canonical request\n%s\nwant\n%s", creq, wantCanon)
			}
			if string(sts) != wantSTS {
				t.Errorf("verify: string to sign\n%s\nwant\n%s", sts, wantSTS)
			}
			if err := verify(sr, signedRaw.body, s, c.ctx.Credentials.SecretAccessKey, c.ctx.Normalize); err != nil {
				t.Errorf("verify: %v", err)
			}
			if err := verify(sr, signedRaw.body, s, "wrong"+c.ctx.Credentials.SecretAccessKey, c.ctx.Normalize); err == nil {
				t.Errorf("verify with the wrong secret succeeded")
			}
		})
	}
}

func TestSuite_Query(t *testing.T) {
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			wantCanon := c.file(t, "query-canonical-request.txt")
			wantSTS := c.file(t, "query-string-to-sign.txt")
			wantSig := strings.TrimSpace(c.file(t, "query-signature.txt"))
			signedText := c.file(t, "query-signed-request.txt")
			signedRaw, err := parseRaw(signedText)
			if err != nil {
				t.Fatal(err)
			}

			// Presign request.txt.
			rr := c.request(t, "request.txt")
			r := rr.http()
			u, tr, err := presign(r, rr.body, c.creds(), c.ctx.Region, c.ctx.Service, c.ctx.Timestamp,
				time.Duration(c.ctx.ExpirationInSeconds)*time.Second, c.ctx.Normalize)
			if err != nil {
				t.Fatalf("presign: %v", err)
			}
			if got := string(tr.canonicalRequest); got != wantCanon {
				t.Errorf("presign: canonical request\n%s\nwant\n%s", got, wantCanon)
			}
			if got := string(tr.stringToSign); got != wantSTS {
				t.Errorf("presign: string to sign\n%s\nwant\n%s", got, wantSTS)
			}
			if tr.signature != wantSig {
				t.Errorf("presign: signature = %s, want %s", tr.signature, wantSig)
			}
			if !c.ctx.OmitSessionToken {
				_, wantQuery, _ := strings.Cut(signedRaw.uri, "?")
				if u.RawQuery != wantQuery {
					t.Errorf("presign: query\n%s\nwant\n%s", u.RawQuery, wantQuery)
				}
			}

			// Verify query-signed-request.txt.
			sr := signedRaw.http()
			s, err := Parse(sr, c.ctx.Timestamp)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.ctx.OmitSessionToken {
				// The token was added to the query after signing.
				var e *Error
				err := verify(sr, signedRaw.body, s, c.ctx.Credentials.SecretAccessKey, c.ctx.Normalize)
				if !errors.As(err, &e) || e.Code != CodeSignatureDoesNotMatch {
					t.Errorf("verify(token added after signing) = %v, want SignatureDoesNotMatch", err)
				}
				return
			}
			checkParsed(t, c, s, true, wantSig)
			var sg signing
			if err := s.signing(&sg, sr, signedRaw.body, c.ctx.Normalize); err != nil {
				t.Fatalf("signing: %v", err)
			}
			_, creq, sts := sg.sign(sr, (*[32]byte)(SigningKey(c.ctx.Credentials.SecretAccessKey, "20150830", c.ctx.Region, c.ctx.Service)), nil, nil)
			if string(creq) != wantCanon {
				t.Errorf("verify: canonical request\n%s\nwant\n%s", creq, wantCanon)
			}
			if string(sts) != wantSTS {
				t.Errorf("verify: string to sign\n%s\nwant\n%s", sts, wantSTS)
			}
			if err := verify(sr, signedRaw.body, s, c.ctx.Credentials.SecretAccessKey, c.ctx.Normalize); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
}

func checkParsed(t *testing.T, c *suiteCase, s *Signed, presigned bool, wantSig string) {
	t.Helper()
	want := Signed{
		AccessKeyID:  c.ctx.Credentials.AccessKeyID,
		Date:         c.ctx.Timestamp,
		Region:       c.ctx.Region,
		Service:      c.ctx.Service,
		Signature:    wantSig,
		SessionToken: c.creds().SessionToken,
		Presigned:    presigned,
	}
	if presigned {
		want.Expires = time.Duration(c.ctx.ExpirationInSeconds) * time.Second
	}
	got := *s
	got.SignedHeaders, got.amzDate, got.scope, got.signedHeadersRaw, got.headersBuf = nil, "", "", "", [8]string{}
	if !got.Date.Equal(want.Date) {
		t.Errorf("Parse: Date = %v, want %v", got.Date, want.Date)
	}
	got.Date = want.Date
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
}
