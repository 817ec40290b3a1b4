#!/usr/bin/env bash
# Serves the portal in the foreground on 127.0.0.1 (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
port_busy "$DGE_CKAN_PORT" \
  && die ckan "port $DGE_CKAN_PORT is already in use (another 'make demo'?); stop it or set DGE_CKAN_PORT"
echo "ckan: serving DataGrandEst on http://127.0.0.1:$DGE_CKAN_PORT (Ctrl-C stops it; 'make stop' stops the services)"
exec "$VENV/bin/ckan" -c "$ROOT/ckan.ini" run -H 127.0.0.1 -p "$DGE_CKAN_PORT" --disable-reloader
