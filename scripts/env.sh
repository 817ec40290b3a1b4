# Shared settings of the local stack, sourced by every script under scripts/.
# Ports are our own so the services never collide with a system PostgreSQL, Redis or Solr.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STATE_DIR=${DGE_STATE_DIR:-$ROOT/.state}
VENV=${DGE_VENV:-$ROOT/.venv}
DGE_PG_PORT=${DGE_PG_PORT:-55432}
DGE_REDIS_PORT=${DGE_REDIS_PORT:-56379}
DGE_SOLR_PORT=${DGE_SOLR_PORT:-8984}
DGE_CKAN_PORT=${DGE_CKAN_PORT:-5000}
DGE_OGC_PORT=${DGE_OGC_PORT:-5081}  # the demo's sample WMS/WFS (demo/ogc.py)
export ROOT STATE_DIR VENV DGE_PG_PORT DGE_REDIS_PORT DGE_SOLR_PORT DGE_CKAN_PORT DGE_OGC_PORT
mkdir -p "$STATE_DIR/log" "$STATE_DIR/run"

# port_busy PORT: true when something already listens on 127.0.0.1:PORT.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# die SERVICE MESSAGE [LOG]: one clear line naming the service (and its log), then exit 1.
die() {
  local service=$1 message=$2 log=${3:-}
  if [ -n "$log" ]; then
    echo "$service: $message, see $log" >&2
    [ -f "$log" ] && tail -n 20 "$log" | sed "s/^/$service log | /" >&2
  else
    echo "$service: $message" >&2
  fi
  exit 1
}
