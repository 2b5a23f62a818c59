package main

import (
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line   string
		name   string
		ns     float64
		allocs int64
		ok     bool
	}{
		{"BenchmarkDecision/keyward/allow_late-2   \t 3562112\t       339.1 ns/op\t       0 B/op\t       0 allocs/op", "Decision/keyward/allow_late", 339.1, 0, true},
		{"BenchmarkParse/cedar-16  349  342570 ns/op  317642 B/op  3891 allocs/op", "Parse/cedar", 342570, 3891, true},
		{"BenchmarkScale/517/allow_var  100  258 ns/op  0 B/op  0 allocs/op", "Scale/517/allow_var", 258, 0, true}, // GOMAXPROCS 1: no suffix
		{"BenchmarkParse/keyward-2  579  235619 ns/op", "", 0, 0, false},                                           // no -benchmem
		{"cpu: AMD EPYC", "", 0, 0, false},
		{"PASS", "", 0, 0, false},
	}
	for _, tt := range tests {
		name, r, ok := parseLine(tt.line)
		if ok != tt.ok || name != tt.name || r.nsPerOp != tt.ns || r.allocsPerOp != tt.allocs {
			t.Errorf("parseLine(%q) = %q, %+v, %v; want %q, {%v %d}, %v", tt.line, name, r, ok, tt.name, tt.ns, tt.allocs, tt.ok)
		}
	}
}

// TestWrite: the report's table and verdicts from a set of results.
func TestWrite(t *testing.T) {
	best := map[string]result{
		"Decision/keyward/allow": {200, 0}, "Decision/cedar/allow": {10000, 11},
		"Decision/keyward/deny": {100, 0}, "Decision/cedar/deny": {2000, 11},
		"Parse/keyward": {300000, 2100}, "Parse/cedar": {500000, 3891},
		"Scale/47/allow": {200, 0}, "Scale/517/allow": {250, 0},
		"Scale/47/deny": {100, 0}, "Scale/517/deny": {110, 0},
	}
	order := []string{"Decision/keyward/allow", "Decision/cedar/allow", "Decision/keyward/deny", "Decision/cedar/deny",
		"Parse/keyward", "Parse/cedar", "Scale/47/allow", "Scale/517/allow", "Scale/47/deny", "Scale/517/deny"}
	var b strings.Builder
	if err := write(&b, best, order, 5, "300ms", "a CPU", "v1.9.1"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"cedar-go v1.9.1", "best of 5 rounds of 300ms",
		"50.0x", "20.0x", "geometric mean", "31.6x", // sqrt(50*20)
		"1.7x", "1.25x", "1.10x",
		"one decision >= 40x faster than cedar-go, 0 allocations: NOT met (slowest ratio 20.0x",
		"costs < 2x:           met     (worst 1.25x)",
		"parse + compile faster than cedar-go:                     met",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("write(...) =\n%s\nwant it to contain %q", b.String(), want)
		}
	}
	delete(best, "Parse/cedar")
	if err := write(&b, best, order, 5, "300ms", "a CPU", "v1.9.1"); err == nil || !strings.Contains(err.Error(), "Parse/cedar did not run") {
		t.Errorf("write without Parse/cedar = %v, want an error naming it", err)
	}
}
