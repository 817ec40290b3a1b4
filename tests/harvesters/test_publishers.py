"""Datasets go to their publisher's organisation, and a harvest never moves a dataset."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters import publishers
from ckanext.datagrandest.harvesters.base import DataGrandEstHarvester

from . import csw_server
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ATMO = "dge-atmo-stations-0002"
HYDRO = "dge-hydro-68-0003"
MEUSE = "dge-inondation-55-0004"
PLU = "dge-plu-selestat-0001"
SCOLAIRE = "dge-transport-scolaire-88413-0005"


@pytest.fixture
def aggregator():
    return factories.Organization(name="datagrandest", title="DataGrandEst", territories=["44"])


def _organisations() -> dict[str, str]:
    found = call_action("organization_list", all_fields=True)
    return {o["name"]: o["id"] for o in found}


def test_each_dataset_goes_to_its_publishers_organisation(aggregator):
    atmo = factories.Organization(name="atmo", title="Atmo Grand-Est")  # folded: same name
    ddt68 = factories.Organization(name="ddt-68", title="Direction départementale du Haut-Rhin")
    config = {"publisher_aliases": {"DDT du Haut-Rhin": "ddt-68"}, "create_publishers": True}
    with csw_server.serve(csw_server.THREE_PAGES) as csw:
        source = create_source(csw.url, "datagrandest_csw", config, aggregator["id"], "geo")
        result = harvest(source["id"])
    assert result["stats"] == {"added": 5, "errored": 1}
    datasets = source_datasets(source["id"])
    organisations = _organisations()
    assert datasets[ATMO]["owner_org"] == atmo["id"]  # by name
    assert datasets[HYDRO]["owner_org"] == ddt68["id"]  # by alias
    # Unknown publishers get an organisation of their own (create_publishers).
    assert datasets[MEUSE]["owner_org"] == organisations["ddt-de-la-meuse"]
    assert datasets[PLU]["owner_org"] == organisations["ville-de-selestat"]
    created = call_action("organization_show", id="ddt-de-la-meuse")
    assert created["title"] == "DDT de la Meuse"
    assert created["email"] == "ddt-risques@meuse.test"
    # A record naming no publisher stays with the source's organisation.
    assert datasets[SCOLAIRE]["owner_org"] == aggregator["id"]
    # The original publisher is kept on the dataset, apart from the organisation.
    assert datasets[ATMO]["publisher"] == [{"name": "ATMO Grand Est", "email": "contact@atmo.test"}]
    assert datasets[HYDRO]["publisher"][0]["name"] == "DDT du Haut-Rhin"


def test_without_create_publishers_unknown_publishers_stay_with_the_source(aggregator):
    with csw_server.serve(csw_server.THREE_PAGES) as csw:
        source = create_source(csw.url, "datagrandest_csw", {}, aggregator["id"], "geo")
        harvest(source["id"])
    datasets = source_datasets(source["id"])
    assert {d["owner_org"] for d in datasets.values()} == {aggregator["id"]}
    assert set(_organisations()) == {"datagrandest"}
    assert datasets[MEUSE]["publisher"][0]["name"] == "DDT de la Meuse"


def test_a_harvest_never_moves_a_dataset_out_of_its_organisation(aggregator):
    with csw_server.serve(csw_server.THREE_PAGES) as csw:
        source = create_source(csw.url, "datagrandest_csw", {}, aggregator["id"], "geo")
        harvest(source["id"])
        # The publisher's organisation appears later, and the record changes.
        factories.Organization(name="atmo-grand-est", title="ATMO Grand Est")
        csw.pages[1] = csw_server.fixture("page1.xml").replace(
            b"Stations de mesure de la qualit", b"Stations (v2) de mesure de la qualit"
        )
        result = harvest(source["id"])
    assert result["stats"] == {"updated": 1, "not modified": 4, "errored": 1}
    atmo = source_datasets(source["id"])[ATMO]
    assert atmo["title"].startswith("Stations (v2)")
    assert atmo["owner_org"] == aggregator["id"]


def test_a_publisher_is_matched_by_siren_first(aggregator):
    by_name = factories.Organization(name="metz-metropole", title="Metz Métropole")
    by_siren = factories.Organization(
        name="eurometropole-metz", title="Eurométropole de Metz", siren="200039865"
    )
    # A SIRET (SIREN + establishment) names the same body.
    named = publishers.agent("Metz Métropole", identifier="20003986500012")
    assert publishers.siren_of(named) == "200039865"
    assert publishers.owner_org(named, aggregator["id"], {}) == by_siren["id"]
    # Without a SIREN, the folded name decides; a wrong key is no SIREN.
    plain = publishers.agent("METZ METROPOLE", identifier="200039866")
    assert publishers.siren_of(plain) is None
    assert publishers.owner_org(plain, aggregator["id"], {}) == by_name["id"]
    assert publishers.owner_org(None, aggregator["id"], {}) == aggregator["id"]


def test_a_jobs_directory_finds_an_organisation_made_meanwhile_before_creating_one(aggregator):
    # One directory serves a whole job (read once); an organisation an admin or another job
    # adds meanwhile is found before create_publishers would make a duplicate of it.
    directory = publishers.Directory()
    meuse = publishers.agent("DDT de la Meuse")
    assert publishers.owner_org(meuse, aggregator["id"], {}, directory) == aggregator["id"]
    made = factories.Organization(name="ddt-55", title="DDT de la Meuse")
    create = {"create_publishers": True}
    assert publishers.owner_org(meuse, aggregator["id"], create, directory) == made["id"]
    # One it creates itself joins the directory: the next record of that publisher goes there.
    vosges = publishers.agent("DDT des Vosges")
    first = publishers.owner_org(vosges, aggregator["id"], create, directory)
    assert first not in (None, aggregator["id"])
    assert publishers.owner_org(vosges, aggregator["id"], {}, directory) == first
    assert set(_organisations()) == {"datagrandest", "ddt-55", "ddt-des-vosges"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"publisher_aliases": ["DDT 57"]}, "publisher_aliases"),
        ({"publisher_aliases": {"DDT de la Moselle": 57}}, "publisher_aliases"),
        ({"create_publishers": "yes"}, "create_publishers"),
    ],
)
def test_a_bad_routing_config_is_refused_in_french(config, message):
    harvester = DataGrandEstHarvester()
    with pytest.raises(ValueError, match=message):
        harvester.validate_config(json.dumps(config))


def test_agents_keep_only_what_the_schema_accepts():
    agent = publishers.agent(
        "  DDT  de la Moselle ",
        uri="urn:x:1",
        email="not-an-email",
        url="https://www.moselle.gouv.fr/",
        kind="https://example.org/type",
    )
    assert agent == {"name": "DDT de la Moselle", "url": "https://www.moselle.gouv.fr/"}
    assert publishers.agent("   ") is None
    typed = publishers.agent("Région", kind=publishers.ADMS_PUBLISHER_TYPES + "RegionalAuthority")
    assert typed is not None and typed["type"].endswith("RegionalAuthority")
