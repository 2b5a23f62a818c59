package main

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"100", 100, true}, {"100/s", 100, true}, {"0.5/s", 0.5, true},
		{"-1", 0, false}, {"fast", 0, false}, {"NaN", 0, false}, {"10/m", 0, false},
	}
	for _, tt := range tests {
		got, err := parseRateLimit(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRateLimit(%q) = %v, %v, want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestRateLimit_Server: past its burst a key gets AWS's Throttling error
// (400, "Rate exceeded"), other keys do not, and bad signatures spend
// nothing of the key's budget.
func TestRateLimit_Server(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:", rateLimit: 1, rateBurst: 5})
	c := hs.Client()
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}

	// A second key, made before the root's bucket runs dry.
	call(t, c, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "bob"))
	_, body := call(t, c, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", "bob"))
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal([]byte(body), &key); err != nil || key.ID == "" {
		t.Fatalf("CreateAccessKey: %v %s", err, body)
	}
	bob := sigv4.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}

	// Forged requests under bob's key id fail on the signature and leave
	// his bucket full.
	for range 20 {
		if code, body := call(t, c, hs.URL, sigv4.Credentials{AccessKeyID: bob.AccessKeyID, SecretAccessKey: "forged"}, "sts", gci); code != 403 {
			t.Fatalf("forged GetCallerIdentity = %d %s, want 403", code, body)
		}
	}

	throttled := 0
	for range 10 {
		code, body := call(t, c, hs.URL, root, "sts", gci)
		switch {
		case code == 200:
		case code == 400 && strings.Contains(body, "<Code>Throttling</Code>") && strings.Contains(body, "<Message>Rate exceeded</Message>"):
			throttled++
		default:
			t.Fatalf("GetCallerIdentity as root = %d %s, want 200 or 400 Throttling", code, body)
		}
	}
	// The root spent 2 on the setup, so of these 10 at most 3 (plus what
	// trickled in at 1/s) pass.
	if throttled < 5 {
		t.Errorf("root: %d of 10 requests throttled, want at least 5 (burst 5, 1/s)", throttled)
	}
	for i := range 5 {
		if code, body := call(t, c, hs.URL, bob, "sts", gci); code != 200 {
			t.Errorf("bob's request %d = %d %s, want 200: his bucket is his own", i+1, code, body)
		}
	}
}

func TestServe_RateLimitFlag(t *testing.T) {
	var stderr strings.Builder
	err := Run(t.Context(), []string{"serve", "--rate-limit", "fast", "--store", "sqlite::memory:"}, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), "--rate-limit") {
		t.Errorf("keyward serve --rate-limit fast: exit %d, stderr %q; want 2 naming --rate-limit", code, stderr.String())
	}
}

// TestRateLimit_AuthorizeAPI: the authorize API spends the same per-key
// budget as the Query API: past the burst, AWS's Throttling.
func TestRateLimit_AuthorizeAPI(t *testing.T) {
	_, hs, root := newTestServer(t, serveConfig{store: "sqlite::memory:", rateLimit: 0.5, rateBurst: 3})
	body := `{"service":"s3","request":{"method":"GET","path":"/bucket/key","headers":{}},"decisions":[{"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key"}]}`
	throttled := 0
	for range 8 {
		req, _ := http.NewRequest("POST", hs.URL+"/keyward/v1/authorize", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := sigv4.Sign(req, []byte(body), root, "us-east-1", "keyward", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `"code":"Throttling"`) {
			throttled++
		} else if resp.StatusCode != 200 {
			t.Fatalf("POST /keyward/v1/authorize = %d %s, want 200 or Throttling", resp.StatusCode, b)
		}
	}
	if throttled < 4 {
		t.Errorf("%d of 8 authorize calls throttled, want at least 4 (burst 3, 0.5/s)", throttled)
	}
}
