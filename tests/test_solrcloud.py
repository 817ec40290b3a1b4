"""SolrCloud: losing one of the two nodes keeps search answering and indexing going.

Runs only against the cloud started by ``scripts/services/solr.sh cloud-start`` (``make test
SOLR=cloud``); the default ``make test`` deselects the ``solrcloud`` marker. Run by hand against
a standalone Solr, it fails and says so: a skip would read as a pass.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import pytest
import requests
from ckan.tests.helpers import call_action
from schema_support import BAS_RHIN, EMS, METZ, STRASBOURG, region_org
from schema_support import sysadmin_context as admin

pytestmark = [
    pytest.mark.solrcloud,
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]

SOLR_SH = Path(__file__).resolve().parents[1] / "scripts" / "services" / "solr.sh"
TERRITORIES = [[STRASBOURG], [EMS], [BAS_RHIN], [METZ]]
SEARCHES_AFTER_THE_LOSS = 30


class Cloud:
    """The cluster CKAN talks to: the node of ``solr_url`` and the other one, which we stop."""

    def __init__(self, solr_url: str) -> None:
        parts = urlsplit(solr_url)
        self.base = f"{parts.scheme}://{parts.netloc}/solr"
        self.collection = parts.path.rstrip("/").rsplit("/", 1)[-1]
        ports = os.environ.get("DGE_SOLRCLOUD_PORTS", "8985 8986").split()
        if str(parts.port) not in ports:
            pytest.fail(
                f"solr_url {solr_url} is not a node of the project's SolrCloud (ports {ports}):"
                " run `make test SOLR=cloud`"
            )
        self.other_port = next(p for p in ports if p != str(parts.port))
        self.other_number = str(ports.index(self.other_port) + 1)

    def status(self) -> dict[str, Any]:
        answer = requests.get(
            f"{self.base}/admin/collections",
            params={"action": "CLUSTERSTATUS", "wt": "json"},
            timeout=30,
        )
        cluster: dict[str, Any] = answer.json().get("cluster", {})
        return cluster

    def other_node_live(self) -> bool:
        return f"127.0.0.1:{self.other_port}_solr" in self.status()["live_nodes"]

    def replicas_on_other_node(self) -> dict[str, str]:
        """shard -> core name of its replica on the node we stop."""
        shards = self.status()["collections"][self.collection]["shards"]
        return {
            shard: replica["core"]
            for shard, body in shards.items()
            for replica in body["replicas"].values()
            if replica["node_name"] == f"127.0.0.1:{self.other_port}_solr"
        }

    def ids_in_core(self, core: str) -> set[str]:
        """What one replica holds of this site by itself (no distributed search).

        Other site ids (the browser tests', a helper's) may share the collection; ``clean_index``
        clears this site's documents only.
        """
        answer = requests.get(
            f"http://127.0.0.1:{self.other_port}/solr/{core}/select",
            params={
                "q": "*:*",
                "fq": f'site_id:"{tk.config["ckan.site_id"]}"',
                "fl": "id",
                "rows": "1000",
                "distrib": "false",
                "wt": "json",
            },
            timeout=30,
        ).json()
        return {doc["id"] for doc in answer["response"]["docs"]}

    def node(self, command: str, *extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(SOLR_SH), command, self.other_number, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _run(process: subprocess.Popen[str]) -> str:
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    return out


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    cloud = Cloud(tk.config["solr_url"])
    try:
        status = cloud.status()
    except (requests.RequestException, ValueError) as error:
        pytest.fail(f"no SolrCloud answers at {cloud.base} ({error}): run `make test SOLR=cloud`")
    if cloud.collection not in status.get("collections", {}):
        pytest.fail(f"{cloud.base} is not a SolrCloud with a '{cloud.collection}' collection")
    assert cloud.other_node_live(), "both nodes must be up before the test"
    yield cloud
    # Whatever happened, leave the cluster whole for the next test.
    if not cloud.other_node_live():
        _run(cloud.node("cloud-node-start"))


def _create(org: dict[str, Any], number: int) -> dict[str, Any]:
    result: dict[str, Any] = call_action(
        "package_create",
        admin(),
        name=f"jeu-{number}",
        title=f"Comptage routier {number}",
        notes="Comptages de trafic.",
        owner_org=org["id"],
        territories=TERRITORIES[number % len(TERRITORIES)],
        theme=["TRAN"],
        license_id="etalab-2.0",
        resources=[{"url": f"https://exemple.fr/comptage-{number}.csv", "format": "CSV"}],
    )
    return result


def _search_everything(numbers: list[int]) -> None:
    """The searches a visitor makes; each must see every dataset of ``numbers``."""
    expected = len(numbers)
    assert call_action("package_search", rows=0)["count"] == expected
    assert call_action("package_search", q="comptage routier", rows=0)["count"] == expected
    # Territory hierarchy: the Bas-Rhin finds Strasbourg's, its EPCI's and its own datasets.
    in_bas_rhin = [n for n in numbers if TERRITORIES[n % len(TERRITORIES)] != [METZ]]
    found = call_action("package_search", fq=f"territory:{BAS_RHIN}", rows=0)
    assert found["count"] == len(in_bas_rhin)
    facets = call_action("package_search", rows=0, **{"facet.field": '["res_format"]'})
    assert facets["facets"]["res_format"] == {"CSV": expected}


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_search_answers_and_indexing_resumes_when_a_node_is_lost(cloud: Cloud, how: str) -> None:
    org = region_org()
    datasets = {n: _create(org, n) for n in range(8)}
    _search_everything(list(datasets))
    # Each shard has a replica on the node we stop, and it holds that shard's datasets.
    on_other = cloud.replicas_on_other_node()
    assert sorted(on_other) == ["shard1", "shard2"]
    held = set().union(*(cloud.ids_in_core(core) for core in on_other.values()))
    assert held == {d["id"] for d in datasets.values()}

    # Lose the node while searching: a clean shutdown, or a crash (SIGKILL) that ZooKeeper
    # only notices when the node's session expires.
    stopping = cloud.node("cloud-node-stop", *(["--kill"] if how == "killed" else []))
    during = 0
    while stopping.poll() is None:
        _search_everything(list(datasets))
        during += 1
    _run(stopping)
    for _ in range(SEARCHES_AFTER_THE_LOSS):
        _search_everything(list(datasets))
    if how == "stopped":
        assert not cloud.other_node_live()

    # Writing goes on with one node: the surviving replicas are (or become) the leaders.
    for n in range(8, 12):
        datasets[n] = _create(org, n)
    call_action("package_delete", admin(), id=datasets.pop(0)["id"])
    _search_everything(list(datasets))

    # The node comes back, recovers what it missed, and takes writes again.
    _run(cloud.node("cloud-node-start"))
    assert cloud.other_node_live()
    for n in range(12, 14):
        datasets[n] = _create(org, n)
    # The recovered replicas, queried alone (nothing read from the node that stayed), hold
    # exactly the catalogue: what was written and deleted while they were away included.
    held = set().union(
        *(cloud.ids_in_core(core) for core in cloud.replicas_on_other_node().values())
    )
    assert held == {d["id"] for d in datasets.values()}
    _search_everything(list(datasets))
    print(f"{how}: {during} search rounds while the node went down, all answered in full")
