#!/usr/bin/env bash
# Refresh cmd/aegisthus/default.pgo, the CPU profile `go build` uses for
# profile-guided optimization (go.dev/doc/pgo): it inlines and lays out the hot
# decode, merge and render paths the way real runs exercise them (~10% more
# rows/s in BenchmarkRows than without it).
#
#   scripts/pgo.sh          (or: make pgo)
#
# The profile is merged from three real runs of the binary built without a
# profile, on the tables `make benchdata` and `make benchdata-narrow` wrote
# through a real Cassandra: an export of each with 2 workers (SELECT JSON rows,
# SHA-256'd part files) and a dump (sstabledump JSON) of the narrow one.
# Rebuild it after large changes to the hot path; an old profile is never wrong,
# only less useful.
set -euo pipefail
cd "$(dirname "$0")/.."
# Profile the binary `make build` ships: built with go1.26's SIMD experiment.
export GOEXPERIMENT=${GOEXPERIMENT-simd}

EVENTS=${EVENTS:-interop/.cache/benchdata}
NARROW=${NARROW:-interop/.cache/benchdata-narrow}
for d in "$EVENTS" "$NARROW"; do
	[[ -d $d ]] || { echo "pgo: no $d: run make benchdata and make benchdata-narrow first" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/aegisthus-pgo.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=${PGO_OUT:-$work} # set PGO_OUT=/dev/shm on a VM whose disk is slow

go build -pgo=off -o "$work/aegisthus" ./cmd/aegisthus
"$work/aegisthus" export "$EVENTS" --out "$out/events" --workers 2 --quiet --cpuprofile "$work/events.prof"
rm -rf "$out/events"
"$work/aegisthus" export "$NARROW" --out "$out/narrow" --workers 2 --quiet --cpuprofile "$work/narrow.prof"
rm -rf "$out/narrow"
"$work/aegisthus" dump "$NARROW" --cpuprofile "$work/dump.prof" >/dev/null
go tool pprof -proto "$work/events.prof" "$work/narrow.prof" "$work/dump.prof" >cmd/aegisthus/default.pgo
echo "pgo: wrote cmd/aegisthus/default.pgo ($(wc -c <cmd/aegisthus/default.pgo) bytes)"
