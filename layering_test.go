package keyward_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/keyward/keyward"

// pkg is one package of the main module as go list sees it: its own
// imports, everything it links (transitively), and its doc comment.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Doc        string
	GoFiles    []string
}

// modulePackages lists the main module's packages with go list (nested
// modules, e2e and bench, are not part of it).
func modulePackages(t *testing.T) map[string]*pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps,Doc,GoFiles", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if rel == "" {
			rel = "."
		}
		pkgs[rel] = &p
	}
	return pkgs
}

// projectDeps returns the module's packages p links, relative.
func (p *pkg) projectDeps() []string {
	var out []string
	for _, d := range p.Deps {
		if d == module {
			out = append(out, ".")
		} else if rel, ok := strings.CutPrefix(d, module+"/"); ok {
			out = append(out, rel)
		}
	}
	return out
}

// TestLayering keeps the dependencies pointing inward. Each rule is about
// what a package links, directly or through others (go list -deps), with
// its reason; a rule naming a package that no longer exists fails, so the
// rules move with the code.
func TestLayering(t *testing.T) {
	pkgs := modulePackages(t)
	only := func(allowed ...string) func(string) bool {
		return func(dep string) bool { return slices.Contains(allowed, dep) }
	}
	none := func(string) bool { return false }
	not := func(banned ...string) func(string) bool {
		return func(dep string) bool {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					return false
				}
			}
			return true
		}
	}
	stores := []string{"internal/sqlite", "internal/postgres", "internal/sqlcore"}
	rules := []struct {
		pkg     string
		allowed func(dep string) bool
		why     string
	}{
		// The library: what other projects import.
		{".", none, "the domain and the Store interface depend on nothing of the project"},
		{"arn", none, "arn is usable alone by any project"},
		{"policy", only("arn"), "the policy engine is importable alone, with no dependencies beyond the standard library and arn"},
		{"sigv4", only("arn"), "signature checking is pure: secrets arrive through the caller"},
		{"catalog", none, "the service catalog is data: anything may read it"},
		{"lint", only("policy", "catalog", "arn"), "lint checks documents offline: no server, no store"},
		{"authorize", only("arn", "policy", "sigv4", "."), "the authorize API's wire types: what a service links to call it"},
		{"guard", only("authorize", "sigv4", "arn", "policy", "."), "guard runs inside other services: it links no authorizer, authenticator, sealing or store"},
		{"storetest", only("."), "a store author's suite needs only the Store interface"},
		// The middle floor.
		{"internal/seal", none, "sealing is pure cryptography"},
		{"internal/outbound", only(".", "internal/seal"), "outbound federation's issuers, keys and tokens are shared by iam, sts and server: they link only the domain and sealing's associated data"},
		{"internal/totp", none, "one-time passwords are pure cryptography, shared by iam and sts"},
		{"internal/sqlcore", only("."), "the SQL core links no driver: each store brings its own"},
		{"internal/sqlcore/legacy", none, "the stores' frozen old migrations are test data"},
		{"internal/authn", not("internal/authz", "internal/iam", "internal/sts", "internal/awsquery", "internal/sqlite", "internal/postgres", "internal/server"),
			"authentication says who signed; what they may do is authz's, and it works over any store"},
		{"internal/authz", not("internal/authn", "internal/iam", "internal/sts", "internal/awsquery", "internal/sqlite", "internal/postgres", "internal/server"),
			"authorization decides over keyward.Store; the actions build on it, not the reverse"},
		{"internal/iam", not("internal/awsquery", "internal/server", "internal/sqlite", "internal/postgres", "internal/sts"),
			"IAM's rules stay above the protocol and the store"},
		{"internal/sts", not("internal/awsquery", "internal/server", "internal/sqlite", "internal/postgres", "internal/iam"),
			"STS's rules stay above the protocol and the store"},
		{"internal/rolesanywhere", not(append([]string{"internal/awsquery", "internal/server", "internal/iam"}, stores...)...),
			"IAM Roles Anywhere's rules stay above the protocol and the store; it issues sessions through sts, not iam"},
		{"internal/awsquery", not(append([]string{"internal/server", "internal/authz", "internal/authn"}, stores...)...),
			"the Query protocol knows forms, XML and errors, not who may do what"},
		{"internal/server", not(stores...), "the server works over keyward.Store: cmd opens the store"},
		{"tools/motosuite", only("sigv4", "arn"), "the moto-suite proxy talks to a keyward binary over HTTP, as moto's tests do: it links only the signer"},
		{"internal/console", not(append([]string{"internal/awsquery", "internal/server"}, stores...)...),
			"the console acts only through the server's backend, as the signed-in principal: it reads iam's and sts's output shapes, never the protocol or a store"},
		{"internal/authorizer", not(append([]string{"internal/awsquery", "internal/server"}, stores...)...),
			"the authorize API speaks JSON, not the Query protocol, over any store"},
	}
	for _, r := range rules {
		p, ok := pkgs[r.pkg]
		if !ok {
			t.Errorf("a layering rule names package %s, which is gone: move or drop the rule", r.pkg)
			continue
		}
		for _, dep := range p.projectDeps() {
			if !r.allowed(dep) {
				t.Errorf("package %s links %s: not allowed, because %s", r.pkg, dep, r.why)
			}
		}
	}
	// Only cmd opens stores, only the SQL stores use their core, and only
	// tests use the old migrations.
	for rel, p := range pkgs {
		if slices.Contains(p.Deps, module+"/internal/sqlcore/legacy") {
			t.Errorf("package %s links internal/sqlcore/legacy: the old migrations are test data, which no binary carries", rel)
		}
		if strings.HasPrefix(rel, "cmd/") || slices.Contains(stores, rel) || strings.HasPrefix(rel, "internal/postgres/") {
			continue
		}
		for _, s := range []string{"internal/sqlite", "internal/postgres", "internal/sqlcore"} {
			if slices.Contains(p.Imports, module+"/"+s) {
				t.Errorf("package %s imports %s: only cmd/ opens stores, so that the rest works over keyward.Store", rel, s)
			}
		}
		if slices.Contains(p.Imports, module+"/storetest") {
			t.Errorf("package %s imports storetest in non-test code", rel)
		}
	}
}

// TestPackageDocs: every package has exactly one package doc comment.
func TestPackageDocs(t *testing.T) {
	for rel, p := range modulePackages(t) {
		n := 0
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(rel, name), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc != nil && (strings.HasPrefix(f.Doc.Text(), "Package ") || strings.HasPrefix(f.Doc.Text(), "Command ")) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("package %s has %d package doc comments, want exactly 1", rel, n)
		}
	}
}
