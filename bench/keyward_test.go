package bench

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/keyward/keyward/policy"
)

// keywardCase is one workload request in Keyward's terms.
type keywardCase struct {
	name    string
	want    string
	input   *policy.Input // the request as `keyward policy eval` decodes it, its own policies compiled
	request *policy.Request
}

// keywardFixture is the workload compiled once with policy.NewSet, as a service would
// keep it, and the four requests.
type keywardFixture struct {
	policies *policy.Policies
	cases    []keywardCase
}

// parseDocuments parses identity policy documents, naming them prefix0, prefix1...
func parseDocuments(tb testing.TB, docs []json.RawMessage, prefix string) []policy.Policy {
	tb.Helper()
	var ps []policy.Policy
	for i, d := range docs {
		doc, err := policy.Parse(d, policy.Identity)
		if err != nil {
			tb.Fatalf("policy.Parse(%s%d): %v", prefix, i, err)
		}
		ps = append(ps, policy.Policy{ID: fmt.Sprintf("%s%d", prefix, i), Document: doc})
	}
	return ps
}

// newKeywardFixture compiles the workload's documents and, after them, extra ones.
func newKeywardFixture(tb testing.TB, w *workload, extra []json.RawMessage) *keywardFixture {
	tb.Helper()
	ps := parseDocuments(tb, w.documents, "role-10x47/")
	ps = append(ps, parseDocuments(tb, extra, "scale/")...)
	f := &keywardFixture{policies: &policy.Policies{Identity: policy.NewSet(ps...)}}
	for _, c := range w.cases {
		f.cases = append(f.cases, newKeywardCase(tb, c))
	}
	return f
}

func newKeywardCase(tb testing.TB, c workloadCase) keywardCase {
	tb.Helper()
	in, err := policy.DecodeInput(c.Request)
	if err != nil {
		tb.Fatalf("policy.DecodeInput(%s): %v", c.Name, err)
	}
	return keywardCase{name: c.Name, want: c.Want, input: in, request: &in.Request}
}

// sids lists the Sids of a result's matched statements, sorted.
func sids(res *policy.Result) []string {
	var s []string
	for _, m := range res.Matched {
		s = append(s, m.Sid)
	}
	slices.Sort(s)
	return s
}

func TestKeywardDecisions(t *testing.T) {
	f := newKeywardFixture(t, loadWorkload(t), nil)
	if n := f.policies.Identity.Len(); n != 47 {
		t.Fatalf("policy.NewSet(policies.jsonl).Len() = %d, want 47", n)
	}
	for _, c := range f.cases {
		t.Run(c.name, func(t *testing.T) {
			// Both ways in: the eval request decoded whole, and the documents
			// compiled once with NewSet, as the benchmarks use them.
			for _, p := range []struct {
				how      string
				policies *policy.Policies
			}{{"DecodeInput", &c.input.Policies}, {"NewSet", f.policies}} {
				var res policy.Result
				p.policies.Evaluate(c.request, &res)
				if got := res.Decision.String(); got != c.want {
					t.Errorf("Evaluate(%s) with %s policies = %s, want %s", c.name, p.how, got, c.want)
				}
				if got := sids(&res); !slices.Equal(got, wantSids[c.name]) {
					t.Errorf("Evaluate(%s) with %s policies matched %q, want %q", c.name, p.how, got, wantSids[c.name])
				}
			}
		})
	}
}

// TestKeywardVariants runs the variants that TestCedarVariants runs, so that the two
// engines are held to the same decisions beyond the four timed requests.
func TestKeywardVariants(t *testing.T) {
	w := loadWorkload(t)
	for _, c := range variantCases(t, w) {
		t.Run(c.Name, func(t *testing.T) {
			k := newKeywardCase(t, c)
			var res policy.Result
			k.input.Policies.Evaluate(k.request, &res)
			if got := res.Decision.String(); got != c.Want {
				t.Errorf("Evaluate(%s) = %s, want %s (matched %+v)", c.Name, got, c.Want, res.Matched)
			}
		})
	}
}

// benchKeywardDecision times one decision: the policies compiled once, one Result
// reused, as a service would.
func benchKeywardDecision(p *policy.Policies, c keywardCase) func(*testing.B) {
	return func(b *testing.B) {
		var res policy.Result
		p.Evaluate(c.request, &res)
		if got := res.Decision.String(); got != c.want {
			b.Fatalf("Evaluate(%s) = %s, want %s", c.name, got, c.want)
		}
		b.ReportAllocs()
		for b.Loop() {
			p.Evaluate(c.request, &res)
		}
	}
}

// benchKeywardParse times parsing the ten documents and compiling them into a Set.
func benchKeywardParse(docs []json.RawMessage) func(*testing.B) {
	return func(b *testing.B) {
		ps := make([]policy.Policy, len(docs))
		for i := range ps {
			ps[i].ID = fmt.Sprintf("role-10x47/%d", i)
		}
		b.ReportAllocs()
		for b.Loop() {
			for i, d := range docs {
				doc, err := policy.Parse(d, policy.Identity)
				if err != nil {
					b.Fatal(err)
				}
				ps[i].Document = doc
			}
			policy.NewSet(ps...)
		}
	}
}
