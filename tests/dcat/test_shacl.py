"""Our DCAT-AP 3 export gives no violation of the official DCAT-AP 3.0.1 SHACL shapes."""

from __future__ import annotations

import pyshacl
import pytest
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from .support import FULL_DATASET, MINIMAL_DATASET, concept_graph, make_dataset, make_organization

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def violations(turtle: str, shapes: Graph) -> list[str]:
    data = Graph().parse(data=turtle, format="turtle") + concept_graph()
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
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
    dataset = make_dataset(org, **MINIMAL_DATASET)
    sysadmin = factories.Sysadmin()
    source = call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name="ckan-voisin",
        title="CKAN voisin",
        url="https://ckan.voisin.example",
        source_type="datagrandest_ckan",
        owner_org=org["id"],
    )
    from ckanext.harvest.model import HarvestJob, HarvestObject

    job = HarvestJob(source_id=source["id"])
    job.save()
    HarvestObject(
        guid="budget-remote",
        job=job,
        harvest_source_id=source["id"],
        package_id=dataset["id"],
        current=True,
    ).save()
    # Reindex directly: the harvest extras reach the index (hence catalogue pages) this way.
    search.rebuild(dataset["id"])
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
