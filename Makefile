# aegisthus: see README.md. Every target works on a fresh clone.
GO      ?= go
BIN     ?= bin/aegisthus
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/aegisthus/aegisthus/internal/cli.Version=$(VERSION)

.PHONY: build test lint fuzz bench demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/aegisthus

test:
	$(GO) test -race ./...

lint:
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

# -fuzz takes one target at a time; FUZZTIME bounds each.
FUZZTIME ?= 20000x
FUZZ_TARGETS ?= FuzzCursor:./internal/sstable/wire

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; pkg=$${t#*:}; \
	  echo "fuzz $$name $$pkg"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

# Compare runs with: benchstat old.txt new.txt
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=$${COUNT:-1} ./... | tee bench.txt

clean:
	rm -rf bin bench.txt

-include interop/interop.mk
