#!/usr/bin/env bash
# Serves the portal in the foreground on 127.0.0.1 (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
port_busy "$DGE_CKAN_PORT" \
  && die ckan "port $DGE_CKAN_PORT is already in use (another 'make demo'?); stop it or set DGE_CKAN_PORT"
# Older demos wrote this into ckan.ini for their sample harvest: the served portal never
# harvests loopback or private addresses (the demo harvest has its own config now).
[ -f "$ROOT/ckan.ini" ] && sed -i '/^ckanext\.datagrandest\.harvest\.allow_private_addresses[ =]/d' "$ROOT/ckan.ini"
echo "ckan: serving DataGrandEst on http://127.0.0.1:$DGE_CKAN_PORT (Ctrl-C stops it; 'make stop' stops the services)"
exec "$VENV/bin/ckan" -c "$ROOT/ckan.ini" run -H 127.0.0.1 -p "$DGE_CKAN_PORT" --disable-reloader
