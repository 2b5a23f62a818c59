package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/policy"
)

// workloadDir is the engine benchmark workload role-10x47: one role's ten
// policies and four requests with the decisions IAM gives. The repository
// keeps one copy, in the bench module, whose benchmarks time it against
// cedar-go.
const workloadDir = "../bench/testdata/role-10x47"

type workloadCase struct {
	Name    string          `json:"name"`
	Want    string          `json:"want"`
	Request json.RawMessage `json:"request"`
}

func loadWorkload(t testing.TB) []workloadCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(workloadDir, "requests.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []workloadCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 4 {
		t.Fatalf("%s/requests.json has %d requests, want the workload's 4", workloadDir, len(cases))
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
