package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/sigv4"
)

// forwardConfig maps the kvstore paths of the forward-auth tests.
const forwardConfig = `{
  "service": "kvstore",
  "routes": [
    {"match": "GET /items/{key...}", "action": "kvstore:GetItem", "resource": "` + kvItemPrefix + `{key}"},
    {"match": "PUT /items/{key...}", "action": "kvstore:PutItem", "resource": "` + kvItemPrefix + `{key}",
     "context": {"kvstore:ContentType": "{header:Content-Type}"}}
  ]
}`

// nginxConf puts keyward's forward-auth endpoint in front of an upstream
// with auth_request, and passes the principal on: the configuration the
// README shows.
const nginxConf = `daemon off;
worker_processes 1;
pid {{DIR}}/nginx.pid;
error_log {{DIR}}/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {{DIR}}/body;
  proxy_temp_path {{DIR}}/proxy;
  fastcgi_temp_path {{DIR}}/fastcgi;
  uwsgi_temp_path {{DIR}}/uwsgi;
  scgi_temp_path {{DIR}}/scgi;
  server {
    listen {{LISTEN}};
    location / {
      auth_request /_keyward;
      auth_request_set $keyward_principal $upstream_http_x_keyward_principal_arn;
      proxy_set_header X-Keyward-Principal-Arn $keyward_principal;
      proxy_pass http://{{UPSTREAM}};
    }
    location = /_keyward {
      internal;
      proxy_pass http://{{KEYWARD}}/keyward/v1/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Content-Length $content_length;
      proxy_set_header X-Real-IP $remote_addr;
    }
  }
}
`

// startNginx runs nginx with conf (placeholders filled) and returns its
// address. It skips the test when nginx is not installed.
func startNginx(t *testing.T, upstream, keyward string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		t.Skip("nginx is not installed (apt-get install nginx-light); .ci/run installs it")
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := strings.NewReplacer("{{DIR}}", dir, "{{LISTEN}}", addr, "{{UPSTREAM}}", upstream, "{{KEYWARD}}", keyward).Replace(nginxConf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s", out.String(), log)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
	}
	t.Fatalf("nginx did not start: %s", out.String())
	return ""
}

// TestForwardAuth_Nginx drives a real nginx (auth_request) in front of a
// real upstream with SigV4-signed requests.
func TestForwardAuth_Nginx(t *testing.T) {
	f := newAuthzFixture(t, forwardConfig)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "principal=%s body=%s", r.Header.Get("X-Keyward-Principal-Arn"), body)
	}))
	defer upstream.Close()
	proxy := startNginx(t, strings.TrimPrefix(upstream.URL, "http://"), strings.TrimPrefix(f.hs.URL, "http://"))
	session := f.assumeReader(t)
	wrong := f.alice
	wrong.SecretAccessKey = "wrong"
	aliceARN := "arn:aws:iam::" + kvAccount + ":user/alice"

	tests := []struct {
		name     string
		creds    *sigv4.Credentials // nil: unsigned
		method   string
		path     string
		body     string
		header   string // x-amz-content-sha256 to sign, if any
		presign  bool
		advance  time.Duration
		status   int
		wantBody string
	}{
		{name: "allowed", creds: &f.alice, method: "GET", path: "/items/alice/notes", status: 200, wantBody: "principal=" + aliceARN + " body="},
		{name: "allowed with a query", creds: &f.alice, method: "GET", path: "/items/alice/notes?version=2&a=b%20c", status: 200, wantBody: "principal=" + aliceARN},
		{name: "presigned", creds: &f.alice, method: "GET", path: "/items/alice/notes", presign: true, status: 200, wantBody: "principal=" + aliceARN},
		{name: "body with UNSIGNED-PAYLOAD", creds: &f.alice, method: "PUT", path: "/items/alice/notes", body: "hello", header: sigv4.UnsignedPayload, status: 200, wantBody: "body=hello"},
		{name: "session", creds: &session, method: "GET", path: "/items/bob/x", status: 200, wantBody: "principal=arn:aws:sts::" + kvAccount + ":assumed-role/reader/alice-reads"},
		{name: "denied by policy", creds: &f.alice, method: "GET", path: "/items/bob/x", status: 403},
		{name: "explicit deny", creds: &f.alice, method: "GET", path: "/items/alice/secret", status: 403},
		{name: "no route", creds: &f.alice, method: "DELETE", path: "/items/alice/notes", status: 403},
		{name: "bad signature", creds: &wrong, method: "GET", path: "/items/alice/notes", status: 401},
		{name: "unsigned", method: "GET", path: "/items/alice/notes", status: 401},
		{name: "body without x-amz-content-sha256", creds: &f.alice, method: "PUT", path: "/items/alice/notes", body: "hello", status: 401},
		{name: "expired session", creds: &session, method: "GET", path: "/items/bob/x", advance: 2 * time.Hour, status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.offset.Store(int64(tt.advance))
			defer f.offset.Store(0)
			req, _ := http.NewRequest(tt.method, "http://"+proxy+tt.path, nil)
			if tt.header != "" {
				req.Header.Set("X-Amz-Content-Sha256", tt.header)
			}
			if tt.creds != nil {
				now := time.Now().Add(tt.advance)
				if tt.presign {
					u, err := sigv4.Presign(req, nil, *tt.creds, "us-east-1", "kvstore", now, time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					req.URL = u
				} else if err := sigv4.Sign(req, nil, *tt.creds, "us-east-1", "kvstore", now); err != nil {
					t.Fatal(err)
				}
			}
			if tt.body != "" {
				req.Body = io.NopCloser(strings.NewReader(tt.body))
				req.ContentLength = int64(len(tt.body))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%s %s through nginx = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.wantBody)
			}
		})
	}
}

