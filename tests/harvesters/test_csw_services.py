"""CSW service records (ISO 19119, srv:operatesOn) harvested as data services of the datasets
they serve: API resources of those datasets, exported as dcat:DataService."""

from __future__ import annotations

import ckan.plugins as p
import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, FOAF, RDF

from ckanext.datagrandest.harvesters import iso19139
from ckanext.datagrandest.harvesters.csw import CSWHarvester, _Services
from ckanext.harvest.model import HarvestObject

from .csw_server import THREE_PAGES, fixture, serve
from .test_csw import _run, _source

WMS = "https://geo.selestat.test/ows?"
# The service record's page on the catalogue (GeoNetwork's layout, next to its CSW).
RECORD_PAGE = "/geonetwork/srv/api/records/dge-service-wms-urbanisme"


@pytest.fixture
def harvester():
    return p.get_plugin("datagrandest_csw")


@pytest.fixture
def org():
    from ckan.tests import factories

    return factories.Organization(name="ddt-67", title="DDT du Bas-Rhin", territories=["67"])


def _service_records() -> list:
    return iso19139.records(iso19139.parse_xml(fixture("services.xml")))


def test_a_service_record_is_read_as_what_it_serves():
    wms, wfs = _service_records()
    assert iso19139.is_service(wms) and iso19139.is_service(wfs)
    assert iso19139.operates_on(wms) == ["dge-plu-selestat-0001", "dge-hydro-68-0003"]
    (resource,) = iso19139.service_resources(wms, "https://doc.test/wms")
    assert resource["url"] == WMS
    assert resource["format"] == "WMS_SRVC" and resource["is_api"] is True
    assert resource["name"] == (
        "Service de visualisation des documents d'urbanisme du Bas-Rhin (WMS)"
    )
    assert resource["documentation"] == ["https://doc.test/wms"]
    dataset = iso19139.records(iso19139.parse_xml(fixture("page1.xml")))[0]
    assert not iso19139.is_service(dataset)
    assert iso19139.dataset_keys(dataset) == [
        "dge-plu-selestat-0001",
        "https://data.test/id/plu-67462",
    ]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_services_become_api_resources_of_the_datasets_they_serve(harvester, org, app):
    with serve(THREE_PAGES) as server:
        server.service_pages = {1: "services.xml"}
        source = _source(server.url, org)
        results, job = _run(source, harvester)
        documentation = server.url.split("/geonetwork/")[0] + RECORD_PAGE
        # The services were asked for apart, with the type filter.
        assert len(server.service_requests) == 1
        assert "<ogc:Literal>service</ogc:Literal>" in server.service_requests[0]["constraint"]
    assert job.status == "Finished"
    # The WMS is no dataset; the WFS serves none the catalogue lists: it stays one.
    assert "dge-service-wms-urbanisme" not in results
    assert results["dge-service-wfs-bruit"]["state"] == "COMPLETE"
    plu = call_action("package_show", id=results["dge-plu-selestat-0001"]["dataset"]["id"])
    hydro = call_action("package_show", id=results["dge-hydro-68-0003"]["dataset"]["id"])
    # The PLU already linked the WMS: the link gets the service's documentation.
    plu_wms = [r for r in plu["resources"] if r["url"] == WMS]
    assert len(plu_wms) == 1 and plu_wms[0]["documentation"] == [documentation]
    # The other dataset gets the WMS as a new API resource.
    (hydro_wms,) = [r for r in hydro["resources"] if r["url"] == WMS]
    assert hydro_wms["is_api"] == "true" and hydro_wms["format"] == "WMS_SRVC"
    assert hydro_wms["documentation"] == [documentation]
    assert "Service WMS de consultation" in hydro_wms["description"]

    turtle = app.get(f"/dataset/{hydro['id']}.ttl").body
    g = Graph().parse(data=turtle, format="turtle")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))
    services = [
        s for s in g.subjects(DCAT.servesDataset, ref) if (s, RDF.type, DCAT.DataService) in g
    ]
    assert any((s, FOAF.page, URIRef(documentation)) in g for s in services)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_an_unchanged_catalogue_with_services_is_not_rewritten(harvester, org):
    with serve(THREE_PAGES) as server:
        server.service_pages = {1: "services.xml"}
        source = _source(server.url, org)
        first, _ = _run(source, harvester)
        _, job = _run(source, harvester)
    statuses = {o.guid: o.report_status for o in HarvestObject.filter(harvest_job_id=job.id)}
    assert statuses["dge-plu-selestat-0001"] == "not modified"
    assert statuses["dge-hydro-68-0003"] == "not modified"
    plu = call_action("package_show", id=first["dge-plu-selestat-0001"]["dataset"]["id"])
    assert [r["url"] for r in plu["resources"]].count(WMS) == 1


def test_a_catalogue_ignoring_the_filter_attaches_services_along_the_walk():
    """Without the filtered walk, a service attaches to the datasets listed with or after it."""
    wms, _ = _service_records()
    plu = iso19139.records(iso19139.parse_xml(fixture("page1.xml")))[0]
    services = _Services()

    class _Source:
        def skip(self, message: str) -> None:
            raise AssertionError(message)

    harvester = CSWHarvester()
    records = harvester._records([wms, plu], _Source(), services)  # type: ignore[arg-type]
    assert [r.guid for r in records] == ["dge-plu-selestat-0001"]
    dataset, service = harvester.parse_record(records[0].content)
    assert iso19139.file_identifier(service) == "dge-service-wms-urbanisme"
    assert services.unattached() == []
