package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/keyward/keyward/authorize"
	"github.com/keyward/keyward/lint"
	"github.com/keyward/keyward/policy"
)

// TestRun_Help: every command answers -h with its own usage and exit 0,
// never with "unknown command" or another command's flags.
func TestRun_Help(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string // all in stdout+stderr
		notWant []string
	}{
		{[]string{"--help"}, []string{"account list", "account create", "policy validate", "version"}, nil},
		{[]string{"-h"}, []string{"keyward COMMAND"}, nil},
		{[]string{"help"}, []string{"keyward COMMAND"}, nil},
		{[]string{"serve", "--help"}, []string{"-addr", "-store"}, nil},
		{[]string{"policy", "--help"}, []string{"keyward policy validate", "keyward policy lint", "--service-prefix"}, []string{"unknown policy command"}},
		{[]string{"policy", "help"}, []string{"keyward policy eval"}, []string{"unknown"}},
		{[]string{"policy", "validate", "--help"}, []string{"-strict", "-type", "standard input"}, nil},
		{[]string{"policy", "validate", "--strict", "--help"}, []string{"-fail-on", "-service-prefix"}, nil},
		{[]string{"policy", "lint", "-h"}, []string{"-service-prefix", "-forward-auth-config", "keyward:Authorize"}, nil},
		{[]string{"policy", "expand", "-h"}, []string{"keyward policy expand"}, []string{"policy lint"}},
		{[]string{"policy", "eval", "-h"}, []string{"-request", "-explain"}, nil},
		{[]string{"policy", "generate", "-h"}, []string{"-principal", "-audit"}, nil},
		{[]string{"account", "--help"}, []string{"account create", "account list"}, nil},
		{[]string{"account", "list", "--help"}, []string{"keyward account list", "-data", "-store"}, []string{"-id", "-kek-file", "account create"}},
		{[]string{"account", "create", "-h"}, []string{"keyward account create", "-id", "-kek-file"}, []string{"account list"}},
		{[]string{"audit", "-h"}, []string{"--file", "required"}, nil},
		{[]string{"export", "-h"}, []string{"keyward export"}, nil},
		{[]string{"import", "--help"}, []string{"keyward import"}, nil},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != 0 {
				t.Errorf("keyward %s: exit %d, want 0 (stderr %q)", name, code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("keyward %s: output\n%s\nwant it to contain %q", name, out+errOut, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out+errOut, w) {
					t.Errorf("keyward %s: output\n%s\nwant no %q", name, out+errOut, w)
				}
			}
		})
	}
}

func TestRun_UsageErrors(t *testing.T) {
	tests := []struct {
		args     []string
		contains string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"policy", "frobnicate"}, `unknown policy command "frobnicate"`},
		{[]string{"account", "delete"}, `unknown account command "delete"`},
		{[]string{"account", "list", "--id", "123456789012"}, "flag provided but not defined: -id"},
		{[]string{"account", "create", "--id", "12"}, "account create: --id must be 12 digits"},
		{[]string{"version", "now"}, `version: unexpected argument "now"`},
		{[]string{"policy", "lint", "--bogus", "--help"}, "flag provided but not defined: -bogus"},
		// Without --file, keyward audit would wait on standard input.
		{[]string{"audit", "--principal", "arn:aws:iam::111122223333:user/alice"}, "audit: --file is required"},
		{[]string{"policy", "generate", "--principal", "arn:aws:iam::111122223333:user/alice"}, "--audit FILE|-"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.contains) {
				t.Errorf("keyward %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", name, code, out, errOut, tt.contains)
			}
		})
	}
}

