"""The shipped outlines (data/outlines.json.gz) and the inline SVG maps drawn from them."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from bs4 import BeautifulSoup

from ckanext.datagrandest import maps, outlines, territories

STRASBOURG = "67482"
EMS = "246700488"


def test_header_names_source_commit_and_licence() -> None:
    header = outlines.metadata()
    assert header["source"] == "https://github.com/gregoiredavid/france-geojson"
    assert re.fullmatch(r"[0-9a-f]{40}", header["commit"])
    assert "Licence Ouverte" in header["license"]
    assert "IGN Admin Express" in header["data"]
    assert header["crs"].startswith("CRS84")
    assert header["command"].startswith("python scripts/territories/build_outlines.py")
    # Built from the same territory data as the portal ships.
    assert header["territories"]["version"] == territories.metadata()["version"]


def test_file_is_small() -> None:
    size = outlines.DATA_PATH.stat().st_size
    assert size < 2_500_000, size
    text = gzip.decompress(outlines.DATA_PATH.read_bytes()).decode("utf-8")
    assert "\n" not in text.rstrip("\n")


def test_every_territory_has_an_outline() -> None:
    counts = outlines.metadata()["counts"]
    assert counts["commune_without_outline"] == 0
    # Communes merged since the source's 2018 geography are unions of their predecessors.
    assert counts["commune_merged_since_source"] > 0
    for territory in territories.territories():
        assert outlines.has_outline(territory.code), territory


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_bbox_and_centroid_are_lon_lat_in_grand_est() -> None:
    region = outlines.bbox("44")
    assert region == pytest.approx((3.38, 47.42, 8.23, 50.17), abs=0.01)
    west, south, east, north = outlines.bbox(STRASBOURG) or (0, 0, 0, 0)
    assert 7.6 < west < east < 7.9 and 48.4 < south < north < 48.7
    for territory in territories.territories():
        box = outlines.bbox(territory.code)
        centroid = outlines.centroid(territory.code)
        assert box is not None and centroid is not None
        assert box[0] < box[2] and box[1] < box[3]
        assert _inside(centroid, box) or territory.kind != "commune", territory
        if territory.departement and territory.kind == "commune":
            # A commune lies within its département's box: the source simplified communes and
            # départements separately, so their borders agree to a few metres only.
            w, s, e, n = outlines.bbox(territory.departement) or (0, 0, 0, 0)
            outer = (w - 1e-3, s - 1e-3, e + 1e-3, n + 1e-3)
            assert _inside(box[:2], outer) and _inside(box[2:], outer), territory


def test_epci_outline_is_the_union_of_its_communes() -> None:
    members = [t.code for t in territories.children(EMS)]
    boxes = [outlines.bbox(code) for code in members]
    union = (
        min(b[0] for b in boxes if b),
        min(b[1] for b in boxes if b),
        max(b[2] for b in boxes if b),
        max(b[3] for b in boxes if b),
    )
    assert outlines.bbox(EMS) == pytest.approx(union, abs=1e-4)


def test_geometry_is_closed_geojson() -> None:
    geometry = outlines.geometry(STRASBOURG)
    assert geometry is not None and geometry["type"] == "MultiPolygon"
    for polygon in geometry["coordinates"]:
        for ring in polygon:
            assert len(ring) >= 4 and ring[0] == ring[-1]
    coarse = outlines.coarse_geometry(STRASBOURG)
    assert coarse is not None
    points = sum(len(r) for p in coarse["coordinates"] for r in p)
    assert 8 <= points < sum(len(r) for p in geometry["coordinates"] for r in p)
    json.dumps(geometry)  # serialisable as is


@pytest.mark.parametrize("code", ["", "  ", "99999", "nope", None, 67482])
def test_unknown_codes(code) -> None:
    assert outlines.geometry(code) is None
    assert outlines.bbox(code) is None
    assert outlines.centroid(code) is None
    assert not outlines.has_outline(code)


def test_svg_map_has_a_text_alternative_and_linked_children() -> None:
    shape = maps.Shape(EMS, "Eurométropole de Strasbourg")
    kids = [maps.Shape(t.code, t.name, f"/territoire/{t.code}") for t in territories.children(EMS)]
    svg = maps.svg([shape], "Carte <de> l'EMS", "Contour & communes", kids, width=300)
    soup = BeautifulSoup(svg, "html.parser").find("svg")
    assert soup.find("title").get_text() == "Carte <de> l'EMS"  # escaped, read back
    assert soup.find("desc").get_text() == "Contour & communes"
    assert set(soup["aria-labelledby"].split()) == {
        soup.find("title")["id"],
        soup.find("desc")["id"],
    }
    assert not soup.get("role")  # role=img would hide the links
    links = soup.find_all("a")
    assert len(links) == len(kids) and links[0]["href"].startswith("/territoire/")
    width, height = (float(v) for v in soup["viewbox"].split()[2:])
    assert width == 300 and 100 < height < 600
    # Every point drawn lies in the frame (children outside it would be clipped anyway).
    main = soup.find("path", class_="dge-map-main")["d"]
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d", main)]
    assert numbers and all(-1 <= n <= max(width, height) + 1 for n in numbers)


def test_svg_map_of_nothing_is_empty() -> None:
    assert maps.svg([maps.Shape("nope", "Nulle part")], "Carte") == ""
    assert maps.svg([], "Carte") == ""
    # A map with no links is an image.
    svg = maps.svg([maps.Shape(STRASBOURG, "Strasbourg")], "Carte de Strasbourg")
    assert ' role="img"' in svg and "<desc" not in svg
