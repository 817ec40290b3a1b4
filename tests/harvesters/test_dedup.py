"""Cross-source deduplication: the same dataset from a geocatalogue and a portal is kept once."""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from lxml import etree

from ckanext.datagrandest.harvesters import dedup, iso19139

from . import ckan_server, csw_server
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PLU_RECORD = "dge-plu-selestat-0001"
PLU_D4C = "9a3c1f0e-0001-4d4c-8000-000000000001"
AIR_TITLE = "Stations de mesure de la qualité de l'air en Grand Est"
D4C = {"search_path": "d4c/api/datasets/2.0/search/", "rows": 2}


@pytest.fixture
def orgs():
    return (
        factories.Organization(name="ddt-67", title="DDT du Bas-Rhin", territories=["67"]),
        factories.Organization(name="datagrandest", title="DataGrandEst", territories=["44"]),
    )


@pytest.fixture
def catalogues():
    with (
        csw_server.serve(csw_server.THREE_PAGES) as csw,
        ckan_server.serve(ckan_server.D4C_PAGES) as d4c,
    ):
        yield csw, d4c


def _sources(catalogues, orgs):
    csw, d4c = catalogues
    geo = create_source(csw.url, "datagrandest_csw", {}, orgs[0]["id"], "geocatalogue")
    portal = create_source(d4c.url, "datagrandest_ckan", D4C, orgs[1]["id"], "data4citizen")
    return geo, portal


def _all_titles() -> list[str]:
    found = call_action("package_search", q="*:*", rows=100, fq="dataset_type:dataset")
    return sorted(d["title"] for d in found["results"])


def test_the_same_dataset_from_two_sources_gives_one_dataset(app, catalogues, orgs):
    geo, portal = _sources(catalogues, orgs)
    assert harvest(geo["id"])["stats"] == {"added": 5, "errored": 1}
    result = harvest(portal["id"])
    assert result["object_errors"] == {} and result["gather_errors"] == []

    plu_from_geo = source_datasets(geo["id"])[PLU_RECORD]
    plu_from_portal = source_datasets(portal["id"])[PLU_D4C]
    assert plu_from_portal["id"] == plu_from_geo["id"]
    # 5 from the geocatalogue, 2 more from the portal: its PLU is the geocatalogue's.
    titles = _all_titles()
    assert len(titles) == 7
    # The geocatalogue (closer to the producer) writes; the portal's title is not used.
    assert "PLU de Sélestat" not in titles
    assert plu_from_portal["title"] == "Plan local d'urbanisme de la commune de Sélestat"
    assert plu_from_portal["owner_org"] == orgs[0]["id"]
    sources = plu_from_portal[dedup.SOURCES_KEY]
    assert [(s["source_id"], s["writes"]) for s in sources] == [
        (geo["id"], True),
        (portal["id"], False),
    ]
    page = app.get(f"/dataset/{plu_from_portal['name']}")
    assert page.status_code == 200
    assert "datagrandest-sources" in page.body
    assert "Trouvé dans 2 sources" in page.body
    assert "Data4Citizen" in page.body and "Geocatalogue" in page.body


def test_two_datasets_sharing_only_a_title_stay_apart(catalogues, orgs):
    geo, portal = _sources(catalogues, orgs)
    harvest(geo["id"])
    harvest(portal["id"])
    assert _all_titles().count(AIR_TITLE) == 2


def test_the_stronger_source_takes_over_a_dataset_it_finds_already_here(catalogues, orgs):
    geo, portal = _sources(catalogues, orgs)
    harvest(portal["id"])
    first = source_datasets(portal["id"])[PLU_D4C]
    assert first["title"] == "PLU de Sélestat"
    harvest(geo["id"])
    after = source_datasets(portal["id"])[PLU_D4C]
    assert after["id"] == first["id"]
    assert after["title"] == "Plan local d'urbanisme de la commune de Sélestat"
    # The stronger source rewrites the metadata; the dataset stays where it was.
    assert after["owner_org"] == first["owner_org"] == orgs[1]["id"]
    assert len(_all_titles()) == 7


def test_a_dataset_stays_while_one_source_still_lists_it(catalogues, orgs):
    csw, d4c = catalogues
    geo, portal = _sources(catalogues, orgs)
    harvest(geo["id"])
    harvest(portal["id"])
    plu_id = source_datasets(geo["id"])[PLU_RECORD]["id"]

    # The portal stops listing the PLU: only its link goes.
    page = ckan_server.load("d4c_search_page1.json")
    page["result"]["results"].pop(0)
    page["result"]["count"] = 2
    d4c.pages = {0: page, 1: "d4c_search_page2.json"}
    d4c.pages[1] = "d4c_search_page2.json"
    result = harvest(portal["id"])
    assert result["gather_errors"] == []
    shown = call_action("package_show", id=plu_id)
    assert shown["state"] == "active"
    assert [s["source_id"] for s in shown.get(dedup.SOURCES_KEY, [])] == [geo["id"]]

    # Then the geocatalogue drops it too: now it is withdrawn.
    root = iso19139.parse_xml(csw_server.fixture("page1.xml"))
    record = iso19139.records(root)[0]
    assert iso19139.file_identifier(record) == PLU_RECORD
    record.getparent().remove(record)
    csw.pages[1] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    result = harvest(geo["id"])
    assert result["gather_errors"] == []
    assert call_action("package_show", id=plu_id)["state"] == "deleted"


def test_a_dataset_published_here_is_never_overwritten_by_a_harvest(catalogues, orgs):
    local = call_action(
        "package_create",
        {"user": factories.Sysadmin()["name"]},
        name="comptages-routiers",
        title="Comptages routiers (publié sur DataGrandEst)",
        notes="Publié directement par la Région.",
        owner_org=orgs[1]["id"],
        identifier="https://region.test/id/comptages-routiers",
    )
    _, portal = _sources(catalogues, orgs)
    result = harvest(portal["id"])
    assert result["object_errors"] == {}
    shown = call_action("package_show", id=local["id"])
    assert shown["title"] == "Comptages routiers (publié sur DataGrandEst)"
    assert [s["source_id"] for s in shown[dedup.SOURCES_KEY]] == [portal["id"]]
    assert [s["writes"] for s in shown[dedup.SOURCES_KEY]] == [False]
    assert len([t for t in _all_titles() if "Comptages routiers" in t]) == 1


def test_a_configured_priority_overrides_the_default(catalogues, orgs):
    csw, d4c = catalogues
    geo = create_source(csw.url, "datagrandest_csw", {}, orgs[0]["id"], "geocatalogue")
    portal = create_source(
        d4c.url, "datagrandest_ckan", {**D4C, "dedup_priority": 99}, orgs[1]["id"], "d4c"
    )
    harvest(geo["id"])
    harvest(portal["id"])
    assert dedup.priority(portal["id"]) == 99
    shown = source_datasets(portal["id"])[PLU_D4C]
    assert shown["id"] == source_datasets(geo["id"])[PLU_RECORD]["id"]
    assert shown["title"] == "PLU de Sélestat"
    assert [s["source_id"] for s in shown[dedup.SOURCES_KEY] if s["writes"]] == [portal["id"]]
    assert len(_all_titles()) == 7
