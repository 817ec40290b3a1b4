#!/usr/bin/env bash
# PostgreSQL 15 for the portal and the tests, run as the postgres user on its own port.
set -euo pipefail
source "$(dirname "$0")/../env.sh"

PG_BIN=${DGE_PG_BIN:-/usr/lib/postgresql/15/bin}
LOG_NAME=postgres.log

# PostgreSQL refuses to run as root and its user must reach the data directory. When the
# checkout sits below a folder the postgres user cannot traverse (a clone under /root), the
# cluster lives in /var/tmp instead and .state/pg points to it.
pg_data_dir() {
  local wanted=$STATE_DIR/pg
  if [ -L "$wanted" ]; then readlink -f "$wanted"; return; fi
  if [ -d "$wanted" ] || runuser -u postgres -- test -x "$STATE_DIR" 2>/dev/null; then
    echo "$wanted"; return
  fi
  local key
  key=$(printf '%s' "$STATE_DIR" | sha1sum | cut -c1-12)
  local outside=/var/tmp/datagrandest-pg-$key
  mkdir -p "$outside"
  ln -sfn "$outside" "$wanted"
  echo "$outside"
}

PGDATA=$(pg_data_dir)
LOG=$PGDATA/$LOG_NAME
as_pg() { runuser -u postgres -- "$@"; }
psql_admin() { as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$DGE_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

init_cluster() {
  [ -f "$PGDATA/PG_VERSION" ] && return
  [ -x "$PG_BIN/initdb" ] || die postgres "PostgreSQL 15 is not installed (package postgresql-15); run 'make system-deps'"
  id postgres >/dev/null 2>&1 || die postgres "the postgres system user is missing (package postgresql-15)"
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$STATE_DIR/log/postgres-initdb.log" 2>&1 \
    || die postgres "initdb failed" "$STATE_DIR/log/postgres-initdb.log"
}

ensure_databases() {
  psql_admin -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ckan') THEN CREATE ROLE ckan LOGIN PASSWORD 'ckan'; END IF; END \$\$;"
  for db in ckan ckan_test "$@"; do
    if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$DGE_PG_PORT" -U postgres -O ckan -E UTF8 "$db"
    fi
  done
}

# datastore MAINDB DATASTOREDB: CKAN's DataStore database next to MAINDB, written by the ckan
# role and read by datastore_ro, with the permissions CKAN's own set_permissions.sql gives.
DATASTORE_RO_PASSWORD=datastore_ro
ensure_datastore() {
  local maindb=$1 dsdb=$2
  psql_admin -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'datastore_ro') THEN CREATE ROLE datastore_ro LOGIN PASSWORD '$DATASTORE_RO_PASSWORD'; END IF; END \$\$;"
  ensure_databases "$maindb" "$dsdb"
  local template
  template=$("$VENV/bin/python" -c 'import os, ckanext.datastore as d; print(os.path.join(os.path.dirname(d.__file__), "set_permissions.sql"))') \
    || die postgres "CKAN's datastore module is not installed in $VENV (run 'make setup')"
  sed -e "s/{datastoredb}/$dsdb/g; s/{maindb}/$maindb/g; s/{mainuser}/ckan/g; s/{writeuser}/ckan/g; s/{readuser}/datastore_ro/g" "$template" \
    | psql_admin -d postgres >/dev/null \
    || die postgres "setting the DataStore permissions on $dsdb failed"
}

start() {
  init_cluster
  if running; then
    echo "postgres: already running on port $DGE_PG_PORT"
  else
    port_busy "$DGE_PG_PORT" && die postgres "port $DGE_PG_PORT is already in use by another program (set DGE_PG_PORT to move it)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 \
      -o "-p $DGE_PG_PORT -c listen_addresses=127.0.0.1 -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1 || die postgres "failed to start" "$LOG"
    echo "postgres: started on port $DGE_PG_PORT (data $PGDATA, log $LOG)"
  fi
  ensure_databases "$@"
  # the demo's DataStore and the test suite's (test.ini)
  ensure_datastore ckan datastore
  ensure_datastore ckan_test datastore_test
}

stop() {
  if running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null
    echo "postgres: stopped"
  else
    echo "postgres: not running"
  fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) if running; then echo "postgres: running on port $DGE_PG_PORT"; else echo "postgres: stopped"; exit 3; fi ;;
  createdb) shift; ensure_databases "$@" ;;
  datastore) shift; ensure_datastore "$@" ;;
  *) echo "usage: $0 start [extra databases...]|stop|status|createdb NAME...|datastore MAINDB DATASTOREDB" >&2; exit 2 ;;
esac
