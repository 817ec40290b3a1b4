"""The DCAT export as its consumers read it: HTTP charset, data.gouv.fr's licence matching,
the catalogue record, and no loops with the portals that harvest us."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from ckanext.datagrandest import vocabularies

from . import datagouv
from .support import (
    FORMATS,
    FULL_DATASET,
    MINIMAL_DATASET,
    catalogue_pages,
    harvest_link,
    make_dataset,
    make_organization,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ACCEPTS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def decode_as_http_client(response) -> str:
    """The body as a strict HTTP client reads it: the charset of the Content-Type header, and
    for a ``text/*`` type without one HTTP's historical default, ISO-8859-1."""
    content_type = response.headers["Content-Type"]
    match = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    if match:
        charset = match.group(1)
    elif content_type.startswith("text/"):
        charset = "iso-8859-1"
    else:
        charset = "utf-8"
    return response.get_data().decode(charset)


def _catalogue(app, url: str, rdflib_format: str = "turtle") -> Graph:
    response = app.get(url)
    assert response.status_code == 200, response.body
    return Graph().parse(data=decode_as_http_client(response), format=rdflib_format)


# -- charset ----------------------------------------------------------------------------


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_every_rdf_answer_says_utf8_and_decodes_as_written(app, extension):
    org = make_organization(title="Eurométropole de Strasbourg", name="ems", body_kind="epci")
    dataset = make_dataset(org, **FULL_DATASET)
    content_type, rdflib_format = FORMATS[extension]
    urls = [
        f"/dataset/{dataset['name']}.{extension}",
        f"/catalog.{extension}",
        f"/catalog.{extension}?origine=locale",
    ]
    for url in urls:
        response = app.get(url)
        assert response.status_code == 200, url
        header = response.headers["Content-Type"]
        assert header == f"{content_type}; charset=utf-8", (url, header)
        text = decode_as_http_client(response)
        # What a client following the header reads is what we wrote.
        assert "Eurométropole" in text, url
        assert "EuromÃ©tropole" not in text, url
        Graph().parse(data=text, format=rdflib_format)


@pytest.mark.parametrize("accept", sorted(ACCEPTS))
def test_content_negotiation_says_utf8_too(app, accept):
    org = make_organization(title="Eurométropole de Strasbourg", name="ems", body_kind="epci")
    dataset = make_dataset(org, **FULL_DATASET)
    for url in (f"/dataset/{dataset['name']}", "/", "/?origine=locale"):
        response = app.get(url, headers={"Accept": accept})
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == f"{accept}; charset=utf-8", url
        text = decode_as_http_client(response)
        assert "Eurométropole" in text, url
        Graph().parse(data=text, format=ACCEPTS[accept])


def test_a_browser_still_gets_html_and_errors_stay_html(app):
    org = make_organization()
    dataset = make_dataset(org, **MINIMAL_DATASET)
    page = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html")
    missing = app.get("/dataset/inexistant.ttl")
    assert missing.status_code == 404
    assert not missing.headers["Content-Type"].startswith("text/turtle")


def test_the_strict_client_would_have_misread_the_old_header():
    """Guards the check itself: without a charset, the same bytes read as Latin-1 are wrong."""

    class Old:
        headers = {"Content-Type": "text/turtle"}

        @staticmethod
        def get_data() -> bytes:
            return "Eurométropole".encode()

    assert decode_as_http_client(Old) == "EuromÃ©tropole"


# -- licences as data.gouv.fr recognises them -------------------------------------------

# What data.gouv.fr must find for each of our licences (its ids, snapshot of its list).
DATAGOUV_IDS = {
    "etalab-2.0": "lov2",
    "odc-odbl": "odc-odbl",
    "cc-by-4.0": "cc-by",
    "cc-by-sa-4.0": "cc-by-sa",
    "cc-zero-1.0": "cc-zero",
    "other": None,
}


def test_every_licence_of_ours_is_expected_here():
    assert set(DATAGOUV_IDS) == set(vocabularies.license_ids())


def test_data_gouv_finds_the_same_licence_for_each_of_ours(app):
    org = make_organization()
    names = {}
    for license_id in vocabularies.license_ids():
        extra = {"license_other": "Licence propre du producteur"} if license_id == "other" else {}
        dataset = make_dataset(
            org,
            **{
                **MINIMAL_DATASET,
                "name": "jeu-" + license_id.replace(".", "-"),
                "license_id": license_id,
                **extra,
            },
        )
        names[dataset["id"]] = license_id
    found = {}
    for dataset_id, license_id in names.items():
        graph = _catalogue(app, f"/dataset/{dataset_id}.ttl")
        (ref,) = datagouv.datasets(graph)
        licence = datagouv.licence_of(graph, ref)
        found[license_id] = licence.id if licence else None
    assert found == DATAGOUV_IDS
    # The same on a catalogue page, where licences are described once for every dataset.
    graph = _catalogue(app, "/catalog.ttl")
    for ref in datagouv.datasets(graph):
        licence = datagouv.licence_of(graph, ref)
        license_id = names[str(ref).rpartition("/")[2]]
        assert (licence.id if licence else None) == DATAGOUV_IDS[license_id], license_id


def test_licence_nodes_are_eu_concepts_with_our_titles(app):
    org = make_organization()
    dataset = make_dataset(org, **{**MINIMAL_DATASET, "license_id": "cc-by-4.0"})
    graph = _catalogue(app, f"/dataset/{dataset['id']}.ttl")
    node = URIRef(vocabularies.EU_AUTHORITY + "licence/CC_BY_4_0")
    (ref,) = datagouv.datasets(graph)
    assert (ref, DCTERMS.license, node) in graph
    assert (node, RDF.type, DCTERMS.LicenseDocument) in graph
    assert (node, SKOS.inScheme, URIRef(vocabularies.EU_AUTHORITY + "licence")) in graph
    titles = {t.language: str(t) for t in graph.objects(node, DCTERMS.title)}
    assert titles == {
        "fr": "Creative Commons Attribution 4.0 (CC-BY 4.0)",
        "en": "Creative Commons Attribution 4.0 (CC-BY 4.0)",
    }
    assert (node, FOAF.page, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    assert str(graph.value(node, RDFS.label)) == "Creative Commons Attribution"


def test_the_rule_refuses_the_labels_we_used_to_send():
    """Guards the rule: the labels of the old export match nothing, as the issue observed."""
    for label in (
        "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "Licence ODbL 1.0 (Open Database License)",
        "Creative Commons Attribution 4.0 (CC-BY 4.0)",
    ):
        assert datagouv.guess(label) is None, label


# -- catalogue record -------------------------------------------------------------------


def test_the_catalogue_describes_the_portal(app):
    graph = _catalogue(app, "/catalog.ttl")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    titles = {t.language for t in graph.objects(catalog, DCTERMS.title)}
    descriptions = {d.language: str(d) for d in graph.objects(catalog, DCTERMS.description)}
    assert titles == {"fr", "en"}
    assert set(descriptions) == {"fr", "en"}
    assert "Grand Est" in descriptions["fr"] and "Grand Est" in descriptions["en"]
    (publisher,) = graph.objects(catalog, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Région Grand Est"
    assert (publisher, RDF.type, FOAF.Agent) in graph
    kind = graph.value(publisher, DCTERMS.type)
    assert (kind, SKOS.inScheme, URIRef("http://purl.org/adms/publishertype/1.0")) in graph
    assert graph.value(catalog, FOAF.homepage) is not None
    languages = set(graph.objects(catalog, DCTERMS.language))
    assert languages == {
        URIRef(vocabularies.EU_AUTHORITY + "language/FRA"),
        URIRef(vocabularies.EU_AUTHORITY + "language/ENG"),
    }
    for language in languages:
        assert (language, SKOS.prefLabel, None) in graph
    (licence,) = graph.objects(catalog, DCTERMS.license)
    assert licence == URIRef(vocabularies.EU_AUTHORITY + "licence/ETALAB_2_0")
    assert str(graph.value(licence, RDFS.label)) == "Licence Ouverte / Open Licence version 2.0"
    (taxonomy,) = graph.objects(catalog, DCAT.themeTaxonomy)
    assert (taxonomy, RDF.type, SKOS.ConceptScheme) in graph
    assert Literal("Thèmes des données", lang="fr") in set(graph.objects(taxonomy, DCTERMS.title))


# -- no loops ---------------------------------------------------------------------------


@pytest.fixture
def mixed_catalogue():
    """Two datasets published here (one that a harvest also lists) and two harvested."""
    org = make_organization()
    local = make_dataset(org, **{**MINIMAL_DATASET, "name": "publie-ici"})
    linked = make_dataset(
        org,
        **{
            **MINIMAL_DATASET,
            "name": "publie-ici-et-liste-ailleurs",
            "url": "https://ckan.voisin.example/dataset/copie",
        },
    )
    harvest_link(linked, org, harvested=False)
    harvested = make_dataset(
        org,
        **{
            **MINIMAL_DATASET,
            "name": "moissonne",
            "url": "https://ckan.voisin.example/dataset/budget-2024",
            "identifier": "https://ckan.voisin.example/id/budget-2024",
        },
    )
    harvest_link(harvested, org)
    # A harvested dataset whose source gave no identifier: its original page stands in.
    anonymous = make_dataset(
        org,
        **{
            **MINIMAL_DATASET,
            "name": "moissonne-sans-identifiant",
            "url": "https://ckan.voisin.example/dataset/sans-id",
        },
    )
    harvest_link(anonymous, org)
    return {"local": [local, linked], "harvested": [harvested, anonymous]}


def _uri(dataset: dict) -> URIRef:
    return URIRef(f"http://test.ckan.net/dataset/{dataset['id']}")


def _all_pages(app, url: str) -> tuple[Graph, int]:
    merged = Graph()
    pages = 0
    for _, _, graph in catalogue_pages(app, url, 10, read=decode_as_http_client):
        pages += 1
        merged += graph
    return merged, pages


def test_the_local_view_holds_only_datasets_first_published_here(
    app, mixed_catalogue, ckan_config, monkeypatch
):
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 1)
    graph, pages = _all_pages(app, "/catalog.ttl?origine=locale")
    assert pages == 2  # paging keeps origine=locale: the second page is local too
    found = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert found == {_uri(d) for d in mixed_catalogue["local"]}
    for dataset in mixed_catalogue["harvested"]:
        assert _uri(dataset) not in found
    # Nothing in the local view says it comes from elsewhere.
    assert not list(graph.objects(None, PROV.wasDerivedFrom))


def test_every_harvested_dataset_of_the_full_catalogue_names_its_origin(app, mixed_catalogue):
    graph, _ = _all_pages(app, "/catalog.ttl")
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {
        _uri(d) for d in mixed_catalogue["local"] + mixed_catalogue["harvested"]
    }
    harvested, anonymous = mixed_catalogue["harvested"]
    for dataset, identifier in (
        (harvested, "https://ckan.voisin.example/id/budget-2024"),
        (anonymous, "https://ckan.voisin.example/dataset/sans-id"),
    ):
        for source in (graph, _catalogue(app, f"/dataset/{dataset['id']}.ttl")):
            ref = _uri(dataset)
            assert set(source.objects(ref, PROV.wasDerivedFrom)) == {URIRef(dataset["url"])}
            assert set(source.objects(ref, DCTERMS.identifier)) == {Literal(identifier)}
    for dataset in mixed_catalogue["local"]:
        assert not list(graph.objects(_uri(dataset), PROV.wasDerivedFrom))
        assert not list(graph.objects(_uri(dataset), DCTERMS.provenance))


def test_the_local_view_in_every_format_and_with_bad_parameters(app, mixed_catalogue):
    for extension, (_, rdflib_format) in FORMATS.items():
        graph = _catalogue(app, f"/catalog.{extension}?origine=locale", rdflib_format)
        assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {
            _uri(d) for d in mixed_catalogue["local"]
        }
    bad = app.get("/catalog.ttl?origine=ailleurs")
    assert bad.status_code == 400
    assert "origine" in bad.body and "locale" in bad.body
    for page in ("0", "abc"):
        response = app.get(f"/catalog.ttl?origine=locale&page={page}")
        assert response.status_code == 409
        assert "page" in response.body
    assert app.get("/catalog.foo?origine=locale").status_code == 404
    assert app.get("/catalog.ttl?origine=locale&profiles=inexistant").status_code == 409
    empty = _catalogue(app, "/catalog.ttl?origine=locale&page=9")
    assert not list(empty.subjects(RDF.type, DCAT.Dataset))


def test_the_local_view_as_json_ld_is_json(app, mixed_catalogue):
    response = app.get("/catalog.jsonld?origine=locale")
    assert response.status_code == 200
    json.loads(decode_as_http_client(response))
