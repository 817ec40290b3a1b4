"""A harvested dataset can be edited through the API from its own package_show output."""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from demo.replay import ReplayServer, udata_routes

from .conftest import create_source, harvest, load_fixture, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"


@pytest.fixture
def harvested(org):
    catalogue = {ORG: load_fixture("udata/strasbourg-eurometropole.json")}
    with ReplayServer() as replay:
        replay.routes.update(udata_routes(lambda: replay.url, catalogue))
        source = create_source(
            replay.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems"
        )
        harvest(source["id"])
    return next(iter(source_datasets(source["id"]).values()))


@pytest.mark.parametrize("action", ["package_update", "package_patch"])
def test_package_show_output_goes_back_through_update(harvested, action):
    """What package_show adds on read (provenance, sources) must not be refused on write."""
    shown = call_action("package_show", id=harvested["id"])
    assert "datagrandest_provenance" in shown
    shown["notes"] = "Description corrigée à la main."
    updated = call_action(action, {"user": factories.Sysadmin()["name"]}, **shown)
    assert updated["notes"] == "Description corrigée à la main."
    assert updated["id"] == harvested["id"]
    # still harvested from the same source, as read-only computed data
    assert updated["datagrandest_provenance"] == shown["datagrandest_provenance"]
