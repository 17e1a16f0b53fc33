#!/usr/bin/env bash
# Throwaway PostgreSQL for Eventscope's tests: Debian's `postgresql` package, a fresh cluster
# (initdb) in a folder of our own, on a free loopback port, stopped by its pid. No Docker.
#
#   bash scripts/postgres.sh start    initdb a fresh cluster, start it and wait (prints the URL)
#   bash scripts/postgres.sh status   running / not running (exit 1 if not); prints the URL
#   bash scripts/postgres.sh url      the postgres:// URL of the running cluster (exit 1 if none)
#   bash scripts/postgres.sh stop     stop the cluster this script started, and remove its data
#
# Environment:
#   EVENTSCOPE_POSTGRES_HOME (/tmp/eventscope-postgres-<checksum of the repo's path>): run/ holds
#   the cluster, port, pid, log. Under /tmp by default: the cluster's user (postgres, when run as
#   root) must reach it, which a checkout under /root would not let it. Not under TMPDIR: a
#   private one (npm test gives each test stage its own, 0700) is out of that user's reach, and
#   every caller, whatever its TMPDIR, must find the one cluster.
#   POSTGRES_BIN (/usr/lib/postgresql/<newest>/bin)  POSTGRES_PORT (a free one from 55432)
#   POSTGRES_WAIT_SECONDS (60)
#
# initdb and postgres refuse to run as root: as root the cluster runs as the `postgres` user
# (created by the Debian package) and its folder is owned by that user.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
PGHOME_DIR=${EVENTSCOPE_POSTGRES_HOME:-/tmp/eventscope-postgres-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)}
case $PGHOME_DIR in /*) ;; *) PGHOME_DIR=$PWD/$PGHOME_DIR ;; esac
RUN=$PGHOME_DIR/run
WAIT_SECONDS=${POSTGRES_WAIT_SECONDS:-60}
DB_USER=eventscope
DB_PASSWORD=eventscope
DB_NAME=eventscope

log() { printf '[postgres] %s\n' "$*"; }
die() {
  printf '[postgres] error: %s\n' "$*" >&2
  exit 1
}

find_bin() {
  if [[ -n ${POSTGRES_BIN:-} ]]; then
    printf '%s' "$POSTGRES_BIN"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] || die "PostgreSQL is not installed: apt-get install -y postgresql"
  printf '%s' "$dir"
}

# as_owner CMD...: runs CMD as the cluster's owner (the postgres user when we are root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() { ! timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

pick_port() {
  if [[ -n ${POSTGRES_PORT:-} ]]; then
    printf '%s' "$POSTGRES_PORT"
    return
  fi
  local port=55432
  while ! port_free "$port"; do port=$((port + 1)); done
  printf '%s' "$port"
}

pid_of() { [[ -s $RUN/data/postmaster.pid ]] && sed -n 1p "$RUN/data/postmaster.pid"; }

alive() {
  local pid
  pid=$(pid_of) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$DB_USER" "$DB_PASSWORD" "$(cat "$RUN/port")" "$DB_NAME"; }

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$RUN/port")" -d postgres; }

start() {
  if alive && ready; then
    log "already running: $(url)"
    return
  fi
  stop_quietly
  mkdir -p "$RUN"
  local port
  port=$(pick_port)
  printf '%s' "$port" >"$RUN/port"
  printf '%s' "$DB_PASSWORD" >"$RUN/pwfile"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$RUN"
    runuser -u postgres -- test -x "$RUN" ||
      die "the postgres user cannot reach $RUN: set EVENTSCOPE_POSTGRES_HOME to a folder it can"

  fi
  as_owner "$BIN/initdb" -D "$RUN/data" -U "$DB_USER" --pwfile="$RUN/pwfile" -A scram-sha-256 \
    -E UTF8 --no-locale >"$RUN/initdb.log" 2>&1 || {
    cat "$RUN/initdb.log" >&2
    die "initdb failed"
  }
  # Loopback only; the socket folder is the run folder (not /var/run/postgresql).
  as_owner "$BIN/pg_ctl" -D "$RUN/data" -l "$RUN/postgres.log" -w -t "$WAIT_SECONDS" \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $RUN -c fsync=off -c full_page_writes=off" \
    start >/dev/null || {
    tail -n 30 "$RUN/postgres.log" >&2 || true
    die "postgres did not start"
  }
  PGPASSWORD=$DB_PASSWORD "$BIN/psql" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres \
    -c "CREATE DATABASE $DB_NAME" >/dev/null
  log "started (pid $(pid_of)): $(url)"
}

stop_quietly() {
  if alive; then
    local pid
    pid=$(pid_of)
    # pg_ctl stop -m fast; falls back to the pid when pg_ctl cannot.
    as_owner "$BIN/pg_ctl" -D "$RUN/data" -m fast -w -t 30 stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
  fi
  rm -rf "$RUN"
}

BIN=$(find_bin)
case ${1:-} in
start) start ;;
stop)
  stop_quietly
  log "stopped"
  ;;
status)
  if alive && ready; then
    log "running: $(url)"
  else
    log "not running"
    exit 1
  fi
  ;;
url)
  alive || exit 1
  url
  echo
  ;;
*)
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  exit 2
  ;;
esac
