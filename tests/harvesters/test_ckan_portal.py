"""CKAN portals and CKAN-like APIs (Data4Citizen) harvested into our schema, for real."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from .ckan_server import CKAN_PATH, D4C_PAGES, load, serve
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

EU = "http://publications.europa.eu/resource/authority/"
D4C = {"search_path": "d4c/api/datasets/2.0/search/", "rows": 2}
PLU, AIR, TRAFIC = (f"9a3c1f0e-000{i}-4d4c-8000-00000000000{i}" for i in (1, 2, 3))


@pytest.fixture
def org():
    # Datasets naming no territory take their publisher's: the whole région here.
    return factories.Organization(name="region-grand-est", title="Région", territories=["44"])


def test_data4citizen_search_is_paged_and_mapped_into_our_schema(org):
    with serve(D4C_PAGES) as portal:
        source = create_source(portal.url, "datagrandest_ckan", D4C, org["id"], "d4c")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    assert [(q["start"], q["rows"]) for q in portal.requests] == [("0", "2"), ("2", "2")]
    assert "sort" not in portal.requests[0]  # Data4Citizen's search takes no sort
    datasets = source_datasets(source["id"])
    assert set(datasets) == {PLU, AIR, TRAFIC}

    plu = datasets[PLU]
    assert plu["license_id"] == "etalab-2.0"
    assert plu["frequency"] == EU + "frequency/ANNUAL"  # ckanext-spatial's ISO code
    assert plu["contact"] == [{"name": "Ville de Sélestat", "email": "urbanisme@selestat.test"}]
    assert plu["url"] == "https://www.selestat.test"
    (wms,) = plu["resources"]
    assert wms["format"] == "WMS_SRVC" and wms["is_api"] in (True, "true")

    trafic = datasets[TRAFIC]
    assert trafic["license_id"] == "cc-by-4.0"
    assert trafic["frequency"] == EU + "frequency/MONTHLY"
    assert trafic["identifier"] == "https://region.test/id/comptages-routiers"
    assert trafic["theme"] == [EU + "data-theme/TRAN"]
    assert json.loads(trafic["spatial_coverage"][0]["geom"])["type"] == "Polygon"
    assert trafic["territories"] == ["44"]  # "de la région Grand Est" in the title
    assert {t["name"] for t in trafic["tags"]} == {"trafic", "routes autoroutes"}
    # The deleted resource and the javascript: link are left out.
    assert [r["url"] for r in trafic["resources"]] == [
        "https://data.region.test/comptages-2024.csv"
    ]
    assert trafic["resources"][0]["format"] == "CSV"


def test_standard_ckan_api_is_sorted_and_links_to_the_remote_page(org):
    with serve(D4C_PAGES, path=CKAN_PATH) as portal:
        source = create_source(portal.url, "datagrandest_ckan", {"rows": 2}, org["id"], "ckan")
        result = harvest(source["id"])
    assert result["status"] == "Finished" and result["gather_errors"] == []
    assert portal.requests[0]["sort"] == "id asc"
    air = source_datasets(source["id"])[AIR]
    assert air["url"] == f"{portal.url}/dataset/stations-qualite-air-d4c"
    assert air["license_id"] == "odc-odbl"


def test_a_second_harvest_of_unchanged_datasets_writes_nothing(org):
    with serve(D4C_PAGES) as portal:
        source = create_source(portal.url, "datagrandest_ckan", D4C, org["id"], "d4c")
        harvest(source["id"])
        before = {k: v["metadata_modified"] for k, v in source_datasets(source["id"]).items()}
        # View counters move between two harvests; they must not count as changes.
        page = load("d4c_search_page1.json")
        page["result"]["results"][0]["tracking_summary"] = {"total": 999, "recent": 50}
        portal.pages[0] = page
        result = harvest(source["id"])
    assert result["stats"] == {"not modified": 3}
    after = {k: v["metadata_modified"] for k, v in source_datasets(source["id"]).items()}
    assert after == before


def test_a_portal_ignoring_start_stops_the_gather_and_withdraws_nothing(org):
    with serve(D4C_PAGES) as portal:
        source = create_source(portal.url, "datagrandest_ckan", D4C, org["id"], "d4c")
        harvest(source["id"])
        portal.ignore_start = True
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    errors = " ".join(result["gather_errors"])
    assert "ignore la pagination" in errors
    assert "aucun jeu de données n'a été retiré" in errors
    assert len(source_datasets(source["id"])) == 3


def test_a_refused_search_is_reported(org):
    refusal = {"success": False, "error": {"message": "Recherche invalide : fq"}}
    with serve({0: refusal}) as portal:
        source = create_source(portal.url, "datagrandest_ckan", D4C, org["id"], "d4c")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert "Recherche invalide" in " ".join(result["gather_errors"])
    assert source_datasets(source["id"]) == {}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"rows": 0}, "rows"),
        ({"rows": True}, "rows"),
        ({"search_path": "../../etc"}, "search_path"),
        ({"fq": ["a"]}, "fq"),
        ({"landing_page": "ftp://x/{name}"}, "landing_page"),
    ],
)
def test_a_bad_config_is_refused_in_french(org, config, message):
    with pytest.raises(tk.ValidationError) as error:
        create_source("https://portail.example.org", "datagrandest_ckan", config, org["id"], "x")
    assert message in json.dumps(error.value.error_dict, ensure_ascii=False)


def _d4c_records():
    pages = [load(name) for name in ("d4c_search_page1.json", "d4c_search_page2.json")]
    return {r["id"]: r for page in pages for r in page["result"]["results"]}


def _mapping_source(config):
    from ckanext.datagrandest.harvesters.base import PageGuard, Source
    from ckanext.datagrandest.harvesters.ckan_portal import CKANHarvester

    harvester = CKANHarvester()
    source = Source(
        id="s",
        url="https://portail.test",
        config=harvester.check_config(config),
        http=None,  # type: ignore[arg-type]
        pages=PageGuard(1),
    )
    return harvester, source


def test_the_datasets_own_page_publisher_and_places_are_kept():
    harvester, source = _mapping_source({})
    records = _d4c_records()
    plu = records[PLU]
    plu["url"] = "https://www.selestat.test/urbanisme/plu"
    mapped = harvester.map_record(plu, source)
    # Its own web page, not {source}/dataset/{name}.
    assert mapped["url"] == "https://www.selestat.test/urbanisme/plu"
    assert mapped["publisher"] == [{"name": "Ville de Sélestat"}]
    # No web address of its own: the page on the portal.
    air = dict(records[AIR], url="ftp://files.test/air")
    mapped_air = harvester.map_record(air, source)
    assert mapped_air["url"] == "https://portail.test/dataset/stations-qualite-air-d4c"
    assert mapped_air["publisher"] == [  # its maintainer
        {"name": "Observatoire régional", "email": "observatoire@region.test"}
    ]
    trafic = dict(records[TRAFIC])
    trafic["extras"] = [
        *trafic.get("extras", []),
        {"key": "spatial_text", "value": "Commune de Saint-Dié-des-Vosges, 57"},
        {"key": "publisher_name", "value": "Région Grand Est"},
        {"key": "publisher_identifier", "value": "200052264"},
    ]
    mapped_trafic = harvester.map_record(trafic, source)
    assert mapped_trafic["territories"] == ["57", "88413"]
    assert mapped_trafic["publisher"] == [{"name": "Région Grand Est", "identifier": "200052264"}]


def test_a_configured_landing_page_serves_records_without_a_page_of_their_own():
    template = "https://www.datagrandest.fr/data4citizen/visualisation/information/?id={name}"
    harvester, source = _mapping_source({**D4C, "landing_page": template})
    records = _d4c_records()
    air = harvester.map_record(records[AIR], source)
    assert air["url"] == template.replace("{name}", "stations-qualite-air-d4c")
    # A record with its own page keeps it.
    assert harvester.map_record(records[PLU], source)["url"] == "https://www.selestat.test"


def test_ckanext_dcat_scheming_fields_of_a_remote_ckan_are_kept():
    # A CKAN running ckanext-dcat's DCAT-AP scheming schema (as this portal does) gives its
    # periods, places, languages and contact points as lists.
    harvester, source = _mapping_source({})
    record = dict(
        _d4c_records()[PLU],
        language=["en", "ca"],
        temporal_coverage=[{"start": "1905-03-01", "end": "2013-01-05T00:00:00"}, {"end": ""}],
        spatial_coverage=[
            {
                "uri": "https://sws.geonames.org/6361390/",
                "text": "Tarragona",
                "bbox": {"type": "Polygon", "coordinates": [[[-2.16, 42.76], [-2.09, 42.76]]]},
            }
        ],
        contact=[{"name": "Contact 1", "email": "contact1@example.org", "identifier": "123"}],
    )
    mapped = harvester.map_record(record, source)
    assert mapped["language"] == ["en", "ca"]  # the base maps them to EU URIs
    assert mapped["temporal_coverage"] == [{"start": "1905-03-01", "end": "2013-01-05"}]
    (place,) = mapped["spatial_coverage"]
    assert place["text"] == "Tarragona" and json.loads(place["bbox"])["type"] == "Polygon"
    assert mapped["contact"] == [{"name": "Contact 1", "email": "contact1@example.org"}]
    # Without them: the extras of ckanext-dcat's older profiles, a comma list of languages.
    del record["temporal_coverage"], record["language"]
    record["extras"] = [
        {"key": "temporal_start", "value": "2020-01-01"},
        {"key": "language", "value": "fr, de"},
    ]
    mapped = harvester.map_record(record, source)
    assert mapped["temporal_coverage"] == [{"start": "2020-01-01"}]
    assert mapped["language"] == ["fr", "de"]
