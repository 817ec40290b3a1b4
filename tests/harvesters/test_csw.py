"""CSW harvesting end to end: a local GeoNetwork-like server, real CKAN, PostgreSQL and Solr."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from lxml import etree

from ckanext.datagrandest.harvesters import csw_client, iso19139
from ckanext.datagrandest.harvesters.base import PageGuard, Source
from ckanext.datagrandest.harvesters.csw import landing_page
from ckanext.datagrandest.harvesters.http import HttpClient
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj
from ckanext.harvest.tests.lib import run_harvest_job

from .csw_server import THREE_PAGES, fixture, serve

EU = "http://publications.europa.eu/resource/authority/"
GOOD_GUIDS = {
    "dge-plu-selestat-0001",
    "dge-atmo-stations-0002",
    "dge-hydro-68-0003",
    "dge-inondation-55-0004",
    "dge-transport-scolaire-88413-0005",
}


def _http() -> HttpClient:
    return HttpClient(timeout=10, max_bytes=5_000_000, max_redirects=2, allow_private=True)


# --- The client alone --------------------------------------------------------------------


def test_client_reads_every_page_and_asks_for_iso_19139():
    with serve(THREE_PAGES) as server:
        client = csw_client.CSWClient(_http(), server.url, page_size=2)
        guids = [iso19139.file_identifier(r) for r in client.records()]
    assert guids == [
        "dge-plu-selestat-0001",
        "dge-atmo-stations-0002",
        "dge-hydro-68-0003",
        "dge-inondation-55-0004",
        "dge-transport-scolaire-88413-0005",
        "dge-sans-titre-0006",
    ]
    assert client.result.complete is True
    assert client.result.pages == 3
    assert [r["startposition"] for r in server.requests] == ["1", "3", "5"]
    first = server.requests[0]
    assert first["outputschema"] == "http://www.isotc211.org/2005/gmd"
    assert first["typenames"] == "gmd:MD_Metadata"
    assert first["maxrecords"] == "2"
    assert "constraint" not in first


def test_client_stops_on_a_page_that_repeats():
    # A server ignoring startPosition answers page 1 again: stop, and say the walk is partial.
    with serve({1: "page1.xml", 3: "page1.xml", 5: "page3.xml"}) as server:
        client = csw_client.CSWClient(_http(), server.url)
        pages = list(client.pages())
    assert len(pages) == 1
    assert len(server.requests) == 2
    assert client.result.complete is False
    assert "déjà lues" in client.result.warnings[0]


def test_client_does_not_trust_a_next_record_pointing_back():
    # nextRecord="1" on the second page would loop forever if followed.
    page2 = fixture("page2.xml").replace(b'nextRecord="5"', b'nextRecord="1"')
    with serve({1: "page1.xml", 3: page2, 5: "page3.xml"}) as server:
        client = csw_client.CSWClient(_http(), server.url)
        assert len(list(client.records())) == 6
    assert [r["startposition"] for r in server.requests] == ["1", "3", "5"]
    assert client.result.complete is True


def test_client_caps_the_page_count():
    with serve(THREE_PAGES) as server:
        client = csw_client.CSWClient(_http(), server.url, max_pages=2)
        assert len(list(client.records())) == 4
    assert client.result.complete is False
    assert "plafond" in client.result.warnings[0]


def test_client_sends_the_organisation_filter():
    likes = ["DDT du Bas-Rhin", "DREAL Grand Est%", "R&D <labo>"]
    with serve(THREE_PAGES) as server:
        client = csw_client.CSWClient(_http(), server.url, like=likes)
        list(client.records())
    query = server.requests[0]
    assert query["constraintlanguage"] == "FILTER"
    assert query["constraint_language_version"] == "1.1.0"
    constraint = etree.fromstring(query["constraint"].encode())
    ns = {"ogc": "http://www.opengis.net/ogc"}
    assert (
        constraint.xpath("ogc:Or/ogc:PropertyIsLike/ogc:PropertyName/text()", namespaces=ns)
        == ["OrganisationName"] * 3
    )
    assert constraint.xpath("ogc:Or/ogc:PropertyIsLike/ogc:Literal/text()", namespaces=ns) == [
        "%DDT du Bas-Rhin%",
        "DREAL Grand Est%",
        "%R&D <labo>%",
    ]


def test_client_reports_the_server_exception():
    with serve({1: "exception.xml"}) as server:
        client = csw_client.CSWClient(_http(), server.url)
        with pytest.raises(csw_client.CSWError, match="Output schema not supported"):
            list(client.records())


def test_landing_page_follows_geonetwork_layout_or_the_config():
    url = "https://www.datagrandest.fr/geonetwork/srv/fre/csw"
    assert (
        landing_page(url, {}, "abc") == "https://www.datagrandest.fr/geonetwork/srv/api/records/abc"
    )
    assert landing_page("https://csw.example.org/csw", {}, "abc") is None
    config = {"landing_page": "https://catalogue.example.org/fiche/{guid}"}
    assert landing_page(url, config, "abc") == "https://catalogue.example.org/fiche/abc"


# --- Real harvests ---------------------------------------------------------------------------


@pytest.fixture
def harvester():
    return p.get_plugin("datagrandest_csw")


@pytest.fixture
def org():
    return factories.Organization(
        name="ddt-grand-est", title="DDT du Grand Est", territories=["44"]
    )


def _source(url: str, org: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    return call_action(
        "harvest_source_create",
        {"user": factories.Sysadmin()["name"]},
        name="geocatalogue-test",
        title="Géocatalogue de test",
        url=url,
        source_type="datagrandest_csw",
        owner_org=org["id"],
        config=json.dumps(config or {}),
    )


def _run(source: dict[str, Any], harvester) -> tuple[dict[str, Any], HarvestJob]:
    job = HarvestJobObj(source=HarvestSource.get(source["id"]), run=False)
    results = run_harvest_job(job, harvester)
    return results, HarvestJob.get(job.id)


def _gather_errors(job: HarvestJob) -> list[str]:
    return [e.message for e in HarvestGatherError.filter(harvest_job_id=job.id).all()]


def _datasets() -> dict[str, dict[str, Any]]:
    found = call_action("package_search", q="*:*", rows=100, fq="dataset_type:dataset")
    return {d["title"]: d for d in found["results"]}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestHarvest:
    def test_three_pages_give_five_datasets_and_one_clear_error(self, harvester, org):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org)
            results, job = _run(source, harvester)
        assert job.status == "Finished"
        assert _gather_errors(job) == []
        assert {g for g, r in results.items() if r["state"] == "COMPLETE"} == GOOD_GUIDS
        failed = results["dge-sans-titre-0006"]
        assert failed["state"] == "ERROR"
        assert "titre manquant" in failed["errors"][0].message

        plu = call_action("package_show", id=results["dge-plu-selestat-0001"]["dataset"]["id"])
        assert plu["owner_org"] == org["id"]
        assert plu["title"] == "Plan local d'urbanisme de la commune de Sélestat"
        assert plu["identifier"] == "https://data.test/id/plu-67462"
        assert plu["territories"] == ["67462"]
        # GeoDCAT-AP's alignment of the INSPIRE theme "Land use" (as in test_iso19139).
        assert plu["theme"] == [EU + "data-theme/ECON", EU + "data-theme/ENVI"]
        assert plu["frequency"] == EU + "frequency/ANNUAL"
        assert plu["license_id"] == "etalab-2.0"
        assert plu["contact"][0]["email"] == "plu@selestat.test"
        assert json.loads(plu["spatial_coverage"][0]["geom"])["type"] == "Polygon"
        formats = {r["format"]: r for r in plu["resources"]}
        assert set(formats) == {"ZIP", "WMS_SRVC", "WFS_SRVC"}
        assert formats["WMS_SRVC"]["is_api"] in (True, "true")

        # A record missing most fields still lands, with our fallbacks.
        bus = call_action(
            "package_show", id=results["dge-transport-scolaire-88413-0005"]["dataset"]["id"]
        )
        assert bus["notes"] == "Description non fournie par le catalogue source."
        assert bus["url"].endswith("/geonetwork/srv/api/records/dge-transport-scolaire-88413-0005")
        assert bus["license_id"] == "other"
        assert bus["territories"] == ["88413"]

        found = call_action("package_search", q="inondables", fq="res_format:WMS_SRVC")
        assert found["count"] == 1

    def test_a_second_harvest_of_the_same_records_writes_nothing(self, harvester, org):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org)
            first, _ = _run(source, harvester)
            modified = {
                g: call_action("package_show", id=r["dataset"]["id"])["metadata_modified"]
                for g, r in first.items()
                if r["state"] == "COMPLETE"
            }
            _, job = _run(source, harvester)
        statuses = {
            o.guid: o.report_status
            for o in HarvestObject.filter(harvest_job_id=job.id).all()
            if o.guid in GOOD_GUIDS
        }
        assert statuses == {guid: "not modified" for guid in GOOD_GUIDS}
        for guid, stamp in modified.items():
            package_id = first[guid]["dataset"]["id"]
            assert call_action("package_show", id=package_id)["metadata_modified"] == stamp
        assert len(_datasets()) == 5

    @pytest.mark.parametrize(
        ("bad_page", "message"),
        [
            ("malformed.xml", "XML mal formé"),
            ("xxe.xml", "DOCTYPE"),
            ("entity_bomb.xml", "DOCTYPE"),
            ("exception.xml", "Output schema not supported"),
        ],
    )
    def test_a_bad_page_stops_the_gather_with_its_error_and_withdraws_nothing(
        self, harvester, org, bad_page, message
    ):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org)
            _run(source, harvester)
            assert len(_datasets()) == 5
            server.pages[3] = bad_page  # page 2 turns bad: records 3 to 6 are not listed
            results, job = _run(source, harvester)
        assert job.status == "Finished"
        errors = " ".join(_gather_errors(job))
        assert message in errors
        assert "aucun jeu de données n'a été retiré" in errors
        assert len(_datasets()) == 5  # nothing withdrawn
        assert "root:" not in json.dumps([o.content for o in HarvestObject.filter().all()])

    @pytest.mark.parametrize("bad_page", ["xxe.xml", "entity_bomb.xml", "malformed.xml"])
    def test_a_bad_first_page_gives_an_error_not_a_stuck_job(self, harvester, org, bad_page):
        with serve({1: bad_page}) as server:
            source = _source(server.url, org)
            results, job = _run(source, harvester)
        assert results == {}
        assert job.status == "Finished"
        assert _gather_errors(job)
        assert _datasets() == {}

    def test_a_repeating_page_keeps_what_was_read_and_withdraws_nothing(self, harvester, org):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org)
            _run(source, harvester)
            server.pages[3] = "page1.xml"
            results, job = _run(source, harvester)
        assert "déjà lues" in " ".join(_gather_errors(job))
        assert job.status == "Finished"
        assert len(_datasets()) == 5

    def test_a_vanished_record_is_withdrawn_after_a_complete_harvest(self, harvester, org):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org)
            _run(source, harvester)
            # The catalogue now ends after page 2: record 5 is gone (6 never imported).
            server.pages[3] = fixture("page2.xml").replace(b'nextRecord="5"', b'nextRecord="0"')
            server.pages.pop(5)
            _, job = _run(source, harvester)
        assert _gather_errors(job) == []
        titles = set(_datasets())
        assert len(titles) == 4
        assert not any(t.startswith("Arrêts de transport scolaire") for t in titles)

    def test_the_organisation_filter_reaches_the_server(self, harvester, org):
        with serve(THREE_PAGES) as server:
            source = _source(server.url, org, {"organisation_like": ["DDT du Bas-Rhin"]})
            _run(source, harvester)
        assert "%DDT du Bas-Rhin%" in server.requests[0]["constraint"]

    @pytest.mark.parametrize(
        ("config", "message"),
        [
            ({"page_size": 0}, "page_size"),
            ({"page_size": "10"}, "page_size"),
            ({"organisation_like": "  "}, "organisation_like"),
            ({"organisation_like": {"a": 1}}, "organisation_like"),
            ({"landing_page": "https://example.org/fiche"}, "landing_page"),
        ],
    )
    def test_a_bad_config_is_refused_in_french(self, org, config, message):
        import ckan.plugins.toolkit as tk

        with pytest.raises(tk.ValidationError) as error:
            _source("https://catalogue.example.org/srv/fre/csw", org, config)
        assert message in json.dumps(error.value.error_dict, ensure_ascii=False)


@pytest.mark.usefixtures("with_plugins")
def test_the_regional_geocatalogues_and_portal_are_declared_and_valid():
    from ckanext.datagrandest import sources

    declared = {s["name"]: s for s in sources.load(sources.DEFAULT_PATH).sources}
    geonetwork = declared["datagrandest-geonetwork"]
    assert geonetwork["type"] == "datagrandest_csw"
    assert geonetwork["url"] == "https://www.datagrandest.fr/geonetwork/srv/fre/csw"
    geo_ide = declared["geo-ide-etat-grand-est"]
    assert geo_ide["url"].endswith("/csw/dataset-harvestable")
    # LIKE patterns ("_" any one character): "DREAL Grand Est" and "DREAL Grand-Est".
    assert "DREAL Grand_Est" in geo_ide["config"]["organisation_like"]
    # The ten départements' DDTs, as Géo-IDE names them (see tests/test_sources.py).
    assert sum(v.startswith("DDT ") for v in geo_ide["config"]["organisation_like"]) == 10
    d4c = declared["datagrandest-data4citizen"]
    assert d4c["type"] == "datagrandest_ckan"
    # Data4Citizen pages in the path (see tests/harvesters/test_data4citizen.py).
    assert d4c["config"]["search_path"] == "d4c/api/datasets/2.0/search/start={start}&rows={rows}"


GEO_IDENTIFIER = b"""<gmd:geographicElement><gmd:EX_GeographicDescription><gmd:geographicIdentifier>
<gmd:MD_Identifier><gmd:code><gco:CharacterString>67462</gco:CharacterString></gmd:code>
</gmd:MD_Identifier></gmd:geographicIdentifier></gmd:EX_GeographicDescription></gmd:geographicElement>
<gmd:geographicElement><gmd:EX_GeographicDescription><gmd:geographicIdentifier>
<gmd:MD_Identifier><gmd:code><gco:CharacterString>Bas-Rhin</gco:CharacterString></gmd:code>
</gmd:MD_Identifier></gmd:geographicIdentifier></gmd:EX_GeographicDescription></gmd:geographicElement>
"""


def _plu_record(page: bytes) -> Any:
    records = iso19139.records(iso19139.parse_xml(page))
    return next(r for r in records if iso19139.file_identifier(r) == "dge-plu-selestat-0001")


@pytest.mark.usefixtures("with_plugins")
def test_geographic_identifiers_publisher_and_distribution_format_are_read(harvester):
    page = fixture("page1.xml")
    # The first extent gets geographic identifiers; the archive loses its extension and
    # the record states its files are MapInfo TAB.
    page = page.replace(b"<gmd:EX_Extent>", b"<gmd:EX_Extent>" + GEO_IDENTIFIER, 1)
    page = page.replace(b"telechargement/plu_selestat.zip", b"telechargement/plu_selestat")
    page = page.replace(b"ESRI Shapefile", b"MapInfo TAB")
    record = _plu_record(page)
    assert iso19139.geographic_identifiers(record) == ["67462", "Bas-Rhin"]
    assert iso19139.distribution_formats(record) == ["MapInfo TAB"]
    source = Source(
        id="s",
        url="https://catalogue.test/geonetwork/srv/fre/csw",
        config=harvester.check_config({}),
        http=None,  # type: ignore[arg-type]
        pages=PageGuard(1),
    )
    data = harvester.map_record(record, source)
    assert data["territories"] == ["67462", "67"]
    assert data["publisher"] == [{"name": "Ville de Sélestat", "email": "urbanisme@selestat.test"}]
    archive = next(r for r in data["resources"] if r["url"].endswith("plu_selestat"))
    assert archive["format"] == "TAB"  # the EU file type of MapInfo TAB
    # Services keep theirs.
    assert {r["format"] for r in data["resources"] if r.get("is_api")} == {"WMS_SRVC", "WFS_SRVC"}


def test_the_publisher_is_the_first_organisation_by_role():
    page = fixture("page1.xml")
    record = _plu_record(page)
    plain = iso19139.to_dataset(record)["publisher"]
    assert plain == [{"name": "Ville de Sélestat", "email": "urbanisme@selestat.test"}]
    # A person named as point of contact is not a publisher.
    people = page.replace(b"gmd:organisationName", b"gmd:individualName")
    mapped = iso19139.to_dataset(_plu_record(people))
    assert "publisher" not in mapped
    assert mapped["contact"]  # still a contact


def test_services_listed_among_the_formats_leave_the_file_format():
    page = fixture("page1.xml").replace(
        b"telechargement/plu_selestat.zip", b"telechargement/plu_selestat"
    )
    service_format = (
        b"<gmd:distributionFormat><gmd:MD_Format><gmd:name><gco:CharacterString>WMS"
        b"</gco:CharacterString></gmd:name></gmd:MD_Format></gmd:distributionFormat>"
    )
    page = page.replace(b"<gmd:transferOptions>", service_format + b"<gmd:transferOptions>", 1)
    record = _plu_record(page)
    assert iso19139.distribution_formats(record) == ["ESRI Shapefile", "WMS"]
    resources = iso19139.to_dataset(record)["resources"]
    archive = next(r for r in resources if r["url"].endswith("plu_selestat"))
    assert archive["format"] == "SHP"
    # Several file formats: which file is which cannot be told, none is guessed.
    ambiguous = page.replace(b">WMS<", b">KML<")
    resources = iso19139.to_dataset(_plu_record(ambiguous))["resources"]
    assert "format" not in next(r for r in resources if r["url"].endswith("plu_selestat"))
