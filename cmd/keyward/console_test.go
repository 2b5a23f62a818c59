package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/console"
	"github.com/keyward/keyward/internal/postgres/pgtest"
	"github.com/keyward/keyward/internal/seal"
	"github.com/keyward/keyward/internal/server"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/internal/totp"
	"github.com/keyward/keyward/sigv4"
)

// The console over HTTP, without a browser: what its security rests on
// (headers, cookies, CSRF, escaping, sign-in refusals, the audit line) and
// the cost of a page. The browser walks the pages in e2e/console_test.go.

// consoleClient is a browser without JavaScript: a cookie jar that does
// not follow redirects.
type consoleClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newConsoleClient(t testing.TB, hs *httptest.Server) *consoleClient {
	jar, _ := cookiejar.New(nil)
	// A copy: hs.Client() is one client for the server, and each browser
	// has its own cookies.
	c := *hs.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &consoleClient{t: t, base: hs.URL, c: &c}
}

func (cc *consoleClient) get(path string) (*http.Response, string) {
	cc.t.Helper()
	resp, err := cc.c.Get(cc.base + path)
	if err != nil {
		cc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (cc *consoleClient) post(path string, form url.Values) (*http.Response, string) {
	cc.t.Helper()
	resp, err := cc.c.PostForm(cc.base+path, form)
	if err != nil {
		cc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token of a page's forms.
func csrf(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%.400s", body)
	}
	return m[1]
}

// signIn signs in with an access key pair and returns the response.
func (cc *consoleClient) signIn(id, secret string) *http.Response {
	cc.t.Helper()
	_, page := cc.get("/console/signin")
	resp, _ := cc.post("/console/signin", url.Values{"csrf": {csrf(cc.t, page)}, "method": {"key"}, "access_key_id": {id}, "secret_access_key": {secret}, "next": {"/console/"}})
	return resp
}

func consoleServer(t testing.TB, cfg serveConfig) (*server.Server, *httptest.Server, sigv4.Credentials) {
	cfg.store, cfg.console = "sqlite::memory:", true
	return newTestServer(t, cfg)
}

func TestConsole_Off(t *testing.T) {
	tests := []struct {
		name    string
		console bool
		want    int
	}{
		{"on", true, http.StatusSeeOther},
		{"off", false, http.StatusBadRequest}, // the Query API's MissingAction
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, hs, _ := newTestServer(t, serveConfig{store: "sqlite::memory:", console: tt.console})
			resp, _ := newConsoleClient(t, hs).get("/console/")
			if resp.StatusCode != tt.want {
				t.Errorf("GET /console/ with console %v = %d, want %d", tt.console, resp.StatusCode, tt.want)
			}
		})
	}
}

func TestConsole_SecurityHeaders(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	for _, path := range []string{"/console/signin", "/console/", "/console/static/console.css", "/console/nothing"} {
		resp, _ := cc.get(path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy = %q, want it to contain %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("GET %s: Content-Security-Policy = %q allows unsafe sources", path, csp)
		}
		// data: URLs for images alone (a new MFA device's QR code, which
		// the page carries so that its secret is kept nowhere): never for
		// scripts, styles or anything the default covers.
		for _, directive := range strings.Split(csp, ";") {
			if d := strings.TrimSpace(directive); strings.Contains(d, "data:") && !strings.HasPrefix(d, "img-src ") {
				t.Errorf("GET %s: Content-Security-Policy directive %q allows data: URLs", path, d)
			}
		}
		for h, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
}

// The templates hold no inline script, style attribute or event handler:
// the CSP would block them, so they would be dead code, or a sign that
// someone loosened the policy.
func TestConsole_NoInlineScript(t *testing.T) {
	files, err := filepath.Glob("../../internal/console/templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v (%d files)", err, len(files))
	}
	inline := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|javascript:`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s has %q: no inline script, handler or style (the CSP forbids them)", filepath.Base(f), m)
		}
	}
}

func TestConsole_SessionCookie(t *testing.T) {
	s, _, root := consoleServer(t, serveConfig{})
	tests := []struct {
		name   string
		tls    bool
		secure bool
	}{
		{"http", false, false},
		{"https", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hs *httptest.Server
			if tt.tls {
				hs = httptest.NewTLSServer(s.Handler())
			} else {
				hs = httptest.NewServer(s.Handler())
			}
			defer hs.Close()
			cc := newConsoleClient(t, hs)
			if tt.tls {
				cc.c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
			}
			resp := cc.signIn(root.AccessKeyID, root.SecretAccessKey)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in = %d, want 303", resp.StatusCode)
			}
			var session *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == "keyward-console" {
					session = ck
				}
			}
			if session == nil {
				t.Fatalf("sign-in set no session cookie: %v", resp.Header["Set-Cookie"])
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/console/" || session.Secure != tt.secure {
				t.Errorf("session cookie = HttpOnly %v, SameSite %v, Path %q, Secure %v; want HttpOnly, Strict, /console/, Secure %v",
					session.HttpOnly, session.SameSite, session.Path, session.Secure, tt.secure)
			}
			if len(session.Value) < 40 {
				t.Errorf("session id %q is shorter than 32 random bytes", session.Value)
			}
		})
	}
}

func TestConsole_SignInRefused(t *testing.T) {
	s, hs, root := consoleServer(t, serveConfig{})
	client := hs.Client()
	// alice's key, made inactive; bob's, active.
	for _, name := range []string{"alice", "bob"} {
		if code, body := call(t, client, hs.URL, root, "iam", iamForm("CreateUser", "UserName", name)); code != 200 {
			t.Fatalf("CreateUser: %d %s", code, body)
		}
	}
	keys := map[string][2]string{}
	for _, name := range []string{"alice", "bob"} {
		_, body := call(t, client, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", name))
		keys[name] = [2]string{between(body, "<AccessKeyId>", "<"), between(body, "<SecretAccessKey>", "<")}
	}
	if code, body := call(t, client, hs.URL, root, "iam", iamForm("UpdateAccessKey", "UserName", "alice", "AccessKeyId", keys["alice"][0], "Status", "Inactive")); code != 200 {
		t.Fatalf("UpdateAccessKey: %d %s", code, body)
	}
	_ = s
	tests := []struct {
		name       string
		id, secret string
		want       int
	}{
		{"wrong secret", root.AccessKeyID, "wrong", http.StatusUnauthorized},
		{"unknown key", "AKIAUNKNOWNUNKNOWN12", "x", http.StatusUnauthorized},
		{"inactive key", keys["alice"][0], keys["alice"][1], http.StatusUnauthorized},
		{"temporary key id", "ASIAUNKNOWNUNKNOWN12", "x", http.StatusUnauthorized},
		{"active user key", keys["bob"][0], keys["bob"][1], http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			resp := cc.signIn(tt.id, tt.secret)
			if resp.StatusCode != tt.want {
				t.Errorf("sign-in with %s = %d, want %d", tt.name, resp.StatusCode, tt.want)
			}
		})
	}
}

func TestConsole_CSRF(t *testing.T) {
	s, hs, root := consoleServer(t, serveConfig{})
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	_, page := cc.get("/console/users/new")
	token := csrf(t, page)
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"no token", "", http.StatusForbidden},
		{"another token", strings.Repeat("A", len(token)), http.StatusForbidden},
		{"the session's token", token, http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("csrf%d", i)
			form := url.Values{"name": {name}}
			if tt.token != "" {
				form.Set("csrf", tt.token)
			}
			resp, _ := cc.post("/console/users/new", form)
			if resp.StatusCode != tt.want {
				t.Errorf("POST /console/users/new with %s = %d, want %d", tt.name, resp.StatusCode, tt.want)
			}
			created := s.Store().View(context.Background(), func(tx keyward.Tx) error {
				_, err := tx.GetUser("111122223333", name)
				return err
			}) == nil
			if created != (tt.want == http.StatusSeeOther) {
				t.Errorf("POST with %s: user created %v, want %v", tt.name, created, tt.want == http.StatusSeeOther)
			}
		})
	}
	t.Run("sign-in without its cookie", func(t *testing.T) {
		fresh := newConsoleClient(t, hs)
		_, page := fresh.get("/console/signin")
		other := newConsoleClient(t, hs) // has no pre-session cookie
		resp, _ := other.post("/console/signin", url.Values{"csrf": {csrf(t, page)}, "access_key_id": {root.AccessKeyID}, "secret_access_key": {root.SecretAccessKey}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in POST without the form's cookie = %d, want 403", resp.StatusCode)
		}
	})
}

func TestConsole_Escaping(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	const hostile = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if code, body := call(t, hs.Client(), hs.URL, root, "iam", iamForm("CreateRole", "RoleName", "x", "Description", hostile, "AssumeRolePolicyDocument", doc)); code != 200 {
		t.Fatalf("CreateRole: %d %s", code, body)
	}
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	for _, path := range []string{"/console/roles/x", "/console/roles"} {
		_, body := cc.get(path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s carries the description unescaped", path)
		}
		if path == "/console/roles/x" && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s does not show the description as text", path)
		}
	}
	// next never leaves the console.
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/console/\\evil"} {
		fresh := newConsoleClient(t, hs)
		_, page := fresh.get("/console/signin")
		resp, _ := fresh.post("/console/signin", url.Values{"csrf": {csrf(t, page)}, "access_key_id": {root.AccessKeyID}, "secret_access_key": {root.SecretAccessKey}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/console/" {
			t.Errorf("sign-in with next %q redirects to %q, want /console/", next, loc)
		}
	}
}

// A console page is audited as the API's requests are, marked "console",
// and the session's principal ends the session when it is deleted.
func TestConsole_AuditAndDeletedPrincipal(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	_, hs, root := consoleServer(t, serveConfig{audit: auditConfig{file: trail}})
	client := hs.Client()
	call(t, client, hs.URL, root, "iam", iamForm("CreateUser", "UserName", "carol"))
	call(t, client, hs.URL, root, "iam", iamForm("PutUserPolicy", "UserName", "carol", "PolicyName", "read",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`))
	_, body := call(t, client, hs.URL, root, "iam", iamForm("CreateAccessKey", "UserName", "carol"))
	id, secret := between(body, "<AccessKeyId>", "<"), between(body, "<SecretAccessKey>", "<")
	cc := newConsoleClient(t, hs)
	cc.signIn(id, secret)
	if resp, page := cc.get("/console/users"); resp.StatusCode != 200 || !strings.Contains(page, "carol") {
		t.Fatalf("GET /console/users as carol = %d, want 200 listing carol", resp.StatusCode)
	}
	if resp, page := cc.get("/console/roles"); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "because no identity-based policy allows the iam:ListRoles action") {
		t.Errorf("GET /console/roles as carol = %d, want 403 with AWS's message", resp.StatusCode)
	}
	log, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"via":"console","service":"iam","action":"iam:ListUsers","caller":"arn:aws:iam::111122223333:user/carol"`, `"action":"iam:ListRoles"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
	// carol is deleted: her console session ends at the next page.
	call(t, client, hs.URL, root, "iam", iamForm("DeleteUserPolicy", "UserName", "carol", "PolicyName", "read"))
	call(t, client, hs.URL, root, "iam", iamForm("DeleteAccessKey", "UserName", "carol", "AccessKeyId", id))
	if code, body := call(t, client, hs.URL, root, "iam", iamForm("DeleteUser", "UserName", "carol")); code != 200 {
		t.Fatalf("DeleteUser: %d %s", code, body)
	}
	resp, _ := cc.get("/console/users")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/signin") {
		t.Errorf("GET /console/users after carol's deletion = %d to %q, want 303 to the sign-in form", resp.StatusCode, loc)
	}
	if resp, _ := cc.get("/console/users"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the ended session still serves pages: %d", resp.StatusCode)
	}
}

