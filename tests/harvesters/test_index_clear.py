"""A harvested dataset is in the index under its source from the first import; clearing or
deleting the source leaves nothing of it in search results."""

from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.harvest.model import HarvestObject, Session

from .conftest import UDATA_ORG, create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = UDATA_ORG
# Words of the three titles of the fixture, found by a free-text search.
WORDS = ("cyclables", "potable", "lycées")


@pytest.fixture
def source(server, org):
    return create_source(
        server.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems-udata"
    )


def _indexed(source_id: str) -> list[dict]:
    found = call_action(
        "package_search", fq=f'harvest_source_id:"{source_id}"', rows=100, include_private=True
    )
    assert found["count"] == len(found["results"])
    return found["results"]


def _free_text(text: str) -> int:
    return call_action("package_search", q=text, rows=100, include_private=True)["count"]


def _harvested(source_id: str) -> dict[str, dict]:
    result = harvest(source_id)
    assert result["status"] == "Finished", result
    assert result["object_errors"] == {} and result["gather_errors"] == []
    datasets = source_datasets(source_id)
    assert len(datasets) == 3
    return datasets


def test_first_import_is_indexed_under_its_source(source):
    datasets = _harvested(source["id"])

    indexed = _indexed(source["id"])
    assert {d["id"] for d in indexed} == {d["id"] for d in datasets.values()}
    current = dict(
        Session.query(HarvestObject.package_id, HarvestObject.id).filter(
            HarvestObject.harvest_source_id == source["id"], HarvestObject.current.is_(True)
        )
    )
    for dataset in indexed:
        extras = {e["key"]: e["value"] for e in dataset.get("extras", [])}
        assert extras["harvest_source_id"] == source["id"]
        # The object of this import, not an earlier one.
        assert extras["harvest_object_id"] == current[dataset["id"]]


def test_a_changed_record_stays_indexed_under_the_new_object(source, catalogue):
    _harvested(source["id"])
    catalogue[ORG][0]["title"] = "Pistes cyclables (mise à jour)"

    result = harvest(source["id"])

    assert result["stats"].get("updated") == 1
    indexed = {d["title"]: d for d in _indexed(source["id"])}
    assert len(indexed) == 3
    updated = indexed["Pistes cyclables (mise à jour)"]
    extras = {e["key"]: e["value"] for e in updated["extras"]}
    obj = (
        Session.query(HarvestObject)
        .filter_by(package_id=updated["id"], current=True, harvest_source_id=source["id"])
        .one()
    )
    assert extras["harvest_object_id"] == obj.id


def test_a_refused_record_leaves_the_previous_object_current(source, catalogue):
    first = _harvested(source["id"])
    record = catalogue[ORG][0]
    before = (
        Session.query(HarvestObject.id)
        .filter_by(package_id=first[record["id"]]["id"], current=True)
        .scalar()
    )
    record["title"] = ""  # unusable: refused

    harvest(source["id"])

    Session.remove()
    after = (
        Session.query(HarvestObject.id)
        .filter_by(package_id=first[record["id"]]["id"], current=True)
        .all()
    )
    assert [row.id for row in after] == [before]
    assert len(_indexed(source["id"])) == 3


def test_the_source_page_lists_and_counts_its_datasets(app, source):
    _harvested(source["id"])
    sysadmin = factories.SysadminWithToken()

    body = app.get(f"/harvest/{source['name']}", headers={"Authorization": sysadmin["token"]}).body

    for name in ("pistes-cyclables", "qualite-de-l-eau", "lycees"):
        assert f'href="/dataset/{name}' in body
    assert "There is no datasets associated" not in body
    assert re.search(r"<dt>Jeux de données</dt>\s*<dd>3</dd>", body)


def test_clear_leaves_nothing_in_search_results(source):
    datasets = _harvested(source["id"])
    assert _free_text("potable") == 1

    call_action("harvest_source_clear", id=source["id"])

    assert _indexed(source["id"]) == []
    for word in WORDS:
        assert _free_text(word) == 0
    assert call_action("package_search", rows=100)["count"] == 0
    Session.remove()  # the clear deleted rows in SQL behind the session's back
    for dataset in datasets.values():
        with pytest.raises(tk.ObjectNotFound):
            call_action("package_show", id=dataset["id"])
    # The source itself stays and harvests again from scratch.
    assert harvest(source["id"])["stats"]["added"] == 3
    assert len(_indexed(source["id"])) == 3


def test_delete_and_clear_leaves_nothing_of_the_source(source):
    _harvested(source["id"])

    call_action(
        "harvest_source_delete",
        {"user": factories.Sysadmin()["name"], "clear_source": True},
        id=source["id"],
    )

    assert _indexed(source["id"]) == []
    assert _free_text("potable") == 0
    harvest_sources = call_action("package_search", fq="dataset_type:harvest", rows=100)
    assert harvest_sources["count"] == 0


