#!/usr/bin/env bash
# Records what Cassandra 2.2's sstable2json (org.apache.cassandra.tools.SSTableExport)
# prints for the legacy SSTables of ../shared/corpus listed in jobs.tsv, into
# testdata/sstable2json/<name>.json. The corpus is read in place, never copied.
#
#   interop/sstable2json/run.sh [CORPUS_DIR]     (default: ../shared/corpus)
#
# Cassandra 2.2.19 (pom.xml) runs in-process under Java 17: Sstable2Json.java
# compiles each table's CQL into CFMetaData (CFMetaData.compile), loads it into
# Schema.instance and calls SSTableExport's export/enumeratekeys, as the
# sstable2json script did after loading the schema from the system tables.
# jobs.tsv: NAME <TAB> CORPUS-RELATIVE Data.db <TAB> CQL, or "-" for the
# schema-less form (a COMPACT STORAGE table of blobs: key, whole cell name and
# value printed as BytesType hex) [<TAB> sstable2json options: -e, -k KEY, -x KEY].
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
corpus=$(cd "${1:-$repo/../shared/corpus}" && pwd)
cache=${INTEROP_CACHE:-$here/../.cache}
mkdir -p "$cache"
cp_file=$cache/sstable2json-classpath.txt
if [[ ! -s $cp_file ]]; then
  mvn -B -q -f "$here/pom.xml" -Dmaven.repo.local="$cache/m2" \
    dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >&2
fi
cp=$(cat "$cp_file")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes" "$work/data"
javac -nowarn -d "$work/classes" -cp "$cp" "$here/Sstable2Json.java"
cat > "$work/cassandra.yaml" <<YAML
cluster_name: sstable2json
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_directory: $work/data/commitlog
data_file_directories: [$work/data/data]
saved_caches_directory: $work/data/saved_caches
commitlog_sync: periodic
commitlog_sync_period_in_ms: 10000
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1"
listen_address: 127.0.0.1
start_native_transport: false
start_rpc: false
YAML
out=$repo/testdata/sstable2json
mkdir -p "$out"
blob='CREATE TABLE t (key blob, column1 blob, value blob, PRIMARY KEY (key, column1)) WITH COMPACT STORAGE'
n=0
while IFS=$'\t' read -r name path cql opts; do
  [[ -z $name || $name == \#* ]] && continue
  [[ $cql == - ]] && cql=$blob
  n=$((n+1))
  printf '%s\n' "$cql" > "$work/$n.cql"
  line="$work/$n.cql"$'\t'"$corpus/$path"$'\t'"$work/$name.json"
  [[ -n ${opts:-} ]] && line+=$'\t'"$opts"
  printf '%s\n' "$line" >> "$work/jobs"
done < "$repo/testdata/sstable2json/jobs.tsv"
set +e
java --add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
  -Dcassandra.config="file://$work/cassandra.yaml" -Dcassandra.storagedir="$work/data" \
  -Dlogback.configurationFile="$here/logback.xml" \
  -cp "$work/classes:$cp" org.apache.cassandra.tools.Sstable2Json "$work/jobs"
rc=$?
set -e
# Only complete outputs become golden files (a job that failed leaves a partial one).
for f in "$work"/*.json; do
  name=$(basename "$f")
  if grep -q "^$(basename "$name" .json)"$'\t' "$work/failed" 2>/dev/null; then continue; fi
  cp "$f" "$out/$name"
done
echo "sstable2json: $n jobs, exit $rc; outputs in $out" >&2
