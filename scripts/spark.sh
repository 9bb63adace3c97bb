#!/usr/bin/env bash
# PySpark for the Spark runner's tests: a virtual environment with the pinned
# pyspark (which ships Spark itself; Spark 4 runs on Java 17), made once and
# cached outside the work tree, so fresh clones on the same machine reuse it.
#
#   scripts/spark.sh install        create the venv and install pyspark (once; ~1 min)
#   scripts/spark.sh run CMD...     run CMD with the venv's bin first on PATH
#                                   (spark-submit, python) and SPARK_HOME set
#   scripts/spark.sh path           print the venv's directory
set -euo pipefail

PYSPARK_VERSION=${PYSPARK_VERSION:-4.0.1}
SPARK_VENV=${SPARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/aegisthus/venv-spark-$PYSPARK_VERSION}

install() {
	if [[ -f $SPARK_VENV/.ready ]]; then
		return 0
	fi
	command -v java >/dev/null || { echo "spark: needs Java 17+ on PATH" >&2; exit 1; }
	echo "spark: installing pyspark $PYSPARK_VERSION into $SPARK_VENV" >&2
	# .ready is written last: an interrupted install is started again, never
	# taken for a finished one.
	rm -rf "$SPARK_VENV"
	mkdir -p "$(dirname "$SPARK_VENV")"
	python3 -m venv "$SPARK_VENV"
	"$SPARK_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
	"$SPARK_VENV/bin/python" -c 'import pyspark' >/dev/null
	touch "$SPARK_VENV/.ready"
}

run() {
	install
	export SPARK_HOME
	SPARK_HOME=$("$SPARK_VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
	export PATH=$SPARK_VENV/bin:$PATH PYSPARK_PYTHON=$SPARK_VENV/bin/python PYSPARK_DRIVER_PYTHON=$SPARK_VENV/bin/python
	"$@"
}

case ${1:-} in
install) install ;;
path) echo "$SPARK_VENV" ;;
run) shift; run "$@" ;;
*) echo "usage: $0 install|path|run CMD..." >&2; exit 2 ;;
esac
