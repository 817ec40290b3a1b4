"""Harvested datasets are scored like the others; the job report says whose grade moved."""

from __future__ import annotations

import copy

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from harvesters.conftest import create_source, harvest, load_fixture, source_datasets

from ckanext.datagrandest.quality import harvest as quality_harvest
from demo.replay import ReplayServer, udata_routes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"
PISTES = "5b3f1a2c8b4c4137a1e0c001"


@pytest.fixture
def catalogue():
    return {ORG: load_fixture("udata/strasbourg-eurometropole.json")}


@pytest.fixture
def server(catalogue):
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, catalogue))
        yield replay


@pytest.fixture
def org():
    return factories.Organization(
        name="eurometropole", title="Eurométropole de Strasbourg", body_kind="epci"
    )


def job_of(source_id: str) -> dict:
    return call_action("harvest_job_list", source_id=source_id)[0]


def test_harvested_datasets_are_graded_and_the_job_counts_grades_moved(app, server, catalogue, org):
    source = create_source(
        server.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems"
    )
    first = harvest(source["id"])
    assert first["stats"]["added"] == 3
    datasets = source_datasets(source["id"])
    graded = call_action("package_search", fq="vocab_quality_grade:*", rows=10)
    assert graded["count"] == 3  # in the index with a grade, like any dataset
    for dataset in datasets.values():
        assert dataset["datagrandest_quality"]["grade"] in ("faible", "suffisant", "bon")
    assert quality_harvest.changes(job_of(source["id"])["id"]) == {
        "gained": 0,
        "lost": 0,
        "same": 0,
        "new": 3,
    }
    before = datasets[PISTES]["datagrandest_quality"]
    # The source empties one record: no resources, keywords, themes or description left.
    record = next(r for r in catalogue[ORG] if r["id"] == PISTES)
    stripped = copy.deepcopy(record)
    stripped.update(resources=[], tags=[], description="Pistes.", frequency="unknown")
    stripped["last_modified"] = "2030-01-01T00:00:00"
    stripped.pop("temporal_coverage", None)
    stripped.pop("spatial", None)
    catalogue[ORG][catalogue[ORG].index(record)] = stripped
    second = harvest(source["id"])
    assert second["stats"].get("updated", 0) >= 1, second
    after = call_action("package_show", id=datasets[PISTES]["id"])["datagrandest_quality"]
    assert after["score"] < before["score"]
    assert after["grade"] != before["grade"], (before["score"], after["score"])
    job = job_of(source["id"])
    moved = quality_harvest.changes(job["id"])
    assert moved["lost"] == 1 and moved["gained"] == 0 and moved["new"] == 0
    sysadmin = factories.SysadminWithToken()
    page = app.get(
        f"/harvest/{source['name']}/job/{job['id']}",
        headers={"Authorization": sysadmin["token"]},
    ).body
    assert "1 ont perdu une note" in page
    assert "Qualité des métadonnées" in page
