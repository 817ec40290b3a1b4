#!/usr/bin/env bash
# Readies the demo's previews: an API token for xloader (the site user's, in ckan.ini) and a
# `ckan jobs worker` in the background (stopped by `make stop`). serve.sh queues the demo's
# tables once the portal answers, since xloader downloads each file from the portal itself.
set -euo pipefail
source "$(dirname "$0")/env.sh"
INI=$ROOT/ckan.ini
CKAN="$VENV/bin/ckan -c $INI"

site_user=$(sed -n 's/^ckan\.site_id = //p' "$ROOT/config/portal.ini")
# a fresh token each run: the database may have been made anew since the last one
token=$($CKAN user token add "$site_user" xloader 2>>"$STATE_DIR/log/previews.log" | tail -n 1 | tr -d '[:space:]') \
  || die previews "could not make xloader's API token for the site user $site_user" "$STATE_DIR/log/previews.log"
[ -n "$token" ] || die previews "no API token printed for $site_user" "$STATE_DIR/log/previews.log"
sed -i '/^ckanext\.xloader\.api_token = /d' "$INI"
sed -i "/^ckan\.storage_path = /a ckanext.xloader.api_token = $token" "$INI"
echo "previews: xloader token written to ckan.ini"
"$ROOT/scripts/services/worker.sh" stop >/dev/null
"$ROOT/scripts/services/worker.sh" start
