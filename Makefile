# aegisthus: see README.md. Every target works on a fresh clone.
GO      ?= go
BIN     ?= bin/aegisthus
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/aegisthus/aegisthus/internal/cli.Version=$(VERSION)

# Every build, test, benchmark and profile here uses go1.26's experimental
# SIMD package (simd/archsimd): JSON string escaping scans 32 bytes per AVX2
# compare (internal/render/cqljson/escape_simd.go), checked for AVX2 at run
# time. A plain `go build` without it gets the portable code, which `make
# test` and `make lint` also cover (NOSIMD). GOEXPERIMENT=nosimd turns it off.
export GOEXPERIMENT ?= simd
NOSIMD := GOEXPERIMENT=$(GOEXPERIMENT),nosimd

.PHONY: build test test-s3 test-parquet test-spark minio bench-s3 lint fuzz bench pgo demo clean

# The main job on the bundled sample: three replicas of demo.events (a 3-node
# cluster whose replicas diverged, snapshotted; see testdata/README.md), merged
# like a read at CONSISTENCY ALL, then compared with what Cassandra returned.
DEMO_OUT ?= bin/demo-out
DEMO_IN  := $(wildcard testdata/sample-snapshot/node*/demo/events-*/snapshots/sample)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/aegisthus

# The second line runs the package with build-tagged SIMD code without the
# experiment, so the portable fallback stays tested.
test:
	$(GO) test -race ./...
	$(NOSIMD) $(GO) test -race ./internal/render/cqljson

# The S3 tests against a real MinIO: scripts/minio.sh builds the pinned MinIO
# once (cached under ~/.cache/aegisthus), starts it on 127.0.0.1 with a fresh
# data dir, runs the tests and always stops it. Without it they skip.
S3_PKGS ?= ./internal/storage/s3/... ./internal/sink/...
test-s3:
	scripts/minio.sh run sh -c '$(GO) test -race -count=1 $(S3_PKGS) && $(GO) test -race -count=1 -run "^TestS3" ./internal/cli'

minio:
	scripts/minio.sh install

# Parquet output read back by an independent reader: scripts/pyenv.sh makes a
# venv with DuckDB (pinned in scripts/requirements-parquet.txt, cached under
# ~/.cache/aegisthus), then every fixture table of testdata/cassandra-5.0 is
# exported as JSON and as Parquet and compared value by value, types checked.
test-parquet:
	CGO_ENABLED=0 $(GO) build -o bin/aegisthus-parquet-check ./cmd/aegisthus
	"$$(scripts/pyenv.sh)" scripts/parquet_check.py bin/aegisthus-parquet-check testdata/cassandra-5.0

# The Spark runner (deploy/spark) with a real spark-submit on local[2,4]:
# scripts/spark.sh installs PySpark into a cached venv (once), scripts/minio.sh
# starts MinIO; the sample snapshot and a multi-table backup, to a directory
# and to MinIO, one task killed mid-unit; plus a plan of S3 inputs run as shards.
test-spark:
	scripts/spark.sh run scripts/minio.sh run sh -c 'AEGISTHUS_SPARK_SUBMIT=$$(command -v spark-submit) $(GO) test -count=1 -v -run "^(TestSpark|TestScaleOutS3)$$" ./cmd/aegisthus'

# Export throughput from MinIO against local disk, and GETs/bytes per GB read.
bench-s3:
	scripts/minio.sh run $(GO) test -run='^$$' -bench=S3Export -benchtime=3x ./internal/cli

