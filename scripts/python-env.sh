#!/usr/bin/env bash
# The Python side of the tests of Python-written stores: a virtual environment with the real
# `eventsourcing` library (9.5.6, its crypto extra for AESCipher, its postgres extra for
# psycopg) and psycopg's binary build, in <repo>/.cache/py-venv. Idempotent: quick when done.
#
#   bash scripts/python-env.sh        make or check the venv; prints the interpreter's path
#
# Environment: EVENTSCOPE_PYTHON_VENV (<repo>/.cache/py-venv), PYTHON (python3)
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV=${EVENTSCOPE_PYTHON_VENV:-$REPO/.cache/py-venv}
PACKAGES=('eventsourcing[crypto,postgres]==9.5.6' 'psycopg[binary]')

if [[ -x $VENV/bin/python ]] &&
  "$VENV/bin/python" -c 'import importlib.metadata as m, Crypto, psycopg; assert m.version("eventsourcing") == "9.5.6"' 2>/dev/null; then
  echo "$VENV/bin/python"
  exit 0
fi
"${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
"$VENV/bin/python" -c 'import eventsourcing.cipher, eventsourcing.postgres, psycopg'
echo "$VENV/bin/python"
