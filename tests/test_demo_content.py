"""The demo content loads under the regional schema and looks like a real region's catalogue."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from ckan.tests.helpers import call_action

from ckanext.datagrandest import demo, territories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SAMPLE_TAG = "données d'exemple"
DEPARTEMENTS = {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}


@pytest.fixture(scope="module")
def content():
    return demo.content()


def test_every_demo_file_is_read_demo_yaml_first():
    names = demo.files()
    assert names[0] == "demo.yaml"
    assert "demo_catalogue.yaml" in names
    assert all(name.startswith("demo") and name.endswith(".yaml") for name in names)


def test_the_catalogue_is_big_enough_for_a_region(content):
    datasets = content["datasets"]
    organizations = {org["name"] for org in content["organizations"]}
    names = [d["name"] for d in datasets]
    assert len(names) == len(set(names)), "a dataset name is used twice"
    assert len(datasets) >= 200
    assert len(organizations) >= 20
    assert {d["owner_org"] for d in datasets} <= organizations
    # All ten départements have datasets of their own (on them or on a place inside them).
    covered = {
        code
        for d in datasets
        for code in territories.with_ancestors(d["territories"])
        if code in DEPARTEMENTS
    }
    assert covered == DEPARTEMENTS


def test_every_dataset_is_real_with_its_source_named_or_marked_as_sample():
    data = resources.files("ckanext.datagrandest").joinpath("data")
    sources = data.joinpath("DEMO_SOURCES.md").read_text("utf-8")
    real = []
    for name in demo.files():
        text = data.joinpath(name).read_text("utf-8")
        assert f"`{name}`" in sources, f"{name} is not described in DEMO_SOURCES.md"
        if name not in ("demo.yaml", "demo_catalogue.yaml"):
            # Other demo files (previews) say where their content comes from at their top.
            assert text.startswith("#"), name
            continue
        for dataset in yaml.safe_load(text)["datasets"]:
            if SAMPLE_TAG in dataset.get("tag_string", "").split(","):
                assert dataset["notes"].startswith("**Données d'exemple**"), dataset["name"]
                assert all(
                    r["url"].startswith("https://example.org/") for r in dataset["resources"]
                ), dataset["name"]
            else:
                real.append(dataset["name"])
                assert f"`{dataset['name']}`" in sources, dataset["name"]
    assert real, "no real metadata at all"


def test_demo_loads_twice_and_is_rich(app, content):
    first = demo.load("admin", "demo-password-1234")
    again = demo.load("admin", "demo-password-1234")
    assert any(line.endswith("created") for line in first)
    assert all(not line.endswith("created") for line in again[1:])
    for org in content["organizations"]:
        shown = call_action("organization_show", id=org["name"])
        assert shown["body_kind"] and shown["siren"] and shown["territories"], org["name"]
    everything = call_action("package_search", rows=0)
    assert everything["count"] == len(content["datasets"])
    # Every dataset landed with its territories and themes (checked through the index).
    without = call_action("package_search", fq="-vocab_territories:[* TO *]", rows=0)
    assert without["count"] == 0
    without = call_action("package_search", fq="-vocab_theme:[* TO *]", rows=0)
    assert without["count"] == 0
    # Each département has datasets of its own in the index, as on the home page.
    for code in DEPARTEMENTS:
        found = call_action("package_search", fq=f'vocab_departements:"{code}"', rows=0)
        assert found["count"] >= 5, code
    # Strasbourg: its own and its Eurométropole's datasets, and the région's, never Metz's.
    strasbourg = call_action("package_search", fq="territory:67482", rows=1000)
    found = {d["name"] for d in strasbourg["results"]}
    assert {
        "lycees-grand-est",
        "qualite-air-stations",
        "pistes-cyclables-strasbourg",
        "tram-frequentation",
        "gares-ter",
    } <= found
    assert "budget-primitif-metz-metropole" not in found
    # A sample dataset says so on its page; a real one does not.
    page = app.get("/dataset/gares-ter").get_data(as_text=True)
    assert "données d&#39;exemple" in page or "données d'exemple" in page
    real = app.get("/dataset/metz-metropole-transport-donnees-gtfs").get_data(as_text=True)
    assert "Transport - Données GTFS" in real
    assert "données d&#39;exemple" not in real and "données d'exemple" not in real
