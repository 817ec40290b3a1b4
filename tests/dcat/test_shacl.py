"""Our DCAT-AP 3 export gives no violation of the official DCAT-AP 3.0.1 SHACL shapes."""

from __future__ import annotations

import pyshacl
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph
from rdflib.namespace import SH

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
        source_type="ckan",
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
    call_action("package_patch", {"user": sysadmin["name"]}, id=dataset["id"], notes="Mis à jour.")
    turtle = app.get(f"/dataset/{dataset['id']}.ttl").body
    assert "Moissonné depuis « CKAN voisin »" in turtle
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)


def test_catalogue_page_has_no_violation(app, shapes):
    org = make_organization()
    make_dataset(org, **FULL_DATASET)
    make_dataset(org, **MINIMAL_DATASET)
    turtle = app.get("/catalog.ttl").body
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)
