# Interop harness: a real Cassandra 5.0 (cassandra-all from Maven Central)
# writes fixtures and checks aegisthus. Needs Java 17+ and Maven; see
# interop/README.md. Included from the top Makefile.
INTEROP      := interop
INTEROP_GEN  := $(INTEROP)/.cache/bin/gen
INTEROP_CMP  := $(INTEROP)/.cache/bin/compare
TESTDATA     := testdata/cassandra-5.0
TESTDATA60   := testdata/cassandra-6.0
FORMATS      ?= nb oa da
FORMATS60    ?= nb oa pa ea
# make interop: ALTER TABLE ADD/DROP between flush rounds (EVOLVE= turns it off).
EVOLVE       ?= -evolve
SEED         ?= 1
# Interop runs (make interop) write here, never to testdata/.
INTEROP_RUN  ?= $(INTEROP)/.cache/run
BENCH_SIZE   ?= 2G
BENCH_OUT    ?= $(INTEROP)/.cache/benchdata
WIDE_SIZE    ?= 1G
WIDE_OUT     ?= $(INTEROP)/.cache/widedata

.PHONY: interop-tools interop-compare-tool interop-cluster interop-gen interop-check testdata testdata-dropped testdata-6.0 testdata-cluster testdata-backup benchdata benchdata-narrow benchdata-wide bench-sstabledump interop interop-compare interop-clean interop-medusa

interop-tools:
	@cd $(INTEROP) && go build -o .cache/bin/gen ./cmd/gen
	@$(INTEROP)/bin/classpath >/dev/null

interop-compare-tool:
	@cd $(INTEROP) && go build -o .cache/bin/compare ./cmd/compare

# Regenerates the committed fixtures: every format x compression, the edge
# cases, the 3-replica sample snapshot and the whole-backup snapshot. Never
# hand-edit the result.
testdata: interop-tools
	@for f in $(FORMATS); do \
	  (cd $(INTEROP) && .cache/bin/gen fixtures -format $$f -seed $(SEED) -out ../$(TESTDATA)) || exit 1; \
	done
	@# time-UUID SSTable ids (uuid_sstable_identifiers_enabled), as cassandra_latest.yaml sets
	cd $(INTEROP) && .cache/bin/gen fixtures -format oa -seed $(SEED) -uuid-ids -ks-prefix uuid_ -compressions lz4,zstd -tables 1 -edge=false -out ../$(TESTDATA)
	@$(MAKE) --no-print-directory testdata-dropped
	@$(MAKE) --no-print-directory testdata-cluster
	@$(MAKE) --no-print-directory testdata-backup

# Issue 14: columns dropped and added back (same type, other type, static,
# list, map, frozen UDT; headers disagreeing on a dropped column's type), with
# the snapshot's schema.cql as meta.json's cql. About 35 s per format.
testdata-dropped: interop-tools
	@for f in $(FORMATS); do \
	  (cd $(INTEROP) && .cache/bin/gen dropped -format $$f -out ../$(TESTDATA)) || exit 1; \
	done

# The second pinned version, Cassandra 6.0 (pom-6.0.xml, 6.0-alpha2): every
# format it writes (nb with storage_compatibility_mode CASSANDRA_4, oa with
# CASSANDRA_5, pa and ea with NONE), one random table per compression, the
# edge keyspace and the dropped columns. About 1.5 min per format.
testdata-6.0: interop-tools
	@INTEROP_CASSANDRA=6.0 $(INTEROP)/bin/classpath >/dev/null
	@for f in $(FORMATS60); do \
	  (cd $(INTEROP) && .cache/bin/gen fixtures -cassandra 6.0 -format $$f -seed $(SEED) -tables 1 -out ../$(TESTDATA60)) || exit 1; \
	  (cd $(INTEROP) && .cache/bin/gen dropped -cassandra 6.0 -format $$f -out ../$(TESTDATA60)) || exit 1; \
	done

testdata-cluster: interop-tools
	cd $(INTEROP) && .cache/bin/gen cluster -out ../testdata/sample-snapshot

# Issue 11's whole backup: 3 nodes, keyspaces shop and metrics (legacy index,
# SAI index, materialized view, TTLs, counters, a dropped-and-recreated table)
# and the system keyspaces, all snapshotted with -t backup.
testdata-backup: interop-tools
	cd $(INTEROP) && .cache/bin/gen backup -seed $(SEED) -out ../testdata/backup-snapshot

# A large LZ4 table written through a real node (not committed).
# make benchdata BENCH_SIZE=256M for a small one.
benchdata: interop-tools
	cd $(INTEROP) && .cache/bin/gen bench -size $(BENCH_SIZE) -out $(abspath $(BENCH_OUT))

# The narrow table of issue 2's rows/s target (six small columns), then:
#   AEGISTHUS_BENCHDATA=interop/.cache/benchdata-narrow go test -run='^$$' -bench=Rows ./internal/bench
NARROW_OUT  ?= $(INTEROP)/.cache/benchdata-narrow
NARROW_SIZE ?= 256M
benchdata-narrow: interop-tools
	cd $(INTEROP) && .cache/bin/gen bench -table narrow -size $(NARROW_SIZE) -out $(abspath $(NARROW_OUT))

