"""The bulk path of ``python -m bench scale`` writes what ``package_create`` writes."""

from __future__ import annotations

import copy
import random
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from schema_support import full_dataset, region_org
from schema_support import sysadmin_context as admin

from bench import bench_scale, common

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _both_ways(data: dict[str, Any]) -> list[str]:
    """The differences between the dataset made by package_create and by the bulk path."""
    # As the site user, like the bulk path (creator_user_id is compared).
    by_action = call_action("package_create", common.context(), **copy.deepcopy(data))["id"]
    writer = bench_scale.BulkWriter()
    # Another name, and another identifier: our validators refuse a second dataset with one.
    other = {"name": f"{data['name']}-lot"}
    if "identifier" in data:
        other["identifier"] = f"{data['identifier']}-lot"
    by_bulk = writer.add({**copy.deepcopy(data), **other})
    writer.write()
    model.repo.commit()
    shown = [
        bench_scale._comparable(call_action("package_show", id=i)) for i in (by_action, by_bulk)
    ]
    if "identifier" in data:
        assert shown[1]["identifier"] == other["identifier"]
        shown[1]["identifier"] = shown[0]["identifier"]
    return list(bench_scale._differences(*shown))


def test_every_field_of_the_schema_lands_the_same():
    org = region_org()
    # Contacts, temporal coverage, spatial geometries, languages, resources with their own
    # fields: more than the generator fills.
    assert _both_ways(full_dataset(org["id"], name="complet")) == []


def test_one_writer_for_many_datasets_keeps_every_field():
    """The bench fills with one writer: the tenth dataset must land like the first."""
    org = region_org()
    writer = bench_scale.BulkWriter()
    names = [f"lot-{number}" for number in range(3)]
    for name in names:
        writer.add(full_dataset(org["id"], name=name, identifier=name))
    writer.write()
    model.repo.commit()
    shown = [call_action("package_show", id=name) for name in names]
    for dataset in shown:
        assert dataset["territories"] == shown[0]["territories"] != []
        assert dataset["theme"] == shown[0]["theme"] != []
        assert dataset["contact"] == shown[0]["contact"] != []


def test_the_generator_datasets_land_the_same():
    publishers = bench_scale._publishers()[:3]
    ids = [
        call_action(
            "organization_create",
            admin(),
            name=name,
            title=title,
            body_kind=kind,
            territories=area,
        )["id"]
        for name, title, kind, area in publishers
    ]
    rng, places = random.Random(5), bench_scale.Places()
    for index in range(6):
        which = index % len(publishers)
        data = bench_scale._dataset(rng, index, publishers[which], places, ids[which])
        assert _both_ways(data) == [], data["name"]


def test_the_differences_name_the_field():
    found = list(
        bench_scale._differences(
            {"title": "A", "resources": [{"format": "CSV"}]},
            {"title": "A", "resources": [{"format": "JSON"}]},
        )
    )
    assert found == [".resources[0].format: package_create 'CSV', bulk path 'JSON'"]


def test_an_invalid_dataset_is_refused_and_nothing_is_written():
    org = region_org()
    before = model.Session.query(model.Package).count()
    writer = bench_scale.BulkWriter()
    writer.add(full_dataset(org["id"], name="valide"))
    with pytest.raises(tk.ValidationError) as refused:
        writer.add(full_dataset(org["id"], name="sans-territoire-connu", territories=["99999"]))
    assert "territories" in refused.value.error_dict
    writer.write()
    model.repo.commit()
    names = {name for (name,) in model.Session.query(model.Package.name)}
    assert model.Session.query(model.Package).count() == before + 1
    assert "valide" in names and "sans-territoire-connu" not in names


def test_a_worker_refuses_a_tag_created_after_the_fork():
    org = region_org()
    writer = bench_scale.BulkWriter()
    writer.unknown_tags = "refuse"
    with pytest.raises(RuntimeError, match="not created before the workers"):
        writer.add(full_dataset(org["id"], name="mot-nouveau", tag_string="inédit"))
