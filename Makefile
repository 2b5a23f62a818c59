# The commands a newcomer needs:
#   make build   builds the keyward command as ./keyward (go install ./cmd/keyward
#                puts it in $(go env GOPATH)/bin instead)
#   make serve   builds ./keyward and runs the server on its embedded SQLite
#                store (./keyward-data)
#   make test    runs every test of every module (main, e2e, bench)
# They need only Go; modules come from the Go module proxy.

GO ?= go
export CGO_ENABLED ?= 0

.PHONY: build serve test test-short bench fuzz screenshots

# -buildvcs=auto: the binary carries the commit it was built from (keyward
# version), whatever GOFLAGS says, wherever git can tell.
build:
	$(GO) build -buildvcs=auto -o keyward ./cmd/keyward

# serve builds the binary and execs it, so that Ctrl-C reaches keyward itself:
# it shuts down cleanly and make exits 0 (go run would exit 1). SERVE_FLAGS
# adds flags: make serve SERVE_FLAGS='--store sqlite::memory:'.
SERVE_FLAGS ?=
serve: build
	exec ./keyward serve $(SERVE_FLAGS)

# go test through internal/testsummary: one line a package as go test prints
# it, plus what go test hides without -v: why each skipped test skipped, and
# how many cases the headline suites below ran.
HEADLINE_TESTS = TestConsole_Browser|TestSuite_Header|TestSuite_Query|TestVerify_Mutations|TestWorkload_Role10x47|TestCorpus|TestCheck_Corpus|TestGenerate_PassesLint|TestQuickstart_AWSCLI|TestKVStore_AWSCLI
TESTSUMMARY = $(GO) run ./internal/testsummary -show '$(HEADLINE_TESTS)'

# staticcheck, pinned, from the Go module proxy (no go.mod entry): what it
# finds dead or wrong fails the run.
STATICCHECK = $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

test:
	$(GO) vet ./...
	$(STATICCHECK) ./...
	cd e2e && $(STATICCHECK) ./...
	cd bench && $(STATICCHECK) ./...
	$(TESTSUMMARY) -- -count=1 ./...
	$(TESTSUMMARY) -C e2e -- -count=1 ./...
	$(TESTSUMMARY) -C bench -- -count=1 ./...

# The console's screenshots in docs/console (the README shows them), taken
# by its browser test in a headless Chromium (apt-get install chromium).
screenshots:
	cd e2e && KEYWARD_SCREENSHOTS=$(CURDIR)/docs/console $(GO) test -count=1 -run TestConsole_Browser .

# A quick subset for edit-test loops.
test-short:
	$(GO) test -short ./...

# Side-by-side benchmarks against cedar-go, with ratios (about 30 s).
bench:
	cd bench && $(GO) run ./report

# Each fuzz target for a short while: CI runs `make fuzz FUZZTIME=5s`; run
# longer by hand (FUZZTIME=10m). A crasher is written to the package's
# testdata/fuzz/FuzzXxx/ and kept there: `make test` replays it for good.
FUZZTIME ?= 10s
FUZZ_TARGETS = \
	./policy:FuzzParse \
	./arn:FuzzParse \
	./sigv4:FuzzParse ./sigv4:FuzzSignVerify ./sigv4:FuzzParseX509 \
	./internal/awsquery:FuzzForm ./internal/awsquery:FuzzBind \
	./internal/iam:FuzzRenderTemplate \
	./internal/sts:FuzzOpenSession ./internal/sts:FuzzDecodePayload ./internal/sts:FuzzParseJWT ./internal/sts:FuzzAssumeRoleWithWebIdentity \
	./authorize:FuzzForward \
	./lint:FuzzCheck
# Go 1.26's fuzz coordinator can fail a run with a bare "context deadline
# exceeded" when -fuzztime ends under CPU contention (go.dev/issue/75804,
# fixed in Go 1.27): that, with no failing input written, is not a finding.
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t#*:}; out=$$(mktemp); \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		if ! $(GO) test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) >$$out 2>&1; then \
			cat $$out; \
			if grep -q 'context deadline exceeded' $$out && ! grep -q 'Failing input written' $$out; then \
				echo "fuzz $$pkg $$fn: the coordinator's deadline race (go.dev/issue/75804), not a finding"; \
			else rm -f $$out; exit 1; fi; \
		else tail -1 $$out; fi; \
		rm -f $$out; \
	done
