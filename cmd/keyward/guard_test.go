package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/guard"
	"github.com/keyward/keyward/sigv4"
)

// countingTransport counts the authorize calls a guard.Client makes.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// guardedService is a service behind guard.Guard, which maps
// METHOD /items/KEY to kvstore:GetItem or PutItem on the item.
func guardedService(t *testing.T, f *authzFixture, ttl time.Duration, now func() time.Time) (*httptest.Server, *countingTransport) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64} // load tests run 8 workers
	t.Cleanup(tr.CloseIdleConnections)
	ct := &countingTransport{next: tr}
	g := &guard.Guard{
		Client:  &guard.Client{Endpoint: f.hs.URL, Credentials: f.svc, HTTPClient: &http.Client{Transport: ct}, TTL: ttl, Now: now},
		Service: "kvstore",
		Map: func(r *http.Request) ([]authorize.Query, error) {
			key, ok := strings.CutPrefix(r.URL.Path, "/items/")
			if !ok {
				return nil, fmt.Errorf("no such path")
			}
			action := map[string]string{"GET": "kvstore:GetItem", "PUT": "kvstore:PutItem"}[r.Method]
			return []authorize.Query{{Action: action, Resource: kvItemPrefix + key}}, nil
		},
	}
	svc := httptest.NewServer(g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", guard.Principal(r.Context()).ARN, body)
	})))
	t.Cleanup(svc.Close)
	return svc, ct
}

func send(t *testing.T, base string, creds sigv4.Credentials, method, path, body string, at time.Time) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if err := sigv4.Sign(req, []byte(body), creds, "us-east-1", "kvstore", at); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestGuard_Middleware(t *testing.T) {
	f := newAuthzFixture(t, "")
	svc, _ := guardedService(t, f, 0, nil)
	wrong := f.alice
	wrong.SecretAccessKey = "wrong"
	now := time.Now()
	tests := []struct {
		name   string
		creds  sigv4.Credentials
		method string
		path   string
		body   string
		status int
		want   string
	}{
		{"allowed", f.alice, "GET", "/items/alice/a", "", 200, "user/alice"},
		{"allowed with a body", f.alice, "PUT", "/items/alice/a", "some data", 200, "user/alice some data"},
		{"denied", f.alice, "GET", "/items/bob/a", "", 403, "AccessDenied"},
		{"bad signature", wrong, "GET", "/items/alice/a", "", 403, "SignatureDoesNotMatch"},
		{"unmapped", f.alice, "GET", "/other", "", 400, "no such path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := send(t, svc.URL, tt.creds, tt.method, tt.path, tt.body, now)
			if code != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%s %s = %d %q, want %d containing %q", tt.method, tt.path, code, body, tt.status, tt.want)
			}
		})
	}
}

// TestGuard_Cache: with a TTL, a client's second request is verified with
// the cached signing key and decided from the cache; a bad signature or an
// expired entry goes back to Keyward.
func TestGuard_Cache(t *testing.T) {
	f := newAuthzFixture(t, "")
	var skew atomic.Int64
	svc, calls := guardedService(t, f, time.Minute, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	wrong := f.alice
	wrong.SecretAccessKey = "wrong"
	now := time.Now()
	steps := []struct {
		name      string
		creds     sigv4.Credentials
		path      string
		body      string
		advance   time.Duration // of the guard's clock
		status    int
		wantCalls int64 // authorize calls so far
	}{
		{"first request asks Keyward", f.alice, "/items/alice/a", "", 0, 200, 1},
		{"same decision from the cache", f.alice, "/items/alice/a", "", 0, 200, 1},
		{"another body, same decision", f.alice, "/items/alice/a", "", 0, 200, 1},
		{"a new resource asks", f.alice, "/items/alice/b", "", 0, 200, 2},
		{"a denial is cached too", f.alice, "/items/bob/x", "", 0, 403, 3},
		{"denied again from the cache", f.alice, "/items/bob/x", "", 0, 403, 3},
		{"a wrong signature is never taken from the cache", wrong, "/items/alice/a", "", 0, 403, 4},
		{"after the TTL, Keyward again", f.alice, "/items/alice/a", "", 2 * time.Minute, 200, 5},
	}
	for _, s := range steps {
		skew.Store(int64(s.advance))
		code, body := send(t, svc.URL, s.creds, "GET", s.path, s.body, now.Add(s.advance))
		if code != s.status || calls.n.Load() != s.wantCalls {
			t.Errorf("%s: GET %s = %d (%s) after %d authorize calls, want %d after %d", s.name, s.path, code, body, calls.n.Load(), s.status, s.wantCalls)
		}
	}
}

// streamingPut is a PUT of chunks signed chunk by chunk (aws-chunked), by
// hand as AWS documents it; tamper alters the second chunk after signing.
func streamingPut(t *testing.T, base string, creds sigv4.Credentials, path string, chunks []string, tamper bool) *http.Request {
	t.Helper()
	u, _ := url.Parse(base + path)
	now := time.Now().UTC()
	amzDate := now.Format(sigv4.TimeFormat)
	scope := amzDate[:8] + "/us-east-1/kvstore/aws4_request"
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	signed := "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length"
	creq := "PUT\n" + u.Path + "\n\ncontent-encoding:aws-chunked\nhost:" + u.Host + "\nx-amz-content-sha256:" + sigv4.StreamingPayload +
		"\nx-amz-date:" + amzDate + "\nx-amz-decoded-content-length:" + fmt.Sprint(total) + "\n\n" + signed + "\n" + sigv4.StreamingPayload
	sum := sha256.Sum256([]byte(creq))
	key := sigv4.SigningKey(creds.SecretAccessKey, amzDate[:8], "us-east-1", "kvstore")
	seed := hmacHex(key, "AWS4-HMAC-SHA256\n"+amzDate+"\n"+scope+"\n"+hexString(sum[:]))
	var body strings.Builder
	prev := seed
	for i, c := range append(chunks, "") {
		sig := chunkSignature(key, amzDate, scope, prev, []byte(c))
		prev = sig
		if tamper && i == 1 {
			c = strings.ToUpper(c)
		}
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(c), sig, c)
	}
	req, _ := http.NewRequest("PUT", u.String(), strings.NewReader(body.String()))
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingPayload)
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(total))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+creds.AccessKeyID+"/"+scope+", SignedHeaders="+signed+", Signature="+seed)
	return req
}

// TestGuard_Streaming: guard checks each chunk's signature of an
// aws-chunked upload with the signing key Keyward returned (or it cached),
// and hands the handler the decoded body.
func TestGuard_Streaming(t *testing.T) {
	f := newAuthzFixture(t, "")
	for _, ttl := range []time.Duration{0, time.Minute} {
		svc, _ := guardedService(t, f, ttl, nil)
		tests := []struct {
			name   string
			chunks []string
			tamper bool
			status int
			want   string
		}{
			{"two chunks", []string{"hello, ", "world"}, false, 200, "user/alice hello, world"},
			{"the same upload again (cached with a TTL)", []string{"hello, ", "world"}, false, 200, "user/alice hello, world"},
			{"empty", nil, false, 200, "user/alice "},
			{"a chunk altered after signing", []string{"hello, ", "world"}, true, 403, "SignatureDoesNotMatch"},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("ttl=%v/%s", ttl, tt.name), func(t *testing.T) {
				resp, err := http.DefaultClient.Do(streamingPut(t, svc.URL, f.alice, "/items/alice/big", tt.chunks, tt.tamper))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
					t.Errorf("streamed PUT = %d %q, want %d containing %q", resp.StatusCode, b, tt.status, tt.want)
				}
			})
		}
	}
}
