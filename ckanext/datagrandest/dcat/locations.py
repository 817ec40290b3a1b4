"""Territories as ``dct:Location`` nodes with geometry: what harvesters such as data.gouv.fr read.

Each territory of a dataset is described once per graph: ``skos:prefLabel`` (its name, in
French), ``dct:identifier`` (its code), ``dcat:bbox`` (a WKT polygon) and ``dcat:centroid`` (a
WKT point), both ``gsp:wktLiteral`` in CRS84 (longitude latitude, the default CRS of a WKT
literal with no CRS URI), and ``locn:geometry``, a coarse outline as a GeoJSON literal.

Why the GeoJSON geometry as well: DCAT-AP wants bbox and centroid as ``gsp:wktLiteral``, but
data.gouv.fr's DCAT harvester (udata) reads a place's coverage only from the literals of the
Location typed either GeoJSON (IANA media type) or the older ``http://www.opengis.net/rdf#
wktLiteral``, and keeps only polygons: without the GeoJSON geometry our territories would reach
it with no coverage.  The outline is the coarse one of ``outlines.py`` (a few dozen points, a
valid polygon), so that a catalogue page naming hundreds of communes stays small.
"""

from __future__ import annotations

import json
from typing import Final

from rdflib import Graph, Literal, URIRef

from ckanext.datagrandest import outlines, territories
from ckanext.dcat.profiles.base import DCAT, DCT, GEOJSON_IMT, GSP, LOCN, RDF, SKOS

__all__ = ["bbox_wkt", "centroid_wkt", "describe"]

_WKT: Final = GSP.wktLiteral
_GEOJSON: Final = URIRef(GEOJSON_IMT)


def _number(value: float) -> str:
    # Five decimals (about a metre) without trailing zeros: "7.75", not "7.75000".
    return f"{value:.5f}".rstrip("0").rstrip(".")


def bbox_wkt(code: str) -> str | None:
    """The territory's bounding box as a WKT polygon (CRS84), or None without an outline."""
    box = outlines.bbox(code)
    if box is None:
        return None
    w, s, e, n = map(_number, box)
    return f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"


def centroid_wkt(code: str) -> str | None:
    """The territory's centroid as a WKT point (CRS84), or None without an outline."""
    point = outlines.centroid(code)
    if point is None:
        return None
    return f"POINT({_number(point[0])} {_number(point[1])})"


def describe(g: Graph, node: URIRef, territory: territories.Territory) -> None:
    """Describe the territory's Location node, unless this graph already does."""
    # A catalogue page names the same communes many times: describe each once.
    if (node, RDF.type, DCT.Location) in g:
        return
    g.add((node, RDF.type, DCT.Location))
    g.add((node, SKOS.prefLabel, Literal(territory.name, lang="fr")))
    g.add((node, DCT.identifier, Literal(territory.code)))
    box = bbox_wkt(territory.code)
    centroid = centroid_wkt(territory.code)
    geometry = outlines.coarse_geometry(territory.code)
    if box:
        g.add((node, DCAT.bbox, Literal(box, datatype=_WKT)))
    if centroid:
        g.add((node, DCAT.centroid, Literal(centroid, datatype=_WKT)))
    if geometry:
        text = json.dumps(geometry, separators=(",", ":"))
        g.add((node, LOCN.geometry, Literal(text, datatype=_GEOJSON)))
