#!/bin/sh
# Runs Medusa (cassandra-medusa from PyPI, in interop/.cache/medusa-venv) for
# real against one Cassandra 5.0.9 node of the harness, with its local storage
# provider: writes, a full backup, more writes (updates, deletes), a
# differential backup. It leaves in $OUT (default interop/.cache/medusa-run):
# storage/ (what Medusa wrote) and expected/<backup>.select-json.jsonl (SELECT
# JSON * at ALL taken right after each backup), expected/now.
# Usage: interop/medusa/run.sh   (waits while another Cassandra runs)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$here/.cache/medusa-run}
venv=$("$here/bin/medusa-venv")
while pgrep -f CassandraDaemon >/dev/null; do echo "medusa: another Cassandra runs; waiting" >&2; sleep 10; done
rm -rf "$out" && mkdir -p "$out/storage" "$out/expected"
PATH="$here/medusa:$venv/bin:$PATH" OUT="$out" "$here/bin/node" -nodes 1 -- "$venv/bin/python" "$here/medusa/run.py"
