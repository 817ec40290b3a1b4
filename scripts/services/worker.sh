#!/usr/bin/env bash
# CKAN's background job worker for the demo portal (ckan.ini): loads CSV/XLSX files into the
# DataStore for the previews (ckanext-xloader) and reindexes a publisher's datasets.
set -euo pipefail
source "$(dirname "$0")/../env.sh"

INI=${DGE_WORKER_INI:-$ROOT/ckan.ini}
PIDFILE=$STATE_DIR/run/worker.pid
LOG=$STATE_DIR/log/worker.log

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running; then echo "worker: already running (pid $(cat "$PIDFILE"))"; return; fi
  [ -f "$INI" ] || die worker "$INI is missing; run 'make config'"
  # setsid: its own process group, so that stop ends the worker and the job it is running
  setsid "$VENV/bin/ckan" -c "$INI" jobs worker >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  sleep 2
  running || die worker "failed to start" "$LOG"
  echo "worker: started (pid $(cat "$PIDFILE"), log $LOG)"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 100); do running || break; sleep 0.1; done
    running && kill -KILL -- "-$pid" 2>/dev/null
    rm -f "$PIDFILE"
    echo "worker: stopped"
  else
    rm -f "$PIDFILE"
    echo "worker: not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "worker: running (pid $(cat "$PIDFILE"))"; else echo "worker: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
