#!/usr/bin/env bash
# Throwaway Apache Cassandra for Eventscope's tests, run from Maven Central jars (no Docker).
#
#   bash scripts/cassandra.sh jars               resolve the jars into the cache (once per version)
#   bash scripts/cassandra.sh start [--nodes N]  start 1 (default) or N nodes, fresh data, and wait
#   bash scripts/cassandra.sh wait               wait until the node(s) answer CQL
#   bash scripts/cassandra.sh status             running / not running + version (exit 1 if not)
#   bash scripts/cassandra.sh stop               stop every node this script started
#   bash scripts/cassandra.sh resume             relaunch the stopped nodes of the last start with
#                                                their data kept, and wait (outage tests)
#
# Environment:
#   CASSANDRA_CONTACT_POINTS  use that cluster instead: start/wait/status only probe it
#   CASSANDRA_VERSION (5.0.8)  CASSANDRA_PORT (9042)  CASSANDRA_STORAGE_PORT (7000)
#   CASSANDRA_LISTEN_ADDRESS (127.0.0.1; --nodes N uses 127.0.0.1..127.0.0.N)
#   CASSANDRA_WAIT_SECONDS (180)  CASSANDRA_STOP_SECONDS (30)  CASSANDRA_HEAP (1g; 768m per node
#   with --nodes)  CASSANDRA_JVM_OPTS (extra JVM flags)  CASSANDRA_KEEP_ON_FAILURE=1 (do not stop
#   a node that failed to become ready)  CASSANDRA_LOCAL_DC, CASSANDRA_USERNAME/PASSWORD (probe)
#   EVENTSCOPE_CASSANDRA_HOME (<repo>/.cassandra): jar cache lib-<version>/ and run/
#
# Layout: run/ is node 1 (cassandra.yaml, logback.xml, cassandra.log, cassandra.pid, data...),
# run/node2, run/node3... the others; run/nodes lists "index address port dir" per node.
# See /work/shared/cassandra-notes.md for where the flags come from.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
VERSION=${CASSANDRA_VERSION:-5.0.8}
CHOME=${EVENTSCOPE_CASSANDRA_HOME:-$REPO/.cassandra}
case $CHOME in /*) ;; *) CHOME=$PWD/$CHOME ;; esac
LIB=$CHOME/lib-$VERSION
RUN=$CHOME/run
NODES_FILE=$RUN/nodes
PORT=${CASSANDRA_PORT:-9042}
STORAGE_PORT=${CASSANDRA_STORAGE_PORT:-7000}
LISTEN=${CASSANDRA_LISTEN_ADDRESS:-127.0.0.1}
WAIT_SECONDS=${CASSANDRA_WAIT_SECONDS:-180}
STOP_SECONDS=${CASSANDRA_STOP_SECONDS:-30}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-java}
WAIT_MJS=$SCRIPT_DIR/cassandra/wait.mjs
POM=$SCRIPT_DIR/cassandra/pom.xml

log() { printf '[cassandra] %s\n' "$*"; }
warn() { printf '[cassandra] warning: %s\n' "$*" >&2; }
die() {
  printf '[cassandra] error: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

tail_log() { # file [lines]
  local f=$1 n=${2:-40}
  if [[ -s $f ]]; then
    printf '[cassandra] last %s lines of %s:\n' "$n" "$f" >&2
    tail -n "$n" -- "$f" | sed 's/^/  | /' >&2
  else
    printf '[cassandra] (log %s is empty or missing)\n' "$f" >&2
  fi
}

# --- processes ---------------------------------------------------------------------------------

# alive PID: running and not a zombie
alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$pid/stat" 2>/dev/null) || return 0
  [[ $state != Z ]]
}

# ours PID DIR: alive and the CassandraDaemon this script launched in DIR (guards pid reuse)
ours() {
  local pid=$1 dir=$2
  alive "$pid" || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Dcassandra.storagedir=$dir"
}

read_pid() { # DIR -> prints the pid from DIR/cassandra.pid if it is our live node
  local dir=$1 pid
  [[ -f $dir/cassandra.pid ]] || return 1
  pid=$(<"$dir/cassandra.pid") || return 1
  ours "$pid" "$dir" || return 1
  printf '%s\n' "$pid"
}

# port_busy ADDR PORT: something accepts connections there
port_busy() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

probe() { # args for wait.mjs; returns its exit code
  command -v node >/dev/null || die "node not found on PATH (needed for the readiness probe)"
  node "$WAIT_MJS" "$@"
}

# --- jars --------------------------------------------------------------------------------------

jamm_jar() {
  local j
  for j in "$LIB"/jamm-*.jar; do
    [[ -f $j ]] && { printf '%s\n' "$j"; return 0; }
  done
  return 1
}

cmd_jars() {
  if [[ -f $LIB/.complete ]]; then
    log "jars cached: $LIB ($(cut -d' ' -f2 "$LIB/.complete") jars)"
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) not found on PATH; it is needed once to fetch the Cassandra jars"
  mkdir -p "$CHOME"
  # One download at a time (two test runs starting together).
  exec 9>"$CHOME/.jars.lock"
  if command -v flock >/dev/null; then
    flock -w 900 9 || die "timed out waiting for another jar download ($CHOME/.jars.lock)"
  fi
  if [[ -f $LIB/.complete ]]; then
    exec 9>&-
    log "jars cached: $LIB"
    return 0
  fi
  local tmp=$LIB.tmp.$$ mvnlog=$CHOME/mvn-$VERSION.log t0
  t0=$(now_ms)
  rm -rf -- "$tmp"
  log "resolving org.apache.cassandra:cassandra-all:$VERSION + runtime deps from Maven Central into $LIB (first time ~40 s)"
  if ! mvn -B -q -f "$POM" -Dcassandra.version="$VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvnlog" 2>&1; then
    rm -rf -- "$tmp"
    tail_log "$mvnlog" 30
    die "Maven could not resolve cassandra-all:$VERSION (full log: $mvnlog)"
  fi
  [[ -f $tmp/cassandra-all-$VERSION.jar ]] || {
    rm -rf -- "$tmp"
    die "Maven finished but cassandra-all-$VERSION.jar is missing (log: $mvnlog)"
  }
  compgen -G "$tmp/jamm-*.jar" >/dev/null || {
    rm -rf -- "$tmp"
    die "Maven finished but no jamm-*.jar (the -javaagent Cassandra needs) was copied"
  }
  local count
  count=$(find "$tmp" -maxdepth 1 -name '*.jar' | wc -l)
  rm -rf -- "$LIB"
  mv -- "$tmp" "$LIB"
  printf '%s %s\n' "$VERSION" "$count" >"$LIB/.complete"
  exec 9>&-
  log "jars ready: $count jars, $(du -sh "$LIB" | cut -f1) in $(since "$t0") s"
}

# --- start -------------------------------------------------------------------------------------

check_java() {
  command -v "$JAVA" >/dev/null || die "java not found (set JAVA_HOME or put Java 17 on PATH)"
  local v major
  v=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  major=${v%%.*}
  [[ $major == 1 ]] && major=$(cut -d. -f2 <<<"$v")
  [[ $major =~ ^[0-9]+$ ]] || { warn "could not read the Java version ('$v')"; return 0; }
  if ((major < 11)); then
    die "Java $v is too old: Cassandra ${VERSION%%.*}.x needs Java 11 or 17"
  elif ((major != 17)); then
    warn "Java $v: these flags are Cassandra's jvm17-server.options; Cassandra 5.0 supports 11 and 17 only"
  fi
}

write_config() { # INDEX ADDR DIR SEED
  local i=$1 addr=$2 dir=$3 seed=$4
  cat >"$dir/cassandra.yaml" <<EOF
# Generated by scripts/cassandra.sh (node $i) - throwaway, wiped on the next start.
cluster_name: 'Eventscope Test'
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
num_tokens: 1
listen_address: $addr
rpc_address: $addr
storage_port: $STORAGE_PORT
native_transport_port: $PORT
start_native_transport: true
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$seed"
commitlog_sync: periodic
commitlog_sync_period: 10s
data_file_directories: [$dir/data]
commitlog_directory: $dir/commitlog
saved_caches_directory: $dir/saved_caches
hints_directory: $dir/hints
disk_access_mode: standard
auto_snapshot: false
EOF
  # Logback 1.5: a comma inside %date{...} starts a time-zone argument ("HH:mm:ss,SSS" kills
  # logging with "Unknown time-zone ID: SSS"), so use a dot.
  cat >"$dir/logback.xml" <<'EOF'
<configuration><appender name="O" class="ch.qos.logback.core.ConsoleAppender">
<encoder><pattern>%-5level %date{HH:mm:ss.SSS} [%thread] %logger{0} - %msg%n</pattern></encoder>
</appender><root level="INFO"><appender-ref ref="O"/></root></configuration>
EOF
}

file_url() { local p=${1// /%20}; printf 'file://%s\n' "$p"; }

launch_node() { # INDEX ADDR DIR SEED NODES -> prints nothing; writes DIR/cassandra.pid
  local i=$1 addr=$2 dir=$3 seed=$4 nodes=$5 heap jamm
  heap=${CASSANDRA_HEAP:-$( ((nodes > 1)) && echo 768m || echo 1g)}
  jamm=$(jamm_jar) || die "no jamm-*.jar in $LIB (delete $LIB and run: bash scripts/cassandra.sh jars)"
  mkdir -p "$dir"/{data,commitlog,saved_caches,hints,tmp}
  write_config "$i" "$addr" "$dir" "$seed"

  local -a args=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Xss256k -ea -XX:+ExitOnOutOfMemoryError)
  local m
  for m in java.base/jdk.internal.misc java.management.rmi/com.sun.jmx.remote.internal.rmi \
    java.rmi/sun.rmi.registry java.rmi/sun.rmi.server java.sql/java.sql java.base/java.lang.ref \
    jdk.unsupported/sun.misc jdk.compiler/com.sun.tools.javac.file jdk.attach/sun.tools.attach \
    java.management/com.sun.jmx.remote.security; do
    args+=(--add-exports "$m=ALL-UNNAMED")
  done
  for m in java.base/java.lang.module java.base/jdk.internal.loader java.base/jdk.internal.ref \
    java.base/jdk.internal.reflect java.base/jdk.internal.math java.base/jdk.internal.module \
    java.base/jdk.internal.util.jar jdk.management/com.sun.management.internal java.base/sun.nio.ch \
    java.base/java.io java.base/java.lang.reflect jdk.compiler/com.sun.tools.javac java.base/java.lang \
    java.base/java.util java.base/java.nio; do
    args+=(--add-opens "$m=ALL-UNNAMED")
  done
  args+=(
    -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true
    -Dio.netty.allocator.useCacheForAllThreads=true -Dio.netty.allocator.maxOrder=11
    -Djava.net.preferIPv4Stack=true -Dchronicle.analytics.disable=true
    "-javaagent:$jamm"
    "-Djava.io.tmpdir=$dir/tmp" "-Djna.tmpdir=$dir/tmp"
    "-Dcassandra.config=$(file_url "$dir/cassandra.yaml")"
    -Dcassandra-foreground=yes
    "-Dcassandra.storagedir=$dir" "-Dcassandra.logdir=$dir"
    "-Dlogback.configurationFile=$dir/logback.xml"
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.unsafesystem=true
    -Dcassandra.libjemalloc=-
  )
  ((nodes > 1)) && args+=(-Dcassandra.ring_delay_ms=3000)
  if [[ -n ${CASSANDRA_JVM_OPTS:-} ]]; then
    local -a extra
    read -r -a extra <<<"$CASSANDRA_JVM_OPTS"
    args+=("${extra[@]}")
  fi
  args+=(-cp "$LIB/*" org.apache.cassandra.service.CassandraDaemon)

  local pidfile=$dir/cassandra.pid log=$dir/cassandra.log
  rm -f -- "$pidfile"
  # The wrapper writes its own pid then execs java (same pid); setsid detaches the node from this
  # shell's process group so it outlives the caller and a Ctrl-C there.
  local -a detach=()
  command -v setsid >/dev/null && detach=(setsid)
  "${detach[@]}" bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" \
    "$JAVA" "${args[@]}" </dev/null >"$log" 2>&1 &
  local n
  for n in $(seq 50); do
    [[ -s $pidfile ]] && break
    sleep 0.1
  done
  [[ -s $pidfile ]] || die "node $i did not start (no pid file); see $log"
  log "node $i: launched pid $(<"$pidfile") on $addr:$PORT (storage $STORAGE_PORT, heap $heap), log $log"
}

# nodes file: lines "INDEX ADDR PORT DIR"
load_nodes() {
  NODE_IDX=() NODE_ADDR=() NODE_PORT=() NODE_DIR=()
  [[ -f $NODES_FILE ]] || return 1
  local i a p d
  while read -r i a p d; do
    [[ -n $i ]] || continue
    NODE_IDX+=("$i") NODE_ADDR+=("$a") NODE_PORT+=("$p") NODE_DIR+=("$d")
  done <"$NODES_FILE"
  ((${#NODE_IDX[@]} > 0))
}

stop_launched() { # after a failed start
  if [[ ${CASSANDRA_KEEP_ON_FAILURE:-0} == 1 ]]; then
    warn "CASSANDRA_KEEP_ON_FAILURE=1: leaving what was started running (bash scripts/cassandra.sh stop)"
  else
    log "stopping what this start launched"
    cmd_stop >&2 || true
  fi
}

# wait_node K TIMEOUT: probe node K (index into NODE_*) and fail fast if its process dies
wait_node() {
  local k=$1 timeout=$2 dir=${NODE_DIR[$1]} pid rc=0
  pid=
  [[ -f $dir/cassandra.pid ]] && pid=$(<"$dir/cassandra.pid")
  if [[ -z $pid ]] || ! alive "$pid"; then
    printf '[cassandra] node %s (%s:%s) is not running\n' "${NODE_IDX[$k]}" "${NODE_ADDR[$k]}" "${NODE_PORT[$k]}" >&2
    tail_log "$dir/cassandra.log"
    return 2
  fi
  CASSANDRA_PORT=${NODE_PORT[$k]} probe --host "${NODE_ADDR[$k]}:${NODE_PORT[$k]}" --pid "$pid" --timeout "$timeout" || rc=$?
  if ((rc != 0)); then
    tail_log "$dir/cassandra.log"
    grep -m1 -E 'Exception encountered during startup|ERROR' "$dir/cassandra.log" 2>/dev/null |
      sed 's/^/[cassandra] first error: /' >&2 || true
  fi
  return "$rc"
}

cmd_start() {
  local nodes=1 explicit=0 pid p
  while (($#)); do
    case $1 in
      --nodes) nodes=${2:-} explicit=1; shift 2 || die "--nodes needs a number" ;;
      --nodes=*) nodes=${1#--nodes=} explicit=1; shift ;;
      *) die "start: unknown argument '$1' (usage: start [--nodes N])" ;;
    esac
  done
  [[ $nodes =~ ^[1-9]$ ]] || die "--nodes must be 1..9 (got '$nodes')"

  if [[ -n ${CASSANDRA_CONTACT_POINTS:-} ]]; then
    log "CASSANDRA_CONTACT_POINTS=$CASSANDRA_CONTACT_POINTS is set: using that cluster, starting nothing"
    probe --timeout "$WAIT_SECONDS" || die "the cluster at $CASSANDRA_CONTACT_POINTS does not answer"
    return 0
  fi
  ((nodes == 1)) || [[ $LISTEN == 127.0.0.1 ]] ||
    die "--nodes $nodes uses 127.0.0.1..127.0.0.$nodes; unset CASSANDRA_LISTEN_ADDRESS"

  # Already running from an earlier start?
  if load_nodes; then
    local k live=0 pids=()
    for k in "${!NODE_IDX[@]}"; do
      if pid=$(read_pid "${NODE_DIR[$k]}"); then
        live=$((live + 1))
        pids+=("$pid")
      fi
    done
    if ((live > 0)); then
      if ((live != ${#NODE_IDX[@]})) || ((explicit && ${#NODE_IDX[@]} != nodes)); then
        die "$live of ${#NODE_IDX[@]} node(s) from an earlier start are running (pid ${pids[*]}), but $nodes were asked for; run: bash scripts/cassandra.sh stop"
      fi
      log "$live node(s) from this script already running (pid ${pids[*]}); checking they answer"
      for k in "${!NODE_IDX[@]}"; do
        wait_node "$k" "$WAIT_SECONDS" || die "node ${NODE_IDX[$k]} is running but does not answer; run: bash scripts/cassandra.sh stop"
      done
      log "already running and answering; nothing to do"
      return 0
    fi
  fi

  cmd_jars
  check_java

  local i addr
  for ((i = 1; i <= nodes; i++)); do
    addr=$LISTEN
    ((nodes == 1)) || addr=127.0.0.$i
    for p in "$PORT" "$STORAGE_PORT"; do
      if port_busy "$addr" "$p"; then
        die "$addr:$p is already in use by a process this script did not start; stop it, pick other ports (CASSANDRA_PORT / CASSANDRA_STORAGE_PORT) or point the tests at it with CASSANDRA_CONTACT_POINTS"
      fi
    done
  done

  # Fresh, throwaway data every start.
  rm -rf -- "$RUN"
  mkdir -p "$RUN"
  local seed dir
  seed=$( ((nodes == 1)) && echo "$LISTEN" || echo "127.0.0.1:$STORAGE_PORT")
  for ((i = 1; i <= nodes; i++)); do
    addr=$LISTEN dir=$RUN
    ((nodes == 1)) || addr=127.0.0.$i
    ((i == 1)) || dir=$RUN/node$i
    printf '%s %s %s %s\n' "$i" "$addr" "$PORT" "$dir" >>"$NODES_FILE"
  done
  load_nodes

  local t0 tn k rc
  t0=$(now_ms)
  for k in "${!NODE_IDX[@]}"; do
    tn=$(now_ms)
    launch_node "${NODE_IDX[$k]}" "${NODE_ADDR[$k]}" "${NODE_DIR[$k]}" "$seed" "$nodes"
    rc=0
    wait_node "$k" "$WAIT_SECONDS" || rc=$?
    if ((rc != 0)); then
      stop_launched
      if ((rc == 2)); then
        die "node ${NODE_IDX[$k]} exited during startup (log: ${NODE_DIR[$k]}/cassandra.log)"
      fi
      die "node ${NODE_IDX[$k]} did not answer within ${WAIT_SECONDS} s (log: ${NODE_DIR[$k]}/cassandra.log)"
    fi
    log "node ${NODE_IDX[$k]} ready $(since "$tn") s after launch"
  done
  if ((nodes > 1)); then
    probe --host "127.0.0.1:$PORT" --expect-hosts "$nodes" --timeout 60 || {
      stop_launched
      die "the $nodes nodes did not all see each other"
    }
  fi
  local cps
  cps=$(awk '{ printf "%s%s:%s", (NR > 1 ? "," : ""), $2, $3 }' "$NODES_FILE")
  log "Cassandra $VERSION up: $nodes node(s) in $(since "$t0") s; contact points $cps, localDataCenter datacenter1"
  log "stop it with: bash scripts/cassandra.sh stop"
}

# --- wait / status / stop ----------------------------------------------------------------------

cmd_wait() {
  if [[ -n ${CASSANDRA_CONTACT_POINTS:-} ]]; then
    probe --timeout "$WAIT_SECONDS" || die "the cluster at $CASSANDRA_CONTACT_POINTS does not answer"
    return 0
  fi
  if ! load_nodes; then
    log "no node started by this script; waiting for $LISTEN:$PORT"
    probe --host "$LISTEN:$PORT" --timeout "$WAIT_SECONDS" || die "$LISTEN:$PORT does not answer"
    return 0
  fi
  local k rc
  for k in "${!NODE_IDX[@]}"; do
    rc=0
    wait_node "$k" "$WAIT_SECONDS" || rc=$?
    ((rc == 0)) || die "node ${NODE_IDX[$k]} is not ready (log: ${NODE_DIR[$k]}/cassandra.log)"
  done
  if ((${#NODE_IDX[@]} > 1)); then
    probe --host "${NODE_ADDR[0]}:${NODE_PORT[0]}" --expect-hosts "${#NODE_IDX[@]}" --timeout "$WAIT_SECONDS" ||
      die "not all ${#NODE_IDX[@]} nodes are up"
  fi
}

cmd_status() {
  if [[ -n ${CASSANDRA_CONTACT_POINTS:-} ]]; then
    log "using the cluster at CASSANDRA_CONTACT_POINTS=$CASSANDRA_CONTACT_POINTS (not managed here)"
    probe --timeout 10 || { log "not answering"; return 1; }
    return 0
  fi
  if ! load_nodes; then
    log "not running (no node started by this script; run dir $RUN)"
    return 1
  fi
  local k pid ok=0
  for k in "${!NODE_IDX[@]}"; do
    local name="node ${NODE_IDX[$k]} (${NODE_ADDR[$k]}:${NODE_PORT[$k]})"
    if pid=$(read_pid "${NODE_DIR[$k]}"); then
      log "$name running, pid $pid, log ${NODE_DIR[$k]}/cassandra.log"
      if CASSANDRA_PORT=${NODE_PORT[$k]} probe --host "${NODE_ADDR[$k]}:${NODE_PORT[$k]}" --pid "$pid" --timeout 5; then
        ok=$((ok + 1))
      else
        log "$name is running but not answering CQL (starting up?)"
      fi
    else
      log "$name not running"
    fi
  done
  ((ok == ${#NODE_IDX[@]}))
}

cmd_stop() {
  local -a dirs=() pids=() pdirs=()
  local d pid
  [[ -f $RUN/cassandra.pid ]] && dirs+=("$RUN")
  for d in "$RUN"/node*/; do
    [[ -f ${d}cassandra.pid ]] && dirs+=("${d%/}")
  done
  if ((${#dirs[@]} == 0)); then
    log "no node started by this script is running"
    [[ -z ${CASSANDRA_CONTACT_POINTS:-} ]] || log "(the cluster at CASSANDRA_CONTACT_POINTS is not managed here)"
    return 0
  fi
  for d in "${dirs[@]}"; do
    if pid=$(read_pid "$d"); then
      pids+=("$pid") pdirs+=("$d")
    else
      log "stale pid file $d/cassandra.pid (process gone); removing it"
      rm -f -- "$d/cassandra.pid"
    fi
  done
  if ((${#pids[@]} == 0)); then
    log "no node started by this script is running"
    return 0
  fi
  local t0 k left
  t0=$(now_ms)
  log "stopping pid ${pids[*]} (SIGTERM, SIGKILL after ${STOP_SECONDS} s)"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_SECONDS))
  while :; do
    left=()
    for pid in "${pids[@]}"; do alive "$pid" && left+=("$pid"); done
    ((${#left[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      warn "pid ${left[*]} still running after ${STOP_SECONDS} s; sending SIGKILL"
      kill -KILL "${left[@]}" 2>/dev/null || true
      for _ in $(seq 50); do
        left=()
        for pid in "${pids[@]}"; do alive "$pid" && left+=("$pid"); done
        ((${#left[@]} == 0)) && break
        sleep 0.1
      done
      ((${#left[@]} == 0)) || warn "pid ${left[*]} survived SIGKILL"
      break
    fi
    sleep 0.2
  done
  for k in "${!pdirs[@]}"; do rm -f -- "${pdirs[$k]}/cassandra.pid"; done
  log "stopped ${#pids[@]} node(s) in $(since "$t0") s (logs kept in $RUN until the next start)"
}

# Relaunches the nodes of the last start that are not running, on their data, with the same
# settings: an outage of a node that then comes back as it was (a plain start wipes the data).
cmd_resume() {
  load_nodes || die "no earlier start to resume in $RUN (run: bash scripts/cassandra.sh start)"
  check_java
  local n=${#NODE_IDX[@]} k pid rc seed tn
  seed=$( ((n == 1)) && echo "${NODE_ADDR[0]}" || echo "127.0.0.1:$STORAGE_PORT")
  for k in "${!NODE_IDX[@]}"; do
    if pid=$(read_pid "${NODE_DIR[$k]}"); then
      log "node ${NODE_IDX[$k]} is already running (pid $pid)"
      continue
    fi
    tn=$(now_ms)
    PORT=${NODE_PORT[$k]} launch_node "${NODE_IDX[$k]}" "${NODE_ADDR[$k]}" "${NODE_DIR[$k]}" "$seed" "$n"
    rc=0
    wait_node "$k" "$WAIT_SECONDS" || rc=$?
    ((rc == 0)) || die "node ${NODE_IDX[$k]} did not come back (log: ${NODE_DIR[$k]}/cassandra.log)"
    log "node ${NODE_IDX[$k]} back $(since "$tn") s after launch, data kept"
  done
}

# --- main --------------------------------------------------------------------------------------

cmd=${1:-}
(($#)) && shift
case $cmd in
  jars) cmd_jars ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  resume) cmd_resume ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 64
    ;;
esac
