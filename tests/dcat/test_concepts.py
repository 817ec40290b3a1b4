"""dcat/concepts.py: each concept a page uses is described once, with its scheme."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ckanext.datagrandest.dcat import concepts

EU = "http://publications.europa.eu/resource/authority/"


def test_a_theme_is_described_with_its_scheme_in_french_and_english():
    g = Graph()
    assert concepts.describe(g, URIRef(EU + "data-theme/ENVI"))
    theme = URIRef(EU + "data-theme/ENVI")
    scheme = URIRef(EU + "data-theme")
    assert (theme, RDF.type, SKOS.Concept) in g
    assert (theme, SKOS.inScheme, scheme) in g
    assert (theme, SKOS.prefLabel, Literal("Environnement", lang="fr")) in g
    assert (theme, SKOS.prefLabel, Literal("Environment", lang="en")) in g
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert {t.language for t in g.objects(scheme, DCTERMS.title)} == {"fr", "en"}


def test_describing_twice_adds_nothing():
    g = Graph()
    concepts.describe(g, EU + "language/FRA")
    concepts.describe(g, EU + "file-type/CSV")
    size = len(g)
    for _ in range(3):
        assert concepts.describe(g, EU + "language/FRA")
        assert concepts.describe(g, URIRef(EU + "file-type/CSV"))
    assert len(g) == size
    # One scheme node per table, whatever the number of concepts.
    assert len(set(g.subjects(RDF.type, SKOS.ConceptScheme))) == 2


def test_range_classes_of_each_table():
    g = Graph()
    for uri, cls in (
        (EU + "language/FRA", DCTERMS.LinguisticSystem),
        (EU + "file-type/CSV", DCTERMS.MediaTypeOrExtent),
        (EU + "frequency/DAILY", DCTERMS.Frequency),
        (EU + "access-right/PUBLIC", DCTERMS.RightsStatement),
        (EU + "licence/ETALAB_2_0", DCTERMS.LicenseDocument),
    ):
        assert concepts.describe(g, uri)
        assert (URIRef(uri), RDF.type, cls) in g


def test_other_tables_hvd_categories_and_publisher_types():
    g = Graph()
    assert concepts.describe(g, "http://data.europa.eu/bna/c_ac64a52d")
    assert concepts.describe(g, "http://purl.org/adms/publishertype/RegionalAuthority")
    assert concepts.scheme_of("http://data.europa.eu/bna/c_ac64a52d") == (
        "http://data.europa.eu/bna/asd487ae75"
    )
    labels = {
        str(label)
        for label in g.objects(
            URIRef("http://purl.org/adms/publishertype/RegionalAuthority"), SKOS.prefLabel
        )
    }
    assert len(labels) == 2
    assert (URIRef("http://purl.org/adms/publishertype/1.0"), RDF.type, SKOS.ConceptScheme) in g


def test_https_form_keeps_its_uri_and_deprecated_concepts_are_known():
    g = Graph()
    https = "https://publications.europa.eu/resource/authority/data-theme/ECON"
    assert concepts.describe(g, https)
    assert (URIRef(https), SKOS.inScheme, URIRef(EU + "data-theme")) in g
    # Deprecated languages stay valid URIs of the table.
    assert concepts.describe(g, EU + "language/0D0")


def test_unknown_values_add_nothing():
    g = Graph()
    for value in (
        "https://example.org/theme/x",
        EU + "data-theme/NOPE",
        EU + "unknown-table/X",
        EU + "data-theme/",
        "",
        None,
        42,
    ):
        assert not concepts.describe(g, value)
    assert len(g) == 0
    assert not concepts.describe_scheme(g, "https://example.org/scheme")
    assert concepts.describe_scheme(g, "data-theme")
    assert concepts.describe_scheme(g, EU + "data-theme")
    assert len(g) == 3
