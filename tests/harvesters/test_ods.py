"""The Opendatasoft harvester, through real synchronous harvests of a local Explore API v2.1."""

from __future__ import annotations

import copy

import pytest

from ckanext.datagrandest.harvesters import ods
from ckanext.datagrandest.harvesters.base import PageGuard, Source, make_client
from demo.replay import ReplayServer, ods_routes

from .conftest import create_source, harvest, load_fixture, source_datasets

EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
API = "/api/explore/v2.1/catalog"


@pytest.fixture
def catalogue():
    return load_fixture("ods/data-strasbourg-catalog.json")


def _many(catalogue, count):
    """count ODS datasets built from the fixture's first one, ids numbered."""
    datasets = []
    for index in range(count):
        dataset = copy.deepcopy(catalogue[1])
        dataset["dataset_id"] = f"jeu-{index:05d}"
        dataset["metas"]["default"]["title"] = f"Jeu {index}"
        datasets.append(dataset)
    return datasets


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestHarvest:
    def test_harvest_maps_metas_and_offers_the_standard_exports(self, catalogue, org):
        with ReplayServer(ods_routes(catalogue)) as server:
            source = create_source(server.url, "datagrandest_ods", {}, org["id"], "ods-ems")
            result = harvest(source["id"])
            base = server.url

        assert result["status"] == "Finished" and result["stats"] == {"added": 3}, result
        datasets = source_datasets(source["id"])
        velo = datasets["lieux_parking_velo"]
        assert velo["title"] == "Stationnements vélo"
        assert velo["url"] == f"{base}/explore/dataset/lieux_parking_velo/"
        assert velo["license_id"] == "odc-odbl"
        assert velo["owner_org"] == org["id"]
        assert velo["theme"] == [EU_THEME + "TRAN"]
        assert velo["territories"] == ["67482"]
        assert {t["name"] for t in velo["tags"]} == {"vélo", "stationnement", "mobilité"}
        assert "onclick" not in velo["notes"] and "stationnement vélo" in velo["notes"]
        by_name = {r["name"]: r for r in velo["resources"]}
        export = f"{base}{API}/datasets/lieux_parking_velo"
        assert by_name["Export CSV"]["url"] == f"{export}/exports/csv"
        assert by_name["Export GeoJSON"]["format"] == "GEOJSON"
        assert by_name["API Explore v2.1"]["url"] == f"{export}/records"
        assert by_name["API Explore v2.1"]["is_api"] in (True, "true", "True")

        budget = datasets["budget-primitif-2024"]
        assert budget["license_id"] == "etalab-2.0"
        assert set(budget["theme"]) == {EU_THEME + "GOVE", EU_THEME + "ECON"}
        assert budget["territories"] == ["67"]
        assert "Export GeoJSON" not in {r["name"] for r in budget["resources"]}  # no geometry

        arbres = datasets["arbres-remarquables"]  # no records: nothing to export
        assert arbres["resources"] == [] and arbres["license_id"] == "cc-by-4.0"

    def test_where_filter_selects_one_publisher(self, catalogue, org):
        with ReplayServer(ods_routes(catalogue)) as server:
            source = create_source(
                server.url,
                "datagrandest_ods",
                {"where": 'publisher = "Ville de Mulhouse"'},
                org["id"],
                "ods-mulhouse",
            )
            result = harvest(source["id"])
        assert result["stats"] == {"added": 1}
        assert set(source_datasets(source["id"])) == {"arbres-remarquables"}

    def test_bad_record_among_good_ones(self, catalogue, org):
        catalogue[1]["metas"] = {"default": {"title": None}}
        with ReplayServer(ods_routes(catalogue)) as server:
            source = create_source(server.url, "datagrandest_ods", {}, org["id"], "ods-bad")
            result = harvest(source["id"])
        assert result["stats"] == {"added": 2, "errored": 1}
        assert result["object_errors"]["budget-primitif-2024"] == [
            "Enregistrement budget-primitif-2024 sans titre : ignoré"
        ]


def _list(server, config=None):
    source = Source(
        id="x", url=server.url, config=config or {}, http=make_client(), pages=PageGuard(1000)
    )
    return list(ods.OdsHarvester().list_records(source))


@pytest.mark.usefixtures("with_plugins")
def test_catalogue_is_read_by_pages_of_at_most_100(catalogue):
    with ReplayServer(ods_routes(_many(catalogue, 150))) as server:
        pages = _list(server)
        requests = list(server.requests)
    assert [len(page) for page in pages] == [100, 50]
    assert [r.split("?")[0] for r in requests] == [f"{API}/datasets"] * 2
    assert "limit=100&offset=0" in requests[0] and "limit=100&offset=100" in requests[1]


@pytest.mark.usefixtures("with_plugins")
def test_past_10000_the_catalogue_is_read_through_its_export(catalogue):
    big = _many(catalogue, 10_050)
    with ReplayServer(ods_routes(big)) as server:
        pages = _list(server)
        requests = list(server.requests)

    guids = [record.guid for page in pages for record in page]
    assert len(guids) == 10_050 and len(set(guids)) == 10_050
    assert all(len(page) <= 100 for page in pages)
    # one catalogue page to learn the total, then the export; never offset + limit > 10,000
    assert [r.split("?")[0] for r in requests] == [f"{API}/datasets", f"{API}/exports/json"]


@pytest.mark.usefixtures("with_plugins")
def test_processing_timestamp_does_not_change_the_content_hash(catalogue):
    again = copy.deepcopy(catalogue[0])
    again["metas"]["default"]["metadata_processed"] = "2030-01-01T00:00:00+00:00"
    first = ods.OdsHarvester()._records([catalogue[0]], source=None)  # type: ignore[arg-type]
    second = ods.OdsHarvester()._records([again], source=None)  # type: ignore[arg-type]
    assert first[0].content_hash == second[0].content_hash
    again["metas"]["default"]["records_count"] = 2000
    third = ods.OdsHarvester()._records([again], source=None)  # type: ignore[arg-type]
    assert third[0].content_hash != first[0].content_hash


@pytest.mark.usefixtures("with_plugins")
def test_publisher_explore_page_and_territory_names_are_kept(catalogue):
    source = Source(
        id="s", url="https://data.strasbourg.eu", config={}, http=None, pages=PageGuard(1)
    )  # type: ignore[arg-type]
    harvester = ods.OdsHarvester()
    velo = harvester.map_record(catalogue[0], source)
    assert velo["publisher"] == [{"name": "Eurométropole de Strasbourg"}]
    assert velo["url"] == "https://data.strasbourg.eu/explore/dataset/lieux_parking_velo/"
    record = copy.deepcopy(catalogue[2])
    record["metas"]["default"]["territory"] = ["Commune de Mulhouse", "68"]
    arbres = harvester.map_record(record, source)
    assert arbres["publisher"] == [{"name": "Ville de Mulhouse"}]
    assert arbres["territories"] == ["68", "68224"]
    record["metas"]["default"]["language"] = "en"
    assert harvester.map_record(record, source)["language"] == ["en"]
    del record["metas"]["default"]["publisher"]
    record["metas"]["dcat"] = {"creator": "Service des espaces verts", "contact_email": "ev@x.fr"}
    creator = harvester.map_record(record, source)
    assert creator["publisher"] == [{"name": "Service des espaces verts", "email": "ev@x.fr"}]
