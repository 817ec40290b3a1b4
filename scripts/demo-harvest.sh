#!/usr/bin/env bash
# Fills the demo catalogue offline: serves the udata and Opendatasoft samples of demo/ from a
# local replay server, syncs the demo harvest sources, runs their harvests, stops the server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
SOURCES=$ROOT/demo/demo_sources.yaml
URL_FILE=$STATE_DIR/run/replay.url
LOG=$STATE_DIR/log/demo-harvest.log

# The replay server listens on 127.0.0.1, which harvesters refuse unless
# ckanext.datagrandest.harvest.allow_private_addresses is on: this harvest alone runs with
# it, from its own config on top of ckan.ini; the served portal keeps it off.
HARVEST_INI=$("$ROOT/scripts/write-demo-harvest-config.sh")
CKAN="$VENV/bin/ckan -c $HARVEST_INI"

rm -f "$URL_FILE"
(cd "$ROOT" && exec "$VENV/bin/python" -m demo.replay --samples --port-file "$URL_FILE") >>"$LOG" 2>&1 &
replay=$!
trap 'kill "$replay" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$URL_FILE" ] && break; sleep 0.1; done
[ -s "$URL_FILE" ] || die demo-harvest "the replay server did not start" "$LOG"

export DGE_REPLAY_URL
DGE_REPLAY_URL=$(cat "$URL_FILE")
$CKAN datagrandest sources sync --file "$SOURCES" || die demo-harvest "sources sync failed" "$LOG"
$CKAN datagrandest sources harvest --all --file "$SOURCES" || die demo-harvest "harvest failed" "$LOG"
echo "demo-harvest: sample sources harvested from $DGE_REPLAY_URL"
