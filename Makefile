# The two commands a newcomer needs:
#   make serve   runs the server on its embedded SQLite store (./keyward-data)
#   make test    runs every test of every module (main, e2e, bench)
# Both need only Go; modules come from the Go module proxy.

GO ?= go
export CGO_ENABLED ?= 0

.PHONY: serve test test-short bench fuzz

serve:
	$(GO) run ./cmd/keyward serve

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	cd e2e && $(GO) test -count=1 ./...
	cd bench && $(GO) test -count=1 ./...

# A quick subset for edit-test loops.
test-short:
	$(GO) test -short ./...

# Side-by-side benchmarks against cedar-go, with ratios.
bench:
	cd bench && $(GO) test -run TestReport -v

# Each fuzz target for a short while (CI runs them briefly; run longer by hand).
FUZZTIME ?= 10s
fuzz:
	$(GO) test ./policy -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./arn -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./sigv4 -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./awsquery -run '^$$' -fuzz FuzzForm -fuzztime $(FUZZTIME)
