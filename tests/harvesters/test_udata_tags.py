"""A harvested keyword with an apostrophe lands as the source wrote it (udata)."""

from __future__ import annotations

import copy

import pytest
from ckan.tests.helpers import call_action

from demo.replay import ReplayServer, udata_routes

from .conftest import create_source, harvest, load_fixture, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"


def test_a_keyword_with_an_apostrophe_is_kept(org):
    records = copy.deepcopy(load_fixture("udata/strasbourg-eurometropole.json"))
    # udata.gouv.fr slugifies its own tags, but a udata instance may keep them as written.
    records[0]["tags"] = ["Qualité de l'air", "qualité de l’air", "pollution"]
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, {ORG: records}))
        source = create_source(
            replay.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems-tags"
        )
        result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert result["object_errors"] == {}
    dataset = source_datasets(source["id"])[records[0]["id"]]
    assert sorted(t["name"] for t in dataset["tags"]) == ["Qualité de l'air", "pollution"]
    found = call_action("package_search", fq='tags:"Qualité de l\'air"')
    assert [d["id"] for d in found["results"]] == [dataset["id"]]
