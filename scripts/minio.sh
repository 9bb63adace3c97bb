#!/usr/bin/env bash
# MinIO for the S3 tests: a real server, never a fake.
#
#   scripts/minio.sh install        build the pinned MinIO into the cache (once; ~4 min)
#   scripts/minio.sh run CMD...     start MinIO on 127.0.0.1 with a fresh data dir and
#                                   credentials, run CMD with AEGISTHUS_S3_TEST_* set,
#                                   and always stop MinIO afterwards
#
# The binary is built from the Go module proxy with `go install` at a pinned
# version and cached outside the work tree (MINIO_CACHE), so fresh clones on the
# same machine reuse it.
set -euo pipefail

MINIO_VERSION=${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
MINIO_CACHE=${MINIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aegisthus/minio-$MINIO_VERSION}
MINIO_BIN=$MINIO_CACHE/minio

install() {
	if [[ -x $MINIO_BIN ]]; then
		return 0
	fi
	mkdir -p "$MINIO_CACHE"
	echo "minio: building github.com/minio/minio@$MINIO_VERSION into $MINIO_CACHE (takes a few minutes)" >&2
	# Build into a temp dir and move into place so an interrupted build
	# never leaves a half-written binary that looks cached.
	tmp=$(mktemp -d "$MINIO_CACHE/build.XXXXXX")
	CGO_ENABLED=0 GOBIN=$tmp GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION"
	mv "$tmp/minio" "$MINIO_BIN"
	rmdir "$tmp"
}

free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

run() {
	install
	data=$(mktemp -d "${TMPDIR:-/tmp}/aegisthus-minio.XXXXXX")
	port=$(free_port)
	cport=$(free_port)
	user=aegisthus-test
	pass=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
	pid=
	stop() {
		if [[ -n $pid ]]; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
		rm -rf "$data"
	}
	trap stop EXIT
	MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$pass MINIO_BROWSER=off \
		"$MINIO_BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$cport" "$data/disk" \
		>"$data.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		if command -v curl >/dev/null; then
			curl -fs "http://127.0.0.1:$port/minio/health/live" >/dev/null 2>&1 && break
		elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "minio: server exited; log:" >&2
			cat "$data.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	rm -f "$data.log"
	echo "minio: listening on 127.0.0.1:$port" >&2
	# The tests start their own MinIO processes for the fault test; they find the
	# binary through AEGISTHUS_MINIO_BIN.
	AEGISTHUS_S3_TEST_ENDPOINT=http://127.0.0.1:$port \
		AEGISTHUS_S3_TEST_ACCESS_KEY=$user \
		AEGISTHUS_S3_TEST_SECRET_KEY=$pass \
		AEGISTHUS_MINIO_BIN=$MINIO_BIN \
		"$@"
}

case ${1:-} in
install) install ;;
path) echo "$MINIO_BIN" ;;
run) shift; run "$@" ;;
*) echo "usage: $0 install|path|run CMD..." >&2; exit 2 ;;
esac
