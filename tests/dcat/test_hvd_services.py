"""High-value datasets and data services in the DCAT-AP 3 export, checked with the official
DCAT-AP HVD 3.0.0 and DCAT-AP 3.0.1 shapes on the output alone (no background graph)."""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from ckanext.datagrandest.dcat import services

from .support import SHAPES_DIR, load_shapes, make_dataset, make_organization, violations

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

HVD_DIR = SHAPES_DIR / "dcat-ap-hvd-3.0.0"
DCATAP = "http://data.europa.eu/r5r/"
ELI = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
BNA = "http://data.europa.eu/bna/"
ADDRESSES, GEOSPATIAL = BNA + "c_c3de25e4", BNA + "c_ac64a52d"
WMS_URL = "https://geo.strasbourg.eu/geoserver/adresses/wms?SERVICE=WMS&REQUEST=GetCapabilities"


@pytest.fixture(scope="module")
def hvd_shapes() -> Graph:
    # base + ranges + usage notes: every constraint of the HVD application profile.
    return load_shapes(HVD_DIR, ("hvd-SHACL-full.ttl",))


def hvd_violations(turtle: str, shapes: Graph) -> list[str]:
    """The HVD range shapes ask ``sh:class rdfs:Resource`` of URLs (access URL, endpoint,
    email): true of every IRI under RDFS semantics, which the check applies (without it no
    URL would pass, whatever the data)."""
    return violations(turtle, shapes, inference="rdfs")


HVD_DATASET = {
    "name": "adresses-strasbourg",
    "title": "Base adresse de Strasbourg",
    "notes": "Les adresses de la ville.",
    "territories": ["67482"],
    "hvd_category": [ADDRESSES],
    "contact": [{"name": "Service SIG", "email": "sig@strasbourg.eu"}],
    "resources": [
        {
            "name": "Adresses (CSV)",
            "url": "https://data.strasbourg.eu/adresses.csv",
            "format": "CSV",
        },
        {
            "name": "Adresses (WMS)",
            "url": WMS_URL,
            "format": "WMS_SRVC",
            "is_api": True,
            "documentation": ["https://geo.strasbourg.eu/doc/wms"],
        },
    ],
}


def test_an_hvd_dataset_passes_the_hvd_shapes_on_its_own(app, hvd_shapes):
    org = make_organization()
    dataset = make_dataset(org, **HVD_DATASET)
    turtle = app.get(f"/dataset/{dataset['name']}.ttl").body
    found = hvd_violations(turtle, hvd_shapes)
    assert not found, "\n".join(found)
    g = Graph().parse(data=turtle, format="turtle")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))
    assert (ref, URIRef(DCATAP + "applicableLegislation"), URIRef(ELI)) in g
    assert (ref, URIRef(DCATAP + "hvdCategory"), URIRef(ADDRESSES)) in g
    # The category is described on the page, in its scheme, in French and English.
    assert (URIRef(ADDRESSES), SKOS.inScheme, URIRef(BNA + "asd487ae75")) in g
    labels = {str(label) for label in g.objects(URIRef(ADDRESSES), SKOS.prefLabel)}
    assert labels == {"Adresses", "Addresses"}
    # Every distribution names the regulation, the API's service too, with its category.
    for distribution in g.objects(ref, DCAT.distribution):
        assert (distribution, URIRef(DCATAP + "applicableLegislation"), URIRef(ELI)) in g
    (service,) = g.subjects(RDF.type, DCAT.DataService)
    assert (service, URIRef(DCATAP + "hvdCategory"), URIRef(ADDRESSES)) in g
    assert (service, FOAF.page, URIRef("https://geo.strasbourg.eu/doc/wms")) in g
    assert any(g.objects(service, DCAT.contactPoint))


def test_the_same_check_catches_an_hvd_dataset_without_its_api(app, hvd_shapes):
    """Guards the check: without the API resource the shapes say what is missing."""
    org = make_organization()
    # Only a harvested record can be stored so (a person is refused, tests/test_hvd.py).
    warnings: list[str] = []
    dataset = call_action(
        "package_create",
        {
            "user": factories.Sysadmin()["name"],
            "datagrandest_harvest": True,
            "datagrandest_harvest_warnings": warnings,
        },
        owner_org=org["id"],
        **{**HVD_DATASET, "resources": HVD_DATASET["resources"][:1]},
    )
    assert "jeu de données de forte valeur sans API" in warnings
    turtle = app.get(f"/dataset/{dataset['id']}.ttl").body
    found = hvd_violations(turtle, hvd_shapes)
    # "A HVD dataset has an API": a service serving it or a distribution's access service.
    assert any("servesDataset" in v and "accessService" in v for v in found), found


