#!/usr/bin/env bash
# Writes ckan.ini (git-ignored) for the local portal: our shared settings plus this machine's
# secrets, URLs and storage. An existing ckan.ini keeps its secrets; the rest is refreshed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
INI=$ROOT/ckan.ini

secret=""
[ -f "$INI" ] && secret=$(sed -n 's/^SECRET_KEY = //p' "$INI")
[ -n "$secret" ] || secret=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
mkdir -p "$STATE_DIR/storage"
# xloader's token for the site user, made by scripts/previews-token.sh once the database exists
xloader_token=""
[ -f "$INI" ] && xloader_token=$(sed -n 's/^ckanext\.xloader\.api_token = //p' "$INI")

{
  echo "# Written by scripts/write-config.sh; edit config/portal.ini instead, or add local lines below it."
  echo "[app:main]"
  echo "use = config:config/portal.ini"
  echo "SECRET_KEY = $secret"
  echo "api_token.jwt.encode.secret = string:$secret"
  echo "api_token.jwt.decode.secret = string:$secret"
  echo "sqlalchemy.url = postgresql://ckan:ckan@127.0.0.1:$DGE_PG_PORT/ckan"
  echo "solr_url = http://127.0.0.1:$DGE_SOLR_PORT/solr/ckan"
  echo "ckan.redis.url = redis://127.0.0.1:$DGE_REDIS_PORT/0"
  echo "ckan.harvest.mq.port = $DGE_REDIS_PORT"
  echo "ckan.site_url = http://127.0.0.1:$DGE_CKAN_PORT"
  echo "ckanext.dcat.base_uri = http://127.0.0.1:$DGE_CKAN_PORT"
  echo "ckan.storage_path = $STATE_DIR/storage"
  echo "ckan.datastore.write_url = postgresql://ckan:ckan@127.0.0.1:$DGE_PG_PORT/datastore"
  echo "ckan.datastore.read_url = postgresql://datastore_ro:datastore_ro@127.0.0.1:$DGE_PG_PORT/datastore"
  # the demo's preview files (demo/files), served by CKAN itself: they preview offline
  echo "extra_public_paths = $ROOT/demo/files"
  # the demo's sample WMS/WFS (demo/ogc.py, started by scripts/serve.sh beside the portal)
  echo "ckanext.datagrandest.demo.ogc_url = http://127.0.0.1:$DGE_OGC_PORT"
  [ -n "$xloader_token" ] && echo "ckanext.xloader.api_token = $xloader_token"
  # DCAT-AP shapes for the quality score's "DCAT-AP compliant" indicator, read where they are
  shapes=$ROOT/../shared/reference/shacl/dcat-ap-3.0.1
  [ -f "$shapes/shapes.ttl" ] && echo "ckanext.datagrandest.quality.shacl_shapes = $shapes/shapes.ttl $shapes/range.ttl $shapes/mdr-vocabularies.shape.ttl"
  echo "ckan.devserver.host = 127.0.0.1"
  echo "ckan.devserver.port = $DGE_CKAN_PORT"
  echo
  cat "$ROOT/config/logging.ini"
} >"$INI.new"
mv "$INI.new" "$INI"
echo "config: wrote $INI"
