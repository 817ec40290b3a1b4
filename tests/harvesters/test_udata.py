"""The udata harvester and the base's rules, through real synchronous harvests of a local udata."""

from __future__ import annotations

import copy

import ckan.plugins.toolkit as tk
import pytest
import requests
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters.udata import UdataHarvester
from demo.replay import ReplayServer, udata_routes

from .conftest import UDATA_ORG, create_source, harvest, load_fixture, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = UDATA_ORG
PISTES, EAU, LYCEES = (f"5b3f1a2c8b4c4137a1e0c00{i}" for i in (1, 2, 3))
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def source(server, org):
    return create_source(
        server.url, "datagrandest_udata", {"organizations": [ORG], "page_size": 2}, org["id"], "ems"
    )


def test_first_harvest_imports_every_dataset_page_by_page(server, source, org):
    result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    assert result["stats"]["added"] == 3
    # page_size 2: two pages, the second reached through next_page
    assert sum("/datasets/" in r for r in server.requests) == 2
    datasets = source_datasets(source["id"])
    assert set(datasets) == {PISTES, EAU, LYCEES}
    pistes = datasets[PISTES]
    assert pistes["name"] == "pistes-cyclables-eurometropole"
    assert pistes["title"] == "Pistes cyclables de l'Eurométropole"
    assert pistes["owner_org"] == org["id"]
    assert pistes["url"] == "https://www.data.gouv.fr/fr/datasets/pistes-cyclables-eurometropole/"
    assert pistes["license_id"] == "odc-odbl"
    assert {t["name"] for t in pistes["tags"]} == {"mobilite", "velo", "amenagements-cyclables"}
    geojson = next(r for r in pistes["resources"] if r["format"] == "GEOJSON")
    assert geojson["mimetype"] == "application/geo+json"
    assert geojson["size"] == 1843320
    assert geojson["hash"] == "3f786850e387550fdab836ed7e6dc881de23001b"
    assert geojson["hash_algorithm"] == "sha1"
    assert datasets[EAU]["license_id"] == "etalab-2.0"


def test_mapping_of_frequency_coverage_zones_and_granularity():
    harvester = UdataHarvester()
    records = {d["id"]: d for d in load_fixture("udata/strasbourg-eurometropole.json")}

    pistes = harvester.map_record(records[PISTES], source=None)  # type: ignore[arg-type]
    assert pistes["frequency"] == EU + "frequency/MONTHLY"
    assert pistes["temporal_coverage"] == [{"start": "2018-01-01", "end": "2024-12-31"}]
    assert pistes["territories"] == ["67482"]
    assert pistes["granularity"] == "commune"
    assert pistes["issued"].startswith("2018-07-06")

    eau = harvester.map_record(records[EAU], source=None)  # type: ignore[arg-type]
    assert eau["territories"] == ["67"] and eau["granularity"] == "departement"
    assert eau["frequency"] == EU + "frequency/QUARTERLY"

    lycees = harvester.map_record(records[LYCEES], source=None)  # type: ignore[arg-type]
    # country:fr is not a Grand Est territory: dropped, the région kept
    assert lycees["territories"] == ["44"] and lycees["granularity"] == "region"
    # "notspecified": no licence stated, said so in the text of "other".
    assert lycees["license_id"] == "other" and "notspecified" in lycees["license_other"]
    assert lycees["resources"][0]["is_api"] is True


def test_older_udata_answering_a_bare_array_is_harvested(catalogue, org):
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, catalogue, bare_array=[ORG]))
        source = create_source(
            replay.url, "datagrandest_udata", {"organizations": ORG}, org["id"], "ancienne"
        )
        result = harvest(source["id"])
    assert result["stats"]["added"] == 3 and result["gather_errors"] == []


def _indexed_at(dataset_ids):
    """When Solr last indexed each dataset (its own indexed_ts field).

    Each SolrCloud replica fills ``indexed_ts`` with its own clock, so the leaders are asked
    (``shards.preference``, ignored by a standalone Solr) for a figure that does not depend on
    which replica answers.
    """
    response = requests.get(
        f"{tk.config['solr_url']}/select",
        params={
            "q": "*:*",
            "fq": f"id:({' OR '.join(dataset_ids)})",
            "fl": "id,indexed_ts",
            "shards.preference": "replica.leader:true",
        },
        timeout=10,
    ).json()
    return {doc["id"]: doc["indexed_ts"] for doc in response["response"]["docs"]}


