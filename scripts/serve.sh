#!/usr/bin/env bash
# Serves the portal in the foreground on 127.0.0.1 (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
port_busy "$DGE_CKAN_PORT" \
  && die ckan "port $DGE_CKAN_PORT is already in use (another 'make demo'?); stop it or set DGE_CKAN_PORT"
# Older demos wrote this into ckan.ini for their sample harvest: the served portal never
# harvests loopback or private addresses (the demo harvest has its own config now).
[ -f "$ROOT/ckan.ini" ] && sed -i '/^ckanext\.datagrandest\.harvest\.allow_private_addresses[ =]/d' "$ROOT/ckan.ini"
# The demo's tables go to the DataStore once the portal answers: xloader downloads each file
# from the portal itself (demo/files). Needs the token and worker of scripts/demo-previews.sh.
if grep -q '^ckanext\.xloader\.api_token = ' "$ROOT/ckan.ini" 2>/dev/null; then
  (
    for _ in $(seq 120); do port_busy "$DGE_CKAN_PORT" && break; sleep 1; done
    for dataset in communes-du-bas-rhin departements-du-grand-est; do
      "$VENV/bin/ckan" -c "$ROOT/ckan.ini" xloader submit "$dataset" -y
    done
  ) >>"$STATE_DIR/log/previews.log" 2>&1 &
fi
# The demo's sample WMS/WFS (demo/ogc.py; data/demo-previews.yaml names it) for the map previews
# of services. It watches this shell's process, which becomes the portal's: it stops with it.
if port_busy "$DGE_OGC_PORT"; then
  echo "ogc: port $DGE_OGC_PORT is in use: the demo's sample WMS/WFS is not started (set DGE_OGC_PORT and run 'make config')" >&2
else
  (cd "$ROOT" && exec "$VENV/bin/python" -m demo.ogc --port "$DGE_OGC_PORT" --parent $$) >>"$STATE_DIR/log/ogc.log" 2>&1 &
fi
echo "ckan: serving DataGrandEst on http://127.0.0.1:$DGE_CKAN_PORT (Ctrl-C stops it; 'make stop' stops the services)"
exec "$VENV/bin/ckan" -c "$ROOT/ckan.ini" run -H 127.0.0.1 -p "$DGE_CKAN_PORT" --disable-reloader