def test_delete_without_clear_removes_the_source_and_keeps_its_datasets(app, source):
    datasets = _harvested(source["id"])

    call_action("harvest_source_delete", {"user": factories.Sysadmin()["name"]}, id=source["id"])

    harvest_sources = call_action("package_search", fq="dataset_type:harvest", rows=100)
    assert harvest_sources["count"] == 0
    assert "Ems Udata" not in app.get("/harvest/").body
    # Its datasets are the publisher's data: they stay, each one found and opened.
    found = call_action("package_search", q="potable", rows=100)["results"]
    assert len(found) == 1
    assert call_action("package_show", id=found[0]["id"])["state"] == "active"
    assert {d["id"] for d in datasets.values()} == {
        d["id"] for d in call_action("package_search", rows=100)["results"]
    }


def test_clear_keeps_a_dataset_published_here_that_the_source_links_to(source, org):
    local = call_action(
        "package_create",
        {"user": factories.Sysadmin()["name"]},
        name="pistes-cyclables-region",
        title="Pistes cyclables (publié sur DataGrandEst)",
        notes="Publié directement sur le portail.",
        owner_org=org["id"],
        url="https://www.data.gouv.fr/fr/datasets/pistes-cyclables-eurometropole/",
    )
    result = harvest(source["id"])
    assert result["object_errors"] == {}
    # The first record is linked to the local dataset, not copied.
    assert _free_text("cyclables") == 1
    assert local["id"] in {d["id"] for d in source_datasets(source["id"]).values()}

    call_action("harvest_source_clear", id=source["id"])

    assert call_action("package_show", id=local["id"])["state"] == "active"
    found = call_action("package_search", q="cyclables", rows=100)["results"]
    assert [d["id"] for d in found] == [local["id"]]
    assert _free_text("potable") == 0


def test_clearing_one_of_two_sources_keeps_what_the_other_lists(server, catalogue, source, org):
    first = _harvested(source["id"])
    other = create_source(
        server.url,
        "datagrandest_udata",
        {"organizations": [ORG], "page_size": 2},
        org["id"],
        "ems-bis",
    )
    assert harvest(other["id"])["stats"].get("added", 0) == 0  # every record links to `first`

    call_action("harvest_source_clear", id=source["id"])

    # The datasets stay, now indexed under the source that still lists them.
    assert _indexed(source["id"]) == []
    assert {d["id"] for d in _indexed(other["id"])} == {d["id"] for d in first.values()}
    for word in WORDS:
        assert _free_text(word) == 1
    # Still a harvested dataset, which the remaining source keeps up to date.
    catalogue[ORG][1]["title"] = "Qualité de l'eau potable (mise à jour)"
    assert harvest(other["id"])["stats"].get("updated") == 1
    titles = {d["title"] for d in _indexed(other["id"])}
    assert "Qualité de l'eau potable (mise à jour)" in titles

    call_action("harvest_source_clear", id=other["id"])

    assert _indexed(other["id"]) == []
    for word in WORDS:
        assert _free_text(word) == 0


def test_the_indexer_is_not_given_display_only_fields(source):
    dataset = next(iter(_harvested(source["id"]).values()))
    # The exact context of CKAN's indexer (ckan.lib.search).
    indexer = {"ignore_auth": True, "validate": False, "use_cache": False}

    for_index = call_action("package_show", indexer, id=dataset["id"])
    shown = call_action("package_show", id=dataset["id"])

    assert "datagrandest_provenance" not in for_index
    assert "datagrandest_sources" not in for_index
    assert shown["datagrandest_provenance"]["source_id"] == source["id"]
    assert [s["source_id"] for s in shown["datagrandest_sources"]] == [source["id"]]


def test_activity_snapshots_are_not_given_display_only_fields(source, catalogue):
    dataset = next(iter(_harvested(source["id"]).values()))
    catalogue[ORG][0]["title"] = "Pistes cyclables (mise à jour)"
    assert harvest(source["id"])["stats"].get("updated") == 1

    # A harvest writes as the site user, whose activity lists hide by default.
    activities = call_action(
        "package_activity_list", id=dataset["id"], include_hidden_activity=True
    )
    snapshots = [
        call_action("activity_data_show", id=activity["id"], object_type="package")
        for activity in activities
    ]

    # One snapshot per write (created, then updated), none with fields computed for readers.
    assert len(snapshots) >= 2
    for snapshot in snapshots:
        assert snapshot["id"] == dataset["id"]
        assert "datagrandest_provenance" not in snapshot
        assert "datagrandest_sources" not in snapshot
    # A reader still gets them.
    assert "datagrandest_provenance" in call_action("package_show", id=dataset["id"])
