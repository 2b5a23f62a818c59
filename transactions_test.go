package keyward_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sources returns the non-test Go files of internal/pkg, by path.
func sources(t *testing.T, pkg string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("internal", pkg, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = src
	}
	return out
}

// afterTheAction are the store writes an action may make after its own
// transaction, each outside the decision: what they write decides nothing.
var afterTheAction = map[string]string{
	"sts.noteRoleUse":           "a role's last-used date, written at most once an hour after the session is issued; best effort",
	"rolesanywhere.noteRoleUse": "the same, after CreateSession issued a session",
	"rolesanywhere.Note":        "subjectSeen.Note: the verified certificate's subject after CreateSession answered, with a session or a refusal; a new subject, certificate, property set or outcome at once, a known one at most once a minute; best effort",
}

// TestActions_OneTransaction: in iam, sts and rolesanywhere, no action reads the store in a
// transaction of its own before the transaction that acts (the flaw of
// deciding on a pre-read, outside the write): following each action's calls
// within its package, in source order, no read transaction (Store.View,
// view) comes before a write transaction (Store.Update, update). And iam's
// actions reach the store only through op (iam/op.go): read, authorize,
// check and write in one transaction.
func TestActions_OneTransaction(t *testing.T) {
	for _, pkg := range []string{"iam", "sts", "rolesanywhere"} {
		fset := token.NewFileSet()
		funcs := map[string]*ast.FuncDecl{}
		for name, src := range sources(t, pkg) {
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					funcs[fd.Name.Name] = fd
					if pkg == "iam" && filepath.Base(name) != "op.go" {
						ast.Inspect(fd.Body, func(n ast.Node) bool {
							if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "View" || sel.Sel.Name == "Update") {
								if x, ok := sel.X.(*ast.SelectorExpr); ok && x.Sel.Name == "Store" && fd.Name.Name != "credentialCSV" {
									t.Errorf("%s: %s calls Store.%s: iam's actions reach the store through op (view, update)", fset.Position(sel.Pos()), fd.Name.Name, sel.Sel.Name)
								}
							}
							return true
						})
					}
				}
			}
		}
		// events lists the transactions a function opens, in source order,
		// through the package's own functions and methods.
		memo := map[string][]string{}
		var events func(name string, seen map[string]bool) []string
		events = func(name string, seen map[string]bool) []string {
			if ev, ok := memo[name]; ok {
				return ev
			}
			fd := funcs[name]
			if fd == nil || seen[name] || afterTheAction[pkg+"."+name] != "" {
				return nil
			}
			seen[name] = true
			var ev []string
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var callee string
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					callee = fn.Name
				case *ast.SelectorExpr:
					callee = fn.Sel.Name
					if x, ok := fn.X.(*ast.SelectorExpr); ok && x.Sel.Name == "Store" {
						switch callee {
						case "View":
							ev = append(ev, "view")
						case "Update":
							ev = append(ev, "update")
						}
						return true
					}
					if id, ok := fn.X.(*ast.Ident); !ok || id.Name != "s" {
						if _, isIdent := fn.X.(*ast.Ident); isIdent {
							return true // a call on another value
						}
					}
				}
				switch callee {
				case "view":
					ev = append(ev, "view")
				case "update":
					ev = append(ev, "update")
				default:
					ev = append(ev, events(callee, seen)...)
				}
				return true
			})
			delete(seen, name)
			memo[name] = ev
			return ev
		}
		actions := 0
		for name, fd := range funcs {
			if fd.Recv == nil || !ast.IsExported(name) || fd.Type.Params.NumFields() != 3 {
				continue
			}
			actions++
			ev := events(name, map[string]bool{})
			read := false
			for _, e := range ev {
				if e == "view" {
					read = true
				}
				if e == "update" && read {
					t.Errorf("%s.%s reads the store in a transaction of its own before the one that acts: %v", pkg, name, ev)
					break
				}
			}
		}
		if actions < 8 {
			t.Errorf("%s: %d actions examined, want all of them", pkg, actions)
		}
	}
}