lint:
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(NOSIMD) $(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(KUBECONFORM) -strict -summary -schema-location 'deploy/k8s/schema/{{ .ResourceKind }}{{ .KindSuffix }}.json' deploy/k8s/*.yaml

# kubeconform checks deploy/k8s against a vendored strict schema of batch/v1
# Job (deploy/k8s/schema: its default schemas are fetched from the web).
KUBECONFORM ?= $(GO) run github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0

# -fuzz takes one target at a time; FUZZTIME bounds each. Keep it a count (Nx):
# a duration races the fuzz coordinator in go1.26 (go.dev/issue/75804).
# -timeout=0: a long count (make fuzz FUZZTIME=5000000x) outlives go test's
# default 10-minute timeout; FUZZMINTIME bounds the minimization of a failing
# input, which is otherwise unbounded in practice, and of each new interesting
# one: the fuzzer shows 0 execs/s meanwhile (FuzzReadPlan, whose inputs are
# whole plan files, spends most of its ~4 minutes in CI there).
FUZZTIME ?= 20000x
FUZZMINTIME ?= 30s
FUZZ_TARGETS ?= \
	FuzzCursor:./internal/sstable/wire \
	FuzzMurmur3:./internal/token \
	FuzzComparableKey:./internal/token \
	FuzzDecompress:./internal/compress \
	FuzzParseCompressionInfo:./internal/sstable/chunk \
	FuzzChunk:./internal/sstable/chunk \
	FuzzStats:./internal/sstable/stats \
	FuzzHLL:./internal/sstable/stats \
	FuzzIndex:./internal/sstable/index \
	FuzzSummary:./internal/sstable/index \
	FuzzPartitionsTrie:./internal/sstable/index \
	FuzzScanner:./internal/sstable/row \
	FuzzLegacyScanner:./internal/sstable/legacy \
	FuzzRawScanner:./internal/sstable/legacy \
	FuzzParseMarshal:./internal/cql \
	FuzzReader:./internal/partfile \
	FuzzParseCQL:./internal/cql/cqlparse \
	FuzzParseSchema:./internal/cql/cqlparse \
	FuzzAppendJSON:./internal/render/cqljson \
	FuzzEscape:./internal/render/cqljson \
	FuzzJavaDouble:./internal/javafmt \
	FuzzAppendInt:./internal/javafmt \
	FuzzSnappyJava:./internal/storage \
	FuzzPriamMeta:./internal/discover \
	FuzzEsopManifest:./internal/discover \
	FuzzMedusaManifest:./internal/discover \
	FuzzReadPlan:./internal/pipeline

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; pkg=$${t#*:}; \
	  echo "fuzz $$name $$pkg"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINTIME) -timeout=0 $$pkg || exit 1; \
	done

# DEMO_NOW is the instant Cassandra's SELECT ran (expected/events.meta.json):
# TTLs are evaluated then, so the rows equal its answer whenever the demo runs.
DEMO_NOW := $(shell sed -n 's/.*"now": "\(.*\)".*/\1/p' testdata/sample-snapshot/expected/events.meta.json)
demo: build interop-compare-tool
	$(BIN) export $(DEMO_IN) --out $(DEMO_OUT) --overwrite --split-size 16KiB --now $(DEMO_NOW)
	@echo "--- first rows of $(DEMO_OUT)/part-*.jsonl:"
	@cat $(DEMO_OUT)/part-*.jsonl | head -n 5
	@$(INTEROP_CMP) -rows testdata/sample-snapshot/expected/events.select-json.jsonl $(DEMO_OUT)/part-*.jsonl

# Compare runs with: benchstat old.txt new.txt. Benchmarks are built with the
# binary's profile (cmd/aegisthus/default.pgo, which go build uses on its own)
# so they measure the code users run. Then one line of ratios (Rows, Export per
# worker against the machine's plain loop, Parquet/JSON) goes to BENCH_HISTORY
# (scripts/benchhist), so a regression shows as a ratio drop on any machine.
PGO := $(CURDIR)/cmd/aegisthus/default.pgo
BENCH_HISTORY ?= docs/bench-history.tsv
bench:
	$(GO) test -pgo=$(PGO) -run='^$$' -bench=. -benchmem -count=$${COUNT:-1} ./... | tee bench.txt
	$(GO) run ./scripts/benchhist -commit $(VERSION) -o $(BENCH_HISTORY) < bench.txt
	@tail -n 1 $(BENCH_HISTORY)

# Refresh default.pgo from real runs on the benchmark tables (see the script).
pgo:
	scripts/pgo.sh

clean:
	rm -rf bin bench.txt

-include interop/interop.mk
