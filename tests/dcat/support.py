"""Data for the DCAT tests: datasets in our contract's field names, the concepts we use."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS
from schema_support import region_org as make_organization

from ckanext.datagrandest import vocabularies

__all__ = ["make_organization"]  # the Région's organisation, as in the schema tests

SHAPES_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "shacl"
DCAT_AP_301 = SHAPES_DIR / "dcat-ap-3.0.1"
SHAPE_FILES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl", "shapes_recommended.ttl")
PUBLISHER_TYPES = Namespace("http://purl.org/adms/publishertype/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SITE_URL = "http://test.ckan.net"  # ckan.site_url of test.ini
# extension of an RDF endpoint: (its media type, rdflib's name of the syntax)
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
    "xml": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
}


def load_shapes(folder: Path, names: tuple[str, ...]) -> Graph:
    """The shape files ``names`` of ``folder`` in one graph; a missing folder skips the test,
    except in CI where it fails it (the shapes are part of the check there)."""
    if not folder.is_dir():
        reason = f"shapes not found in {folder.resolve()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    g = Graph()
    for name in names:
        g.parse(folder / name, format="turtle")
    return g


def shacl_report(turtle: str, shapes: Graph, inference: str = "none") -> Graph:
    """The SHACL report on the Turtle ``turtle`` alone, as a validator reads one page."""
    data = Graph().parse(data=turtle, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference=inference)
    graph: Graph = report
    return graph


def violations(turtle: str, shapes: Graph, inference: str = "none") -> list[str]:
    """The violations of ``shapes`` in ``turtle``, one line each (focus, path, value, message);
    warnings and infos are advice, not counted."""
    report = shacl_report(turtle, shapes, inference)
    found = []
    # Only the report's own results: those under sh:detail explain a result (often a
    # warning) and carry the default severity.
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(
            " | ".join(
                str(report.value(result, p))
                for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage)
            )
        )
    return sorted(found)


def _body(response: Any) -> str:
    body: str = response.body
    return body


def catalogue_pages(
    app: Any, url: str, most: int, read: Callable[[Any], str] = _body
) -> Iterator[tuple[str, str, Graph]]:
    """Each page of the Turtle catalogue from ``url`` on, following hydra:next as a harvester
    does: (its path, its body as ``read`` decodes it, its graph). Past ``most`` pages the
    paging does not end, and the test fails."""
    for _ in range(most):
        response = app.get(url)
        assert response.status_code == 200, response.body
        body = read(response)
        graph = Graph().parse(data=body, format="turtle")
        yield url, body, graph
        collection = graph.value(predicate=RDF.type, object=HYDRA.PagedCollection)
        following = graph.value(collection, HYDRA.next) if collection else None
        if following is None:
            return
        url = str(following).replace(SITE_URL, "")
    pytest.fail(f"paging does not end: more than {most} pages from {url}")


def harvest_link(
    dataset: dict[str, Any],
    org: dict[str, Any],
    *,
    harvested: bool = True,
    name: str = "ckan-voisin",
) -> None:
    """A current harvest object of a source (created once) points at ``dataset``.

    ``harvested``: gathered before the dataset was created, as when a harvest creates it;
    otherwise after, as when a harvest finds a duplicate of a dataset published here.
    """
    from ckan.lib import search

    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    source = HarvestSource.get("https://ckan.voisin.example", attr="url")
    if source is None:
        sysadmin = factories.Sysadmin()
        source_id = call_action(
            "harvest_source_create",
            {"user": sysadmin["name"]},
            name=name,
            title="CKAN voisin",
            url="https://ckan.voisin.example",
            source_type="datagrandest_ckan",
            owner_org=org["id"],
        )["id"]
    else:
        source_id = source.id
    job = HarvestJob(source_id=source_id)
    job.save()
    created = datetime.fromisoformat(dataset["metadata_created"])
    HarvestObject(
        guid=f"{dataset['name']}-remote",
        job=job,
        harvest_source_id=source_id,
        package_id=dataset["id"],
        current=True,
        gathered=created - timedelta(minutes=1) if harvested else created + timedelta(minutes=1),
    ).save()
    # Reindex directly: the harvest extras reach the index (hence catalogue pages) this way.
    search.rebuild(dataset["id"])


def make_dataset(org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = {"owner_org": org["id"], "license_id": "etalab-2.0", **fields}
    sysadmin = factories.Sysadmin()
    return call_action("package_create", {"user": sysadmin["name"]}, **data)


FULL_DATASET: dict[str, Any] = {
    "name": "qualite-air-strasbourg",
    "title": "Qualité de l'air à Strasbourg",
    "notes": "Mesures horaires des stations de l'Eurométropole.",
    "url": "https://www.atmo-grandest.eu/donnees/qualite-air",
    "version": "2.1",
    "tag_string": "air,pollution",
    "identifier": "https://data.grandest.fr/id/qualite-air-strasbourg",
    "issued": "2023-01-15",
    "modified": "2024-06-30T08:00:00",
    "language": [vocabularies.EU_AUTHORITY + "language/FRA"],
    "theme": [
        vocabularies.EU_AUTHORITY + "data-theme/ENVI",
        vocabularies.EU_AUTHORITY + "data-theme/HEAL",
    ],
    "frequency": vocabularies.EU_AUTHORITY + "frequency/DAILY",
    "access_rights": vocabularies.EU_AUTHORITY + "access-right/PUBLIC",
    "conforms_to": ["https://schema.data.gouv.fr/etalab/schema-irve-statique/"],
    "contact": [
        {"name": "Service données", "email": "donnees@atmo-grandest.eu", "url": "https://atmo.eu"}
    ],
    "temporal_coverage": [{"start": "2020-01-01", "end": "2023-12-31"}],
    "spatial_coverage": [
        {
            "text": "Agglomération de Strasbourg",
            "geom": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.6, 48.5], [7.9, 48.5], [7.9, 48.7], [7.6, 48.7], [7.6, 48.5]]
                    ],
                }
            ),
        }
    ],
    "territories": ["67482", "246700488", "67"],
    "granularity": "commune",
    "resources": [
        {
            "name": "Mesures 2023",
            "description": "Une ligne par station et par heure.",
            "url": "https://www.atmo-grandest.eu/data/mesures-2023.csv",
            "format": "CSV",
            "mimetype": "text/csv",
            "size": 123456,
            "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "hash_algorithm": "sha256",
            "download_url": "https://www.atmo-grandest.eu/data/mesures-2023.csv",
            "license": "odc-odbl",
        },
        {
            "name": "Stations (WFS)",
            "url": "https://geo.atmo-grandest.eu/wfs",
            "format": "WFS_SRVC",
            "is_api": True,
        },
    ],
}

MINIMAL_DATASET: dict[str, Any] = {
    "name": "budget-commune",
    "title": "Budget primitif",
    "notes": "Le budget voté.",
    "resources": [{"url": "https://example.org/budget.csv", "format": "CSV"}],
}


@cache
def concept_graph() -> Graph:
    """The concepts our exports use, with their scheme, as the vocabulary shapes expect.

    Built once per session: the complete EU tables make it some 34,000 triples. Callers
    add it to their own graph (``data + concept_graph()`` copies) and never change it.
    """
    g = Graph()

    def add(scheme: URIRef, concept: URIRef, labels: dict[str, str]) -> None:
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.inScheme, scheme))
        for lang, text in labels.items():
            g.add((concept, SKOS.prefLabel, Literal(text, lang=lang)))

    for name in vocabularies.VOCABULARIES:
        scheme = URIRef(vocabularies.EU_AUTHORITY + name)
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCTERMS.title, Literal(name, lang="en")))
        for concept in vocabularies.concepts(name):
            add(scheme, URIRef(concept.uri), dict(concept.labels))
    scheme = URIRef(PUBLISHER_TYPES["1.0"])
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("Publisher type", lang="en")))
    for kind in (
        "NationalAuthority",
        "RegionalAuthority",
        "LocalAuthority",
        "NonProfitOrganisation",
    ):
        add(scheme, PUBLISHER_TYPES[kind], {"en": kind})
    return g