// TestRun_StoreErrors: commands other than serve speak as themselves, and
// refuse a store that is not there rather than create an empty one.
func TestRun_StoreErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no ./keyward-data here
	missing := filepath.Join(dir, "nowhere", "keyward.db")
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"export"}, 1, "keyward: export: no Keyward store at keyward-data/keyward.db"},
		{[]string{"export", "--data", filepath.Join(dir, "nowhere")}, 1, "export: no Keyward store at " + missing},
		{[]string{"account", "list"}, 1, "account list: no Keyward store at keyward-data/keyward.db"},
		{[]string{"account", "create"}, 1, "account create: no Keyward store at keyward-data/keyward.db"},
		{[]string{"audit", "--file", "-", "--explain", "--store", "sqlite:" + missing}, 1, "audit: no Keyward store at " + missing},
		{[]string{"export", "--store", "sqlite:"}, 2, "export: --store sqlite: needs a path"},
		{[]string{"account", "list", "--store", "mysql://x"}, 2, `account list: unknown store "mysql://x"`},
		{[]string{"export", "--store", "sqlite::memory:"}, 2, "export: an in-memory store lives only inside its server"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			_, errOut, code := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.contains) || strings.Contains(errOut, "serve:") {
				t.Errorf("keyward %s: exit %d, stderr %q; want exit %d and %q, not serve's name", name, code, errOut, tt.code, tt.contains)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "keyward-data")); err == nil {
		t.Errorf("a refused command created ./keyward-data")
	}

	// import fills a new store: its directory is made.
	stream := `{"type":"header","data":{"format":"keyward-export","version":1,"created":"2026-11-27T10:00:00Z"}}` + "\n" +
		`{"type":"end","data":{"records":2}}` + "\n"
	target := filepath.Join(dir, "new", "keyward.db")
	if _, errOut, code := run(t, stream, "import", "--store", "sqlite:"+target); code != 0 {
		t.Errorf("keyward import --store sqlite:%s: exit %d, stderr %q", target, code, errOut)
	}
	if _, errOut, code := run(t, "", "account", "list", "--store", "sqlite:"+target); code != 0 {
		t.Errorf("keyward account list on the imported store: exit %d, stderr %q", code, errOut)
	}
}

func TestRun_Version(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := run(t, "", args...)
		if code != 0 || !strings.HasPrefix(out, "keyward ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("keyward %s: exit %d, stdout %q, stderr %q; want exit 0, keyward's version and %s", args[0], code, out, errOut, runtime.Version())
		}
	}
}

