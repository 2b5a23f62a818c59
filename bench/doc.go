// Package bench measures Keyward's policy engine side by side with cedar-go, AWS's Go
// implementation of the Cedar policy language, on the same statements, in one
// `go test` run, and reports the ratios the design's performance goals are stated in.
//
// It is a separate module so that the main module never depends on cedar-go. All of
// its code is test code:
//
//	cd bench && go test -run TestReport -v        # the table the README quotes
//	cd bench && go test -bench . -benchmem        # the raw benchmarks
//
// The workload is testdata/role-10x47 (a copy of shared/bench/role-10x47): one role's
// ten identity policies (47 statements) and four requests with the decisions they must
// produce. The Cedar side is a hand translation of those statements by rules written
// in cedar_test.go; both engines must reach the expected decisions before any figure
// is worth quoting (TestCedarDecisions, TestKeywardDecisions).
package bench
