"""A harvested resource format kept as the source gave it (accept and say) never breaks the
DCAT-AP 3 export: no literal dct:format (the shapes want an EU file type), no violation."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS

from ckanext.datagrandest.harvesters import harvest_warnings

from .support import MINIMAL_DATASET, make_organization, violations

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_a_kept_unknown_format_gives_no_violation(app, shapes):
    org = make_organization()
    warnings: list[str] = []
    context = harvest_warnings.context({"user": call_action("get_site_user")["name"]}, warnings)
    dataset = call_action(
        "package_create",
        context,
        **dict(
            MINIMAL_DATASET,
            owner_org=org["id"],
            resources=[
                {"url": "https://example.org/netex.zip", "format": "NeTEx", "mimetype": ""},
                {"url": "https://example.org/budget.csv", "format": "CSV"},
            ],
        ),
    )
    assert [r["format"] for r in dataset["resources"]] == ["NeTEx", "CSV"]
    assert warnings == ["format non reconnu : NeTEx (ressource « https://example.org/netex.zip »)"]

    turtle = app.get(f"/dataset/{dataset['name']}.ttl").body
    graph = Graph().parse(data=turtle, format="turtle")
    formats = list(graph.objects(None, DCTERMS["format"]))
    assert len(formats) == 1 and not any(isinstance(f, Literal) for f in formats)
    # The distribution is still there, with its address.
    assert len(list(graph.subjects(DCAT.accessURL, None))) == 2
    found = violations(turtle, shapes)
    assert not found, "\n".join(found)
