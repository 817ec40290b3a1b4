#!/usr/bin/env bash
# Starts, stops or reports every local service of the stack: PostgreSQL, Redis and Solr.
# A failed start stops whatever this call had started, so nothing is left half-up.
set -euo pipefail
here=$(dirname "$0")
SERVICES=(postgres redis solr)

start_all() {
  local started=()
  for service in "${SERVICES[@]}"; do
    local was_running=0
    "$here/services/$service.sh" status >/dev/null 2>&1 && was_running=1
    if ! "$here/services/$service.sh" start; then
      for done_service in "${started[@]}"; do "$here/services/$done_service.sh" stop || true; done
      echo "services: $service failed to start; stopped what this command had started" >&2
      exit 1
    fi
    [ "$was_running" = 1 ] || started+=("$service")
  done
}

case "${1:-}" in
  start) start_all ;;
  stop) for service in "${SERVICES[@]}"; do "$here/services/$service.sh" stop || true; done ;;
  status)
    rc=0
    for service in "${SERVICES[@]}"; do "$here/services/$service.sh" status || rc=3; done
    exit $rc ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
