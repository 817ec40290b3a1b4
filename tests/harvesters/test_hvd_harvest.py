"""High-value datasets and data services read by the harvesters: udata's "hvd" tag, DCAT-AP
HVD properties and DCAT data services, through real synchronous harvests of local servers."""

from __future__ import annotations

import copy

import pytest
from ckan.tests import factories

from ckanext.datagrandest.harvesters import harvest_warnings
from demo.replay import ReplayServer, udata_routes

from .conftest import create_source, harvest, load_fixture, source_datasets
from .test_dcat import TURTLE, serve

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ELI = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
ADDRESSES = "http://data.europa.eu/bna/c_c3de25e4"
ORG = "strasbourg-eurometropole"


@pytest.fixture
def org():
    return factories.Organization(name="eurometropole", title="Eurométropole", territories=["67"])


def test_a_udata_hvd_tag_names_the_regulation_and_the_rest_is_said(org):
    records = load_fixture("udata/strasbourg-eurometropole.json")
    tagged = copy.deepcopy(records[0])
    tagged["tags"] = [*tagged["tags"], "HVD"]
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, {ORG: [tagged, records[1]]}))
        source = create_source(
            replay.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems"
        )
        result = harvest(source["id"])
    assert result["status"] == "Finished" and result["stats"]["added"] == 2
    datasets = source_datasets(source["id"])
    hvd, plain = datasets[tagged["id"]], datasets[records[1]["id"]]
    assert hvd["applicable_legislation"] == [ELI]
    assert plain["applicable_legislation"] == []
    # data.gouv.fr states no category: the dataset lands, the job says what it lacks.
    warnings = harvest_warnings.dataset_warnings(hvd["id"])
    assert "jeu de données de forte valeur sans catégorie" in " ".join(warnings), warnings
    assert harvest_warnings.dataset_warnings(plain["id"]) == []


def test_dcat_hvd_properties_and_data_services_are_read(org):
    with serve({"1": ("hvd_services.ttl", TURTLE)}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "geo-dcat")
        result = harvest(source["id"])
    assert result["status"] == "Finished", result
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    datasets = {d["title"]: d for d in source_datasets(source["id"]).values()}
    adresses = datasets["Adresses de la ville de Strasbourg"]
    assert adresses["applicable_legislation"] == [ELI]
    # The unknown category is dropped with a warning, the known one kept.
    assert adresses["hvd_category"] == [ADDRESSES]
    warnings = " ".join(harvest_warnings.dataset_warnings(adresses["id"]))
    assert "catégorie de données de forte valeur non reconnue" in warnings
    resources = {r["url"]: r for r in adresses["resources"]}
    csv = resources["https://geo.test/adresses.csv"]
    assert csv["applicable_legislation"] == [ELI]
    assert csv["is_api"] == "false"
    wms = resources["https://geo.test/geoserver/wms"]
    assert wms["is_api"] == "true"
    assert wms["hvd_category"] == [ADDRESSES]
    assert wms["documentation"] == ["https://geo.test/doc/wms"]
    assert wms["endpoint_description"] == (
        "https://geo.test/geoserver/wms?SERVICE=WMS&REQUEST=GetCapabilities"
    )
    # A service only the catalogue lists (dcat:service, dcat:servesDataset) becomes an API
    # resource of the dataset it serves.
    arrets = datasets["Arrêts de bus"]
    api = next(r for r in arrets["resources"] if r["url"] == "https://geo.test/api/arrets")
    assert api["name"] == "API des arrêts"
    assert api["is_api"] == "true"
    assert api["documentation"] == ["https://geo.test/doc/api-arrets"]
    assert len(arrets["resources"]) == 2
