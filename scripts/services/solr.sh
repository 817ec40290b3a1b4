#!/usr/bin/env bash
# Standalone Solr 9 (real Solr over embedded Jetty, built with Maven from
# solr/pom.xml) serving the CKAN core "ckan" on 127.0.0.1.
#
#   scripts/services/solr.sh build    build solr/target/dge-solr.jar (+ lib/) if missing or stale
#   scripts/services/solr.sh start    build if needed, start, wait for /solr/ckan/admin/ping
#   scripts/services/solr.sh stop     stop (TERM, then KILL after 20 s)
#   scripts/services/solr.sh status   "running" (exit 0) or "stopped" (exit 3)
#   scripts/services/solr.sh restart  stop then start
#
# SolrCloud mode, from the same build, beside the standalone node (never touching it):
#   scripts/services/solr.sh cloud-start        ZooKeeper + two Solr nodes, configset "ckan" from
#                                               CKAN's schema.xml, collection "ckan" of 2 shards x 2
#                                               replicas (one replica of each shard on each node)
#   scripts/services/solr.sh cloud-stop         stop both nodes, then ZooKeeper
#   scripts/services/solr.sh cloud-status       each process, and the collection's replicas
#   scripts/services/solr.sh cloud-node-stop N  stop node N (1 or 2) only: a node loss
#   scripts/services/solr.sh cloud-node-start N start node N again and wait for its replicas
#   scripts/services/solr.sh cloud-url          the collection URL CKAN uses (node 1)
#
# Environment:
#   DGE_STATE_DIR            state dir (default: <repo>/.state)
#   DGE_SOLR_PORT            port (default 8984), bound to 127.0.0.1 only
#   DGE_SOLR_HEAP            JVM heap, -Xms/-Xmx (default 512m)
#   DGE_SOLR_START_TIMEOUT   seconds to wait for the ping (default 120)
#   DGE_SOLR_JAVA_OPTS       extra JVM options (e.g. -Ddge.solr.request.log.level=INFO)
#   DGE_CKAN_SCHEMA          CKAN schema.xml to use (default: from the ckan package in .venv)
#   DGE_PYTHON               python with ckan installed (default: <repo>/.venv/bin/python)
#   JAVA                     java binary (default: $JAVA_HOME/bin/java or java on PATH)
#   DGE_SOLRCLOUD_PORTS      the two cloud nodes' ports (default "8985 8986")
#   DGE_ZK_PORT              ZooKeeper's client port (default 9985)
#   DGE_SOLRCLOUD_HEAP       JVM heap of each cloud node (default 512m)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${DGE_STATE_DIR:-$ROOT/.state}"
PORT="${DGE_SOLR_PORT:-8984}"
HEAP="${DGE_SOLR_HEAP:-512m}"
START_TIMEOUT="${DGE_SOLR_START_TIMEOUT:-120}"
HOST=127.0.0.1
CORE=ckan

SRC_DIR="$ROOT/solr"
JAR="$SRC_DIR/target/dge-solr.jar"
LIB_DIR="$SRC_DIR/target/lib"
SOLR_HOME="$STATE_DIR/solr/home"
CORE_DIR="$SOLR_HOME/$CORE"
LOG_DIR="$STATE_DIR/log"
RUN_DIR="$STATE_DIR/run"
LOG="$LOG_DIR/solr.log"
BUILD_LOG="$LOG_DIR/solr-build.log"
PID_FILE="$RUN_DIR/solr.pid"
PING_PATH="/solr/$CORE/admin/ping?wt=json"

say() { echo "solr: $*"; }
err() { echo "solr: $*" >&2; }

java_bin() {
  if [[ -n "${JAVA:-}" ]]; then echo "$JAVA"
  elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME/bin/java"
  else echo java
  fi
}

# ---------------------------------------------------------------- build

