#!/usr/bin/env bash
# Writes the config of the demo's sample harvest alone: ckan.ini plus the one setting that
# harvest needs (its sources are a replay server on 127.0.0.1). Prints the file's path.
# The served portal runs on ckan.ini, where private addresses stay refused.
set -euo pipefail
source "$(dirname "$0")/env.sh"
INI=$STATE_DIR/ckan-demo-harvest.ini

{
  echo "# Written by scripts/write-demo-harvest-config.sh for the demo's sample harvest only."
  echo "[app:main]"
  echo "use = config:$ROOT/ckan.ini"
  echo "ckanext.datagrandest.harvest.allow_private_addresses = true"
  echo
  cat "$ROOT/config/logging.ini"
} >"$INI.new"
mv "$INI.new" "$INI"
echo "$INI"
