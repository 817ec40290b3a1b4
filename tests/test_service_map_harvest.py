"""Harvested WMS and WFS services get their map view, when the dataset is created and when a
later harvest adds them (CKAN makes default views in package_create only)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from harvesters.conftest import create_source, harvest, load_fixture, source_datasets

from demo import ogc
from demo.replay import ReplayServer, udata_routes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"
PISTES = "5b3f1a2c8b4c4137a1e0c001"


def _resource(title: str, fmt: str, url: str) -> dict[str, Any]:
    return {
        "id": f"res-{title}",
        "title": title,
        "format": fmt,
        "url": url,
        "type": "api",
        "filetype": "remote",
        "last_modified": "2025-02-03T10:15:00.000000+00:00",
    }


def _view_types(resource: dict[str, Any]) -> list[str]:
    return [v["view_type"] for v in call_action("resource_view_list", id=resource["id"])]


def test_harvested_services_get_a_map_view(app):
    records = load_fixture("udata/strasbourg-eurometropole.json")
    catalogue = {ORG: records}
    with ogc.server() as service, ReplayServer() as portal:
        portal.routes.update(udata_routes(lambda: portal.url, catalogue))
        record = next(r for r in records if r["id"] == PISTES)
        record["resources"] = [
            # udata's own words for the services: mapped to the EU file types
            _resource("wms", "ogc:wms", f"{service.url}/wms?SERVICE=WMS&REQUEST=GetCapabilities"),
        ]
        org = factories.Organization(name="eurometropole", title="Eurométropole de Strasbourg")
        source = create_source(
            portal.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems"
        )
        first = harvest(source["id"])
        assert first["stats"]["added"] == 3, first
        dataset = source_datasets(source["id"])[PISTES]
        (wms,) = dataset["resources"]
        assert wms["format"] == "WMS_SRVC"
        assert _view_types(wms) == ["geo_view"]
        page = app.get(f"/dataset/{dataset['name']}")
        assert page.status_code == 200
        assert "dge-preview-problem" not in page.body

        # the publisher adds a WFS: the re-harvest updates the dataset
        changed = copy.deepcopy(record)
        changed["resources"].append(_resource("wfs", "wfs", f"{service.url}/wfs"))
        changed["last_modified"] = "2030-01-01T00:00:00"
        records[records.index(record)] = changed
        second = harvest(source["id"])
        assert second["stats"].get("updated", 0) >= 1, second
        resources = call_action("package_show", id=dataset["id"])["resources"]
        assert [r["format"] for r in resources] == ["WMS_SRVC", "WFS_SRVC"]
        assert [_view_types(r) for r in resources] == [["geo_view"], ["geo_view"]]
