"""JSON-LD contexts are read from the copies the project ships, never fetched nor read from disk."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import rdflib
from ckan.tests import factories

from ckanext.datagrandest.harvesters import jsonld
from demo.replay import ReplayServer, Reply

from .conftest import create_source, harvest, source_datasets

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jsonld"
DCAT_US = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
SCHEMA = "https://schema.org/"
DCAT = "http://www.w3.org/ns/dcat#"


@dataclass
class Site:
    """A catalogue page at /catalog and a context at /context.jsonld that must never be asked."""

    page: bytes = b""
    url: str = ""
    asked: list[str] = field(default_factory=list)
    media_type: str = "application/ld+json"

    def catalogue(self, query: Mapping[str, str], path: str) -> Reply:
        return Reply(200, self.page, {"Content-Type": self.media_type})

    def context(self, query: Mapping[str, str], path: str) -> Reply:
        self.asked.append(path)
        body = json.dumps({"@context": {"title": "http://purl.org/dc/terms/title"}})
        return Reply(200, body.encode(), {"Content-Type": "application/ld+json"})


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()
    with ReplayServer({"/catalog": site.catalogue, "/context.jsonld": site.context}) as server:
        site.url = server.url
        yield site


def _dataset(context: Any) -> dict[str, Any]:
    return {
        "@context": context,
        "@id": "https://example.org/catalog",
        "@type": "dcat:Catalog",
        "dataset": [{"@type": "dcat:Dataset", "title": "Un jeu", "identifier": "d-1"}],
    }


# --- The shipped copies --------------------------------------------------------------------


@pytest.mark.parametrize("url", sorted(jsonld.CONTEXTS))
def test_every_known_context_is_shipped_and_holds_no_reference_of_its_own(url):
    context = jsonld.shipped_context(url)
    assert isinstance(context, dict) and context
    # Nothing in our copies would make rdflib look elsewhere.
    assert jsonld.inline_contexts({"@context": context}) == {"@context": context}


def test_the_copies_are_fresh_each_time():
    first = jsonld.shipped_context(DCAT_US)
    assert first is not None
    first["title"] = "changed"
    assert jsonld.shipped_context(DCAT_US)["title"] == "dc:title"


@pytest.mark.parametrize(
    "context",
    [
        DCAT_US,
        [DCAT_US, {"extra": "http://example.org/extra"}],
        {"@import": DCAT_US, "extra": "http://example.org/extra"},
    ],
    ids=["string", "array", "import"],
)
def test_a_known_context_is_replaced_by_the_shipped_copy(context):
    inlined = jsonld.inline_contexts(_dataset(context))
    assert "http" not in json.dumps(inlined["@context"])[:12]  # an object, no longer a URL
    graph = rdflib.Graph().parse(data=json.dumps(inlined), format="json-ld")
    titles = {str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/title"))}
    assert titles == {"Un jeu"}
    assert (None, rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset")) in graph


def test_schema_org_is_served_under_its_usual_spellings():
    for url in (
        "https://schema.org",
        "http://schema.org/",
        "https://schema.org/docs/jsonldcontext.jsonld",
    ):
        document = {"@context": url, "@type": "Dataset", "name": "Qualité de l'air"}
        graph = rdflib.Graph().parse(
            data=json.dumps(jsonld.inline_contexts(document)), format="json-ld"
        )
        names = {str(o) for o in graph.objects(None, rdflib.URIRef("http://schema.org/name"))}
        assert names == {"Qualité de l'air"}


# --- What is refused -----------------------------------------------------------------------

UNKNOWN = "https://contexts.example.org/ctx.jsonld"
REFUSED = {
    "unknown URL": _dataset(UNKNOWN),
    "relative name (read from the worker's disk)": _dataset("context.jsonld"),
    "file URL": _dataset("file:///etc/hostname"),
    "unknown URL in an array": _dataset([DCAT_US, UNKNOWN]),
    "@import of an unknown URL": _dataset({"@import": UNKNOWN}),
    "@import that is not a string": _dataset({"@import": {"@id": UNKNOWN}}),
    "@import outside a context": {"@import": DCAT_US, "title": "x"},
    "scoped context in a term definition": _dataset(
        {"Dataset": {"@id": DCAT + "Dataset", "@context": UNKNOWN}}
    ),
    "context of a nested node": {
        "@context": DCAT_US,
        "dataset": [{"title": "x", "publisher": {"@context": [UNKNOWN], "name": "y"}}],
    },
    "@import inside a nested node's context": {
        "@context": DCAT_US,
        "dataset": [{"@context": {"@import": "http://127.0.0.1:9/x"}, "title": "x"}],
    },
}


@pytest.mark.parametrize("document", REFUSED.values(), ids=REFUSED.keys())
def test_any_other_reference_is_refused_with_a_french_message(document):
    with pytest.raises(jsonld.JSONLDContextError, match="contexte JSON-LD .* refusé"):
        jsonld.inline_contexts(document)


def test_a_document_nested_too_deep_is_refused():
    document: dict[str, Any] = {"title": "x"}
    for _ in range(jsonld.MAX_DEPTH + 5):
        document = {"child": document}
    with pytest.raises(jsonld.JSONLDContextError, match="imbrication"):
        jsonld.inline_contexts(document)


def test_rdflib_itself_cannot_fetch_a_context_any_more():
    # The second net: even a JSON-LD parse that skips our pre-processing fetches nothing.
    with serve() as site:
        for reference in (f"{site.url}/context.jsonld", "file:///etc/hostname", "x.jsonld"):
            page = json.dumps({"@context": reference, "@id": "https://e.org/x", "title": "t"})
            with pytest.raises(jsonld.JSONLDContextError, match="refusé"):
                rdflib.Graph().parse(data=page, format="json-ld")
            page = json.dumps({"@context": {"@import": reference}, "title": "t"})
            with pytest.raises(jsonld.JSONLDContextError, match="refusé"):
                rdflib.Graph().parse(data=page, format="json-ld")
        assert site.asked == []


def test_rdflib_alone_gets_the_shipped_copy_of_a_known_context():
    page = json.dumps(_dataset(DCAT_US))
    graph = rdflib.Graph().parse(data=page, format="json-ld")
    assert (None, rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset")) in graph


# --- Through the harvester ----------------------------------------------------------------


@pytest.fixture
def org():
    return factories.Organization(name="evian", title="Ville d'Évian", territories=["44"])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_an_arcgis_hub_data_json_is_harvested_with_the_shipped_dcat_us_context(org):
    with serve() as site:
        site.page = (FIXTURES / "arcgis-hub-dcat-us-1.1.json").read_bytes()
        source = create_source(f"{site.url}/catalog", "datagrandest_dcat", {}, org["id"], "hub")
        result = harvest(source["id"])
        assert site.asked == []
    assert result["status"] == "Finished"
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    (dataset,) = source_datasets(source["id"]).values()
    assert dataset["title"] == "Tahoe places of interest"
    # DCAT-US maps through the context: dct:description (its HTML made text), dcat:keyword,
    # dct:identifier, dcat:distribution with dcat:accessURL, dct:format, dcat:mediaType.
    assert dataset["notes"].startswith("Description. Here be Tahoe things.")
    assert "<div>" not in dataset["notes"] and "Tom was here!" in dataset["notes"]
    assert sorted(t["name"] for t in dataset["tags"]) == ["Data collection", "just modified"]
    hub = "https://download-test-qa-pre-a-hub.hubqa.arcgis.com/datasets/"
    assert dataset["identifier"] == hub + "f4bcc1035b7d46cba95e977f4affb6be_0"
    assert dataset["url"] == hub + "f4bcc1035b7d46cba95e977f4affb6be_0"  # dcat:landingPage
    assert (dataset["issued"], dataset["modified"]) == ("2021-01-29", "2021-07-27")
    assert dataset["contact"] == [{"name": "thervey_qa_pre_a_hub"}]  # vcard:fn
    assert len(dataset["resources"]) == 6
    by_name = {r["name"]: r for r in dataset["resources"]}
    assert by_name["CSV"]["url"].startswith(hub + "f4bcc1035b7d46cba95e977f4affb6be_0.csv")
    assert by_name["CSV"]["format"] == "CSV"


REFUSED_PAGES = {
    "context on the local server": lambda base: _dataset(f"{base}/context.jsonld"),
    "@import of the local server": lambda base: _dataset({"@import": f"{base}/context.jsonld"}),
    "file URL": lambda base: _dataset("file:///etc/hostname"),
    "scoped context": lambda base: _dataset(
        {"Dataset": {"@id": DCAT + "Dataset", "@context": f"{base}/context.jsonld"}}
    ),
}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("make", REFUSED_PAGES.values(), ids=REFUSED_PAGES.keys())
def test_a_page_with_an_unknown_context_is_refused_and_the_job_finishes(org, make):
    with serve() as site:
        site.page = json.dumps(make(site.url)).encode()
        source = create_source(f"{site.url}/catalog", "datagrandest_dcat", {}, org["id"], "ctx")
        result = harvest(source["id"])
        assert site.asked == []  # never fetched, whatever the address guard allows
    assert result["status"] == "Finished"
    errors = " ".join(result["gather_errors"])
    assert "contexte JSON-LD" in errors and "refusé" in errors
    with open("/etc/hostname", encoding="utf-8") as handle:
        # The report names the reference, never what a read of it would have revealed.
        assert handle.read().strip() not in errors.replace("file:///etc/hostname", "")
    assert source_datasets(source["id"]) == {}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize(
    ("page", "message"),
    [(b"{not json", "JSON-LD illisible"), (b"[" * 100_000 + b"]" * 100_000, "JSON-LD illisible")],
    ids=["malformed", "nested 100,000 deep"],
)
def test_unreadable_json_ld_is_reported_not_crashed_on(org, page, message):
    with serve() as site:
        site.page = page
        source = create_source(f"{site.url}/catalog", "datagrandest_dcat", {}, org["id"], "bad")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert message in " ".join(result["gather_errors"])


# Relative IRIs: rdflib resolved them against the worker's current directory (file:///…),
# which then showed in dataset URIs and identifiers. They resolve against the page's URL.
RELATIVE_PAGES = {
    "json-ld": (
        "application/ld+json",
        json.dumps(
            {
                "@context": DCAT_US,
                "@id": "catalog",
                "@type": "dcat:Catalog",
                "dataset": [
                    {
                        "@id": "datasets/1",
                        "@type": "dcat:Dataset",
                        "title": "Un jeu",
                        "distribution": [
                            {"@type": "dcat:Distribution", "downloadURL": "files/1.csv"}
                        ],
                    }
                ],
            }
        ),
    ),
    "turtle": (
        "text/turtle",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
        '<datasets/1> a dcat:Dataset ; dct:title "Un jeu" ;\n'
        "  dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <files/1.csv> ] .\n",
    ),
    "rdf/xml": (
        "application/rdf+xml",
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">'
        '<dcat:Dataset rdf:about="datasets/1"><dct:title>Un jeu</dct:title><dcat:distribution>'
        '<dcat:Distribution><dcat:downloadURL rdf:resource="files/1.csv"/></dcat:Distribution>'
        "</dcat:distribution></dcat:Dataset></rdf:RDF>",
    ),
}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize(("media_type", "page"), RELATIVE_PAGES.values(), ids=RELATIVE_PAGES.keys())
def test_relative_iris_resolve_against_the_page_never_the_worker_directory(org, media_type, page):
    with serve() as site:
        site.page = page.encode()
        site.media_type = media_type
        source = create_source(f"{site.url}/catalog", "datagrandest_dcat", {}, org["id"], "rel")
        result = harvest(source["id"])
    assert result["status"] == "Finished", result
    ((guid, dataset),) = source_datasets(source["id"]).items()
    assert guid == f"{site.url}/datasets/1"
    assert dataset["resources"][0]["url"] == f"{site.url}/files/1.csv"
    assert "file:" not in json.dumps(dataset)
