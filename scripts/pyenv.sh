#!/usr/bin/env bash
# The Python virtual environment of the Parquet check (make test-parquet): an
# independent reader (DuckDB) of the files aegisthus writes.
#
#   scripts/pyenv.sh            create or update the venv; print its python
#
# The venv lives outside the work tree (PYENV_DIR, default
# ~/.cache/aegisthus/venv-parquet) and is keyed by the requirements file: it is
# rebuilt when scripts/requirements-parquet.txt changes, reused otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

REQ=scripts/requirements-parquet.txt
PYENV_DIR=${PYENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aegisthus/venv-parquet}
PYTHON=${PYTHON:-python3}
stamp=$PYENV_DIR/.requirements
if [[ -x $PYENV_DIR/bin/python ]] && cmp -s "$REQ" "$stamp"; then
	echo "$PYENV_DIR/bin/python"
	exit 0
fi
rm -rf "$PYENV_DIR"
mkdir -p "$(dirname "$PYENV_DIR")"
"$PYTHON" -m venv "$PYENV_DIR" >&2
"$PYENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
cp "$REQ" "$stamp"
echo "$PYENV_DIR/bin/python"
