# goodmoney: `make run` serves the demo, `make test` runs every test.
# Both install the system packages they need (PostgreSQL server binaries,
# Chromium for browser tests) when missing; that needs root or sudo.

GO      ?= go
BIN     := bin/goodmoney
# The benchmark's build: the same app plus its ceiling pages and pprof
# (files tagged bench). Never deployed.
BENCHBIN := bin/goodmoney-bench
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT     := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: run build build-bench test fuzz generate lint bench deps deps-postgres deps-chromium clean

run: deps-postgres build
	./$(BIN) serve --demo

build:
	$(GO) build -o $(BIN) ./cmd/goodmoney

build-bench:
	$(GO) build -tags bench -o $(BENCHBIN) ./cmd/goodmoney

# The second run is the benchmark harness's own test (TestHarnessTiny): it
# needs the ceiling pages, so it is built with the bench tag.
test: deps-postgres deps-chromium
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -timeout 10m -tags bench ./cmd/benchrun/
	$(MAKE) fuzz

# fuzz runs every fuzz target of user input for FUZZTIME each (go test
# -fuzz takes one target of one package at a time). New corpus entries
# that fail land in testdata/fuzz/ of the package: commit them.
FUZZTIME ?= 5s
FUZZ_TARGETS := ./internal/money:FuzzParse ./internal/pipeline:FuzzParseDates \
	./internal/server:FuzzFormDecoding ./internal/password:FuzzCheck ./internal/scoring:FuzzEvaluate
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

generate:
	$(GO) tool templ generate -path web

# lint checks formatting, vet, that go.mod and go.sum are tidy and that the
# committed templ output is current.
lint:
	@test -z "$$(gofmt -l cmd internal web migrations)" || { gofmt -l cmd internal web migrations; echo "gofmt needed"; exit 1; }
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy and commit"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags bench ./...
	$(GO) tool templ generate -path web
	@git diff --exit-code -- web || { echo "generated templ code was stale: run make generate and commit"; exit 1; }

# bench seeds (or reuses) the benchmark org in bench-data/, serves it with
# the bench build, loads it with vegeta (a Go library: nothing to install)
# and updates BENCHMARKS.md.
# Flags after BENCH_FLAGS=, e.g. make bench BENCH_FLAGS="-read 5s".
bench: deps-postgres build-bench
	$(GO) run ./cmd/benchrun -bin $(BENCHBIN) $(BENCH_FLAGS)

# deps lists the direct modules that have newer releases. It asks the Go
# module proxy, so it needs the network and is not part of CI. One module at
# a time: `go list -m -u all` fails on old modules the proxy refuses.
deps:
	@for m in $$($(GO) list -m -f '{{if not .Indirect}}{{if not .Main}}{{.Path}}{{end}}{{end}}' all); do \
		$(GO) list -m -u -f '{{if .Update}}{{.Path}} {{.Version}} -> {{.Update.Version}}{{end}}' $$m; \
	done

deps-postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		{ echo "installing PostgreSQL server binaries"; $(APT) update -qq && $(APT) install -y -qq postgresql; }

deps-chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "installing Chromium for browser tests"; $(APT) update -qq && $(APT) install -y -qq chromium; }

clean:
	rm -rf bin
