"""Dataset page previews: the coverage map, the preview or the reason there is none, in French
and English, and geoview's service proxy kept closed. The previews themselves, in a browser,
are in tests/browser/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from schema_support import fresh_site, load_plugins, module_app, region_org
from schema_support import sysadmin_context as admin

__all__ = ["fresh_site", "module_app"]
pytestmark = pytest.mark.usefixtures("with_plugins")


def _dataset(name: str, org: dict[str, Any], resources: list[dict[str, Any]], **extra: Any) -> Any:
    return call_action(
        "package_create",
        admin(),
        name=name,
        title=name.replace("-", " ").capitalize(),
        notes="Jeu de test des aperçus.",
        owner_org=org["id"],
        territories=extra.pop("territories", ["67"]),
        license_id="etalab-2.0",
        resources=resources,
        **extra,
    )


@pytest.fixture(scope="module")
def catalogue(fresh_site: None) -> dict[str, Any]:
    load_plugins()
    org = region_org()
    table = _dataset("tableau", org, [{"url": "https://exemple.fr/t.csv", "format": "CSV"}])
    broken = _dataset(
        "tableau-illisible", org, [{"url": "https://exemple.fr/b.csv", "format": "CSV"}]
    )
    # what xloader records when it cannot read a file (ckanext-xloader's xloader_hook)
    call_action(
        "task_status_update",
        {"ignore_auth": True},
        entity_id=broken["resources"][0]["id"],
        entity_type="resource",
        task_type="xloader",
        key="xloader",
        value="{}",
        state="error",
        error=json.dumps({"message": "Fichier illisible : ligne 3"}),
    )
    pdf = _dataset("rapport", org, [{"url": "https://exemple.fr/r.pdf", "format": "PDF"}])
    # outside Grand Est: no territory outline, only the dataset's own geometry
    geometry = _dataset(
        "points-hors-region",
        org,
        [{"url": "https://exemple.fr/p.pdf", "format": "PDF"}],
        territories=["44"],
        spatial_coverage=[
            {
                "text": "Deux points",
                "geom": json.dumps(
                    {"type": "MultiPoint", "coordinates": [[2.35, 48.85], [4.83, 45.76]]}
                ),
            }
        ],
    )
    return {"table": table, "broken": broken, "pdf": pdf, "geometry": geometry}


def _page(app: Any, url: str) -> BeautifulSoup:
    response = app.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.body, "html.parser")


def test_a_table_not_loaded_yet_says_so_in_french_and_english(module_app, catalogue):
    page = _page(module_app, "/dataset/tableau")
    note = page.select_one(".dge-preview .dge-preview-problem")
    assert note is not None
    assert "Pas encore d'aperçu de ce tableau : son fichier n'a pas été chargé." in note.text
    english = _page(module_app, "/en/dataset/tableau").select_one(".dge-preview-problem")
    assert english is not None
    assert "No preview of this table yet" in english.text


def test_a_table_xloader_could_not_read_gives_the_reason(module_app, catalogue):
    page = _page(module_app, "/dataset/tableau-illisible")
    note = page.select_one(".dge-preview-problem")
    assert note is not None
    assert "Pas d'aperçu de ce tableau : son fichier n'a pas pu être lu." in note.text
    assert "Fichier illisible : ligne 3" in note.text
    # the resource page says the same, instead of CKAN's "no views created"
    resource_id = catalogue["broken"]["resources"][0]["id"]
    resource_page = _page(module_app, f"/dataset/tableau-illisible/resource/{resource_id}")
    assert "Fichier illisible : ligne 3" in resource_page.select_one(".dge-preview-problem").text
    assert resource_page.select_one(".data-viewer-info") is None  # CKAN's generic text


def test_a_format_without_preview_says_so(module_app, catalogue):
    note = _page(module_app, "/dataset/rapport").select_one(".dge-preview-problem")
    assert note is not None
    assert "Pas d'aperçu pour ce format (PDF) : téléchargez le fichier pour l'ouvrir." in note.text


def test_the_coverage_map_is_the_territory_outline(module_app, catalogue):
    page = _page(module_app, "/dataset/tableau")
    svg = page.select_one(".dge-coverage-map svg")
    assert svg is not None
    assert svg.select("path"), "the Bas-Rhin's outline is drawn"
    assert "Bas-Rhin" in svg.text


def test_without_an_outline_the_map_draws_the_dataset_geometry():
    from ckanext.datagrandest.previews import datagrandest_coverage_svg

    pkg = {
        "territories": [],
        "spatial_coverage": [
            {
                "geom": json.dumps(
                    {"type": "MultiPoint", "coordinates": [[2.35, 48.85], [4.8, 45.7]]}
                )
            },
            {"bbox": "not json"},
            {"geom": {"type": "Polygon", "coordinates": "broken"}},
        ],
    }
    svg = BeautifulSoup(str(datagrandest_coverage_svg(pkg)), "html.parser").svg
    assert svg is not None
    assert len(svg.select("circle")) == 2
    assert svg["role"] == "img" and svg.title is not None


def test_no_geometry_and_no_outline_gives_no_map():
    from ckanext.datagrandest.previews import datagrandest_coverage_svg

    assert (
        str(datagrandest_coverage_svg({"territories": ["99999"], "spatial_coverage": None})) == ""
    )


def test_geoview_service_proxy_stays_closed(module_app, catalogue):
    """It would fetch any resource URL from the server, outside the address guard."""
    resource_id = catalogue["pdf"]["resources"][0]["id"]
    response = module_app.get(f"/dataset/rapport/resource/{resource_id}/service_proxy", status=404)
    assert response.status_code == 404


def test_previews_are_created_for_map_formats_on_the_site(module_app, catalogue):
    """A GeoJSON or KML file served by the portal itself gets its map view when created."""
    org = call_action("organization_show", {"ignore_auth": True}, id="region-grand-est")
    site = "http://test.ckan.net"
    created = _dataset(
        "carte",
        org,
        [
            {"url": f"{site}/fichiers-demo/p.geojson", "format": "GEOJSON"},
            {"url": f"{site}/fichiers-demo/p.kml", "format": "KML"},
        ],
    )
    views = [
        [v["view_type"] for v in call_action("resource_view_list", {}, id=r["id"])]
        for r in created["resources"]
    ]
    assert views == [["geojson_view"], ["geo_view"]]
    page = _page(module_app, "/dataset/carte")
    assert page.select_one(".dge-preview iframe") is not None
    assert page.select_one(".dge-preview-problem") is None
