"""Data4Citizen (DataGrandEst's current portal) as it answers: paging in the path."""

from __future__ import annotations

import pytest
from ckan.tests import factories

from ckanext.datagrandest import sources
from ckanext.datagrandest.harvesters.ckan_portal import CKANHarvester

from .ckan_server import D4C_PAGES, D4C_PATH, serve_paged_in_path
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PAGED = "d4c/api/datasets/2.0/search/start={start}&rows={rows}"
LANDING = "https://www.datagrandest.fr/data4citizen/visualisation/information/?id={name}"


def test_paging_in_the_path_reads_every_page():
    org = factories.Organization(name="datagrandest", title="DataGrandEst", territories=["44"])
    with serve_paged_in_path(D4C_PAGES, rows=2) as portal:
        config = {"search_path": PAGED, "rows": 2, "landing_page": LANDING}
        source = create_source(portal.url, "datagrandest_ckan", config, org["id"], "d4c")

        result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert result["gather_errors"] == [] and result["object_errors"] == {}, result
    assert result["stats"]["added"] == 3
    assert [r["path"] for r in portal.requests] == [
        f"{D4C_PATH}start=0&rows=2",
        f"{D4C_PATH}start=2&rows=2",
    ]
    pages = {d["name"]: d["url"] for d in source_datasets(source["id"]).values()}
    # A dataset without a page of its own gets its Data4Citizen page.
    assert pages["stations-qualite-air-d4c"] == LANDING.format(name="stations-qualite-air-d4c")


@pytest.mark.parametrize(
    "path",
    [
        "d4c/api/datasets/2.0/search/rows={rows}",  # {rows} without {start}
        "d4c/api/datasets/2.0/search/start={start}&q={q}",  # an unknown placeholder
        "../search/start={start}",
    ],
)
def test_paging_placeholders_are_checked(path):
    with pytest.raises(ValueError, match="search_path"):
        CKANHarvester().check_config({"search_path": path})


def test_the_real_data4citizen_source_pages_in_the_path():
    entry = next(
        s for s in sources.load(sources.DEFAULT_PATH).sources if s["type"] == "datagrandest_ckan"
    )
    config = CKANHarvester().check_config(entry["config"])

    assert entry["url"] == "https://www.datagrandest.fr/data4citizen"
    assert config["search_path"] == PAGED
    assert config["landing_page"] == LANDING