needs_build() {
  [[ -f "$JAR" && -d "$LIB_DIR" ]] || return 0
  [[ -n "$(find "$SRC_DIR/pom.xml" "$SRC_DIR/src" -newer "$JAR" -print -quit 2>/dev/null)" ]]
}

cmd_build() {
  if ! needs_build; then
    return 0
  fi
  mkdir -p "$LOG_DIR"
  if ! command -v mvn >/dev/null 2>&1; then
    echo "mvn not found on PATH" >"$BUILD_LOG"
    err "maven build failed, see $BUILD_LOG"
    exit 1
  fi
  say "building $JAR (maven)..."
  local t0=$SECONDS
  if ! mvn -q -B -f "$SRC_DIR/pom.xml" package -DskipTests >"$BUILD_LOG" 2>&1; then
    err "maven build failed, see $BUILD_LOG"
    exit 1
  fi
  if [[ ! -f "$JAR" ]]; then
    err "maven build failed, see $BUILD_LOG"
    exit 1
  fi
  touch "$JAR"   # the jar plugin may keep an unchanged jar's old mtime
  say "built in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- helpers

# Prints the pid from the pid file if that process is alive and is our JVM.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our launcher.
  if [[ -r "/proc/$pid/cmdline" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'dge-solr\.jar'; then
    return 1
  fi
  echo "$pid"
}

# HTTP GET on 127.0.0.1:$PORT, body on stdout; curl if present, else bash /dev/tcp.
http_get() {
  local path="$1"
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 3 "http://$HOST:$PORT$path"
  else
    (
      exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
      printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$path" "$HOST" "$PORT" >&3
      timeout 3 cat <&3
    ) 2>/dev/null
  fi
}

ping_ok() {
  http_get "$PING_PATH" 2>/dev/null | grep -q '"status"[[:space:]]*:[[:space:]]*"OK"'
}

port_in_use() {
  (: <"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

kill_and_wait() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 100)); then   # 100 x 0.2 s = 20 s
      err "pid $pid did not stop after 20s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

ckan_schema() {
  if [[ -n "${DGE_CKAN_SCHEMA:-}" ]]; then
    echo "$DGE_CKAN_SCHEMA"
    return
  fi
  local py="${DGE_PYTHON:-$ROOT/.venv/bin/python}"
  [[ -x "$py" ]] || return 1
  "$py" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"))' 2>/dev/null
}

prepare_home() {
  local schema
  schema="$(ckan_schema || true)"
  mkdir -p "$CORE_DIR/conf"
  if [[ -n "$schema" && -f "$schema" ]]; then
    cp -f "$schema" "$CORE_DIR/conf/schema.xml"
  elif [[ -f "$CORE_DIR/conf/schema.xml" ]]; then
    say "CKAN schema.xml not found (is ckan installed in .venv?), reusing $CORE_DIR/conf/schema.xml"
  else
    err "cannot find CKAN's schema.xml (install ckan in $ROOT/.venv or set DGE_CKAN_SCHEMA)"
    exit 1
  fi
  cp -f "$SRC_DIR/solr.xml" "$SOLR_HOME/solr.xml"
  cp -f "$SRC_DIR/conf/solrconfig.xml" "$SRC_DIR/conf/synonyms.txt" "$SRC_DIR/conf/protwords.txt" \
    "$CORE_DIR/conf/"
  printf 'name=%s\n' "$CORE" >"$CORE_DIR/core.properties"
}

# ---------------------------------------------------------------- commands

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    if ping_ok; then
      say "already running (pid $pid) at http://$HOST:$PORT/solr/$CORE"
      return 0
    fi
    say "process $pid exists but does not answer ping yet; waiting"
    if wait_for_ping "$pid"; then
      say "running (pid $pid) at http://$HOST:$PORT/solr/$CORE"
      return 0
    fi
    fail_start "$pid"
  fi
  rm -f "$PID_FILE"

  if port_in_use; then
    err "port $PORT on $HOST is already in use by another process; stop it or set DGE_SOLR_PORT"
    exit 1
  fi

  cmd_build
  prepare_home
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  if [[ -f "$LOG" ]]; then mv -f "$LOG" "$LOG.1"; fi
  : >"$LOG"

  local java
  java="$(java_bin)"
  if ! command -v "$java" >/dev/null 2>&1; then
    err "java not found (set JAVA_HOME or JAVA)"
    exit 1
  fi
  local -a opts=(
    "-Xms$HEAP" "-Xmx$HEAP"
    -XX:+UseSerialGC
    -XX:TieredStopAtLevel=1
    -XX:+ExitOnOutOfMemoryError
    -Xss512k
    -Djava.awt.headless=true
    -Dfile.encoding=UTF-8
    -Duser.timezone=UTC
    -Dsolr.log.dir="$LOG_DIR"
  )
  if [[ -n "${DGE_SOLR_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206
    opts+=(${DGE_SOLR_JAVA_OPTS})
  fi

  # The inner shell writes its own pid and exec's java, so the pid file names the JVM.
  # shellcheck disable=SC2016
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$java" "${opts[@]}" -jar "$JAR" --home "$SOLR_HOME" --port "$PORT" \
    >>"$LOG" 2>&1 </dev/null &

  local t0=$SECONDS i
  for ((i = 0; i < 50; i++)); do   # pid file appears almost at once
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
  if [[ -z "$pid" ]]; then
    err "failed to start, see $LOG"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  if wait_for_ping "$pid"; then
    say "started (pid $pid) in $((SECONDS - t0))s at http://$HOST:$PORT/solr/$CORE (log: $LOG)"
    return 0
  fi
  fail_start "$pid"
}

wait_for_ping() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    ping_ok && return 0
    sleep 0.5
  done
  return 1
}

fail_start() {
  local pid="$1"
  kill_and_wait "$pid"
  rm -f "$PID_FILE"
  err "failed to start, see $LOG"
  echo "----- last 20 lines of $LOG -----" >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  kill_and_wait "$pid"
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if ping_ok; then
      say "running (pid $pid) at http://$HOST:$PORT/solr/$CORE, ping OK"
    else
      say "running (pid $pid) but not answering ping on port $PORT"
    fi
    return 0
  fi
  say "stopped"
  return 3
}

# ---------------------------------------------------------------- SolrCloud
#
# Three processes from the same Maven build: a ZooKeeper server (the zookeeper jar Solr itself
# depends on, from Maven Central) and two Solr nodes. ZooKeeper runs on its own so that either
# node can be lost while the other keeps the cluster state. Data in $STATE_DIR/solrcloud/.

CLOUD_DIR="$STATE_DIR/solrcloud"
read -r -a CLOUD_PORTS <<<"${DGE_SOLRCLOUD_PORTS:-8985 8986}"
ZK_PORT="${DGE_ZK_PORT:-9985}"
CLOUD_HEAP="${DGE_SOLRCLOUD_HEAP:-512m}"
ZK_DIR="$CLOUD_DIR/zk"
ZK_PID="$RUN_DIR/solrcloud-zk.pid"
ZK_LOG="$LOG_DIR/solrcloud-zk.log"
COLLECTION=ckan
CONFIGSET=ckan

cloud_say() { echo "solrcloud: $*"; }
cloud_err() { echo "solrcloud: $*" >&2; }

# Prints the pid in pid file $1 if that process is alive and its command line has $2.
alive_pid() {
  local file="$1" pattern="$2" pid
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern" || return 1
  echo "$pid"
}

tcp_port_in_use() { (: <"/dev/tcp/$HOST/$1") 2>/dev/null; }

node_port() {
  case "$1" in
    1) echo "${CLOUD_PORTS[0]}" ;;
    2) echo "${CLOUD_PORTS[1]}" ;;
    *) cloud_err "no node '$1' (1 or 2)"; exit 2 ;;
  esac
}
node_pid_file() { echo "$RUN_DIR/solrcloud-node$1.pid"; }
node_log() { echo "$LOG_DIR/solrcloud-node$1.log"; }
node_name() { echo "$HOST:$(node_port "$1")_solr"; }

