#!/usr/bin/env bash
# Installs the bench's peers into .cache/ (git-ignored), never into the project's package.json:
#   .cache/py-venv       Python venv with eventsourcing[crypto,postgres]==9.5.6 from PyPI, made by
#                        scripts/python-env.sh (the Python-store tests use the same one)
#   .cache/bench-node    Emmett's SQLite event store on node-sqlite3 (built from source when no
#                        prebuilt binary can be fetched: gcc, make and Node's headers, ~2 min on
#                        a quiet machine)
# Idempotent and fast when already there: each part is checked (versions, imports) and only
# what is missing or at another version is installed. Used by .ci/run and bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTSOURCING_VERSION=9.5.6
# The newest emmett-sqlite. It names @event-driven-io/emmett 0.42.4 as a peer, which the npm
# registry reachable here does not have (newest 0.42.0), so core 0.42.0 is installed beside it
# (legacy peer resolution) with core's own peers; the bench exercises append and aggregateStream.
EMMETT_SQLITE_VERSION=0.42.4
EMMETT_VERSION=0.42.0

# The Python peer: the same venv the Python-store tests use (one venv, one place that makes it).
bash scripts/python-env.sh >/dev/null
echo "py-venv: eventsourcing $EVENTSOURCING_VERSION ready"

node_dir=.cache/bench-node
# Written every time (cheap): what an install from here would resolve.
mkdir -p "$node_dir"
cat >"$node_dir/package.json" <<JSON
{
"name": "eventscope-bench-node",
"private": true,
"type": "module",
"dependencies": {
  "@event-driven-io/emmett": "$EMMETT_VERSION",
  "@event-driven-io/emmett-sqlite": "$EMMETT_SQLITE_VERSION",
  "sqlite3": "5.1.7",
  "async-retry": "^1.3.3",
  "commander": "^12.1.0",
  "uuid": "^10.0.0"
}
}
JSON
wanted="$EMMETT_SQLITE_VERSION/$EMMETT_VERSION"
have=$(cd "$node_dir" 2>/dev/null && node -e '
  const v = (p) => require(`./node_modules/${p}/package.json`).version
  require("sqlite3") // the native binding must load
  console.log(`${v("@event-driven-io/emmett-sqlite")}/${v("@event-driven-io/emmett")}`)' 2>/dev/null || true)
if [[ $have == "$wanted" ]]; then
  echo "bench-node: emmett-sqlite $EMMETT_SQLITE_VERSION (core $EMMETT_VERSION) already installed"
else
  npm install --prefix "$node_dir" --no-audit --no-fund --legacy-peer-deps
  echo "bench-node: installed emmett-sqlite $EMMETT_SQLITE_VERSION (core $EMMETT_VERSION)"
fi
