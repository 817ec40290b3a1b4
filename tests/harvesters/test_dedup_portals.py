"""Deduplication between data.gouv.fr (udata) and a publisher's Opendatasoft portal."""

from __future__ import annotations

import copy

import pytest
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters import dedup
from ckanext.datagrandest.harvesters.udata import UdataHarvester, origin_keys
from demo.replay import ReplayServer, ods_routes, udata_routes

from .conftest import create_source, harvest, load_fixture, source_datasets

ORG = "strasbourg-eurometropole"
VELO_UDATA = "5b3f1a2c8b4c4137a1e0c001"
VELO_ODS = "lieux_parking_velo"


@pytest.fixture
def portals():
    """A local ODS portal and a local udata whose first dataset data.gouv.fr harvested from it."""
    udata = copy.deepcopy(load_fixture("udata/strasbourg-eurometropole.json"))
    with ReplayServer(ods_routes(load_fixture("ods/data-strasbourg-catalog.json"))) as ods:
        origin = udata[0]
        origin["title"] = "Stationnements vélo (copie data.gouv.fr)"
        # What data.gouv.fr records about a dataset its ODS harvester brought in.
        origin["harvest"] = {
            "backend": "OpenDataSoft",
            "domain": ods.url.split("://", 1)[1],
            "remote_id": VELO_ODS,
            "remote_url": f"{ods.url}/explore/dataset/{VELO_ODS}/",
            "source_id": "5c3e7f0a8b4c4137a1e0d999",
        }
        with ReplayServer() as gouv:
            gouv.routes.update(udata_routes(lambda: gouv.url, {ORG: udata}))
            yield ods, gouv, udata


def _sources(portals, org):
    ods, gouv, _ = portals
    return (
        create_source(ods.url, "datagrandest_ods", {}, org["id"], "data-strasbourg"),
        create_source(gouv.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "dgf"),
    )


def _count() -> int:
    return call_action("package_search", q="*:*", fq="dataset_type:dataset", rows=0)["count"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("ods_first", [True, False], ids=["ods-first", "udata-first"])
def test_udata_copy_of_an_ods_dataset_gives_one_dataset_written_by_ods(
    app, portals, org, ods_first
):
    ods_source, udata_source = _sources(portals, org)
    for source in (ods_source, udata_source) if ods_first else (udata_source, ods_source):
        result = harvest(source["id"])
        assert result["gather_errors"] == [] and result["object_errors"] == {}, result

    from_ods = source_datasets(ods_source["id"])[VELO_ODS]
    from_udata = source_datasets(udata_source["id"])[VELO_UDATA]
    assert from_udata["id"] == from_ods["id"]
    # 3 ODS datasets + the 2 udata datasets that exist only on data.gouv.fr.
    assert _count() == 5
    # ODS (priority 20) writes over udata (10), whichever came first.
    assert from_udata["title"] == "Stationnements vélo"
    assert from_udata["url"] == f"{portals[0].url}/explore/dataset/{VELO_ODS}/"
    assert [(s["source_id"], s["writes"]) for s in from_udata[dedup.SOURCES_KEY]] == [
        (ods_source["id"], True),
        (udata_source["id"], False),
    ]
    page = app.get(f"/dataset/{from_udata['name']}")
    assert page.status_code == 200
    assert "Trouvé dans 2 sources" in page.body
    assert "Data Strasbourg" in page.body and "Dgf" in page.body

    # The udata copy changes: it must not overwrite what ODS writes.
    portals[2][0]["title"] = "Titre changé sur data.gouv.fr"
    assert harvest(udata_source["id"])["object_errors"] == {}
    assert call_action("package_show", id=from_ods["id"])["title"] == "Stationnements vélo"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_udata_withdrawal_keeps_a_dataset_ods_still_lists(portals, org):
    ods_source, udata_source = _sources(portals, org)
    harvest(udata_source["id"])
    harvest(ods_source["id"])
    shared = source_datasets(ods_source["id"])[VELO_ODS]["id"]
    assert source_datasets(udata_source["id"])[VELO_UDATA]["id"] == shared

    del portals[2][0]  # data.gouv.fr stops listing it
    result = harvest(udata_source["id"])
    assert result["gather_errors"] == []
    shown = call_action("package_show", id=shared)
    assert shown["state"] == "active"
    assert [s["source_id"] for s in shown[dedup.SOURCES_KEY]] == [ods_source["id"]]
    assert _count() == 5


def test_origin_keys_come_from_harvest_metadata_only():
    record = {"id": "x", "page": "https://www.data.gouv.fr/fr/datasets/x/"}
    assert origin_keys(record) == []
    record["harvest"] = {"backend": "OpenDataSoft", "domain": "data.strasbourg.eu"}
    # remote_id missing: a bare domain names a portal, not a dataset.
    assert origin_keys(record) == []
    record["harvest"]["remote_id"] = "vélo"
    assert origin_keys(record) == ["https://data.strasbourg.eu/explore/dataset/v%C3%A9lo/"]
    record["harvest"]["remote_url"] = "javascript:alert(1)"
    assert origin_keys(record) == ["https://data.strasbourg.eu/explore/dataset/v%C3%A9lo/"]
    mapped = UdataHarvester().map_record(
        {**record, "title": "T", "resources": []},
        source=None,  # type: ignore[arg-type]
    )
    assert mapped["identifier"] == "https://data.strasbourg.eu/explore/dataset/v%C3%A9lo/"
    assert mapped["url"] == "https://www.data.gouv.fr/fr/datasets/x/"
