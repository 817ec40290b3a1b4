"""Dataset page previews: the coverage map, the preview or the reason there is none, in French
and English, map views of other sites' WMS/WFS services (hand-entered and harvested), geoview's
service proxy kept closed, and no "Groups" tab. The previews themselves, in a browser, are in
tests/browser/."""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from schema_support import load_plugins, region_org, small_dataset
from schema_support import sysadmin_context as admin

from ckanext.datagrandest.service_maps import service_address
from demo import ogc
from demo.replay import ReplayServer

pytestmark = pytest.mark.usefixtures("with_plugins")


def _dataset(name: str, org: dict[str, Any], resources: list[dict[str, Any]], **extra: Any) -> Any:
    return small_dataset(name, org, resources=resources, **{"territories": ["67"], **extra})


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


# --- other sites' WMS and WFS services ------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> Iterator[ReplayServer]:
    """The demo's WMS/WFS (demo/ogc.py) on a free port: another site, as far as CKAN knows."""
    with ogc.server() as server:
        yield server


def _view_types(resource_id: str) -> list[str]:
    return [v["view_type"] for v in call_action("resource_view_list", {}, id=resource_id)]


def _view_page(app: Any, dataset: str, resource_id: str) -> BeautifulSoup:
    view = call_action("resource_view_list", {}, id=resource_id)[0]
    return _page(app, f"/dataset/{dataset}/resource/{resource_id}/view/{view['id']}")


def test_a_hand_entered_wms_and_wfs_get_a_map_view(module_app, catalogue, service):
    org = call_action("organization_show", {"ignore_auth": True}, id="region-grand-est")
    wms_url = f"{service.url}/wms?SERVICE=WMS&REQUEST=GetCapabilities&LAYERS=prefectures"
    created = _dataset(
        "services-ogc",
        org,
        [
            {"url": wms_url, "format": "WMS_SRVC", "name": "Carte (WMS)"},
            {"url": f"{service.url}/wfs#dge:prefectures", "format": "WFS_SRVC"},
            {"url": "ftp://exemple.fr/wms", "format": "WMS_SRVC"},
        ],
    )
    wms, wfs, ftp = created["resources"]
    assert _view_types(wms["id"]) == ["geo_view"]
    assert _view_types(wfs["id"]) == ["geo_view"]
    assert _view_types(ftp["id"]) == []  # not a web address: nothing a browser can ask

    # the dataset page embeds the first one's map
    page = _page(module_app, "/dataset/services-ogc")
    assert page.select_one(".dge-preview iframe") is not None
    assert page.select_one(".dge-preview-problem") is None

    # the viewer asks the service itself (no proxy), at its address without the request
    viewer = _view_page(module_app, "services-ogc", wms["id"])
    settings = viewer.select_one("#dge-service-map")
    assert settings is not None
    assert json.loads(settings["data-service"]) == {
        "kind": "wms",
        "url": f"{service.url}/wms",
        "layers": ["prefectures"],
    }
    assert "service_proxy" not in str(viewer)
    assert any("service_maps" in (s.get("src") or "") for s in viewer.select("script"))
    # what the visitor reads when the service cannot be read, in French
    messages = json.loads(settings["data-messages"])
    assert messages["unreachable"].startswith("Pas de carte : le service n'a pas répondu")
    assert "GeoJSON" in messages["no_geojson"]

    wfs_settings = _view_page(module_app, "services-ogc", wfs["id"]).select_one("#dge-service-map")
    assert json.loads(wfs_settings["data-service"]) == {
        "kind": "wfs",
        "url": f"{service.url}/wfs",
        "layers": ["dge:prefectures"],
    }


def _view_tabs(app: Any, url: str) -> list[str]:
    return [tab.get_text(strip=True) for tab in _page(app, url).select("a.view-item")]


