"""One-shot set-up of the compose `cloud` profile: CKAN's schema as a configset, collection ckan.

Run by the `solrcloud-init` service (the CKAN image, which holds CKAN's schema.xml) against the
two Solr nodes of `docker-compose.yml`; it does what `scripts/services/solr.sh cloud-start` does
for the local stack, and can be run again (the configset is replaced, the collection reloaded).
Usage: python3 solrcloud_init.py SOLR_BASE_URL CONF_DIR  (e.g. http://solr1:8983/solr /conf)
"""

from __future__ import annotations

import io
import json
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

COLLECTION = "ckan"
NODES = 2
# CKAN declares _version_ as a string; SolrCloud compares versions as longs, and with a string
# every update a leader forwards to a replica fails.
STRING_VERSION = '<field name="_version_" type="string" indexed="true" stored="true"/>'
LONG_VERSION = (
    '<field name="_version_" type="plong" indexed="false" stored="false" docValues="true"/>'
)


def call(base: str, path: str, params: dict[str, str], data: bytes | None = None) -> dict[str, Any]:
    url = f"{base}/{path}?{urllib.parse.urlencode({**params, 'wt': 'json'})}"
    request = urllib.request.Request(url, data=data)
    if data is not None:
        request.add_header("Content-Type", "application/octet-stream")
    with urllib.request.urlopen(request, timeout=120) as answer:
        result: dict[str, Any] = json.load(answer)
    return result


def live_nodes(base: str) -> list[str]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            status = call(base, "admin/collections", {"action": "CLUSTERSTATUS"})
            nodes: list[str] = status["cluster"]["live_nodes"]
            if len(nodes) >= NODES:
                return sorted(nodes)
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(2)
    sys.exit(f"solrcloud-init: fewer than {NODES} Solr nodes joined {base} in 5 minutes")


def configset(conf_dir: Path) -> bytes:
    import ckan  # the image's CKAN: its own schema, the one its search code expects

    schema = (Path(ckan.__file__).parent / "config" / "solr" / "schema.xml").read_text()
    if STRING_VERSION not in schema:
        sys.exit("solrcloud-init: CKAN's schema no longer declares _version_ as 2.11 does")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.xml", schema.replace(STRING_VERSION, LONG_VERSION))
        for name in ("solrconfig.xml", "synonyms.txt", "protwords.txt"):
            archive.write(conf_dir / name, name)
    return buffer.getvalue()


def main(base: str, conf_dir: str) -> None:
    nodes = live_nodes(base)
    upload = {"action": "UPLOAD", "name": COLLECTION, "overwrite": "true", "cleanup": "true"}
    call(base, "admin/configs", upload, configset(Path(conf_dir)))
    existing = call(base, "admin/collections", {"action": "LIST"}).get("collections", [])
    if COLLECTION in existing:
        call(base, "admin/collections", {"action": "RELOAD", "name": COLLECTION})
        print("solrcloud-init: configset replaced, collection reloaded")
        return
    create = {
        "action": "CREATE",
        "name": COLLECTION,
        "numShards": "2",
        "createNodeSet": "EMPTY",
        "collection.configName": COLLECTION,
    }
    call(base, "admin/collections", create)
    # One replica of each shard on each node: either node can go.
    for shard in ("shard1", "shard2"):
        for node in nodes[:NODES]:
            replica = {
                "action": "ADDREPLICA",
                "collection": COLLECTION,
                "shard": shard,
                "node": node,
            }
            call(base, "admin/collections", replica)
    print(f"solrcloud-init: collection {COLLECTION} created, 2 shards x 2 replicas on {nodes}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2])