# Times Cassandra's sstabledump against `aegisthus dump` on the same
# SSTable(s), output counted and SHA-256'd (the report says whether the bytes
# are the same). sstabledump runs in a fresh JVM per run with the flags of
# Cassandra 5.0's tools/bin/sstabledump (-ea -Xmx256M, JVM-default G1 and
# C1+C2 JIT; DUMP_JVM=harness for the harness's C1-only JVM), its start-up
# reported apart; DUMP_RUNS alternating runs, CPU and wall as min/median/max
# and per-pair ratios (docs/performance.md):
#   make bench-sstabledump [DUMP_DATA='a-Data.db b-Data.db'] [DUMP_RUNS=3] [DUMP_TIMEOUT=30m]
#     [DUMP_FLAGS=-lines]   (-l for both: the same compact JSON lines)
# Default: the largest Data.db of `make benchdata`.
DUMP_DATA    ?= $(shell ls -S $(BENCH_OUT)/bench/*/*-Data.db 2>/dev/null | head -1)
DUMP_TIMEOUT ?= 30m
DUMP_RUNS    ?= 3
DUMP_JVM     ?= script
bench-sstabledump: interop-tools
	@test -n "$(DUMP_DATA)" || { echo "no DUMP_DATA and no $(BENCH_OUT) (make benchdata)"; exit 1; }
	@$(MAKE) --no-print-directory build
	cd $(INTEROP) && .cache/bin/gen dumptime -bin $(abspath $(BIN)) -runs $(DUMP_RUNS) -jvm $(DUMP_JVM) -timeout $(DUMP_TIMEOUT) $(DUMP_FLAGS) $(foreach d,$(DUMP_DATA),-data $(abspath $(d)))

# ONE partition of about WIDE_SIZE uncompressed (LZ4, 16 KiB chunks) written
# through a real node (not committed), for BenchmarkWidePartitionRSS:
#   make benchdata-wide [WIDE_SIZE=1G] [WIDE_FLAGS='-flushes 4 -compact=false']
benchdata-wide: interop-tools
	cd $(INTEROP) && .cache/bin/gen wide -size $(WIDE_SIZE) $(WIDE_FLAGS) -out $(abspath $(WIDE_OUT))

# Randomized comparison against Cassandra for one seed:
#   make interop SEED=7
# Generation comes first and does not need aegisthus to build; if the build
# fails, fix it and re-check the same data with `make interop-check SEED=7`.
interop: interop-tools interop-compare-tool
	@$(MAKE) --no-print-directory interop-gen
	@$(MAKE) --no-print-directory interop-check

interop-gen: interop-tools
	@for f in $(FORMATS); do \
	  (cd $(INTEROP) && .cache/bin/gen fixtures -format $$f -seed $(SEED) -tables 3 -ops 150 -rounds 4 -edge=false $(EVOLVE) -out $(abspath $(INTEROP_RUN))/seed-$(SEED)) || exit 1; \
	done

interop-check: interop-compare-tool
	@$(MAKE) --no-print-directory build
	$(INTEROP_CMP) -bin $(BIN) -seed $(SEED) $(INTEROP_RUN)/seed-$(SEED)

# The 3-node divergent-replica scenario for one seed, checked with export.
interop-cluster: interop-tools interop-compare-tool
	cd $(INTEROP) && .cache/bin/gen cluster -seed $(SEED) -out $(abspath $(INTEROP_RUN))/cluster-$(SEED)
	@$(MAKE) --no-print-directory build
	$(INTEROP_CMP) -bin $(BIN) -seed $(SEED) $(INTEROP_RUN)/cluster-$(SEED)

# Compare aegisthus with the committed fixtures only (no Java needed).
interop-compare: interop-compare-tool
	@$(MAKE) --no-print-directory build
	$(INTEROP_CMP) -bin $(BIN) $(TESTDATA) $(TESTDATA60) testdata/sample-snapshot

interop-clean:
	rm -rf $(INTEROP)/.cache/bin $(INTEROP)/.cache/run $(INTEROP)/.cache/classpath.*

# Medusa for real (cassandra-medusa from PyPI into interop/.cache/medusa-venv,
# one Cassandra 5.0.9 node, local storage): a full and a differential backup
# with writes between, then each backup's export against SELECT JSON at ALL.
MEDUSA_RUN ?= $(INTEROP)/.cache/medusa-run
interop-medusa: interop-tools
	OUT=$(abspath $(MEDUSA_RUN)) $(INTEROP)/medusa/run.sh
	AEGISTHUS_MEDUSA_RUN=$(abspath $(MEDUSA_RUN)) scripts/minio.sh run $(GO) test -count=1 -run '^TestMedusaRun$$' -v ./internal/cli