def test_a_map_view_reads_in_the_page_language_whatever_language_stored_it(
    module_app, catalogue, service
):
    """CKAN stores a view's default title in the language of whatever made the view (a harvest
    job, a page): shown as stored, French pages read "Map viewer"."""
    org = call_action("organization_show", {"ignore_auth": True}, id="region-grand-est")
    services = [{"url": f"{service.url}/wms#prefectures", "format": "WMS_SRVC"}] * 3
    resources = _dataset("cartes-titres", org, services)["resources"]
    stored = ["Map viewer", "Carte", "Carte des préfectures"]  # English, French, written
    for resource, title in zip(resources, stored, strict=True):
        view = call_action("resource_view_list", {}, id=resource["id"])[0]
        call_action("resource_view_update", admin(), id=view["id"], title=title)

    page = "/dataset/cartes-titres/resource/{}"
    french = [_view_tabs(module_app, page.format(r["id"])) for r in resources]
    english = [_view_tabs(module_app, "/en" + page.format(r["id"])) for r in resources]
    assert french == [["Carte"], ["Carte"], ["Carte des préfectures"]]
    assert english == [["Map viewer"], ["Map viewer"], ["Carte des préfectures"]]
    # the API, in the portal's language (French); outside a request, and in the database, the
    # title stays as stored
    api = module_app.get(f"/api/3/action/resource_view_list?id={resources[0]['id']}").json
    assert [v["title"] for v in api["result"]] == ["Carte"]
    first = call_action("resource_view_list", {}, id=resources[0]["id"])[0]
    assert first["title"] == "Map viewer"
    assert model.Session.get(model.ResourceView, first["id"]).title == "Map viewer"


def test_a_file_of_another_site_still_gets_no_map_view(catalogue):
    """Files are fetched whole: without the (closed) proxy, only the portal's own files."""
    org = call_action("organization_show", {"ignore_auth": True}, id="region-grand-est")
    created = _dataset(
        "kml-ailleurs", org, [{"url": "https://exemple.fr/carte.kml", "format": "KML"}]
    )
    assert _view_types(created["resources"][0]["id"]) == []


def test_a_service_added_by_an_update_gets_its_view(catalogue, service):
    """Harvesters write with package_update: the same default views."""
    dataset = call_action("package_show", {}, id="rapport")
    resources = [*dataset["resources"], {"url": f"{service.url}/wms", "format": "WMS_SRVC"}]
    updated = call_action("package_patch", admin(), id="rapport", resources=resources)
    assert _view_types(updated["resources"][-1]["id"]) == ["geo_view"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://geo.exemple.fr/geoserver/wms?SERVICE=WMS&request=GetCapabilities&VERSION=1.3.0",
            ("https://geo.exemple.fr/geoserver/wms", []),
        ),
        (
            "https://geo.exemple.fr/ows?map=/srv/a.map&service=WFS&typeName=ns:a,ns:b",
            ("https://geo.exemple.fr/ows?map=%2Fsrv%2Fa.map", ["ns:a", "ns:b"]),
        ),
        ("https://geo.exemple.fr/wms#routes", ("https://geo.exemple.fr/wms", ["routes"])),
    ],
)
def test_the_service_address_drops_the_request_and_keeps_the_layers(url, expected):
    assert service_address(url) == expected


def test_the_demo_service_answers_in_the_ogc_formats(service):
    def get(path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(service.url + path, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    status, kind, body = get("/wms?service=WMS&request=GetCapabilities&version=1.3.0")
    assert status == 200 and kind.startswith("text/xml")
    wms = "{http://www.opengis.net/wms}"
    names = [e.text for e in ET.fromstring(body).iter(f"{wms}Name")]
    assert names == ["WMS", "prefectures"]
    status, kind, body = get(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=prefectures&STYLES=&CRS=EPSG:3857"
        "&BBOX=400000,6000000,900000,6500000&WIDTH=256&HEIGHT=200&FORMAT=image/png"
    )
    assert status == 200 and kind == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    assert body[16:24] == struct.pack(">II", 256, 200)  # IHDR: the asked width and height
    status, _, body = get("/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=autre&CRS=EPSG:3857")
    assert status == 400 and b"LayerNotDefined" in body
    status, kind, body = get(
        "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=dge:prefectures"
        "&OUTPUTFORMAT=application/json&SRSNAME=EPSG:4326"
    )
    assert status == 200 and kind.startswith("application/json")
    assert len(json.loads(body)["features"]) == 10
    status, _, _ = get("/broken/wms?SERVICE=WMS&REQUEST=GetCapabilities")
    assert status == 500


# --- no CKAN groups --------------------------------------------------------------------------


def test_the_dataset_page_has_no_groups_tab(module_app, catalogue):
    """CKAN's groups are not used: themes, places and publishers organise the catalogue."""
    page = _page(module_app, "/dataset/rapport")
    links = [a["href"] for a in page.select("a[href]")]
    assert not [href for href in links if "/dataset/groups/" in href]
    assert "/dataset/activity/rapport" in links  # the other tabs stay
    assert not [href for href in links if href.rstrip("/").endswith("/group")]
