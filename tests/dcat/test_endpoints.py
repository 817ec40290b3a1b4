"""The RDF endpoints: every format, content negotiation, hydra paging, and their bad inputs."""

from __future__ import annotations

import json

import ckan.plugins
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from .support import FORMATS, FULL_DATASET, HYDRA, catalogue_pages, make_dataset, make_organization

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def catalogue(reset_db, migrate_db_for, reset_index):
    """Three datasets, created once for the read-only tests of this module."""
    # Plugins are loaded per test by with_plugins; creating the data needs them earlier.
    ckan.plugins.load_all()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    reset_index()
    org = make_organization()
    full = make_dataset(org, **FULL_DATASET)
    others = [
        make_dataset(
            org,
            name=f"jeu-{i}",
            title=f"Jeu {i}",
            notes="Un jeu de données.",
            resources=[{"url": f"https://example.org/{i}.csv", "format": "CSV"}],
        )
        for i in range(2)
    ]
    yield [full, *others]
    ckan.plugins.unload_non_system_plugins()


def _graph(body: str, rdflib_format: str) -> Graph:
    return Graph().parse(data=body, format=rdflib_format)


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_dataset_in_every_format(app, catalogue, extension):
    content_type, rdflib_format = FORMATS[extension]
    dataset = catalogue[0]
    response = app.get(f"/dataset/{dataset['name']}.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    g = _graph(response.body, rdflib_format)
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert str(g.value(datasets[0], DCTERMS.title)) == dataset["title"]
    commune = URIRef("http://id.insee.fr/geo/commune/67482")
    assert (datasets[0], DCTERMS.spatial, commune) in g


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_catalogue_in_every_format(app, catalogue, extension):
    content_type, rdflib_format = FORMATS[extension]
    response = app.get(f"/catalog.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    g = _graph(response.body, rdflib_format)
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    assert len(list(g.objects(catalogs[0], DCAT.dataset))) == len(catalogue)
    assert g.value(catalogs[0], DCTERMS.publisher) is not None


def test_content_negotiation_gives_turtle_on_a_dataset_page(app, catalogue):
    dataset = catalogue[0]
    response = app.get(f"/dataset/{dataset['name']}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    g = _graph(response.body, "turtle")
    assert (None, RDF.type, DCAT.Dataset) in g


def test_content_negotiation_gives_json_ld_on_a_dataset_page(app, catalogue):
    response = app.get(
        f"/dataset/{catalogue[1]['name']}", headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    json.loads(response.body)


def test_a_browser_still_gets_the_html_page(app, catalogue):
    response = app.get(f"/dataset/{catalogue[1]['name']}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert catalogue[1]["title"] in response.body


def test_catalogue_pages_link_with_hydra_next(app, catalogue, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 2)
    seen: list[str] = []
    pages = 0
    for _, _, g in catalogue_pages(app, "/catalog.ttl", 3):
        pages += 1
        seen.extend(str(d) for d in g.subjects(RDF.type, DCAT.Dataset))
        collection = g.value(predicate=RDF.type, object=HYDRA.PagedCollection)
        assert int(g.value(collection, HYDRA.totalItems)) == len(catalogue)
    assert pages == 2
    assert len(seen) == len(set(seen)) == len(catalogue)


def test_unknown_dataset_is_a_404(app, catalogue):
    assert app.get("/dataset/inexistant.ttl").status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_bad_page_is_a_client_error(app, catalogue, page):
    response = app.get("/catalog.ttl", query_string={"page": page})
    assert response.status_code == 409
    assert "page" in response.body.lower()


def test_page_past_the_end_is_empty_not_an_error(app, catalogue):
    response = app.get("/catalog.ttl", query_string={"page": "50"})
    assert response.status_code == 200
    assert (None, RDF.type, DCAT.Dataset) not in _graph(response.body, "turtle")


def test_unknown_profile_is_a_client_error(app, catalogue):
    response = app.get("/catalog.ttl", query_string={"profiles": "inexistant"})
    assert response.status_code == 409


@pytest.mark.parametrize("url", ["/catalog.foo", "/dataset/jeu-0.foo"])
def test_unknown_format_is_not_a_server_error(app, catalogue, url):
    assert app.get(url).status_code == 404
