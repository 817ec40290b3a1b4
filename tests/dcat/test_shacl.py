"""Our DCAT-AP 3 export gives no violation of the official DCAT-AP 3.0.1 SHACL shapes.

The output is validated ALONE, as a harvester or the EU validator reads one of our pages: no
background graph of the EU vocabularies. Every concept a page uses must therefore be
described on the page itself (``dcat/concepts.py``). Shapes: DCAT-AP 3.0.1 shapes, range,
controlled vocabularies and recommended (only violations count; warnings are advice).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.datagrandest import vocabularies

from .support import (
    FULL_DATASET,
    MINIMAL_DATASET,
    catalogue_pages,
    harvest_link,
    make_dataset,
    make_organization,
    violations,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_fully_filled_dataset_has_no_violation(app, shapes):
    org = make_organization()
    dataset = make_dataset(org, **FULL_DATASET)
    turtle = app.get(f"/dataset/{dataset['name']}.ttl").body
    assert "id.insee.fr/geo/commune/67482" in turtle
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)


def test_minimal_dataset_has_no_violation(app, shapes):
    org = make_organization(
        name="commune-x", title="Commune X", body_kind="commune", territories=["67482"]
    )
    dataset = make_dataset(org, **MINIMAL_DATASET)
    turtle = app.get(f"/dataset/{dataset['id']}.ttl").body
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)


def test_harvested_dataset_has_no_violation(app, shapes):
    org = make_organization()
    dataset = make_dataset(
        org, **{**MINIMAL_DATASET, "url": "https://ckan.voisin.example/dataset/budget"}
    )
    harvest_link(dataset, org)
    page = app.get(f"/dataset/{dataset['id']}.ttl").body
    catalogue = app.get("/catalog.ttl").body
    for turtle in (page, catalogue):
        assert "Moissonné depuis « CKAN voisin » (https://ckan.voisin.example)" in turtle
        found = violations(turtle, shapes)
        assert not found, "\n".join(found)


def test_catalogue_page_has_no_violation(app, shapes):
    org = make_organization()
    make_dataset(org, **FULL_DATASET)
    make_dataset(org, **MINIMAL_DATASET)
    turtle = app.get("/catalog.ttl").body
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)


def test_the_same_check_catches_the_stock_profile_alone(app, shapes):
    """Guards the check itself: stock euro_dcat_ap_3 output of the same dataset fails it."""
    org = make_organization()
    dataset = make_dataset(org, **FULL_DATASET)
    stock = app.get(
        f"/dataset/{dataset['name']}.ttl", query_string={"profiles": "euro_dcat_ap_3"}
    ).body
    found = violations(stock, shapes)
    paths = {v.split(" | ")[1] for v in found}
    # The triples our profile rewrites: literal formats, media types, licence ids and
    # checksum algorithms, a URL as identifier, a missing access URL.
    assert {
        "http://purl.org/dc/terms/format",
        "http://www.w3.org/ns/dcat#mediaType",
        "http://purl.org/dc/terms/license",
        "http://purl.org/dc/terms/identifier",
        "http://www.w3.org/ns/dcat#accessURL",
        "http://spdx.org/rdf/terms#algorithm",
    } <= paths, found


VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ORIGINAL_PUBLISHER = {
    "name": "Metz Métropole",
    "uri": "https://www.metzmetropole.fr/",
    "email": "opendata@metzmetropole.fr",
    "url": "https://www.metzmetropole.fr/",
    "identifier": "200039865",
    "type": "http://purl.org/adms/publishertype/LocalAuthority",
}


def test_original_publisher_is_the_dct_publisher_without_violation(app, shapes):
    org = make_organization()
    dataset = make_dataset(
        org, **{**MINIMAL_DATASET, "name": "arbres-metz", "publisher": [ORIGINAL_PUBLISHER]}
    )
    turtle = app.get(f"/dataset/{dataset['id']}.ttl").body
    graph = Graph().parse(data=turtle, format="turtle")
    ref = next(graph.subjects(RDF.type, DCAT.Dataset))
    (publisher,) = graph.objects(ref, DCTERMS.publisher)
    assert str(publisher) == "https://www.metzmetropole.fr/"
    assert str(graph.value(publisher, FOAF.name)) == "Metz Métropole"
    # The organisation holding it here answers for the record: its contact point.
    (contact,) = graph.objects(ref, DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.fn)) == "Région Grand Est"
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)
    # A publisher type outside ADMS's is left out of the export rather than invalid.
    other = make_dataset(
        org,
        **{
            **MINIMAL_DATASET,
            "name": "arbres-metz-2",
            "publisher": [{"name": "Metz Métropole", "type": "https://example.org/Mairie"}],
        },
    )
    turtle = app.get(f"/dataset/{other['id']}.ttl").body
    assert "example.org/Mairie" not in turtle
    assert not violations(turtle, shapes)


def test_a_publisher_row_without_a_name_leaves_the_organization_as_publisher(app, shapes):
    org = make_organization()
    dataset = make_dataset(
        org, **{**MINIMAL_DATASET, "publisher": [{"email": "contact@exemple.fr"}]}
    )
    turtle = app.get(f"/dataset/{dataset['id']}.ttl").body
    graph = Graph().parse(data=turtle, format="turtle")
    ref = next(graph.subjects(RDF.type, DCAT.Dataset))
    names = {str(graph.value(p, FOAF.name)) for p in graph.objects(ref, DCTERMS.publisher)}
    assert names == {"Région Grand Est"}
    assert not violations(turtle, shapes)


def fixture_catalogue() -> list[dict]:
    """Every kind of dataset the tests know: publishers of each kind, every licence,
    original publishers, a harvested dataset, kept unknown values."""
    region = make_organization()
    commune = make_organization(
        name="commune-x",
        title="Commune X",
        body_kind="commune",
        siren="216704825",
        territories=["67482"],
    )
    other = make_organization(
        name="etablissement-y",
        title="Établissement Y",
        body_kind="public_establishment",
        siren="130007669",
        territories=["67"],
    )
    datasets = [
        make_dataset(region, **FULL_DATASET),
        make_dataset(commune, **MINIMAL_DATASET),
        make_dataset(
            region,
            **{**MINIMAL_DATASET, "name": "arbres-metz", "publisher": [ORIGINAL_PUBLISHER]},
        ),
        make_dataset(
            other,
            **{
                **MINIMAL_DATASET,
                "name": "autre-licence",
                "license_id": "other",
                "license_other": "Licence propre du producteur",
            },
        ),
    ]
    for license_id in ("odc-odbl", "cc-by-4.0", "cc-by-sa-4.0", "cc-zero-1.0"):
        datasets.append(
            make_dataset(
                commune,
                **{
                    **MINIMAL_DATASET,
                    "name": "jeu-" + license_id.replace(".", "-"),
                    "license_id": license_id,
                    "language": [vocabularies.EU_AUTHORITY + "language/DEU"],
                    "theme": [vocabularies.EU_AUTHORITY + "data-theme/TRAN"],
                    "frequency": vocabularies.EU_AUTHORITY + "frequency/ANNUAL",
                    "access_rights": vocabularies.EU_AUTHORITY + "access-right/RESTRICTED",
                    "resources": [
                        {"url": "https://example.org/a.geojson", "format": "GEOJSON"},
                        {"url": "https://example.org/a.zip", "format": "SHP"},
                    ],
                },
            )
        )
    harvested = make_dataset(
        region,
        **{
            **MINIMAL_DATASET,
            "name": "moissonne",
            "url": "https://ckan.voisin.example/dataset/moissonne",
            "identifier": "https://ckan.voisin.example/dataset/1234",
        },
    )
    harvest_link(harvested, region)
    datasets.append(harvested)
    return datasets


def test_every_catalogue_page_and_every_dataset_alone_has_no_violation(
    app, shapes, ckan_config, monkeypatch
):
    datasets = fixture_catalogue()
    monkeypatch.setitem(ckan_config, "ckanext.dcat.datasets_per_page", 4)
    found = {
        url: violations(turtle, shapes)
        for url, turtle, _ in catalogue_pages(app, "/catalog.ttl", 5)
    }
    assert len(found) == 3, found.keys()
    for dataset in datasets:
        url = f"/dataset/{dataset['id']}.ttl"
        found[url] = violations(app.get(url).body, shapes)
    counts = {url: len(v) for url, v in found.items()}
    total = sum(counts.values())
    assert total == 0, f"{total} violations: {counts}\n" + "\n".join(
        sorted({v for vs in found.values() for v in vs})
    )


# Loading the 210 demo datasets and validating three pages of 100 takes minutes on a busy
# machine: more than the suite's default limit per test.
@pytest.mark.timeout(900)
def test_the_demo_catalogue_alone_has_no_violation(app, shapes):
    """The catalogue of ``make demo`` (every ``data/demo*.yaml``), every page, on its own."""
    from ckanext.datagrandest import demo

    demo.load("admin-demo", "mot-de-passe-de-demo-assez-long")
    expected = len(demo.content()["datasets"])
    found: dict[str, list[str]] = {}
    seen = 0
    for url, turtle, graph in catalogue_pages(app, "/catalog.ttl", 20):
        found[url] = violations(turtle, shapes)
        seen += len(set(graph.subjects(RDF.type, DCAT.Dataset)))
    assert seen == expected
    total = sum(len(v) for v in found.values())
    assert total == 0, f"{total} violations\n" + "\n".join(
        sorted({v for vs in found.values() for v in vs})
    )
