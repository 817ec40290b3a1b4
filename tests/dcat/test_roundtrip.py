"""Export a dataset to DCAT, parse it back with our profile: every field of the schema survives."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

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


def test_access_service_with_contact_and_publisher_does_not_crash():
    """The stock parser's list-shaped access-service agents are stored in a shape its own
    serializer can write (it crashed with "'list' object has no attribute 'get'")."""
    turtle = """
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
    parser = RDFParser(profiles=PROFILES)
    parser.parse(turtle, _format="turtle")
    dataset = next(iter(parser.datasets()))
    service = dataset["resources"][0]["access_services"][0]
    assert service["contact"]["name"] == "SIG"
    assert service["publisher"]["name"] == "Régie SIG"
    dataset["id"] = "arrets"
    dataset["name"] = "arrets"
    dataset["resources"][0]["id"] = "wfs"
    output = RDFSerializer(profiles=PROFILES).serialize_dataset(dataset, _format="turtle")
    assert "Régie SIG" in output
    assert "sig@x.fr" in output


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
