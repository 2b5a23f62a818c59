package keyward_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/keyward/keyward"

// packages returns the main module's package directories and, for each, the
// imports of its non-test files and the number of its package doc comments.
func packages(t *testing.T) map[string]struct {
	imports []string
	docs    int
} {
	t.Helper()
	out := map[string]struct {
		imports []string
		docs    int
	}{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // a nested module (e2e, bench)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		p := out[dir]
		for _, imp := range f.Imports {
			s, _ := strconv.Unquote(imp.Path.Value)
			p.imports = append(p.imports, s)
		}
		if f.Doc != nil && (strings.HasPrefix(f.Doc.Text(), "Package ") || strings.HasPrefix(f.Doc.Text(), "Command ")) {
			p.docs++
		}
		out[dir] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLayering keeps the dependencies pointing inward, each ban with its reason.
func TestLayering(t *testing.T) {
	rules := []struct {
		pkg     string
		allowed func(imp string) bool
		why     string
	}{
		{"arn", stdlibOnly, "arn is usable alone by any project"},
		{"policy", func(imp string) bool { return stdlibOnly(imp) || imp == module+"/arn" }, "the policy engine is importable alone, with no dependencies beyond the standard library"},
		{"sigv4", func(imp string) bool { return stdlibOnly(imp) || imp == module+"/arn" }, "signature checking is pure: secrets arrive through the caller"},
		{"seal", stdlibOnly, "sealing is pure cryptography"},
		{"catalog", stdlibOnly, "the service catalog is data: anything may read it"},
		{"lint", func(imp string) bool {
			return stdlibOnly(imp) || imp == module+"/policy" || imp == module+"/catalog" || imp == module+"/arn"
		}, "lint checks documents offline: no server, no store"},
		{".", stdlibOnly, "the domain package depends on nothing of the project"},
		{"internal/sqlcore", func(imp string) bool { return stdlibOnly(imp) || imp == module },
			"the SQL core is shared by every SQL store, so it links no driver: each store brings its own"},
	}
	pkgs := packages(t)
	for _, r := range rules {
		if _, ok := pkgs[r.pkg]; !ok {
			t.Errorf("a layering rule names package %s, which is gone: move or drop the rule", r.pkg)
		}
		for _, imp := range pkgs[r.pkg].imports {
			if !r.allowed(imp) {
				t.Errorf("package %s imports %s: not allowed, because %s", r.pkg, imp, r.why)
			}
		}
	}
	// Only cmd wires the stores, and only cmd and server (which owns the
	// request lifecycle) the protocol: the service layers stay free of HTTP
	// and of any one database.
	for dir, p := range pkgs {
		if strings.HasPrefix(dir, "cmd/") {
			continue
		}
		for _, imp := range p.imports {
			for _, banned := range []string{"awsquery", "sqlite", "postgres"} {
				if banned == "awsquery" && dir == "server" {
					continue
				}
				if imp == module+"/"+banned && dir != banned {
					t.Errorf("package %s imports %s: only cmd/ may, so that business rules stay above the protocol and the store", dir, imp)
				}
			}
			if imp == module+"/storetest" {
				t.Errorf("package %s imports storetest in non-test code", dir)
			}
			if imp == module+"/internal/sqlcore" && dir != "sqlite" && dir != "postgres" {
				t.Errorf("package %s imports internal/sqlcore: only the SQL stores may, so that the rest goes through keyward.Store", dir)
			}
		}
	}
}

func stdlibOnly(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// TestPackageDocs: every package has exactly one package doc comment.
func TestPackageDocs(t *testing.T) {
	for dir, p := range packages(t) {
		if p.docs != 1 {
			t.Errorf("package %s has %d package doc comments, want exactly 1", dir, p.docs)
		}
	}
}
