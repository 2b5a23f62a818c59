package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/sigv4"
)

// testServer runs the whole server (awsquery, SigV4, authorization, SQLite)
// behind a real HTTP listener on 127.0.0.1:0, with known root credentials.
func testServer(tb testing.TB, storeURL string) (*httptest.Server, sigv4.Credentials) {
	tb.Helper()
	tb.Setenv("KEYWARD_ROOT_ACCESS_KEY_ID", "AKIAROOTROOTROOT1234")
	tb.Setenv("KEYWARD_ROOT_SECRET_ACCESS_KEY", "root-secret-for-benchmarks")
	tb.Setenv("KEYWARD_ACCOUNT_ID", "111122223333")
	cfg := serveConfig{data: tb.TempDir(), store: storeURL}
	s, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	tb.Cleanup(func() { hs.Close(); s.Close() })
	return hs, sigv4.Credentials{AccessKeyID: "AKIAROOTROOTROOT1234", SecretAccessKey: "root-secret-for-benchmarks"}
}

// call sends one signed Query request and returns the status and body.
func call(tb testing.TB, client *http.Client, base string, creds sigv4.Credentials, service string, form url.Values) (int, string) {
	body := form.Encode()
	req, _ := http.NewRequest("POST", base+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), creds, "us-east-1", service, time.Now()); err != nil {
		tb.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func iamForm(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// BenchmarkStack: a signed request through the whole server over loopback,
// against a bare Go handler on the same transport, side by side.
func BenchmarkStack(b *testing.B) {
	hs, root := testServer(b, "sqlite:"+b.TempDir()+"/bench.db")
	client := hs.Client()
	if code, body := call(b, client, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "alice")); code != 200 {
		b.Fatalf("CreateUser: %d %s", code, body)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:root</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>")
	}))
	defer bare.Close()
	bench := func(name, base, service string, form url.Values) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, body := call(b, client, base, root, service, form); code != 200 {
					b.Fatalf("%d %s", code, body)
				}
			}
		})
	}
	bench("bare-handler", bare.URL, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	bench("sts-GetCallerIdentity", hs.URL, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	bench("iam-GetUser", hs.URL, "iam", iamForm("GetUser", "UserName", "alice"))
}