cloud_python() {
  local py="${DGE_PYTHON:-$ROOT/.venv/bin/python}"
  [[ -x "$py" ]] || py=python3
  echo "$py"
}

# GET http://127.0.0.1:PORT/solr/PATH, body on stdout (curl is a system dependency of the stack).
cloud_get() { curl -s -m "${3:-60}" "http://$HOST:$1/solr/$2"; }

zk_ok() {
  local answer
  answer="$( (
    exec 3<>"/dev/tcp/$HOST/$ZK_PORT" || exit 1
    printf 'ruok' >&3
    timeout 2 cat <&3
  ) 2>/dev/null)" || return 1
  [[ "$answer" == imok ]]
}

start_zk() {
  local pid java t0=$SECONDS
  if pid="$(alive_pid "$ZK_PID" ZooKeeperServerMain)"; then
    cloud_say "ZooKeeper already running (pid $pid) on $HOST:$ZK_PORT"
    return 0
  fi
  if tcp_port_in_use "$ZK_PORT"; then
    cloud_err "port $ZK_PORT is already in use by another process; stop it or set DGE_ZK_PORT"
    return 1
  fi
  mkdir -p "$ZK_DIR/data" "$LOG_DIR" "$RUN_DIR"
  cat >"$ZK_DIR/zoo.cfg" <<ZOO
tickTime=2000
dataDir=$ZK_DIR/data
clientPort=$ZK_PORT
clientPortAddress=$HOST
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,mntr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
ZOO
  java="$(java_bin)"
  : >"$ZK_LOG"
  # The launcher jar's manifest puts target/lib/ (zookeeper, netty, log4j) on the class path.
  # shellcheck disable=SC2016
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$ZK_PID" \
    "$java" -Xms64m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dfile.encoding=UTF-8 \
    -Dzookeeper.jmx.log4j.disable=true -cp "$JAR" org.apache.zookeeper.server.ZooKeeperServerMain \
    "$ZK_DIR/zoo.cfg" >>"$ZK_LOG" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if zk_ok; then
      cloud_say "ZooKeeper started in $((SECONDS - t0))s on $HOST:$ZK_PORT (log: $ZK_LOG)"
      return 0
    fi
    sleep 0.3
  done
  cloud_err "ZooKeeper did not answer on $HOST:$ZK_PORT, see $ZK_LOG"
  tail -n 20 "$ZK_LOG" >&2 || true
  return 1
}

