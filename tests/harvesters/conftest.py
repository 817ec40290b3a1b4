"""Harvest test helpers: sources on local replay servers, jobs run synchronously (no queues)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob
from ckanext.harvest.tests.lib import run_harvest_job
from demo.replay import ReplayServer, udata_routes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The udata organisation of the recorded catalogue that `catalogue` and `server` replay.
UDATA_ORG = "strasbourg-eurometropole"


def load_fixture(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def create_source(
    url: str, source_type: str, config: dict[str, Any], org_id: str, name: str
) -> dict[str, Any]:
    return call_action(
        "harvest_source_create",
        {"user": factories.Sysadmin()["name"]},
        name=name,
        title=name.replace("-", " ").title(),
        url=url,
        source_type=source_type,
        config=json.dumps(config),
        owner_org=org_id,
    )


def harvest(source_id: str) -> dict[str, Any]:
    """Run one whole job (gather, fetch, import, finish) and return its status and report."""
    job = call_action("harvest_job_create", source_id=source_id, run=False)
    job_obj = HarvestJob.get(job["id"])
    harvester = queue.get_harvester(job_obj.source.type)
    run_harvest_job(job_obj, harvester)
    shown = call_action("harvest_job_show", id=job["id"])
    report = call_action("harvest_job_report", id=job["id"])
    return {
        "status": shown["status"],
        "stats": {k: v for k, v in shown["stats"].items() if v},
        "gather_errors": [e["message"] for e in report["gather_errors"]],
        # Warnings (accept and say) are object errors of their own stage on records that
        # landed: kept apart so that "no errors" still means no record failed.
        "object_errors": {
            o["guid"]: errors
            for o in report["object_errors"].values()
            if (errors := [e["message"] for e in o["errors"] if e["type"] != "Avertissement"])
        },
        "warnings": {
            o["guid"]: warnings
            for o in report["object_errors"].values()
            if (warnings := [e["message"] for e in o["errors"] if e["type"] == "Avertissement"])
        },
    }


def source_datasets(source_id: str, include_deleted: bool = False) -> dict[str, dict[str, Any]]:
    """The datasets a source harvested, by their identifier at the source."""
    from ckanext.harvest.model import HarvestObject, Session

    rows = (
        Session.query(HarvestObject.guid, HarvestObject.package_id)
        .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.package_id.isnot(None))
        .distinct()
    )
    found = {}
    for guid, package_id in rows:
        dataset = call_action("package_show", id=package_id)
        if include_deleted or dataset["state"] == "active":
            found[guid] = dataset
    return found


@pytest.fixture
def org():
    # A publisher with a territory of competence: records without places default to it.
    return factories.Organization(
        name="eurometropole-de-strasbourg",
        title="Eurométropole de Strasbourg",
        body_kind="epci",
        territories=["246700488"],
    )


@pytest.fixture
def catalogue() -> dict[str, Any]:
    """A udata catalogue: the Eurométropole's recorded datasets, a fresh copy a test may edit."""
    return {UDATA_ORG: load_fixture("udata/strasbourg-eurometropole.json")}


@pytest.fixture
def server(catalogue: dict[str, Any]) -> Any:
    """A local udata answering from ``catalogue`` as the test leaves it at each request."""
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, catalogue))
        yield replay
