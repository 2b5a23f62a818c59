package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/policy"
)

// Check never panics, and every finding has a kind and a position.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range Check(data, policy.Identity) {
			if fd.Kind.Severity() == 0 || fd.Line < 1 || fd.Column < 1 || fd.Code == "" {
				t.Fatalf("Check(%q) gave %+v", data, fd)
			}
		}
	})
}