func TestVersionText(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"go install at a tag", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			"keyward v1.2.0\nrevision unknown (built without VCS information; make build or go install stamps it)\ngo1.26.8 " + platform + "\n"},
		{"go build in a checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Version: "v0.0.0-20261127011127-b8341e2c0ffe+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "b8341e2c0ffee"},
				{Key: "vcs.time", Value: "2026-11-27T01:11:27Z"}, {Key: "vcs.modified", Value: "true"}}},
			"keyward v0.0.0-20261127011127-b8341e2c0ffe+dirty\nrevision b8341e2c0ffee (2026-11-27T01:11:27Z) with uncommitted changes\ngo1.26.8 " + platform + "\n"},
		{"go test", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"keyward (devel)\nrevision unknown (built without VCS information; make build or go install stamps it)\ngo1.26.8 " + platform + "\n"},
		{"no build information", nil,
			"keyward (unknown)\nrevision unknown (built without VCS information; make build or go install stamps it)\n" + runtime.Version() + " " + platform + "\n"},
	}
	for _, tt := range tests {
		if got := versionText(tt.bi); got != tt.want {
			t.Errorf("versionText(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestPolicy_Stdin: "-" reads the document from standard input, for
// validate, lint and expand alike.
func TestPolicy_Stdin(t *testing.T) {
	bad := "{\"Version\":\"2012-10-17\",\"Statement\":[{\n\"Effect\":\"allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"
	good := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		contains    string
	}{
		{"validate", bad, []string{"policy", "validate", "-"}, 1, `<stdin>:2:10: Statement[0].Effect: Effect must be "Allow" or "Deny"`},
		{"validate good", good, []string{"policy", "validate", "-"}, 0, ""},
		{"validate --strict", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}}`,
			[]string{"policy", "validate", "--strict", "-"}, 1, "<stdin>:1:55: ERROR INVALID_ACTION"},
		{"lint", good, []string{"policy", "lint", "-"}, 0, ""},
		{"expand", good, []string{"policy", "expand", "-"}, 0, `<stdin>:1:56: Statement[0].Action Allow "s3:GetObject" matches 1 actions`},
		{"twice", good, []string{"policy", "validate", "-", "-"}, 2, "- (standard input) given twice"},
		{"no files", good, []string{"policy", "lint"}, 2, "no files given (- reads standard input)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("keyward %s < %s: exit %d, output %q; want exit %d and %q", strings.Join(tt.args, " "), tt.stdin, code, out+errOut, tt.code, tt.contains)
			}
		})
	}
}

// TestPolicyLint_Services: Keyward's own actions are known; a service of
// one's own is accepted once declared, by flag or by the forward-auth
// route map keyward serve reads.
func TestPolicyLint_Services(t *testing.T) {
	dir := t.TempDir()
	authorizer := filepath.Join(dir, "authorizer.json")
	os.WriteFile(authorizer, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":["keyward:Authorize","keyward:GetSigningKey"],"Resource":"arn:aws:keyward:::service/kvstore"}]}`), 0o600)
	client := filepath.Join(dir, "client.json")
	os.WriteFile(client, []byte(`{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["kvstore:GetItem","kvstore:PutItem","orders:List*"],"Resource":"arn:aws:kvstore:::item/${aws:username}/*",
   "Condition":{"StringEquals":{"kvstore:ContentType":"text/plain"}}},
  {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`), 0o600)
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:Authorise","Resource":"*"}]}`), 0o600)
	routes := filepath.Join(dir, "forward-auth.json")
	os.WriteFile(routes, []byte(`{"service": "kvstore", "routes": [
  {"match": "GET /kv/{key...}", "action": "kvstore:GetItem", "resource": "arn:aws:kvstore:::item/{key}"},
  {"match": "PUT /kv/{key...}", "action": "kvstore:PutItem", "resource": "arn:aws:kvstore:::item/{key}"},
  {"match": "GET /orders", "action": "orders:ListOrders"},
  {"match": "GET /files/{key...}", "action": "s3:GetObject", "resource": "arn:aws:s3:::files/{key}"}]}`), 0o600)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"Keyward's own actions", []string{"policy", "lint", authorizer}, 0, ""},
		{"Keyward's own actions, strictly validated", []string{"policy", "validate", "--strict", authorizer}, 0, ""},
		{"a typo in Keyward's actions", []string{"policy", "lint", typo}, 1, `did you mean "keyward:Authorize"?`},
		{"undeclared services", []string{"policy", "lint", client}, 1, `ERROR INVALID_SERVICE: Statement[0].Action[0]: the service prefix "kvstore"`},
		{"one declared", []string{"policy", "lint", "--service-prefix", "kvstore", client}, 1, `the service prefix "orders"`},
		{"both declared", []string{"policy", "lint", "--service-prefix", "kvstore", "--service-prefix", "orders", client}, 0, ""},
		{"a comma-separated list", []string{"policy", "validate", "--strict", "--service-prefix", "kvstore,orders", client}, 0, ""},
		{"from the forward-auth config", []string{"policy", "lint", "--forward-auth-config", routes, client}, 0, ""},
		{"an unreadable forward-auth config", []string{"policy", "lint", "--forward-auth-config", filepath.Join(dir, "nope.json"), client}, 2, "--forward-auth-config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("keyward %s: exit %d, output %q; want exit %d and %q", strings.Join(tt.args, " "), code, out+errOut, tt.code, tt.contains)
			}
		})
	}

	// The forward-auth config declares the services AWS does not define:
	// s3:GetObject stays checked against AWS's catalog.
	got, err := forwardAuthServices(routes)
	if err != nil || strings.Join(got, ",") != "kvstore,orders" {
		t.Errorf("forwardAuthServices(%s) = %q, %v; want [kvstore orders]", routes, got, err)
	}
}

// TestLint_KnowsAuthorizeActions holds lint's table of Keyward's own
// actions to the authorize API's.
func TestLint_KnowsAuthorizeActions(t *testing.T) {
	exps, err := lint.Expand([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:*","Resource":"*"}]}`), policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{authorize.ActionAuthorize, authorize.ActionGetSigningKey}
	if len(exps) != 1 || strings.Join(exps[0].Actions, " ") != strings.Join(want, " ") {
		t.Errorf(`lint.Expand("keyward:*") = %+v, want %q`, exps, want)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"keyward:Authorize","Resource":"` + authorize.ServiceARN("kvstore") + `"}]}`
	if f := lint.Check([]byte(doc), policy.Identity); len(f) != 0 {
		t.Errorf("lint.Check(keyward:Authorize on %s) = %v, want no finding", authorize.ServiceARN("kvstore"), f)
	}
}
