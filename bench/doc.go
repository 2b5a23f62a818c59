// Package bench measures Keyward's policy engine side by side with cedar-go, AWS's Go
// implementation of the Cedar policy language, on the same statements, and reports the
// ratios the design's performance goals are stated in.
//
// It is a separate module so that the main module never depends on cedar-go. The
// benchmarks and the checks that both engines decide alike are test code; the report
// command runs the benchmarks and prints the table:
//
//	cd bench && go run ./report                   # the table the README quotes (make bench)
//	cd bench && go test -bench . -benchmem        # the raw benchmarks
//
// The workload is testdata/role-10x47, the repository's one copy of it (the policy
// package's tests read it too): one role's ten identity policies (47 statements) and
// four requests with the decisions they must produce. The Cedar side is a hand
// translation of those statements by rules written in cedar_test.go; both engines must
// reach the expected decisions before any figure is worth quoting (TestCedarDecisions,
// TestKeywardDecisions).
package bench