def test_an_api_resource_is_a_data_service(app, shapes):
    org = make_organization()
    dataset = make_dataset(org, **HVD_DATASET)
    turtle = app.get(f"/dataset/{dataset['name']}.ttl").body
    g = Graph().parse(data=turtle, format="turtle")
    ref = next(g.subjects(RDF.type, DCAT.Dataset))
    (service,) = g.subjects(RDF.type, DCAT.DataService)
    distribution = next(g.subjects(DCAT.accessService, service))
    assert (ref, DCAT.distribution, distribution) in g
    assert str(service) == f"{distribution}/service"
    assert str(g.value(service, DCTERMS.title)) == "Adresses (WMS)"
    # The service's address without its request; its capabilities as endpoint description.
    assert str(g.value(service, DCAT.endpointURL)) == (
        "https://geo.strasbourg.eu/geoserver/adresses/wms?SERVICE=WMS"
    )
    assert str(g.value(service, DCAT.endpointDescription)) == (
        "https://geo.strasbourg.eu/geoserver/adresses/wms?SERVICE=WMS&REQUEST=GetCapabilities"
    )
    standard = g.value(service, DCTERMS.conformsTo)
    assert str(standard) == "http://www.opengis.net/def/serviceType/ogc/wms"
    assert (standard, RDF.type, DCTERMS.Standard) in g
    assert (service, DCAT.servesDataset, ref) in g
    # The file stays a plain distribution.
    assert len(list(g.subjects(DCAT.accessService, None))) == 1
    dataservice_problems = [v for v in violations(turtle, shapes) if str(service) in v]
    assert not dataservice_problems, "\n".join(dataservice_problems)


def test_the_catalogue_lists_its_data_services(app, shapes):
    org = make_organization()
    make_dataset(org, **HVD_DATASET)
    make_dataset(
        org,
        name="budget",
        title="Budget",
        notes="Le budget.",
        resources=[
            {"url": "https://data.example.org/api/records/1.0/search/?dataset=budget"},
            {"url": "https://ckan.example.org/api/3/action/package_show?id=budget"},
            {"url": "https://data.example.org/budget.csv", "format": "CSV"},
        ],
    )
    turtle = app.get("/catalog.ttl").body
    g = Graph().parse(data=turtle, format="turtle")
    catalog = next(g.subjects(RDF.type, DCAT.Catalog))
    listed = set(g.objects(catalog, DCAT.service))
    assert listed == set(g.subjects(RDF.type, DCAT.DataService))
    assert len(listed) == 3
    titles = {str(g.value(s, DCTERMS.title)) for s in listed}
    assert titles == {"Adresses (WMS)", "API Opendatasoft", "API CKAN"}
    found = [v for v in violations(turtle, shapes) if any(str(s) in v for s in listed)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("resource", "kind"),
    [
        ({"url": "https://x.fr/geoserver/ows?service=WFS&request=GetCapabilities"}, "WFS"),
        ({"url": "https://x.fr/geoserver/gwc/service/wmts?REQUEST=GetCapabilities"}, "WMTS"),
        ({"url": "https://x.fr/1.0.0/WMTSCapabilities.xml"}, "WMTS"),
        ({"url": "https://x.fr/geoserver/wcs"}, "WCS"),
        ({"url": "https://x.fr/geonetwork/srv/fre/csw?SERVICE=CSW"}, "CSW"),
        ({"url": "https://x.fr/ogcapi/collections/arbres/items"}, "OGC_API"),
        ({"url": "https://x.fr/api/explore/v2.1/catalog/datasets/arbres/records"}, "ODS"),
        ({"url": "https://x.fr/api/records/1.0/search/?dataset=arbres"}, "ODS"),
        ({"url": "https://x.fr/api/3/action/package_search"}, "CKAN"),
        ({"url": "https://x.fr/anything", "is_api": "true"}, "REST"),
        ({"url": "https://x.fr/anything", "format": "REST"}, "REST"),
        ({"url": "https://x.fr/a", "format": "WFS"}, "WFS"),
        # Files stay files, even when an API serves them.
        ({"url": "https://x.fr/api/records/1.0/download/?dataset=a", "format": "CSV"}, None),
        ({"url": "https://x.fr/wms/legende.png", "format": "PNG"}, None),
        ({"url": "https://x.fr/arbres.csv"}, None),
        ({"url": "https://x.fr/srv/api/records/5b3f"}, None),
    ],
)
def test_which_resources_are_apis(resource, kind):
    found = services.service_kind(resource)
    assert (found.code if found else None) == kind
