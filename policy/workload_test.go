package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/policy"
)

// sharedDir finds ../shared beside the repository, or skips the test.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "..", "shared", sub)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if filepath.Dir(d) == d {
			t.Skipf("../shared/%s not found beside the repository: the shared benchmark workload is needed", sub)
		}
	}
}

type workloadCase struct {
	Name    string          `json:"name"`
	Want    string          `json:"want"`
	Request json.RawMessage `json:"request"`
}

func loadWorkload(t testing.TB) []workloadCase {
	data, err := os.ReadFile(filepath.Join(sharedDir(t, "bench/role-10x47"), "requests.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []workloadCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestWorkload_Role10x47(t *testing.T) {
	for _, c := range loadWorkload(t) {
		t.Run(c.Name, func(t *testing.T) {
			in, err := policy.DecodeInput(c.Request)
			if err != nil {
				t.Fatalf("DecodeInput: %v", err)
			}
			if n := in.Policies.Identity.Len(); n != 47 {
				t.Errorf("identity statements = %d, want 47", n)
			}
			var res policy.Result
			in.Policies.Evaluate(&in.Request, &res)
			if got := res.Decision.String(); got != c.Want {
				t.Errorf("Evaluate(%s) = %s, want %s (matched %+v)", c.Name, got, c.Want, res.Matched)
			}
			allocs := testing.AllocsPerRun(100, func() { in.Policies.Evaluate(&in.Request, &res) })
			if allocs != 0 {
				t.Errorf("Evaluate(%s) allocates %v times per decision, want 0", c.Name, allocs)
			}
		})
	}
}

func BenchmarkEvaluate_Role10x47(b *testing.B) {
	for _, c := range loadWorkload(b) {
		in, err := policy.DecodeInput(c.Request)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Name, func(b *testing.B) {
			var res policy.Result
			b.ReportAllocs()
			for b.Loop() {
				in.Policies.Evaluate(&in.Request, &res)
			}
		})
	}
}
