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
# Environment:
#   DGE_STATE_DIR            state dir (default: <repo>/.state)
#   DGE_SOLR_PORT            port (default 8984), bound to 127.0.0.1 only
#   DGE_SOLR_HEAP            JVM heap, -Xms/-Xmx (default 512m)
#   DGE_SOLR_START_TIMEOUT   seconds to wait for the ping (default 120)
#   DGE_SOLR_JAVA_OPTS       extra JVM options (e.g. -Ddge.solr.request.log.level=INFO)
#   DGE_CKAN_SCHEMA          CKAN schema.xml to use (default: from the ckan package in .venv)
#   DGE_PYTHON               python with ckan installed (default: <repo>/.venv/bin/python)
#   JAVA                     java binary (default: $JAVA_HOME/bin/java or java on PATH)
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

case "${1:-}" in
  build) cmd_build; say "jar up to date: $JAR" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status || exit $? ;;
  restart) cmd_stop; cmd_start ;;
  *)
    echo "usage: $0 {build|start|stop|status|restart}" >&2
    exit 2
    ;;
esac