// BenchmarkConsole_UsersPage: a page of 50 users out of 10,000, the server's
// time only (the handler called in process, as the browser's request would
// reach it), first page and one deep in the list. Issue 16's bound: under
// 50 ms.
func BenchmarkConsole_UsersPage(b *testing.B) {
	s, hs, root := consoleServer(b, serveConfig{})
	now := time.Now().UTC().Truncate(time.Second)
	err := s.Store().Update(context.Background(), func(tx keyward.Tx) error {
		for i := range 10000 {
			name := fmt.Sprintf("user%05d", i)
			id := keyward.NewUniqueID(keyward.PrefixUser)
			if err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: id, Name: name, Path: "/", ARN: "arn:aws:iam::111122223333:user/" + name, CreateDate: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cc := newConsoleClient(b, hs)
	cookies := cc.signIn(root.AccessKeyID, root.SecretAccessKey).Cookies()
	// A marker deep in the list: follow 100 pages' Next links once.
	marker := ""
	for range 100 {
		_, page := cc.get("/console/users?marker=" + url.QueryEscape(marker))
		m := regexp.MustCompile(`marker=([^"&]+)" rel="next"`).FindStringSubmatch(page)
		if m == nil {
			b.Fatalf("no next page after marker %q", marker)
		}
		marker, _ = url.QueryUnescape(strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	h := s.Handler()
	for _, bc := range []struct{ name, path string }{
		{"first", "/console/users"},
		{"page101", "/console/users?marker=" + url.QueryEscape(marker)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("GET", bc.path, nil)
				for _, ck := range cookies {
					r.AddCookie(ck)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 || strings.Count(w.Body.String(), `<tr><td><a href="/console/users/`) != 50 {
					b.Fatalf("GET %s = %d (%s), want 200 with 50 users", bc.path, w.Code, w.Header().Get("Location"))
				}
			}
		})
	}
}

// BenchmarkConsole_Dashboard: the dashboard of an account of 10,000 users,
// half of them with an MFA device, the server's time only: its checks read
// every user and every assigned device (and the credential report, made
// by the first call and kept).
func BenchmarkConsole_Dashboard(b *testing.B) {
	s, hs, root := consoleServer(b, serveConfig{})
	now := time.Now().UTC().Truncate(time.Second)
	err := s.Store().Update(context.Background(), func(tx keyward.Tx) error {
		for i := range 10000 {
			name := fmt.Sprintf("user%05d", i)
			if err := tx.CreateUser(keyward.User{AccountID: "111122223333", ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/",
				ARN: "arn:aws:iam::111122223333:user/" + name, CreateDate: now}); err != nil {
				return err
			}
			if i%2 == 1 {
				continue
			}
			serial := "arn:aws:iam::111122223333:mfa/" + name
			if err := tx.CreateMFADevice(keyward.MFADevice{AccountID: "111122223333", SerialNumber: serial, Path: "/", Name: name,
				SeedCiphertext: []byte("unused"), CreateDate: now}); err != nil {
				return err
			}
			if err := tx.UpdateMFADevice(keyward.MFADevice{AccountID: "111122223333", SerialNumber: serial, Path: "/", Name: name,
				SeedCiphertext: []byte("unused"), UserName: name, EnableDate: now, CreateDate: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cookies := newConsoleClient(b, hs).signIn(root.AccessKeyID, root.SecretAccessKey).Cookies()
	h := s.Handler()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "/console/", nil)
		for _, ck := range cookies {
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "5000 users have no MFA device assigned") {
			b.Fatalf("GET /console/ = %d, want 200 counting 5000 users without MFA", w.Code)
		}
	}
}

// The console sits behind the API's rate limit: its calls spend the
// session's key's tokens, and sign-in attempts spend the address's.
func TestConsole_RateLimited(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{rateLimit: 0.001, rateBurst: 3})
	cc := newConsoleClient(t, hs)
	if resp := cc.signIn(root.AccessKeyID, root.SecretAccessKey); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in = %d, want 303", resp.StatusCode)
	}
	codes := []int{}
	for range 4 {
		resp, page := cc.get("/console/users")
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode != 200 && !strings.Contains(page, "Throttling") {
			t.Errorf("a refused page does not say Throttling:\n%.300s", page)
		}
	}
	if codes[0] != 200 || codes[3] != http.StatusBadRequest {
		t.Errorf("GET /console/users four times = %v, want 200 first and Throttling (400) once the bucket is empty", codes)
	}
	// Sign-in attempts spend the address's tokens (the sign-in above took
	// one): past the burst the form says to wait, even for a right key.
	other := newConsoleClient(t, hs)
	for range 3 {
		_, form := other.get("/console/signin")
		other.post("/console/signin", url.Values{"csrf": {csrf(t, form)}, "access_key_id": {root.AccessKeyID}, "secret_access_key": {"wrong"}})
	}
	_, form := other.get("/console/signin")
	resp, page := other.post("/console/signin", url.Values{"csrf": {csrf(t, form)}, "access_key_id": {root.AccessKeyID}, "secret_access_key": {root.SecretAccessKey}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "Too many sign-in attempts") {
		t.Errorf("a sign-in past the address's burst = %d, want 401 saying to wait", resp.StatusCode)
	}
}

// stagePasswords stands in for the login profiles of issue 15 (not in
// this build) to show the console's password seam end to end: it knows
// one password per user name, reads the user from the store, and says
// when the password must be changed or an MFA code is missing.
type stagePasswords struct {
	store     keyward.Store
	passwords map[string]string
	reset     map[string]bool
	mfa       map[string]string
}

func (sp *stagePasswords) SignIn(ctx context.Context, in console.PasswordSignIn) (*keyward.Caller, error) {
	if pw, ok := sp.passwords[in.UserName]; !ok || pw != in.Password {
		return nil, errors.New("wrong password")
	}
	if code, ok := sp.mfa[in.UserName]; ok && in.MFACode != code {
		return nil, console.ErrMFARequired
	}
	var c *keyward.Caller
	err := sp.store.View(ctx, func(tx keyward.Tx) error {
		u, err := tx.GetUser(in.Account, in.UserName)
		c = &keyward.Caller{Kind: keyward.CallerUser, AccountID: u.AccountID, ARN: u.ARN, UserID: u.ID, PrincipalID: u.ID, UserName: u.Name}
		return err
	})
	if err != nil {
		return nil, err
	}
	if sp.reset[in.UserName] {
		return c, fmt.Errorf("sign-in: %w", console.ErrPasswordResetRequired)
	}
	return c, nil
}

func TestConsole_PasswordSeam(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := seal.NewKey(seal.GenerateKey())
	const acct = "111122223333"
	if _, _, err := server.Bootstrap(ctx, st, key, acct, "AKIAROOTROOTROOT1234", "root-secret"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dana", "erin", "finn"} {
		err := st.Update(ctx, func(tx keyward.Tx) error {
			return tx.CreateUser(keyward.User{AccountID: acct, ID: keyward.NewUniqueID(keyward.PrefixUser), Name: name, Path: "/", ARN: "arn:aws:iam::" + acct + ":user/" + name, CreateDate: time.Now().UTC().Truncate(time.Second)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	pw := &stagePasswords{store: st, passwords: map[string]string{"dana": "pw-dana", "erin": "pw-erin", "finn": "pw-finn"},
		reset: map[string]bool{"erin": true}, mfa: map[string]string{"finn": "123456"}}
	s, err := server.New(ctx, server.Config{Store: st, KEK: key, AccountID: acct, Console: true, ConsolePasswords: pw})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })

	signIn := func(cc *consoleClient, user, password, code string) (*http.Response, string) {
		_, form := cc.get("/console/signin")
		if !strings.Contains(form, `name="password"`) {
			t.Fatalf("the sign-in form has no password field with Passwords set")
		}
		return cc.post("/console/signin", url.Values{"csrf": {csrf(t, form)}, "method": {"password"}, "account": {acct},
			"username": {user}, "password": {password}, "mfa_code": {code}, "next": {"/console/users"}})
	}
	tests := []struct {
		name, user, password, code string
		status                     int
		location, body             string
	}{
		{"right password", "dana", "pw-dana", "", http.StatusSeeOther, "/console/users", ""},
		{"wrong password", "dana", "nope", "", http.StatusUnauthorized, "", "The sign-in failed"},
		{"reset required", "erin", "pw-erin", "", http.StatusSeeOther, "/console/password", ""},
		{"MFA code missing", "finn", "pw-finn", "", http.StatusUnauthorized, "", `name="mfa_code"`},
		{"MFA code given", "finn", "pw-finn", "123456", http.StatusSeeOther, "/console/users", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			resp, body := signIn(cc, tt.user, tt.password, tt.code)
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location || !strings.Contains(body, tt.body) {
				t.Errorf("password sign-in as %s = %d to %q, want %d to %q with %q", tt.user, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location, tt.body)
			}
		})
	}
	t.Run("reset required holds every page", func(t *testing.T) {
		cc := newConsoleClient(t, hs)
		signIn(cc, "erin", "pw-erin", "")
		if resp, _ := cc.get("/console/roles"); resp.Header.Get("Location") != "/console/password" {
			t.Errorf("GET /console/roles before the password change goes to %q, want /console/password", resp.Header.Get("Location"))
		}
		_, form := cc.get("/console/password")
		// iam:ChangePassword arrives with login profiles: until then IAM
		// answers that it is not implemented, and the page says so.
		_, body := cc.post("/console/password", url.Values{"csrf": {csrf(t, form)}, "old_password": {"pw-erin"}, "new_password": {"n3w-Passw0rd!"}, "confirm_password": {"n3w-Passw0rd!"}})
		if !strings.Contains(body, "ChangePassword") {
			t.Errorf("the password change page does not show IAM's answer:\n%.500s", body)
		}
	})
}

// Console sessions are kept in the store: behind two replicas, a browser
// signed in on one is served by the other, a role switched to on one
// acts on the other, and signing out on one ends the session on both.
func TestConsole_SessionsAcrossReplicas(t *testing.T) {
	stores := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "keyward.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			store := st.url(t)
			t.Setenv("KEYWARD_KEK", base64.StdEncoding.EncodeToString(seal.GenerateKey()))
			_, a, root := newTestServer(t, serveConfig{store: store, console: true})
			_, b, _ := newTestServer(t, serveConfig{store: store, console: true})
			mustCall(t, a, root, "iam", iamForm("CreateUser", "UserName", "gus"))
			mustCall(t, a, root, "iam", iamForm("PutUserPolicy", "UserName", "gus", "PolicyName", "assume",
				"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`))
			mustCall(t, a, root, "iam", iamForm("CreateRole", "RoleName", "reader",
				"AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/gus"},"Action":"sts:AssumeRole"}]}`))
			mustCall(t, a, root, "iam", iamForm("PutRolePolicy", "RoleName", "reader", "PolicyName", "read",
				"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`))
			gus := createKey(t, a, root, "gus")

			onA := newConsoleClient(t, a)
			if resp := onA.signIn(gus.AccessKeyID, gus.SecretAccessKey); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in on A = %d", resp.StatusCode)
			}
			// The same browser (its cookie jar) on replica B.
			onB := &consoleClient{t: t, base: b.URL, c: b.Client()}
			onB.c.Jar, onB.c.CheckRedirect = onA.c.Jar, onA.c.CheckRedirect
			aURL, _ := url.Parse(a.URL + "/console/")
			bURL, _ := url.Parse(b.URL + "/console/")
			onB.c.Jar.SetCookies(bURL, onA.c.Jar.Cookies(aURL))

			if resp, page := onB.get("/console/users"); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "user/gus is not authorized to perform: iam:ListUsers") {
				t.Fatalf("GET /console/users on B = %d, want gus's AccessDenied (the session found on B)", resp.StatusCode)
			}
			_, form := onB.get("/console/switch-role")
			if resp, _ := onB.post("/console/switch-role", url.Values{"csrf": {csrf(t, form)}, "account": {"111122223333"}, "role": {"reader"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("switch role on B = %d, want 303", resp.StatusCode)
			}
			if resp, page := onA.get("/console/users"); resp.StatusCode != 200 || !strings.Contains(page, "reader @ 111122223333") {
				t.Errorf("GET /console/users on A after switching on B = %d, want 200 as reader", resp.StatusCode)
			}
			_, page := onA.get("/console/")
			onA.post("/console/signout", url.Values{"csrf": {csrf(t, page)}})
			if resp, _ := onB.get("/console/users"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("GET /console/users on B after signing out on A = %d, want 303 to the sign-in form", resp.StatusCode)
			}
		})
	}
}

// TestConsole_LoginProfiles: password sign-in with IAM's own login
// profiles: a user signs in with the password an administrator set; a wrong
// one is refused; a user who must change it is held at the change page,
// changes it there (iam:ChangePassword) and goes on; a user with an MFA
// device is asked for a code and gets in with a current one.
func TestConsole_LoginProfiles(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	c := hs.Client()
	must := func(form url.Values) string {
		t.Helper()
		code, body := call(t, c, hs.URL, root, "iam", form)
		if code != 200 {
			t.Fatalf("%s: %d %s", form.Get("Action"), code, body)
		}
		return body
	}
	// As on AWS, users change their own password when the account's policy
	// lets them (or a policy allows iam:ChangePassword).
	must(iamForm("UpdateAccountPasswordPolicy", "AllowUsersToChangePassword", "true", "MinimumPasswordLength", "8"))
	for _, u := range []struct{ name, reset string }{{"dana", "false"}, {"erin", "true"}, {"finn", "false"}} {
		must(iamForm("CreateUser", "UserName", u.name))
		must(iamForm("CreateLoginProfile", "UserName", u.name, "Password", "Start-Passw0rd!", "PasswordResetRequired", u.reset))
	}
	// finn has an MFA device, enabled with two codes computed here.
	var dev struct {
		Serial string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>SerialNumber"`
		Seed   string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>Base32StringSeed"`
	}
	if err := xml.Unmarshal([]byte(must(iamForm("CreateVirtualMFADevice", "VirtualMFADeviceName", "finn-phone"))), &dev); err != nil {
		t.Fatal(err)
	}
	seedText, _ := base64.StdEncoding.DecodeString(dev.Seed)
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(string(seedText), "="))
	if err != nil {
		t.Fatalf("the MFA seed %q: %v", seedText, err)
	}
	step := totp.Step(time.Now())
	must(iamForm("EnableMFADevice", "UserName", "finn", "SerialNumber", dev.Serial,
		"AuthenticationCode1", totp.Code(seed, step-2), "AuthenticationCode2", totp.Code(seed, step-1)))

	signIn := func(cc *consoleClient, user, password, code string) (*http.Response, string) {
		_, form := cc.get("/console/signin")
		if !strings.Contains(form, `name="password"`) {
			t.Fatalf("the sign-in form has no password field:\n%.500s", form)
		}
		return cc.post("/console/signin", url.Values{"csrf": {csrf(t, form)}, "method": {"password"}, "account": {"111122223333"},
			"username": {user}, "password": {password}, "mfa_code": {code}, "next": {"/console/users"}})
	}
	tests := []struct {
		name, user, password, code string
		status                     int
		location, body             string
	}{
		{"right password", "dana", "Start-Passw0rd!", "", http.StatusSeeOther, "/console/users", ""},
		{"wrong password", "dana", "nope", "", http.StatusUnauthorized, "", "The sign-in failed"},
		{"unknown user", "nobody", "Start-Passw0rd!", "", http.StatusUnauthorized, "", "The sign-in failed"},
		{"MFA code missing", "finn", "Start-Passw0rd!", "", http.StatusUnauthorized, "", `name="mfa_code"`},
		{"MFA code wrong", "finn", "Start-Passw0rd!", "000000", http.StatusUnauthorized, "", "The sign-in failed"},
		{"MFA code current", "finn", "Start-Passw0rd!", totp.Code(seed, step), http.StatusSeeOther, "/console/users", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			resp, body := signIn(cc, tt.user, tt.password, tt.code)
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location || !strings.Contains(body, tt.body) {
				t.Errorf("password sign-in as %s = %d to %q, want %d to %q with %q\n%.300s", tt.user, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location, tt.body, body)
			}
		})
	}
	t.Run("reset required", func(t *testing.T) {
		cc := newConsoleClient(t, hs)
		if resp, _ := signIn(cc, "erin", "Start-Passw0rd!", ""); resp.Header.Get("Location") != "/console/password" {
			t.Fatalf("erin's sign-in goes to %q, want /console/password", resp.Header.Get("Location"))
		}
		if resp, _ := cc.get("/console/roles"); resp.Header.Get("Location") != "/console/password" {
			t.Errorf("GET /console/roles before the change goes to %q, want /console/password", resp.Header.Get("Location"))
		}
		_, form := cc.get("/console/password")
		resp, body := cc.post("/console/password", url.Values{"csrf": {csrf(t, form)}, "old_password": {"Start-Passw0rd!"}, "new_password": {"N3w-Passw0rd!x"}, "confirm_password": {"N3w-Passw0rd!x"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("changing the password = %d\n%s", resp.StatusCode, body[strings.Index(body, "<main"):])
		}
		if resp, _ := cc.get("/console/users"); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET /console/users after the change = %d, want the page (or its AccessDenied)", resp.StatusCode)
		}
		if resp, _ := signIn(newConsoleClient(t, hs), "erin", "N3w-Passw0rd!x", ""); resp.Header.Get("Location") != "/console/users" {
			t.Errorf("erin's sign-in with the new password goes to %q, want /console/users", resp.Header.Get("Location"))
		}
	})
}

// submit posts form to action with the CSRF token of the page at from, as
// a browser submits a form of that page.
func (cc *consoleClient) submit(from, action string, form url.Values) (*http.Response, string) {
	cc.t.Helper()
	_, page := cc.get(from)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", csrf(cc.t, page))
	return cc.post(action, form)
}

// signInPassword signs in with a user name, password and MFA code ("" for
// none) and returns the response.
func (cc *consoleClient) signInPassword(account, user, password, code string) (*http.Response, string) {
	cc.t.Helper()
	_, form := cc.get("/console/signin")
	return cc.post("/console/signin", url.Values{"csrf": {csrf(cc.t, form)}, "method": {"password"}, "account": {account},
		"username": {user}, "password": {password}, "mfa_code": {code}, "next": {"/console/"}})
}

var (
	mfaSecretField = regexp.MustCompile(`data-testid="mfa-secret">([A-Z2-7]+)<`)
	mfaQRField     = regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=&#;]+)"[^>]*data-testid="mfa-qr"`)
	shownField     = regexp.MustCompile(`data-testid="(generated-password|service-password|service-user-name|credential-id)">([^<]+)<`)
)

// shown reads the values a shown-once page shows, by test id.
func shown(body string) map[string]string {
	out := map[string]string{}
	for _, m := range shownField.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// assignMFA creates a virtual MFA device for user through the console and
// enables it with two codes computed from the secret the page shows; it
// returns the device's seed and the page that showed it.
func assignMFA(t *testing.T, cc *consoleClient, user, device string) ([]byte, string) {
	t.Helper()
	tab := "/console/users/" + user + "?tab=credentials"
	resp, page := cc.submit(tab, "/console/users/"+user+"/mfa-create", url.Values{"device_name": {device}})
	if resp.StatusCode != 200 {
		t.Fatalf("mfa-create for %s = %d\n%.600s", user, resp.StatusCode, page)
	}
	m := mfaSecretField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the new device's page shows no secret:\n%.2000s", page[strings.Index(page, "<main"):])
	}
	seed, err := totp.Encoding.DecodeString(m[1])
	if err != nil {
		t.Fatalf("the secret %q is not base32: %v", m[1], err)
	}
	step := totp.Step(time.Now())
	resp, body := cc.post("/console/users/"+user+"/mfa-enable", url.Values{"csrf": {csrf(t, page)},
		"serial": {"arn:aws:iam::111122223333:mfa/" + device}, "code1": {totp.Code(seed, step-2)}, "code2": {totp.Code(seed, step-1)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mfa-enable for %s = %d\n%.1500s", user, resp.StatusCode, body)
	}
	return seed, page
}

// TestConsole_SecurityCredentials walks a user's Security credentials tab
// as an administrator (root): every form's change is checked through the
// API, and each secret the API returns once is shown once.
func TestConsole_SecurityCredentials(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	mustCall(t, hs, root, "iam", iamForm("CreateUser", "UserName", "hana"))
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	const tab = "/console/users/hana?tab=credentials"
	do := func(op string, form url.Values) (*http.Response, string) {
		t.Helper()
		return cc.submit(tab, "/console/users/hana/"+op, form)
	}
	api := func(action string, kv ...string) (int, string) {
		return call(t, hs.Client(), hs.URL, root, "iam", iamForm(action, kv...))
	}

	t.Run("console password", func(t *testing.T) {
		if _, page := cc.get(tab); !strings.Contains(page, `data-testid="login-profile">Disabled`) {
			t.Errorf("a user without a login profile is not shown as Disabled:\n%.300s", page[strings.Index(page, "Console sign-in"):])
		}
		// An autogenerated password, shown once, that must be changed.
		resp, page := do("password-create", url.Values{"password_mode": {"auto"}, "reset": {"1"}})
		pw := shown(page)["generated-password"]
		if resp.StatusCode != 200 || len(pw) < 20 {
			t.Fatalf("password-create (auto) = %d with password %q, want 200 showing a password of 20 characters or more\n%s", resp.StatusCode, pw, page)
		}
		if code, body := api("GetLoginProfile", "UserName", "hana"); code != 200 || !strings.Contains(body, "<PasswordResetRequired>true<") {
			t.Errorf("GetLoginProfile(hana) after the console enabled access = %d %s, want a profile requiring a reset", code, body)
		}
		if _, page := cc.get(tab); strings.Contains(page, pw) {
			t.Errorf("the credentials tab shows the generated password again")
		}
		if resp, _ := newConsoleClient(t, hs).signInPassword("111122223333", "hana", pw, ""); resp.Header.Get("Location") != "/console/password" {
			t.Errorf("hana's sign-in with the generated password goes to %q, want /console/password (reset required)", resp.Header.Get("Location"))
		}
		// A custom password, no reset.
		if resp, body := do("password-update", url.Values{"password_mode": {"custom"}, "password": {"Hana-Passw0rd!"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("password-update = %d\n%.500s", resp.StatusCode, body)
		}
		if _, body := api("GetLoginProfile", "UserName", "hana"); !strings.Contains(body, "<PasswordResetRequired>false<") {
			t.Errorf("GetLoginProfile(hana) after the update = %s, want no reset required", body)
		}
		if resp, _ := newConsoleClient(t, hs).signInPassword("111122223333", "hana", "Hana-Passw0rd!", ""); resp.Header.Get("Location") != "/console/" {
			t.Errorf("hana's sign-in with the custom password goes to %q, want /console/", resp.Header.Get("Location"))
		}
		_, page = cc.get(tab)
		if !strings.Contains(page, `data-testid="login-profile">Enabled<`) || strings.Contains(page, "Last console sign-in</dt><dd>Never") {
			t.Errorf("the tab does not show the enabled password and its last use:\n%.600s", page[strings.Index(page, "Console sign-in"):])
		}
		// A custom password left empty is refused, not taken as "keep".
		if resp, body := do("password-update", url.Values{"password_mode": {"custom"}, "reset": {"1"}}); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, "Type the custom password") {
			t.Errorf("password-update with an empty custom password = %d, want 400 asking for it", resp.StatusCode)
		}
		if _, body := api("GetLoginProfile", "UserName", "hana"); !strings.Contains(body, "<PasswordResetRequired>false<") {
			t.Errorf("the refused update changed the login profile: %s", body)
		}
		// The account's policy refuses a weak password, with IAM's message.
		resp, body := do("password-update", url.Values{"password_mode": {"custom"}, "password": {"a"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "PasswordPolicyViolation") {
			t.Errorf("password-update with %q = %d, want 400 PasswordPolicyViolation\n%.600s", "a", resp.StatusCode, body[strings.Index(body, "<main"):])
		}
	})

	t.Run("MFA device", func(t *testing.T) {
		seed, page := assignMFA(t, cc, "hana", "hana-phone")
		qr := mfaQRField.FindStringSubmatch(page)
		if qr == nil {
			t.Fatalf("the new device's page has no data: QR image:\n%s", page[strings.Index(page, "<main"):])
		}
		raw, _ := base64.StdEncoding.DecodeString(html.UnescapeString(qr[1]))
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil || img.Bounds().Dx() < 21 {
			t.Errorf("the QR code is not a PNG image: %v", err)
		}
		code, body := api("ListMFADevices", "UserName", "hana")
		if code != 200 || !strings.Contains(body, "<SerialNumber>arn:aws:iam::111122223333:mfa/hana-phone</SerialNumber>") {
			t.Fatalf("ListMFADevices(hana) = %d %s, want hana-phone", code, body)
		}
		_, tabPage := cc.get(tab)
		if !strings.Contains(tabPage, `data-testid="mfa-serial">arn:aws:iam::111122223333:mfa/hana-phone<`) || strings.Contains(tabPage, totp.Encoding.EncodeToString(seed)) {
			t.Errorf("the tab does not list hana-phone, or shows its secret again")
		}
		// A sign-in now needs a code.
		if resp, body := newConsoleClient(t, hs).signInPassword("111122223333", "hana", "Hana-Passw0rd!", ""); !strings.Contains(body, `name="mfa_code"`) {
			t.Errorf("hana's sign-in without a code = %d, want the form asking for one", resp.StatusCode)
		}
		// Wrong codes are IAM's InvalidAuthenticationCode, and the page
		// offers the codes again (without the QR code, which IAM shows once).
		_, page = do("mfa-create", url.Values{"device_name": {"spare"}})
		resp, body := cc.post("/console/users/hana/mfa-enable", url.Values{"csrf": {csrf(t, page)}, "serial": {"arn:aws:iam::111122223333:mfa/spare"},
			"code1": {"000000"}, "code2": {"000001"}})
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidAuthenticationCode") ||
			strings.Contains(body, `data-testid="mfa-qr"`) || !strings.Contains(body, `name="code1"`) {
			t.Errorf("mfa-enable with wrong codes = %d, want IAM's InvalidAuthenticationCode, no QR code, and the code form", resp.StatusCode)
		}
		if resp, _ := do("mfa-delete", url.Values{"serial": {"arn:aws:iam::111122223333:mfa/spare"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("mfa-delete(spare) = %d, want 303", resp.StatusCode)
		}
		// Remove: deactivated and deleted.
		if resp, _ := do("mfa-remove", url.Values{"serial": {"arn:aws:iam::111122223333:mfa/hana-phone"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("mfa-remove = %d, want 303", resp.StatusCode)
		}
		if _, body := api("ListVirtualMFADevices"); strings.Contains(body, "hana-phone") || strings.Contains(body, "spare") {
			t.Errorf("ListVirtualMFADevices after remove and delete = %s, want neither device", body)
		}
	})

	t.Run("SSH keys and signing certificates", func(t *testing.T) {
		cert, _ := testServerCertificate(t, "hana.example.com")
		tests := []struct {
			name, upload, status, del, list, idTag string
			body                                   string
		}{
			{"ssh key", "ssh-upload", "ssh-status", "ssh-delete", "ListSSHPublicKeys", "SSHPublicKeyId", testSSHPublicKey(t)},
			{"signing certificate", "cert-upload", "cert-status", "cert-delete", "ListSigningCertificates", "CertificateId", cert},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if resp, body := do(tt.upload, url.Values{"body": {tt.body}}); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s = %d\n%.600s", tt.upload, resp.StatusCode, body)
				}
				_, list := api(tt.list, "UserName", "hana")
				id := between(list, "<"+tt.idTag+">", "<")
				if id == "" || !strings.Contains(list, "<Status>Active<") {
					t.Fatalf("%s(hana) = %s, want one active entry", tt.list, list)
				}
				field := map[string]string{"SSHPublicKeyId": "key_id", "CertificateId": "certificate_id"}[tt.idTag]
				do(tt.status, url.Values{field: {id}, "status": {"Inactive"}})
				if _, list := api(tt.list, "UserName", "hana"); !strings.Contains(list, "<Status>Inactive<") {
					t.Errorf("%s(hana) after deactivation = %s, want Inactive", tt.list, list)
				}
				do(tt.del, url.Values{field: {id}})
				if _, list := api(tt.list, "UserName", "hana"); strings.Contains(list, id) {
					t.Errorf("%s(hana) after deletion still lists %s", tt.list, id)
				}
			})
		}
		// A multipart upload (the form's file field) works as the text does.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_, page := cc.get(tab)
		mw.WriteField("csrf", csrf(t, page))
		fw, _ := mw.CreateFormFile("file", "hana.pem")
		fw.Write([]byte(cert))
		mw.Close()
		req, _ := http.NewRequest("POST", hs.URL+"/console/users/hana/cert-upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := cc.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, list := api("ListSigningCertificates", "UserName", "hana"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(list, "<CertificateId>") {
			t.Errorf("cert-upload of a file = %d, list %s; want 303 and the certificate", resp.StatusCode, list)
		}
		if _, page := cc.get(tab); !strings.Contains(page, "CN=hana.example.com") {
			t.Errorf("the tab does not show the certificate's subject")
		}
	})

	t.Run("service-specific credentials", func(t *testing.T) {
		resp, page := do("service-create", url.Values{"service": {"codecommit.amazonaws.com"}})
		got := shown(page)
		if resp.StatusCode != 200 || len(got["service-password"]) != 44 || got["service-user-name"] != "hana-at-111122223333" {
			t.Fatalf("service-create = %d showing %q, want 200 with the user name and a 44-character password", resp.StatusCode, got)
		}
		if _, list := api("ListServiceSpecificCredentials", "UserName", "hana"); !strings.Contains(list, got["credential-id"]) {
			t.Errorf("ListServiceSpecificCredentials(hana) = %s, want %s", list, got["credential-id"])
		}
		if _, tabPage := cc.get(tab); strings.Contains(tabPage, got["service-password"]) || !strings.Contains(tabPage, got["credential-id"]) {
			t.Errorf("the tab shows the password again, or not the credential")
		}
		_, page = do("service-reset", url.Values{"credential_id": {got["credential-id"]}})
		if again := shown(page)["service-password"]; again == "" || again == got["service-password"] {
			t.Errorf("service-reset shows password %q, want a new one", again)
		}
		do("service-delete", url.Values{"credential_id": {got["credential-id"]}})
		if _, list := api("ListServiceSpecificCredentials", "UserName", "hana"); strings.Contains(list, got["credential-id"]) {
			t.Errorf("the credential is still listed after its deletion")
		}
	})

	t.Run("disable console access", func(t *testing.T) {
		if resp, _ := do("password-delete", nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("password-delete = %d, want 303", resp.StatusCode)
		}
		if code, body := api("GetLoginProfile", "UserName", "hana"); code != http.StatusNotFound {
			t.Errorf("GetLoginProfile(hana) after disabling = %d %s, want NoSuchEntity", code, body)
		}
	})
}

// TestConsole_SAMLProviders: a SAML provider added from its metadata
// (typed, and uploaded as a file), viewed, its metadata replaced, deleted;
// a document IAM refuses is shown with IAM's error.
func TestConsole_SAMLProviders(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	const arn = "arn:aws:iam::111122223333:saml-provider/corp"
	first, second := testSAMLMetadata(t, newTestCA(t, "idp-1").pem()), testSAMLMetadata(t, newTestCA(t, "idp-2").pem())
	api := func(action string, kv ...string) (int, string) {
		return call(t, hs.Client(), hs.URL, root, "iam", iamForm(action, kv...))
	}

	resp, body := cc.submit("/console/providers", "/console/providers/saml-new", url.Values{"name": {"corp"}, "metadata": {first},
		"tag_key": {"team"}, "tag_value": {"identity"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/console/providers/saml?arn="+url.QueryEscape(arn) {
		t.Fatalf("saml-new = %d to %q, want 303 to the provider's page\n%.600s", resp.StatusCode, loc, body)
	}
	if code, body := api("GetSAMLProvider", "SAMLProviderArn", arn); code != 200 || !strings.Contains(body, "<Key>team</Key>") {
		t.Errorf("GetSAMLProvider(corp) = %d %s, want the provider with its tag", code, body)
	}
	if _, page := cc.get("/console/providers"); !strings.Contains(page, `data-testid="saml-provider">corp<`) {
		t.Errorf("the providers page does not list corp")
	}
	_, page := cc.get("/console/providers/saml?arn=" + url.QueryEscape(arn))
	for _, want := range []string{`data-testid="saml-issuer">https://idp.example.com/metadata<`, "EntityDescriptor", "saml_arn=" + url.QueryEscape(arn)} {
		if !strings.Contains(strings.ToLower(page), strings.ToLower(want)) {
			t.Errorf("the provider's page lacks %s", want)
		}
	}

	// The replacement comes as a file, as a browser's file field sends it.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf(t, page))
	mw.WriteField("arn", arn)
	fw, _ := mw.CreateFormFile("metadata_file", "idp.xml")
	fw.Write([]byte(second))
	mw.Close()
	req, _ := http.NewRequest("POST", hs.URL+"/console/providers/saml-update", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := cc.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	_, got := api("GetSAMLProvider", "SAMLProviderArn", arn)
	doc := html.UnescapeString(between(got, "<SAMLMetadataDocument>", "</SAMLMetadataDocument>"))
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(doc, between(second, "<X509Certificate>", "<")) {
		t.Errorf("saml-update with a file = %d; GetSAMLProvider does not hold the new certificate", r.StatusCode)
	}

	tests := []struct {
		name     string
		form     url.Values
		status   int
		contains string
	}{
		{"not metadata", url.Values{"name": {"bad"}, "metadata": {strings.Repeat("<x/>", 300)}}, http.StatusBadRequest, "Could not parse metadata"},
		{"name taken", url.Values{"name": {"corp"}, "metadata": {first}}, http.StatusConflict, "EntityAlreadyExists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := cc.submit("/console/providers", "/console/providers/saml-new", tt.form)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("saml-new with %s = %d, want %d saying %q", tt.name, resp.StatusCode, tt.status, tt.contains)
			}
		})
	}

	if resp, _ := cc.submit("/console/providers", "/console/providers/saml-delete", url.Values{"arn": {arn}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("saml-delete = %d, want 303", resp.StatusCode)
	}
	if code, _ := api("GetSAMLProvider", "SAMLProviderArn", arn); code != http.StatusNotFound {
		t.Errorf("GetSAMLProvider(corp) after the console deleted it = %d, want 404", code)
	}
}

// TestConsole_WizardSAML creates roles trusting a SAML provider through the
// create-role walk-through, and reads their trust policies back through
// the API: AWS's (Federated principal, sts:AssumeRoleWithSAML, SAML:aud the
// sign-in endpoint, or the condition chosen for API access).
func TestConsole_WizardSAML(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	const provider = "arn:aws:iam::111122223333:saml-provider/corp"
	mustCall(t, hs, root, "iam", iamForm("CreateSAMLProvider", "Name", "corp", "SAMLMetadataDocument", testSAMLMetadata(t, newTestCA(t, "idp").pem())))
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)
	// The provider's "Assign role" opens the wizard with it chosen.
	if _, page := cc.get("/console/roles/new?entity=saml&saml_arn=" + url.QueryEscape(provider)); !strings.Contains(page, `value="saml" checked`) ||
		!strings.Contains(page, `<option value="`+provider+`" selected>corp</option>`) {
		t.Errorf("the wizard opened from the provider does not have SAML and corp chosen")
	}
	tests := []struct {
		name  string
		trust url.Values
		want  string // the trust policy's statement, compact
	}{
		{"console access", url.Values{"saml_access": {"console"}},
			`{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`},
		{"regional endpoint", url.Values{"saml_access": {"console"}, "saml_region": {"eu-west-1"}},
			`"Condition":{"StringEquals":{"SAML:aud":"https://eu-west-1.signin.aws.amazon.com/saml"}}`},
		{"API access only", url.Values{"saml_access": {"api"}, "saml_attr": {"SAML:sub"}, "saml_value": {"alice@example.com"}},
			`"Condition":{"StringEquals":{"SAML:sub":"alice@example.com"}}`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("federated-%d", i)
			form := url.Values{"step": {"trust"}, "go": {"next"}, "entity": {"saml"}, "saml_arn": {provider}}
			for k, v := range tt.trust {
				form[k] = v
			}
			// trust -> permissions -> details -> review -> create, each
			// step posting what the page before carried.
			for _, step := range []url.Values{
				{"step": {"permissions"}, "go": {"next"}},
				{"step": {"details"}, "go": {"next"}, "name": {name}},
				{"step": {"review"}, "go": {"create"}, "name": {name}},
			} {
				resp, body := cc.submit("/console/roles/new", "/console/roles/new", form)
				if resp.StatusCode != 200 {
					t.Fatalf("wizard step %s = %d\n%.800s", form.Get("step"), resp.StatusCode, body[strings.Index(body, "<main"):])
				}
				for k, v := range step {
					form[k] = v
				}
			}
			resp, body := cc.submit("/console/roles/new", "/console/roles/new", form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("creating the role = %d\n%.800s", resp.StatusCode, body[strings.Index(body, "<main"):])
			}
			_, got := call(t, hs.Client(), hs.URL, root, "iam", iamForm("GetRole", "RoleName", name))
			doc, _ := url.QueryUnescape(between(got, "<AssumeRolePolicyDocument>", "</AssumeRolePolicyDocument>"))
			if compact := strings.Join(strings.Fields(doc), ""); !strings.Contains(compact, tt.want) {
				t.Errorf("GetRole(%s) trust policy = %s, want it to contain %s", name, compact, tt.want)
			}
		})
	}
	// A region that is no region code never reaches the URL.
	resp, body := cc.submit("/console/roles/new", "/console/roles/new", url.Values{"step": {"trust"}, "go": {"next"}, "entity": {"saml"},
		"saml_arn": {provider}, "saml_access": {"console"}, "saml_region": {"evil.example/x"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="trust-error"`) {
		t.Errorf("the wizard with region %q = %d, want 400 with the trust error", "evil.example/x", resp.StatusCode)
	}
}

var hrefField = regexp.MustCompile(`href="([^"]*\?[^"]*)"`)

// TestConsole_LinksEscapedOnce: html/template escapes a link's query
// values itself, so a value the template escaped first arrives escaped
// twice (arn%3Aaws...) and names nothing. Every link with a query on the
// pages that carry ARNs in their links must decode to the value itself.
func TestConsole_LinksEscapedOnce(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	mustCall(t, hs, root, "iam", iamForm("CreateRole", "RoleName", "ops", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`))
	mustCall(t, hs, root, "iam", iamForm("CreatePolicy", "PolicyName", "p", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
	mustCall(t, hs, root, "iam", iamForm("CreateSAMLProvider", "Name", "corp", "SAMLMetadataDocument", testSAMLMetadata(t, newTestCA(t, "idp").pem())))
	mustCall(t, hs, root, "iam", iamForm("CreateUser", "UserName", "bo"))
	mustCall(t, hs, root, "iam", iamForm("PutUserPolicy", "UserName", "bo", "PolicyName", "in.line", "PolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
	cc := newConsoleClient(t, hs)
	// A user, not root: root has no switch-role link.
	bo := createKey(t, hs, root, "bo")
	mustCall(t, hs, root, "iam", iamForm("AttachUserPolicy", "UserName", "bo", "PolicyArn", "arn:aws:iam::aws:policy/IAMFullAccess"))
	cc.signIn(bo.AccessKeyID, bo.SecretAccessKey)
	seen := 0
	for _, path := range []string{"/console/roles/ops", "/console/policy?arn=" + url.QueryEscape("arn:aws:iam::111122223333:policy/p"),
		"/console/providers", "/console/users/bo"} {
		resp, page := cc.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		for _, m := range hrefField.FindAllStringSubmatch(page, -1) {
			u, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Errorf("%s: link %q does not parse: %v", path, m[1], err)
				continue
			}
			for k, vs := range u.Query() {
				for _, v := range vs {
					seen++
					if strings.Contains(v, "%") {
						t.Errorf("%s: link %q has %s=%q: escaped twice", path, m[1], k, v)
					}
				}
			}
		}
	}
	if seen < 5 {
		t.Errorf("the pages had %d query values in links: the test saw too few to prove anything", seen)
	}
	// And the switch-role link fills the form with the role's ARN.
	_, page := cc.get("/console/switch-role?role=" + url.QueryEscape("arn:aws:iam::111122223333:role/ops"))
	if !strings.Contains(page, `value="arn:aws:iam::111122223333:role/ops"`) {
		t.Errorf("the switch-role form from the role's link lacks the ARN")
	}
}

// enableMFA gives user a virtual MFA device through the API, enabled with
// two codes computed here, and returns its seed.
func enableMFA(t *testing.T, hs *httptest.Server, root sigv4.Credentials, user, device string) []byte {
	t.Helper()
	var dev struct {
		Serial string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>SerialNumber"`
		Seed   string `xml:"CreateVirtualMFADeviceResult>VirtualMFADevice>Base32StringSeed"`
	}
	if err := xml.Unmarshal([]byte(mustCall(t, hs, root, "iam", iamForm("CreateVirtualMFADevice", "VirtualMFADeviceName", device))), &dev); err != nil {
		t.Fatal(err)
	}
	text, _ := base64.StdEncoding.DecodeString(dev.Seed)
	seed, err := totp.Encoding.DecodeString(string(text))
	if err != nil {
		t.Fatalf("the MFA seed %q: %v", text, err)
	}
	step := totp.Step(time.Now())
	mustCall(t, hs, root, "iam", iamForm("EnableMFADevice", "UserName", user, "SerialNumber", dev.Serial,
		"AuthenticationCode1", totp.Code(seed, step-2), "AuthenticationCode2", totp.Code(seed, step-1)))
	return seed
}

var checkItem = regexp.MustCompile(`<li class="(ok|warn|unknown)" data-testid="check">\s*<strong>([^<]+)</strong>`)

// dashboardChecks reads the dashboard's checks: title to class and text.
func dashboardChecks(t *testing.T, cc *consoleClient) map[string][2]string {
	t.Helper()
	resp, page := cc.get("/console/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /console/ = %d", resp.StatusCode)
	}
	out := map[string][2]string{}
	page = page[:strings.Index(page, "</main>")]
	at := checkItem.FindAllStringSubmatchIndex(page, -1)
	for i, m := range at {
		end := len(page)
		if i+1 < len(at) {
			end = at[i+1][0]
		}
		out[page[m[4]:m[5]]] = [2]string{page[m[2]:m[3]], page[m[1]:end]}
	}
	return out
}

// TestConsole_DashboardMFA: the dashboard's MFA checks read the devices as
// they are: a device assigned after the credential report was made (which
// keeps four hours) counts at once; root's MFA comes from the account.
func TestConsole_DashboardMFA(t *testing.T) {
	s, hs, root := consoleServer(t, serveConfig{})
	for _, u := range []string{"ann", "ben"} {
		mustCall(t, hs, root, "iam", iamForm("CreateUser", "UserName", u))
	}
	mustCall(t, hs, root, "iam", iamForm("GenerateCredentialReport"))
	enableMFA(t, hs, root, "ann", "ann-phone")
	cc := newConsoleClient(t, hs)
	cc.signIn(root.AccessKeyID, root.SecretAccessKey)

	checks := dashboardChecks(t, cc)
	if got := checks["Users without MFA"]; got[0] != "warn" || !strings.Contains(got[1], "<li>ben</li>") || strings.Contains(got[1], "ann") {
		t.Errorf("Users without MFA = %q, want a warning naming ben and not ann", got)
	}
	if got := checks["Root user MFA"]; got[0] != "warn" {
		t.Errorf("Root user MFA = %q, want a warning (root has no device)", got)
	}

	enableMFA(t, hs, root, "ben", "ben-phone")
	// Root's device, as AWS's console assigns it (IAM's API has no way to):
	// straight into the store.
	now := time.Now().UTC().Truncate(time.Second)
	err := s.Store().Update(context.Background(), func(tx keyward.Tx) error {
		return tx.CreateMFADevice(keyward.MFADevice{AccountID: "111122223333", SerialNumber: "arn:aws:iam::111122223333:mfa/root-account-mfa-device",
			Path: "/", Name: "root-account-mfa-device", Root: true, EnableDate: now, CreateDate: now, SeedCiphertext: []byte("unused")})
	})
	if err != nil {
		t.Fatal(err)
	}
	checks = dashboardChecks(t, cc)
	for _, title := range []string{"Users without MFA", "Root user MFA"} {
		if got := checks[title]; got[0] != "ok" {
			t.Errorf("%s after the devices = %q, want ok", title, got)
		}
	}

	// A user who may not list the devices sees the check as unknown, not
	// as a pass.
	mustCall(t, hs, root, "iam", iamForm("PutUserPolicy", "UserName", "ben", "PolicyName", "users",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetAccountSummary"],"Resource":"*"}]}`))
	ben := createKey(t, hs, root, "ben")
	bc := newConsoleClient(t, hs)
	bc.signIn(ben.AccessKeyID, ben.SecretAccessKey)
	if got := dashboardChecks(t, bc)["Users without MFA"]; got[0] != "unknown" {
		t.Errorf("Users without MFA for a user who may not list devices = %q, want unknown", got)
	}
}

// TestConsole_SwitchRoleWithMFA: a console session that signed in with a
// password and an MFA code switches to a role whose trust policy requires
// aws:MultiFactorAuthPresent, and the role's session keeps it (its own
// policy requires it too); a session signed in with an access key, which
// proves no MFA, is refused, as on AWS.
func TestConsole_SwitchRoleWithMFA(t *testing.T) {
	_, hs, root := consoleServer(t, serveConfig{})
	mustCall(t, hs, root, "iam", iamForm("CreateUser", "UserName", "ivy"))
	mustCall(t, hs, root, "iam", iamForm("CreateLoginProfile", "UserName", "ivy", "Password", "Ivy-Passw0rd!"))
	mustCall(t, hs, root, "iam", iamForm("PutUserPolicy", "UserName", "ivy", "PolicyName", "assume",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`))
	mustCall(t, hs, root, "iam", iamForm("CreateRole", "RoleName", "admin-mfa", "AssumeRolePolicyDocument",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ivy"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`))
	mustCall(t, hs, root, "iam", iamForm("PutRolePolicy", "RoleName", "admin-mfa", "PolicyName", "list",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`))
	seed := enableMFA(t, hs, root, "ivy", "ivy-phone")
	key := createKey(t, hs, root, "ivy")

	tests := []struct {
		name   string
		signIn func(cc *consoleClient)
		mfa    bool
		status int
	}{
		{"password and MFA code", func(cc *consoleClient) {
			if resp, _ := cc.signInPassword("111122223333", "ivy", "Ivy-Passw0rd!", totp.Code(seed, totp.Step(time.Now()))); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("ivy's sign-in with her code = %d", resp.StatusCode)
			}
		}, true, http.StatusSeeOther},
		{"access key", func(cc *consoleClient) { cc.signIn(key.AccessKeyID, key.SecretAccessKey) }, false, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			tt.signIn(cc)
			_, form := cc.get("/console/switch-role")
			if got := strings.Contains(form, `data-testid="mfa-badge"`); got != tt.mfa {
				t.Errorf("the header's MFA badge shown %v, want %v", got, tt.mfa)
			}
			if !strings.Contains(form, `href="/console/users/ivy?tab=credentials" data-testid="my-credentials"`) {
				t.Errorf("the header has no link to ivy's own security credentials")
			}
			resp, body := cc.post("/console/switch-role", url.Values{"csrf": {csrf(t, form)}, "account": {"111122223333"}, "role": {"admin-mfa"}})
			if resp.StatusCode != tt.status {
				t.Fatalf("switch to admin-mfa = %d, want %d\n%.600s", resp.StatusCode, tt.status, body)
			}
			if !tt.mfa {
				if !strings.Contains(body, "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/admin-mfa") {
					t.Errorf("the refusal does not read as AWS's AssumeRole denial")
				}
				return
			}
			resp, page := cc.get("/console/users")
			if resp.StatusCode != 200 || !strings.Contains(page, "admin-mfa @ 111122223333") || !strings.Contains(page, `data-testid="mfa-badge"`) {
				t.Errorf("GET /console/users as admin-mfa = %d, want 200 as the role, with MFA", resp.StatusCode)
			}
			if strings.Contains(page, `data-testid="my-credentials"`) {
				t.Errorf("acting as a role, the header still links to a user's credentials")
			}
		})
	}
}

// TestConsole_RolesAnywhere: the Roles Anywhere page lists trust anchors,
// profiles, CRLs and subjects through the service's API as the signed-in
// principal, and a subject's page its certificates and instance
// properties, refused or not: root sees them, a hostile subject and
// property rendered inert; a user without rolesanywhere:List* and
// GetSubject sees the service's AccessDeniedException, audited as a
// console request.
func TestConsole_RolesAnywhere(t *testing.T) {
	trail := filepath.Join(t.TempDir(), "audit.log")
	_, hs, root := consoleServer(t, serveConfig{audit: auditConfig{file: trail}})
	ca := newTestCA(t, "Fleet CA")
	set := setupRolesAnywhere(t, hs, root, ca, raTrust)
	mustRA(t, hs, root, "POST", "/crls", map[string]any{"name": "fleet-crl", "trustAnchorArn": set.anchorARN, "crlData": crlPEM(t, ca)}, nil)
	mustCall(t, hs, root, "iam", iamForm("CreateUser", "UserName", "jo"))
	jo := createKey(t, hs, root, "jo")
	// A certificate whose subject is markup, refused by the trust policy
	// (its CN is not workload-1), with a property that is markup too; and
	// workload-1's session.
	hostile := issueCert(t, ca, `<img src=x onerror=alert(2)>`)
	if code, body := createSession(t, hs, set, hostile.cert, hostile.key, nil, `{"instanceProperties":{"note":"<script>alert(3)</script>"}}`, time.Now()); code != 403 {
		t.Fatalf("CreateSession(hostile subject) = %d %s, want 403", code, body)
	}
	leaf := issueCert(t, ca, "workload-1")
	if code, body := createSession(t, hs, set, leaf.cert, leaf.key, nil, "", time.Now()); code != 201 {
		t.Fatalf("CreateSession(workload-1) = %d %s, want 201", code, body)
	}
	subjects := raSubjects(t, hs, root)
	subjectPath := func(c *testCert) string {
		a := subjects[c.cert.Subject.String()].SubjectArn
		return "/console/rolesanywhere/subjects/" + a[strings.LastIndexByte(a, '/')+1:]
	}
	hostilePath, leafPath := subjectPath(hostile), subjectPath(leaf)

	tests := []struct {
		name  string
		creds sigv4.Credentials
		want  []string
		not   []string
	}{
		{"root", root, []string{`data-testid="anchor-name">ca<`, set.anchorARN, "CN=Fleet CA", `data-testid="profile-name">app<`, set.profileARN,
			`href="/console/roles/app"`, "fleet-crl", "Enabled", `data-testid="ra-subjects"`,
			`href="` + leafPath + `">CN=workload-1,O=Example Corp</a>`, `href="` + hostilePath + `">CN=\&lt;img src=x onerror=alert(2)\&gt;,O=Example Corp</a>`},
			[]string{"AccessDeniedException", "<img src=x"}},
		{"user without permission", jo, []string{"AccessDeniedException", "user/jo is not authorized to perform: rolesanywhere:ListTrustAnchors",
			"user/jo is not authorized to perform: rolesanywhere:ListSubjects"},
			[]string{set.anchorARN, set.profileARN, leafPath}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			cc.signIn(tt.creds.AccessKeyID, tt.creds.SecretAccessKey)
			resp, page := cc.get("/console/rolesanywhere")
			if resp.StatusCode != 200 {
				t.Fatalf("GET /console/rolesanywhere = %d", resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("the Roles Anywhere page as %s lacks %q", tt.name, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(page, w) {
					t.Errorf("the Roles Anywhere page as %s shows %q", tt.name, w)
				}
			}
		})
	}

	// A subject's page: its certificate and properties, refused or not.
	pages := []struct {
		name, path string
		creds      sigv4.Credentials
		status     int
		want, not  []string
	}{
		{"root, the refused subject", hostilePath, root, 200, []string{`data-testid="subject-text">CN=\&lt;img src=x onerror=alert(2)\&gt;,O=Example Corp<`,
			hexSerial(hostile.cert), "CN=Fleet CA,O=Example Corp", "Refused", "<code>note</code> = &lt;script&gt;alert(3)&lt;/script&gt;",
			"<title>Subject CN=\\&lt;img"}, []string{"<img src=x", "<script>alert(3)", "Succeeded"}},
		{"root, workload-1", leafPath, root, 200, []string{"CN=workload-1,O=Example Corp", hexSerial(leaf.cert), "Succeeded", "No instance properties."},
			[]string{"Refused"}},
		{"root, no such subject", "/console/rolesanywhere/subjects/11111111-2222-4333-8444-555555555555", root, 404,
			[]string{"ResourceNotFoundException"}, nil},
		{"user without permission", leafPath, jo, 403, []string{"AccessDeniedException", "user/jo is not authorized to perform: rolesanywhere:GetSubject"},
			[]string{hexSerial(leaf.cert)}},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			cc := newConsoleClient(t, hs)
			cc.signIn(tt.creds.AccessKeyID, tt.creds.SecretAccessKey)
			resp, page := cc.get(tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("the subject page as %s lacks %q", tt.name, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(page, w) {
					t.Errorf("the subject page as %s shows %q", tt.name, w)
				}
			}
		})
	}
	log, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"via":"console","service":"rolesanywhere","action":"rolesanywhere:ListProfiles","caller":"arn:aws:iam::111122223333:user/jo"`,
		`"via":"console","service":"rolesanywhere","action":"rolesanywhere:GetSubject","caller":"arn:aws:iam::111122223333:user/jo"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the audit trail lacks %s", want)
		}
	}
}
