#!/usr/bin/env bash
# Installs the comparison tools for bench/compare-replay.ts into .cache/ (git-ignored), never
# into the project's package.json:
#   .cache/bench-venv    Python venv with eventsourcing[crypto] 9.x (pycryptodome for AESCipher)
#   .cache/bench-node    Emmett + its SQLite event store (node-sqlite3; built from source when no
#                        prebuilt binary can be fetched, which needs gcc/make and Node's headers)
# Re-running is cheap: what is there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTSOURCING_VERSION=${EVENTSOURCING_VERSION:-9.5.6}
EMMETT_VERSION=${EMMETT_VERSION:-0.38.5}   # the newest emmett-sqlite whose emmett peer is on npm here

if [[ ! -x .cache/bench-venv/bin/python ]]; then
  python3 -m venv .cache/bench-venv
fi
.cache/bench-venv/bin/pip install -q "eventsourcing[crypto]==$EVENTSOURCING_VERSION"
.cache/bench-venv/bin/python -c 'import importlib.metadata as m; print("eventsourcing", m.version("eventsourcing"))'

mkdir -p .cache/bench-node
[[ -f .cache/bench-node/package.json ]] ||
  echo '{ "name": "eventscope-bench-node", "private": true, "type": "module" }' >.cache/bench-node/package.json
if [[ ! -d .cache/bench-node/node_modules/@event-driven-io/emmett-sqlite ]]; then
  npm install --prefix .cache/bench-node --no-audit --no-fund \
    "@event-driven-io/emmett@$EMMETT_VERSION" "@event-driven-io/emmett-sqlite@$EMMETT_VERSION" 'sqlite3@^5.1.7'
fi
node -e 'const r=require("module").createRequire(process.cwd()+"/.cache/bench-node/package.json"); r("sqlite3"); console.log("emmett-sqlite", require("./.cache/bench-node/node_modules/@event-driven-io/emmett-sqlite/package.json").version)'
