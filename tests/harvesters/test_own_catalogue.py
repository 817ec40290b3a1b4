"""Our /catalog.ttl harvested back (a portal we harvest harvested us): nothing created or moved."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from ckanext.datagrandest.harvesters import dedup
from ckanext.harvest.model import HarvestObject, Session
from demo.replay import ReplayServer, Reply

from . import ckan_server, csw_server
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TURTLE = "text/turtle; charset=utf-8"
D4C = {"search_path": "d4c/api/datasets/2.0/search/", "rows": 2}
HAND_PUBLISHED = (
    ("lycees-publics", "Lycées publics du Grand Est", 0),
    ("aides-regionales", "Aides régionales aux entreprises", 0),
    ("arretes-prefectoraux", "Arrêtés préfectoraux du Bas-Rhin", 1),
)


@pytest.fixture
def portal():
    """Three datasets published here and seven harvested, in two organisations."""
    region = factories.Organization(
        name="region-grand-est",
        title="Région Grand Est",
        body_kind="region",
        siren="200052264",
        territories=["44"],
    )
    prefecture = factories.Organization(
        name="prefecture-bas-rhin",
        title="Préfecture du Bas-Rhin",
        body_kind="state_service",
        territories=["67"],
    )
    orgs = (region, prefecture)
    sysadmin = factories.Sysadmin()
    for name, title, owner in HAND_PUBLISHED:
        call_action(
            "package_create",
            {"user": sysadmin["name"]},
            name=name,
            title=title,
            notes=f"{title} (publié sur le portail).",
            owner_org=orgs[owner]["id"],
        )
    with (
        csw_server.serve(csw_server.THREE_PAGES) as csw,
        ckan_server.serve(ckan_server.D4C_PAGES) as d4c,
    ):
        geo = create_source(csw.url, "datagrandest_csw", {}, prefecture["id"], "geocatalogue")
        d4c_source = create_source(d4c.url, "datagrandest_ckan", D4C, region["id"], "d4c")
        harvest(geo["id"])
        harvest(d4c_source["id"])
    return {"orgs": orgs, "sources": (geo, d4c_source)}


def _datasets() -> dict[str, dict[str, Any]]:
    found = call_action(
        "package_search", q="*:*", rows=1000, fq="dataset_type:dataset", include_private=True
    )
    return {d["id"]: d for d in found["results"]}


@dataclass
class Served:
    """What the neighbour portal serves as its catalogue (change ``body`` between runs)."""

    body: bytes
    url: str = ""

    def __call__(self, query: Mapping[str, str], path: str) -> Reply:
        return Reply(200, self.body, {"Content-Type": TURTLE})


@contextmanager
def _serve(body: bytes) -> Iterator[Served]:
    served = Served(body)
    with ReplayServer({"/catalog.ttl": served}) as server:
        served.url = f"{server.url}/catalog.ttl"
        yield served


def _catalogue(app) -> bytes:
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    return response.body.encode("utf-8") if isinstance(response.body, str) else response.body


def test_harvesting_our_own_catalogue_back_creates_and_moves_nothing(app, portal):
    before = _datasets()
    owners = {i: d["owner_org"] for i, d in before.items()}
    assert len(before) == 10  # 3 published here, 5 from the geocatalogue, 2 more from D4C
    assert set(owners.values()) == {o["id"] for o in portal["orgs"]}
    writers = {i: [s["writes"] for s in dedup.sources(i)] for i in before}
    body = _catalogue(app)
    graph = Graph().parse(data=body, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 10

    neighbour = factories.Organization(name="portail-voisin", title="Portail voisin")
    with _serve(body) as served:
        source = create_source(
            served.url, "datagrandest_dcat", {}, neighbour["id"], "portail-voisin"
        )
        first = harvest(source["id"])
        second = harvest(source["id"])

    assert first["status"] == "Finished"
    assert first["gather_errors"] == [] and first["object_errors"] == {}
    # Every record is a copy of ours: linked, nothing written.
    assert first["stats"] == {"not modified": 10}
    after = _datasets()
    assert after.keys() == before.keys()  # nothing created
    assert {i: d["owner_org"] for i, d in after.items()} == owners  # nothing moved
    for package_id, dataset in after.items():
        # Nothing written: a copy of ours never overwrites ours.
        assert dataset["metadata_modified"] == before[package_id]["metadata_modified"]
    linked = source_datasets(source["id"])
    assert {d["id"] for d in linked.values()} == set(before)
    # Every record is linked to the dataset its URI names.
    for guid, dataset in linked.items():
        assert guid.endswith(f"/dataset/{dataset['id']}")
    # The copy neither wins nor changes who writes a harvested dataset.
    assert {
        i: [s["writes"] for s in dedup.sources(i) if s["source_id"] != source["id"]] for i in before
    } == writers
    assert neighbour["id"] not in owners.values()

    # An unchanged catalogue: nothing imported again.
    assert second["stats"] == {"not modified": 10}
    assert second["object_errors"] == {}


def test_our_datasets_leaving_the_copy_are_never_withdrawn_here(app, portal):
    body = _catalogue(app)
    graph = Graph().parse(data=body, format="turtle")
    neighbour = factories.Organization(name="portail-voisin", title="Portail voisin")
    with _serve(body) as served:
        source = create_source(
            served.url, "datagrandest_dcat", {}, neighbour["id"], "portail-voisin"
        )
        harvest(source["id"])
        # The neighbour drops four of our datasets (the three published here among them).
        published = _published_here_ids()
        datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
        dropped = [ref for ref in datasets if str(ref).rsplit("/", 1)[-1] in published]
        dropped.append(next(ref for ref in datasets if ref not in dropped))
        for ref in dropped:
            graph.remove((ref, None, None))
            graph.remove((None, DCAT.dataset, ref))
        served.body = graph.serialize(format="turtle").encode("utf-8")
        result = harvest(source["id"])
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    assert all(isinstance(ref, URIRef) for ref in dropped)
    # The copies left are recognised again; the dropped ones are not withdrawn here.
    assert result["stats"] == {"not modified": 6}
    assert len(_datasets()) == 10


def test_a_copy_never_becomes_the_source_of_our_datasets(app, portal):
    body = _catalogue(app)
    neighbour = factories.Organization(name="portail-voisin", title="Portail voisin")
    with _serve(body) as served:
        source = create_source(
            served.url, "datagrandest_dcat", {}, neighbour["id"], "portail-voisin"
        )
        harvest(source["id"])
    lycees = call_action("package_show", id="lycees-publics")
    # Published here: no harvest provenance, no source listing it.
    assert "datagrandest_provenance" not in lycees
    assert dedup.SOURCES_KEY not in lycees
    # Reindexed, none of ours is filed under the neighbour's source (its page, its clear).
    search.rebuild()
    found = call_action("package_search", fq=f"harvest_source_id:{source['id']}", rows=100)
    assert found["count"] == 0
    current = Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == source["id"], HarvestObject.current.is_(True)
    )
    assert current.count() == 0


def _published_here_ids() -> set[str]:
    return {d["id"] for d in _datasets().values() if d["name"] in {n for n, _, _ in HAND_PUBLISHED}}


def test_data_gouv_copies_of_our_datasets_are_recognised_by_their_origin(portal):
    """data.gouv.fr harvests DataGrandEst: its records name our pages as their origin."""
    from demo.replay import udata_routes

    from .conftest import load_fixture

    copies = load_fixture("udata/strasbourg-eurometropole.json")[:2]
    site = tk.config["ckan.site_url"].rstrip("/")
    copies[0]["harvest"] = {"remote_url": f"{site}/dataset/lycees-publics"}  # our page
    lycees = call_action("package_show", id="lycees-publics")
    copies[1]["harvest"] = {"uri": f"{site}/dataset/{lycees['id']}"}  # our DCAT URI
    before = _datasets()
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, {"datagrandest": copies}))
        region = portal["orgs"][0]
        source = create_source(
            replay.url,
            "datagrandest_udata",
            {"organizations": ["datagrandest"]},
            region["id"],
            "dgf",
        )
        result = harvest(source["id"])
    assert result["stats"] == {"not modified": 2}
    assert _datasets().keys() == before.keys()
    assert call_action("package_show", id="lycees-publics")["title"] == lycees["title"]