def test_unchanged_reharvest_skips_every_dataset_without_writing(server, source):
    harvest(source["id"])
    before = {g: d["metadata_modified"] for g, d in source_datasets(source["id"]).items()}
    ids = [d["id"] for d in source_datasets(source["id"]).values()]
    indexed = _indexed_at(ids)
    assert len(indexed) == 3

    result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert result["stats"].get("not modified") == 3
    assert "added" not in result["stats"] and "updated" not in result["stats"]
    after = {g: d["metadata_modified"] for g, d in source_datasets(source["id"]).items()}
    assert after == before
    assert _indexed_at(ids) == indexed  # not reindexed either


def test_volatile_counters_do_not_make_a_dataset_changed(catalogue, source):
    harvest(source["id"])
    for dataset in catalogue[ORG]:
        dataset["metrics"]["views"] = dataset["metrics"].get("views", 0) + 100
    assert harvest(source["id"])["stats"].get("not modified") == 3


def test_changed_dataset_is_updated_in_place(catalogue, source):
    harvest(source["id"])
    first = source_datasets(source["id"])[PISTES]

    catalogue[ORG][0]["title"] = "Pistes et bandes cyclables de l'Eurométropole"
    catalogue[ORG][0]["slug"] = "pistes-et-bandes-cyclables"
    result = harvest(source["id"])

    assert result["stats"] == {"updated": 1, "not modified": 2}, result
    again = source_datasets(source["id"])[PISTES]
    assert again["id"] == first["id"]
    assert again["name"] == first["name"] == "pistes-cyclables-eurometropole"
    assert again["title"] == "Pistes et bandes cyclables de l'Eurométropole"
    assert call_action("package_search", q="name:pistes-cyclables-eurometropole-1")["count"] == 0


def test_two_sources_with_the_same_guids_never_touch_each_other(server, source, catalogue):
    # Another udata instance whose datasets carry the same ids.
    mirror = copy.deepcopy(catalogue[ORG])
    for dataset in mirror:
        dataset["page"] = dataset["page"].replace("www.data.gouv.fr", "demo.data.gouv.fr")
    server.routes.update(udata_routes(lambda: server.url, {"miroir": mirror}))
    other_org = factories.Organization(name="mulhouse-alsace-agglomeration")
    other = create_source(
        server.url, "datagrandest_udata", {"organizations": ["miroir"]}, other_org["id"], "copie"
    )
    harvest(source["id"])
    second = harvest(other["id"])
    assert second["stats"] == {"added": 3}, second["object_errors"]
    mine, theirs = source_datasets(source["id"]), source_datasets(other["id"])
    assert set(mine) == set(theirs) == {PISTES, EAU, LYCEES}
    assert not {d["id"] for d in mine.values()} & {d["id"] for d in theirs.values()}
    # The mirror names the same publisher: its datasets go to that publisher's organisation.
    assert {d["owner_org"] for d in theirs.values()} == {source["owner_org"]}
    assert other_org["id"] != source["owner_org"]

    mirror[1]["title"] = "Titre changé"
    harvest(other["id"])
    untouched = source_datasets(source["id"])[EAU]["title"]
    assert untouched == "Qualité de l'eau potable dans le Bas-Rhin"
    assert source_datasets(other["id"])[EAU]["title"] == "Titre changé"


def test_dataset_gone_from_a_complete_gather_is_withdrawn(catalogue, source):
    harvest(source["id"])
    gone = source_datasets(source["id"])[LYCEES]

    del catalogue[ORG][2]
    result = harvest(source["id"])

    assert result["gather_errors"] == []
    assert result["stats"] == {"deleted": 1, "not modified": 2}
    assert call_action("package_show", id=gone["id"])["state"] == "deleted"
    assert set(source_datasets(source["id"])) == {PISTES, EAU}


def test_withdrawn_dataset_that_comes_back_keeps_its_id_and_name(catalogue, source):
    harvest(source["id"])
    gone = source_datasets(source["id"])[LYCEES]
    removed = catalogue[ORG].pop(2)
    harvest(source["id"])
    catalogue[ORG].append(removed)

    harvest(source["id"])

    back = call_action("package_show", id=gone["id"])
    assert back["state"] == "active" and back["name"] == gone["name"]


def test_empty_source_withdraws_nothing_and_says_why(catalogue, source):
    harvest(source["id"])
    catalogue[ORG] = []

    result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert any(
        "aucun jeu de données" in e and "rien n'a été retiré" in e for e in result["gather_errors"]
    )
    assert len(source_datasets(source["id"])) == 3


def test_source_shrinking_below_half_withdraws_nothing_and_says_why(catalogue, source):
    harvest(source["id"])
    catalogue[ORG] = catalogue[ORG][:1]

    result = harvest(source["id"])

    assert any("que 1 jeux de données contre 3" in e for e in result["gather_errors"])
    assert len(source_datasets(source["id"])) == 3


