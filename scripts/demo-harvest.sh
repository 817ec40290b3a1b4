#!/usr/bin/env bash
# Fills the demo catalogue offline: serves the bundled udata and Opendatasoft samples from a
# local replay server, syncs the demo harvest sources, runs their harvests, stops the server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
CKAN="$VENV/bin/ckan -c $ROOT/ckan.ini"
SOURCES=$ROOT/ckanext/datagrandest/data/demo_sources.yaml
URL_FILE=$STATE_DIR/run/replay.url
LOG=$STATE_DIR/log/demo-harvest.log

# The replay server listens on 127.0.0.1, which harvesters refuse unless this is on.
$CKAN config-tool "$ROOT/ckan.ini" "ckanext.datagrandest.harvest.allow_private_addresses = true" >>"$LOG" 2>&1

rm -f "$URL_FILE"
"$VENV/bin/python" -m ckanext.datagrandest.harvesters.replay --samples --port-file "$URL_FILE" >>"$LOG" 2>&1 &
replay=$!
trap 'kill "$replay" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$URL_FILE" ] && break; sleep 0.1; done
[ -s "$URL_FILE" ] || die demo-harvest "the replay server did not start" "$LOG"

export DGE_REPLAY_URL
DGE_REPLAY_URL=$(cat "$URL_FILE")
$CKAN datagrandest sources sync --file "$SOURCES" || die demo-harvest "sources sync failed" "$LOG"
$CKAN datagrandest sources harvest --all --file "$SOURCES" || die demo-harvest "harvest failed" "$LOG"
echo "demo-harvest: sample sources harvested from $DGE_REPLAY_URL"