# Asks node 1 (or the other one) for the cluster state and prints what the python filter says.
cluster_status_json() {
  local port
  for port in "${CLOUD_PORTS[@]}"; do
    if cloud_get "$port" "admin/collections?action=CLUSTERSTATUS&wt=json" 10 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

# "yes" when node $1 is in live_nodes.
node_live() {
  local name
  name="$(node_name "$1")"
  cluster_status_json | "$(cloud_python)" -c '
import json, sys
try:
    state = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
sys.exit(0 if sys.argv[1] in state.get("cluster", {}).get("live_nodes", []) else 1)' "$name"
}

# Prints one line per replica "shard node state [leader]" and exits 0 when the 4 replicas are
# active on live nodes and in sync: ZooKeeper's state.json alone is not enough, since after a
# crash it still says "active" until the returning node publishes otherwise; the shard terms
# (/collections/<c>/terms/<shard>) say whether a replica missed updates and must recover.
replicas() {
  "$(cloud_python)" - "$COLLECTION" "${CLOUD_PORTS[@]}" <<'PY'
import json
import sys
import urllib.parse
import urllib.request

collection, ports = sys.argv[1], sys.argv[2:]


def get(port, where, **params):
    query = urllib.parse.urlencode({**params, "wt": "json"})
    url = f"http://127.0.0.1:{port}/solr/{where}?{query}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


for port in ports:
    try:
        cluster = get(port, "admin/collections", action="CLUSTERSTATUS")["cluster"]
        break
    except (OSError, ValueError, KeyError):
        continue
else:
    print("no node answers")
    sys.exit(2)
live = set(cluster.get("live_nodes", []))
state = cluster.get("collections", {}).get(collection)
if not state:
    print("no collection " + collection)
    sys.exit(3)
ok, count = True, 0
for shard, body in sorted(state["shards"].items()):
    try:
        znode = get(port, "admin/zookeeper", detail="true",
                    path=f"/collections/{collection}/terms/{shard}")["znode"]
        terms = json.loads(znode["data"])
    except (OSError, ValueError, KeyError):
        terms = {}
    top = max(terms.values(), default=0)
    for name, replica in body["replicas"].items():
        count += 1
        if replica["node_name"] not in live:
            status = "down (node gone)"
        elif f"{name}_recovering" in terms or terms.get(name, -1) < top:
            status = f"{replica['state']}, behind its leader (recovering)"
        else:
            status = replica["state"]
        ok = ok and status == "active"
        leader = " leader" if replica.get("leader") == "true" else ""
        print(f"{shard} {replica['node_name']} {status}{leader}")
sys.exit(0 if ok and count == 4 else 1)
PY
}

# Every node's own health check (its cores loaded, ZooKeeper reached, its replicas active),
# then the whole collection in sync.
wait_replicas_active() {
  local deadline=$((SECONDS + ${1:-180})) port healthy
  while ((SECONDS < deadline)); do
    healthy=1
    for port in "${CLOUD_PORTS[@]}"; do
      cloud_get "$port" "admin/info/health?requireHealthyCores=true&wt=json" 10 2>/dev/null \
        | tr -d ' \n' | grep -q '"status":"OK"' || healthy=0
    done
    ((healthy)) && replicas >/dev/null 2>&1 && return 0
    sleep 1
  done
  cloud_err "the collection's replicas are not all active after ${1:-180}s:"
  replicas >&2 || true
  return 1
}

start_node() {
  local n="$1" port pid_file log home java pid t0=$SECONDS
  port="$(node_port "$n")"
  pid_file="$(node_pid_file "$n")"
  log="$(node_log "$n")"
  home="$CLOUD_DIR/node$n"
  if pid="$(alive_pid "$pid_file" "dge-solr.jar.*--port $port")"; then
    cloud_say "node $n already running (pid $pid) on port $port"
    return 0
  fi
  if tcp_port_in_use "$port"; then
    cloud_err "port $port is already in use by another process; stop it or set DGE_SOLRCLOUD_PORTS"
    return 1
  fi
  mkdir -p "$home" "$LOG_DIR" "$RUN_DIR"
  cp -f "$SRC_DIR/cloud/solr.xml" "$home/solr.xml"
  if [[ -f "$log" ]]; then mv -f "$log" "$log.1"; fi
  : >"$log"
  java="$(java_bin)"
  local -a opts=(
    "-Xms$CLOUD_HEAP" "-Xmx$CLOUD_HEAP"
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Xss512k
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Duser.timezone=UTC
    -Dsolr.log.dir="$LOG_DIR"
    -DzkHost="$HOST:$ZK_PORT"
    -DzkClientTimeout=15000
    # The launcher serves HTTP/1.1 only; node-to-node requests default to HTTP/2 cleartext.
    -Dsolr.http1=true
  )
  if [[ -n "${DGE_SOLR_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206
    opts+=(${DGE_SOLR_JAVA_OPTS})
  fi
  # shellcheck disable=SC2016
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" \
    "$java" "${opts[@]}" -jar "$JAR" --home "$home" --port "$port" >>"$log" 2>&1 </dev/null &
  local deadline=$((SECONDS + START_TIMEOUT))
  sleep 0.5
  pid="$(tr -dc '0-9' <"$pid_file" 2>/dev/null || true)"
  while ((SECONDS < deadline)); do
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    if node_live "$n"; then
      cloud_say "node $n started (pid $pid) in $((SECONDS - t0))s on port $port (log: $log)"
      return 0
    fi
    sleep 0.5
  done
  [[ -n "$pid" ]] && kill_and_wait "$pid"
  rm -f "$pid_file"
  cloud_err "node $n failed to join the cluster, see $log"
  tail -n 20 "$log" >&2 || true
  return 1
}

stop_node() {
  local n="$1" how="${2:-}" pid pid_file port
  port="$(node_port "$n")"
  pid_file="$(node_pid_file "$n")"
  if ! pid="$(alive_pid "$pid_file" "dge-solr.jar.*--port $port")"; then
    rm -f "$pid_file"
    cloud_say "node $n not running"
    return 0
  fi
  if [[ "$how" == --kill ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    cloud_say "node $n killed (pid $pid)"
  else
    kill_and_wait "$pid"
    cloud_say "node $n stopped (pid $pid)"
  fi
  rm -f "$pid_file"
}

# The configset: CKAN's schema.xml with our solrconfig.xml, zipped and uploaded through node 1.
upload_configset() {
  local schema work port="${CLOUD_PORTS[0]}" answer
  schema="$(ckan_schema || true)"
  if [[ -z "$schema" || ! -f "$schema" ]]; then
    cloud_err "cannot find CKAN's schema.xml (install ckan in $ROOT/.venv or set DGE_CKAN_SCHEMA)"
    return 1
  fi
  work="$CLOUD_DIR/configset"
  rm -rf "$work" && mkdir -p "$work/conf"
  # CKAN's schema types _version_ as a string; a standalone core never reads it back, but a
  # cloud leader and its replicas compare versions as numbers (VersionInfo: longVal), and with a
  # string every forwarded update fails and the replicas drift apart. The one change: a long.
  sed 's|<field name="_version_" type="string" indexed="true" stored="true"/>|<field name="_version_" type="plong" indexed="false" stored="false" docValues="true"/>|' \
    "$schema" >"$work/conf/schema.xml"
  if ! grep -q '<field name="_version_" type="plong"' "$work/conf/schema.xml"; then
    cloud_err "$schema: _version_ is not declared as CKAN 2.11 does; check the cloud schema by hand"
    return 1
  fi
  cp -f "$SRC_DIR/conf/solrconfig.xml" "$SRC_DIR/conf/synonyms.txt" "$SRC_DIR/conf/protwords.txt" \
    "$work/conf/"
  (cd "$work/conf" && "$(cloud_python)" -m zipfile -c ../ckan.zip schema.xml solrconfig.xml \
    synonyms.txt protwords.txt)
  answer="$(curl -s -m 60 --data-binary "@$work/ckan.zip" \
    -H 'Content-Type: application/octet-stream' \
    "http://$HOST:$port/solr/admin/configs?action=UPLOAD&name=$CONFIGSET&overwrite=true&cleanup=true&wt=json")"
  if ! tr -d ' \n' <<<"$answer" | grep -q '"status":0'; then
    cloud_err "configset upload refused: $answer"
    return 1
  fi
}

# 2 shards x 2 replicas, placed by hand so that each node holds one replica of each shard.
create_collection() {
  local port="${CLOUD_PORTS[0]}" answer shard n
  if replicas >/dev/null 2>&1 || [[ $? == 1 ]]; then
    # The collection exists: a new schema from an upgraded CKAN is picked up by a reload.
    answer="$(cloud_get "$port" "admin/collections?action=RELOAD&name=$COLLECTION&wt=json" 120)"
    tr -d ' \n' <<<"$answer" | grep -q '"status":0' || { cloud_err "reload failed: $answer"; return 1; }
    return 0
  fi
  answer="$(cloud_get "$port" "admin/collections?action=CREATE&name=$COLLECTION&numShards=2&createNodeSet=EMPTY&collection.configName=$CONFIGSET&wt=json" 120)"
  tr -d ' \n' <<<"$answer" | grep -q '"status":0' || { cloud_err "collection creation failed: $answer"; return 1; }
  for shard in shard1 shard2; do
    for n in 1 2; do
      answer="$(cloud_get "$port" "admin/collections?action=ADDREPLICA&collection=$COLLECTION&shard=$shard&node=$(node_name "$n")&wt=json" 120)"
      tr -d ' \n' <<<"$answer" | grep -q '"status":0' || { cloud_err "replica of $shard on node $n failed: $answer"; return 1; }
    done
  done
  cloud_say "collection $COLLECTION created: 2 shards x 2 replicas"
}

cmd_cloud_start() {
  local t0=$SECONDS
  cmd_build
  if ! command -v curl >/dev/null 2>&1; then
    cloud_err "curl not found (a system dependency of the stack)"
    exit 1
  fi
  if ! start_zk; then exit 1; fi
  if ! start_node 1; then cmd_cloud_stop >/dev/null; exit 1; fi
  if ! start_node 2; then cmd_cloud_stop >/dev/null; exit 1; fi
  if ! upload_configset || ! create_collection || ! wait_replicas_active 180; then
    cloud_err "see $(node_log 1) and $(node_log 2)"
    exit 1
  fi
  cloud_say "ready in $((SECONDS - t0))s: $(cmd_cloud_url)"
}

cmd_cloud_stop() {
  stop_node 2
  stop_node 1
  local pid
  if pid="$(alive_pid "$ZK_PID" ZooKeeperServerMain)"; then
    kill_and_wait "$pid"
    cloud_say "ZooKeeper stopped (pid $pid)"
  else
    cloud_say "ZooKeeper not running"
  fi
  rm -f "$ZK_PID"
}

cmd_cloud_status() {
  local rc=0 n pid
  if pid="$(alive_pid "$ZK_PID" ZooKeeperServerMain)" && zk_ok; then
    cloud_say "ZooKeeper running (pid $pid) on $HOST:$ZK_PORT"
  else
    cloud_say "ZooKeeper stopped"
    rc=3
  fi
  for n in 1 2; do
    if pid="$(alive_pid "$(node_pid_file "$n")" "dge-solr.jar.*--port $(node_port "$n")")"; then
      cloud_say "node $n running (pid $pid) on port $(node_port "$n")"
    else
      cloud_say "node $n stopped"
      rc=3
    fi
  done
  if ((rc == 0)); then replicas || rc=3; fi
  return $rc
}

cmd_cloud_url() { echo "http://$HOST:${CLOUD_PORTS[0]}/solr/$COLLECTION"; }

case "${1:-}" in
  build) cmd_build; say "jar up to date: $JAR" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status || exit $? ;;
  restart) cmd_stop; cmd_start ;;
  cloud-start) cmd_cloud_start ;;
  cloud-stop) cmd_cloud_stop ;;
  cloud-status) cmd_cloud_status || exit $? ;;
  cloud-node-stop) stop_node "${2:-}" "${3:-}" ;;
  cloud-node-start)
    start_node "${2:-}" || exit 1
    wait_replicas_active "${DGE_SOLR_START_TIMEOUT:-180}" || exit 1
    cloud_say "node ${2:-} back, every replica active"
    ;;
  cloud-url) cmd_cloud_url ;;
  *)
    echo "usage: $0 {build|start|stop|status|restart|cloud-start|cloud-stop|cloud-status|cloud-node-stop N [--kill]|cloud-node-start N|cloud-url}" >&2
    exit 2
    ;;
esac