def test_one_bad_record_among_good_ones(catalogue, source):
    broken = copy.deepcopy(catalogue[ORG][0])
    broken.update(id="5b3f1a2c8b4c4137a1e0c0ff", slug="sans-titre", title="")
    catalogue[ORG].append(broken)

    result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert result["stats"] == {"added": 3, "errored": 1}
    assert result["object_errors"]["5b3f1a2c8b4c4137a1e0c0ff"] == [
        "Enregistrement 5b3f1a2c8b4c4137a1e0c0ff sans titre : ignoré"
    ]
    assert set(source_datasets(source["id"])) == {PISTES, EAU, LYCEES}


def test_record_without_id_is_reported_and_blocks_withdrawals(catalogue, source):
    harvest(source["id"])
    catalogue[ORG][2] = {"title": "Sans identifiant"}

    result = harvest(source["id"])

    assert any("sans identifiant" in e for e in result["gather_errors"])
    assert any("aucun jeu de données n'a été retiré" in e for e in result["gather_errors"])
    assert len(source_datasets(source["id"])) == 3


def test_harvested_text_is_sanitised(source):
    harvest(source["id"])
    datasets = source_datasets(source["id"])
    eau = datasets[EAU]["notes"]
    assert "<script" not in eau and "alert('xss')" not in eau and "onerror" not in eau
    assert eau.startswith("Résultats du contrôle sanitaire")
    assert datasets[LYCEES]["title"] == "Lycées du Grand Est géolocalisés"


def test_provenance_in_the_api_and_on_the_dataset_page(app, source):
    harvest(source["id"])
    dataset = source_datasets(source["id"])[PISTES]

    provenance = call_action("package_show", id=dataset["id"])["datagrandest_provenance"]
    assert provenance["source_id"] == source["id"]
    assert provenance["source_title"] == "Ems"
    assert provenance["original_url"] == dataset["url"]
    assert provenance["last_harvested"]

    page = app.get(f"/dataset/{dataset['name']}")
    assert page.status_code == 200
    assert "datagrandest-provenance" in page.body
    assert "Moissonné depuis" in page.body  # the French UI
    assert dataset["url"] in page.body


def test_dataset_published_here_has_no_provenance(org):
    dataset = factories.Dataset(owner_org=org["id"], territories=["67482"])
    assert "datagrandest_provenance" not in call_action("package_show", id=dataset["id"])


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "organizations"),
        ({"organizations": []}, "organizations"),
        ({"organizations": ["../../admin"]}, "organisation udata invalide"),
        ({"organizations": [ORG], "page_size": 0}, "page_size"),
    ],
)
def test_bad_config_is_refused_with_a_clear_message(org, config, message):
    with pytest.raises(tk.ValidationError) as error:
        create_source("https://data.gouv.fr", "datagrandest_udata", config, org["id"], "mauvaise")
    assert message in str(error.value.error_dict["config"])


def test_publisher_landing_page_and_zones_as_real_udata_records_give_them():
    harvester = UdataHarvester()
    record = copy.deepcopy(load_fixture("udata/strasbourg-eurometropole.json")[0])
    record["organization"]["business_number_id"] = "24670048800013"
    record["spatial"]["zones"] = [
        "fr:commune:57463@1942-01-01",  # Metz, with the validity suffix udata adds
        "fr/departement/88",  # the older path form
        "fr:epci:200039865@2014-01-01",
        "fr:departement:44",  # Loire-Atlantique, not our région 44
        "country:fr",
    ]
    mapped = harvester.map_record(record, source=None)  # type: ignore[arg-type]
    assert mapped["publisher"] == [
        {
            "name": "Eurométropole de Strasbourg",
            "url": "https://www.data.gouv.fr/fr/organizations/strasbourg-eurometropole/",
            "identifier": "24670048800013",
        }
    ]
    assert mapped["url"] == record["page"]
    assert mapped["territories"] == ["57463", "88", "200039865"]
    # The zones outside Grand Est are kept as the source names them, not lost.
    assert mapped["spatial_coverage"] == [{"text": "fr:departement:44"}, {"text": "country:fr"}]

    del record["organization"]
    record["owner"] = {"first_name": "Camille", "last_name": "Martin", "page": "https://x.test/u"}
    owned = harvester.map_record(record, source=None)  # type: ignore[arg-type]
    assert owned["publisher"] == [{"name": "Camille Martin", "url": "https://x.test/u"}]


def test_the_publisher_is_stored_and_shown_on_the_dataset_page(app, source):
    harvest(source["id"])
    pistes = source_datasets(source["id"])[PISTES]
    assert pistes["publisher"][0]["name"] == "Eurométropole de Strasbourg"
    page = app.get(f"/dataset/{pistes['name']}")
    assert "Producteur d&#39;origine" in page.body or "Producteur d'origine" in page.body
    assert "Eurométropole de Strasbourg" in page.body
