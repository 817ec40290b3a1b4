#!/usr/bin/env bash
# Redis for CKAN's jobs and the harvest queues, without persistence, on its own port.
set -euo pipefail
source "$(dirname "$0")/../env.sh"

PIDFILE=$STATE_DIR/run/redis.pid
LOG=$STATE_DIR/log/redis.log

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running; then echo "redis: already running on port $DGE_REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || die redis "redis-server is not installed (package redis-server); run 'make system-deps'"
  port_busy "$DGE_REDIS_PORT" && die redis "port $DGE_REDIS_PORT is already in use by another program (set DGE_REDIS_PORT to move it)"
  mkdir -p "$STATE_DIR/redis"
  redis-server --port "$DGE_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$PIDFILE" --logfile "$LOG" --dir "$STATE_DIR/redis" \
    || die redis "failed to start" "$LOG"
  for _ in $(seq 50); do
    redis-cli -p "$DGE_REDIS_PORT" ping >/dev/null 2>&1 && { echo "redis: started on port $DGE_REDIS_PORT (log $LOG)"; return; }
    sleep 0.1
  done
  die redis "did not answer PING within 5 s" "$LOG"
}

stop() {
  if running; then
    redis-cli -p "$DGE_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$PIDFILE")"
    for _ in $(seq 50); do running || break; sleep 0.1; done
    rm -f "$PIDFILE"
    echo "redis: stopped"
  else
    rm -f "$PIDFILE"
    echo "redis: not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "redis: running on port $DGE_REDIS_PORT"; else echo "redis: stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
