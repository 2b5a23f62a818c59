package bench

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"text/tabwriter"
)

// BenchmarkDecision times one decision of each workload request, Keyward and cedar-go
// side by side.
func BenchmarkDecision(b *testing.B) {
	w := loadWorkload(b)
	k := newKeywardFixture(b, w, nil)
	c := newCedarFixture(b, w)
	for i := range w.cases {
		b.Run("keyward/"+k.cases[i].name, benchKeywardDecision(k.policies, k.cases[i]))
		b.Run("cedar/"+c.cases[i].name, benchCedarDecision(c, c.cases[i]))
	}
}

// BenchmarkParse times turning the ten documents into something that decides:
// policy.Parse and policy.NewSet for Keyward, cedar.NewPolicySetFromBytes of the
// translated text for cedar-go.
func BenchmarkParse(b *testing.B) {
	w := loadWorkload(b)
	b.Run("keyward", benchKeywardParse(w.documents))
	b.Run("cedar", benchCedarParse(newCedarFixture(b, w).translation.text))
}

// BenchmarkScale times Keyward's decisions with the role's 47 statements and with 470
// more for other services.
func BenchmarkScale(b *testing.B) {
	w := loadWorkload(b)
	small := newKeywardFixture(b, w, nil)
	large := newKeywardFixture(b, w, scaleDocuments(b))
	for i := range w.cases {
		b.Run("47/"+small.cases[i].name, benchKeywardDecision(small.policies, small.cases[i]))
		b.Run("517/"+large.cases[i].name, benchKeywardDecision(large.policies, large.cases[i]))
	}
}

// TestReport runs the benchmarks above through testing.Benchmark and prints the table
// the README quotes:
//
//	cd bench && go test -run TestReport -v
//
// It takes half a minute, so it runs only when asked for by name. It reports the
// design's goals as met or not without failing: timings on a shared machine are not
// a test verdict.
func TestReport(t *testing.T) {
	if f := flag.Lookup("test.run"); f == nil || !strings.Contains(f.Value.String(), "TestReport") {
		t.Skip("runs about 30 s of benchmarks; ask for it: go test -run TestReport -v")
	}
	w := loadWorkload(t)
	k := newKeywardFixture(t, w, nil)
	c := newCedarFixture(t, w)
	large := newKeywardFixture(t, w, scaleDocuments(t))

	run := func(name string, f func(*testing.B)) testing.BenchmarkResult {
		r := testing.Benchmark(f)
		if r.N == 0 {
			t.Fatalf("benchmark %s failed", name)
		}
		return r
	}
	ns := func(r testing.BenchmarkResult) float64 { return float64(r.T.Nanoseconds()) / float64(r.N) }

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	fmt.Fprintf(out, "\nKeyward policy engine vs cedar-go %s, workload role-10x47 (10 policies, 47 statements)\n", cedarVersion())
	fmt.Fprintf(out, "%s %s/%s, %s, %d CPUs, GOMAXPROCS %d\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0))

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "one decision\tkeyward ns/op\tallocs/op\tcedar-go ns/op\tallocs/op\tcedar/keyward\t")
	var keywardNs []float64
	minRatio, logSum, maxAllocs := math.Inf(1), 0.0, int64(0)
	for i := range w.cases {
		kr := run("keyward/"+k.cases[i].name, benchKeywardDecision(k.policies, k.cases[i]))
		cr := run("cedar/"+c.cases[i].name, benchCedarDecision(c, c.cases[i]))
		ratio := ns(cr) / ns(kr)
		minRatio, logSum, maxAllocs = min(minRatio, ratio), logSum+math.Log(ratio), max(maxAllocs, kr.AllocsPerOp())
		keywardNs = append(keywardNs, ns(kr))
		fmt.Fprintf(tw, "%s\t%.0f\t%d\t%.0f\t%d\t%.1fx\t\n", k.cases[i].name, ns(kr), kr.AllocsPerOp(), ns(cr), cr.AllocsPerOp(), ratio)
	}
	geoDecision := math.Exp(logSum / float64(len(w.cases)))
	fmt.Fprintf(tw, "geometric mean\t\t\t\t\t%.1fx\t\n", geoDecision)
	tw.Flush()

	kp := run("parse/keyward", benchKeywardParse(w.documents))
	cp := run("parse/cedar", benchCedarParse(c.translation.text))
	parseRatio := ns(cp) / ns(kp)
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "parse + compile, 10 policies\tkeyward ns/op\tallocs/op\tcedar-go ns/op\tallocs/op\tcedar/keyward\t")
	fmt.Fprintf(tw, "role-10x47\t%.0f\t%d\t%.0f\t%d\t%.1fx\t\n", ns(kp), kp.AllocsPerOp(), ns(cp), cp.AllocsPerOp(), parseRatio)
	tw.Flush()

	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "keyward, statements\t47 ns/op\t%d ns/op\tallocs/op\tratio\t\n", 47+scaleStatements)
	maxScale := 0.0
	for i := range w.cases {
		lr := run("scale/"+large.cases[i].name, benchKeywardDecision(large.policies, large.cases[i]))
		ratio := ns(lr) / keywardNs[i]
		maxScale = max(maxScale, ratio)
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%d\t%.2fx\t\n", large.cases[i].name, keywardNs[i], ns(lr), lr.AllocsPerOp(), ratio)
	}
	tw.Flush()

	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(out, "\ngoals (DESIGN.md):\n")
	fmt.Fprintf(out, "  one decision >= 15x faster than cedar-go, 0 allocations: %s (slowest ratio %.1fx, most allocations %d)\n",
		verdict(minRatio >= 15 && maxAllocs == 0), minRatio, maxAllocs)
	fmt.Fprintf(out, "  10x the statements (other services) costs < 2x:           %s (worst %.2fx)\n", verdict(maxScale < 2), maxScale)
	fmt.Fprintf(out, "  parse + compile faster than cedar-go parsing:            %s (%.1fx)\n\n", verdict(parseRatio > 1), parseRatio)
}

// cedarVersion is the cedar-go version this test binary was built with.
func cedarVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/cedar-policy/cedar-go" {
				return d.Version
			}
		}
	}
	return "(unknown version)"
}

// cpuModel names the processor, where Linux says.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(data)) {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimLeft(name, " \t:"))
		}
	}
	return "unknown CPU"
}
