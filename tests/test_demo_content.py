"""The demo content loads under the regional schema and shows off its fields."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.datagrandest import demo

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_demo_loads_twice_and_is_rich():
    first = demo.load("admin", "demo-password-1234")
    again = demo.load("admin", "demo-password-1234")
    assert any(line.endswith("created") for line in first)
    assert all(not line.endswith("created") for line in again[1:])
    for org in demo.content()["organizations"]:
        shown = call_action("organization_show", id=org["name"])
        assert shown["body_kind"] and shown["siren"] and shown["territories"], org["name"]
    for dataset in demo.content()["datasets"]:
        shown = call_action("package_show", id=dataset["name"])
        assert shown["territories"] and shown["theme"], dataset["name"]
    strasbourg = call_action("package_search", fq="territory:67482")
    assert {d["name"] for d in strasbourg["results"]} == {
        "lycees-grand-est",
        "qualite-air-stations",
        "pistes-cyclables-strasbourg",
    }
