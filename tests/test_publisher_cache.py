"""The publisher kind indexed with a dataset comes from a per-process cache, forgotten on edit."""

from __future__ import annotations

import ckan.model as model
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action
from schema_support import full_dataset, region_org
from schema_support import sysadmin_context as admin

from ckanext.datagrandest import search

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _kinds(name: str) -> list[str]:
    found = call_action("package_search", fq=f'name:"{name}"', include_private=True)
    assert found["count"] == 1
    # The kind as the index holds it: what a search filter or facet on it sees.
    facets = call_action(
        "package_search", fq=f'name:"{name}"', **{"facet.field": '["vocab_body_kind"]'}
    )["facets"]["vocab_body_kind"]
    return sorted(facets)


def _set_kind_behind_ckan(org_id: str, kind: str) -> None:
    """Change an organisation's kind in the database without any hook (no cache told)."""
    extra = (
        model.Session.query(model.GroupExtra)
        .filter(model.GroupExtra.group_id == org_id, model.GroupExtra.key == "body_kind")
        .one()
    )
    extra.value = kind
    model.Session.commit()


def _reindex(name: str) -> None:
    call_action("package_patch", admin(), id=name, notes="Réindexé.")


@pytest.fixture
def syndicat():
    org = region_org(name="syndicat", title="Syndicat", body_kind="syndicate", siren="246700488")
    call_action("package_create", admin(), **full_dataset(org["id"], name="eau"))
    return org


def test_an_indexed_dataset_carries_its_publisher_kind(syndicat):
    assert _kinds("eau") == ["syndicate"]


def test_the_kind_is_read_once_then_cached(syndicat):
    _set_kind_behind_ckan(syndicat["id"], "public_establishment")
    _reindex("eau")

    # Nobody said the publisher changed: the cached kind is indexed, not re-read.
    assert _kinds("eau") == ["syndicate"]


def test_an_edit_through_ckan_is_seen_at_the_next_index(syndicat):
    call_action("organization_patch", admin(), id="syndicat", body_kind="public_establishment")
    _reindex("eau")

    assert _kinds("eau") == ["public_establishment"]


def test_the_reindex_job_indexes_the_new_kind(syndicat):
    call_action("organization_patch", admin(), id="syndicat", body_kind="public_establishment")

    # What the job scheduled by the edit does (run here in this process).
    assert search.reindex_publisher_datasets(syndicat["id"]) == 1

    assert _kinds("eau") == ["public_establishment"]
    assert call_action("package_search", fq='vocab_body_kind:"syndicate"')["count"] == 0


def test_an_edit_in_another_process_is_seen_here(syndicat):
    _set_kind_behind_ckan(syndicat["id"], "public_establishment")
    # Another process (web worker, job worker) handled the edit: all this process shares
    # with it is the generation counter in Redis, which that process moved on.
    connect_to_redis().incr(search._generation_key())
    _reindex("eau")

    assert _kinds("eau") == ["public_establishment"]