// TestForwardAuth_Shapes: the subrequest shapes of Traefik ForwardAuth
// (X-Forwarded-*) and Envoy ext_authz (the original path below the
// endpoint), straight to the server.
func TestForwardAuth_Shapes(t *testing.T) {
	f := newAuthzFixture(t, forwardConfig)
	signed := func(method, target string) *http.Request {
		req, _ := http.NewRequest(method, "http://app.example"+target, nil)
		if err := sigv4.Sign(req, nil, f.alice, "us-east-1", "kvstore", time.Now()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	traefik := func(target string) *http.Request {
		orig := signed("GET", target)
		r, _ := http.NewRequest("GET", f.hs.URL+authorize.ForwardAuthPath, nil)
		r.Header = orig.Header.Clone()
		r.Header.Set("X-Forwarded-Method", "GET")
		r.Header.Set("X-Forwarded-Host", "app.example")
		r.Header.Set("X-Forwarded-Uri", target)
		return r
	}
	envoy := func(target string) *http.Request {
		orig := signed("GET", target)
		r, _ := http.NewRequest("GET", f.hs.URL+authorize.ForwardAuthPath+target, nil)
		r.Header = orig.Header.Clone()
		r.Host = "app.example"
		return r
	}
	tests := []struct {
		name      string
		req       *http.Request
		status    int
		principal string
		code      string
	}{
		{"traefik allowed", traefik("/items/alice/a"), 200, "arn:aws:iam::" + kvAccount + ":user/alice", ""},
		{"traefik denied", traefik("/items/bob/a"), 403, "", "AccessDenied"},
		{"envoy allowed", envoy("/items/alice/a?x=1"), 200, "arn:aws:iam::" + kvAccount + ":user/alice", ""},
		{"envoy denied", envoy("/items/bob/a"), 403, "", "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.hs.Client().Do(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get(authorize.HeaderPrincipalARN) != tt.principal || resp.Header.Get(authorize.HeaderErrorCode) != tt.code {
				t.Errorf("forward-auth %s = %d principal %q code %q (%s), want %d %q %q", tt.name, resp.StatusCode,
					resp.Header.Get(authorize.HeaderPrincipalARN), resp.Header.Get(authorize.HeaderErrorCode), body, tt.status, tt.principal, tt.code)
			}
		})
	}
}

func TestParseConfig_Errors(t *testing.T) {
	tests := []struct{ name, config, want string }{
		{"no service", `{"routes":[]}`, `"service"`},
		{"unknown field", `{"service":"s","rutes":[]}`, "unknown field"},
		{"bad action", `{"service":"s","routes":[{"match":"GET /x","action":"GetX"}]}`, "service:Action"},
		{"bad pattern", `{"service":"s","routes":[{"match":"GET x","action":"s:GetX"}]}`, "forward-auth config"},
		{"conflicting patterns", `{"service":"s","routes":[{"match":"GET /x","action":"s:A"},{"match":"GET /x","action":"s:B"}]}`, "conflicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authorize.ParseConfig([]byte(tt.config))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%s) = %v, want an error containing %q", tt.config, err, tt.want)
			}
		})
	}
}

// TestForwardAuth_Unconfigured: without a configuration the endpoint does
// not exist; with one that does not load it refuses everything.
func TestForwardAuth_Unconfigured(t *testing.T) {
	tests := []struct {
		name, config string
		status       int
	}{
		{"no configuration", "", http.StatusNotFound},
		{"a configuration that does not load", `{"service": "kvstore", "routes": [{"match": "GET /x"}]}`, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.config == "" {
				t.Setenv("KEYWARD_FORWARD_AUTH_CONFIG", "")
			}
			f := newAuthzFixture(t, tt.config)
			req, _ := http.NewRequest("GET", f.hs.URL+authorize.ForwardAuthPath, nil)
			req.Header.Set("X-Original-URI", "/x")
			if err := sigv4.Sign(req, nil, f.alice, "us-east-1", "kvstore", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := f.hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("forward-auth with %s = %d, want %d", tt.name, resp.StatusCode, tt.status)
			}
		})
	}
}
