package keyward_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakefile_FuzzTargets: `make fuzz` (which CI runs) lists every fuzz
// target in the module, so a new parser's fuzz target cannot be left out.
func TestMakefile_FuzzTargets(t *testing.T) {
	mk, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range regexp.MustCompile(`\./[\w/]+:Fuzz\w+`).FindAllString(string(mk), -1) {
		listed[f] = true
	}
	fuzz := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := 0
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || fileExists(filepath.Join(path, "go.mod"))) {
			return filepath.SkipDir // other modules (e2e, bench) have their own
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzz.FindAllStringSubmatch(string(src), -1) {
			found++
			target := "./" + filepath.ToSlash(filepath.Dir(path)) + ":" + m[1]
			if !listed[target] {
				t.Errorf("%s has fuzz target %s, but the Makefile's FUZZ_TARGETS lacks %s", path, m[1], target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("found no fuzz targets")
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
