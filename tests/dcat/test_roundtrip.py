"""Export a dataset to DCAT, parse it back with our profile: every field of the schema survives."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.datagrandest.dcat.profile import fit_access_services
from ckanext.dcat.processors import RDFParser, RDFSerializer

from .support import FULL_DATASET, MINIMAL_DATASET, make_dataset, make_organization

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PROFILES = ["euro_dcat_ap_3", "datagrandest"]
DATASET_FIELDS = [
    "title",
    "notes",
    "url",
    "version",
    "identifier",
    "issued",
    "modified",
    "language",
    "theme",
    "frequency",
    "access_rights",
    "conforms_to",
    "license_id",
    "contact",
    "temporal_coverage",
    "spatial_coverage",
    "territories",
    "granularity",
]
RESOURCE_FIELDS = [
    "url",
    "name",
    "description",
    "format",
    "mimetype",
    "size",
    "license",
    "download_url",
    "access_url",
    "hash",
    "hash_algorithm",
    "is_api",
]


def parse_back(app, dataset: dict[str, Any], extension: str = "ttl") -> dict[str, Any]:
    rdflib_format = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[extension]
    body = app.get(f"/dataset/{dataset['name']}.{extension}").body
    parser = RDFParser(profiles=PROFILES)
    parser.parse(body, _format=rdflib_format)
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    return parsed[0]


def _normalised(key: str, value: Any) -> Any:
    if key in ("language", "theme", "conforms_to", "territories") and value:
        return sorted(value)
    if key == "spatial_coverage" and value:
        return [
            {k: json.loads(v) if k == "geom" else v for k, v in place.items() if v}
            for place in value
        ]
    if isinstance(value, list):
        return [{k: v for k, v in item.items() if v} for item in value]
    return value


def test_fully_filled_dataset_comes_back_field_by_field(app):
    org = make_organization()
    original = call_action("package_show", id=make_dataset(org, **FULL_DATASET)["id"])
    parsed = parse_back(app, original)
    for key in DATASET_FIELDS:
        assert _normalised(key, parsed.get(key)) == _normalised(key, original.get(key)), key
    assert [t["name"] for t in parsed["tags"]] == sorted(t["name"] for t in original["tags"])
    by_url = {r["url"]: r for r in parsed["resources"]}
    assert len(by_url) == len(original["resources"])
    for resource in original["resources"]:
        back = by_url[resource["url"]]
        for key in RESOURCE_FIELDS:
            expected = resource.get(key)
            if key == "license":
                expected = expected or original["license_id"]
            if key == "is_api":
                assert tk.asbool(back.get(key) or False) == tk.asbool(expected or False), key
                continue
            # CKAN stores some absent values as "", the parser leaves them out.
            assert back.get(key) == (expected if expected != "" else None), (resource["name"], key)


def test_minimal_dataset_comes_back_without_invented_fields(app):
    org = make_organization(
        name="commune-x", title="Commune X", body_kind="commune", territories=["67482"]
    )
    original = call_action("package_show", id=make_dataset(org, **MINIMAL_DATASET)["id"])
    parsed = parse_back(app, original, "jsonld")
    assert parsed["title"] == original["title"]
    assert parsed["license_id"] == "etalab-2.0"
    # The schema gives a dataset without territories those of its publisher.
    assert parsed["territories"] == ["67482"]
    for key in ("contact", "temporal_coverage", "spatial_coverage", "theme", "frequency"):
        assert not parsed.get(key), key
    # CKAN's own id is the stable identifier data.gouv.fr keys on when none was given.
    assert parsed["identifier"] == original["id"]


def test_publisher_type_and_siren_are_exported(app):
    org = make_organization(
        name="ville", title="Ville de Strasbourg", body_kind="commune", territories=["67482"]
    )
    dataset = make_dataset(org, **MINIMAL_DATASET)
    body = app.get(f"/dataset/{dataset['name']}.ttl").body
    assert "<http://purl.org/adms/publishertype/LocalAuthority>" in body
    assert '"200052264"' in body


ACCESS_SERVICE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://remote.example/ds/1> a dcat:Dataset ;
    dct:title "Arrêts de bus" ; dct:description "Les arrêts." ;
    dcat:distribution <https://remote.example/ds/1/wfs> .
<https://remote.example/ds/1/wfs> a dcat:Distribution ;
    dcat:accessURL <https://remote.example/wfs> ;
    dcat:accessService <https://remote.example/service> .
<https://remote.example/service> a dcat:DataService ;
    dct:title "Service WFS" ;
    dcat:endpointURL <https://remote.example/wfs> ;
    dcat:contactPoint [ a vcard:Kind ; vcard:fn "SIG" ; vcard:hasEmail <mailto:sig@x.fr> ] ;
    dct:publisher [ a foaf:Agent ; foaf:name "Régie SIG" ] .
"""


def test_access_service_becomes_an_api_resource_of_our_schema():
    parser = RDFParser(profiles=PROFILES)
    parser.parse(ACCESS_SERVICE, _format="turtle")
    resource = next(iter(parser.datasets()))["resources"][0]
    assert resource["is_api"] == "true"
    assert resource["url"] == "https://remote.example/wfs"
    # Our schema has no access_services field: the stock structure is not kept.
    assert "access_services" not in resource


def test_access_services_with_agents_are_fitted_for_the_stock_export():
    """The stock parser's list-shaped agents crashed the stock export; fitted ones do not."""
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(ACCESS_SERVICE, _format="turtle")
    dataset = next(iter(parser.datasets()))
    services = json.loads(dataset["resources"][0]["access_services"])
    assert isinstance(services[0]["contact"], list)
    fitted = fit_access_services(services)
    assert fitted[0]["contact"]["name"] == "SIG"
    assert fitted[0]["publisher"]["name"] == "Régie SIG"
    dataset.update(id="arrets", name="arrets")
    dataset["resources"][0].update(id="wfs", access_services=fitted)
    output = RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle")
    assert "Régie SIG" in output
    assert "mailto:sig@x.fr" in output


def test_other_licence_comes_back_with_its_text(app):
    org = make_organization()
    original = make_dataset(
        org,
        **{**MINIMAL_DATASET, "license_id": "other", "license_other": "Licence maison v1"},
    )
    parsed = parse_back(app, original)
    assert parsed["license_id"] == "other"
    assert parsed["license_other"] == "Licence maison v1"
    assert parsed["resources"][0]["license"] == "other"


def test_an_original_publisher_comes_back_apart_from_the_organization(app):
    org = make_organization()
    publisher = {
        "name": "Metz Métropole",
        "uri": "https://www.metzmetropole.fr/",
        "email": "opendata@metzmetropole.fr",
        "identifier": "200039865",
    }
    original = make_dataset(org, **{**FULL_DATASET, "publisher": [publisher]})
    original = call_action("package_show", id=original["id"])
    assert original["publisher"] == [publisher]
    parsed = parse_back(app, original)
    (back,) = parsed["publisher"]
    assert {k: v for k, v in back.items() if v} == publisher
    # Its own contact point stays its own.
    assert _normalised("contact", parsed["contact"]) == _normalised("contact", original["contact"])
