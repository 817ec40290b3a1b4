"""Territory maps as inline SVG, drawn on the server from the shipped outlines.

No JavaScript, no tile server: the map is part of the page, works offline and is read by
assistive technology through its title and description.  Outlines are projected with an
equirectangular projection scaled by the cosine of the map's middle latitude (true enough at
the scale of a région), then thinned to the points at least a pixel apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import count

from ckanext.datagrandest import outlines

__all__ = ["Shape", "svg"]

_PAD = 6.0
_ids = count(1)


@dataclass(frozen=True, slots=True)
class Shape:
    """One territory to draw: its code, its name (the tooltip) and an optional link."""

    code: str
    name: str
    href: str | None = None


def _bounds(codes: Iterable[str]) -> tuple[float, float, float, float] | None:
    boxes = [b for b in (outlines.bbox(c) for c in codes) if b is not None]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: float) -> None:
        west, south, east, north = bounds
        self.kx = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.kx, 1e-9)
        span_y = max(north - south, 1e-9)
        self.scale = (width - 2 * _PAD) / span_x
        self.west, self.north = west, north
        self.width = width
        self.height = span_y * self.scale + 2 * _PAD

    def path(self, code: str) -> str:
        parts = outlines.polygons(code)
        if not parts:
            return ""
        out: list[str] = []
        for polygon in parts:
            for ring in polygon:
                points = self._thin(ring)
                if len(points) >= 3:
                    first, *rest = points
                    out.append(
                        f"M{first[0]:.1f} {first[1]:.1f}"
                        + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest)
                        + "Z"
                    )
        return "".join(out)

    def _thin(self, ring: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        kept: list[tuple[float, float]] = []
        last_x = last_y = math.inf
        for lon, lat in ring:
            x = _PAD + (lon - self.west) * self.kx * self.scale
            y = _PAD + (self.north - lat) * self.scale
            if abs(x - last_x) >= 0.8 or abs(y - last_y) >= 0.8:
                kept.append((x, y))
                last_x, last_y = x, y
        return kept


def svg(
    shapes: Sequence[Shape],
    title: str,
    description: str = "",
    children: Sequence[Shape] = (),
    width: int = 480,
) -> str:
    """An ``<svg>`` of the territories (filled) and of their children (outlined, linked).

    The map is framed on ``shapes``; ``title`` and ``description`` are its text alternative.
    Returns "" when none of the territories has an outline.
    """
    return _svg(tuple(shapes), title, description, tuple(children), width)


@lru_cache(maxsize=512)
def _svg(
    shapes: tuple[Shape, ...],
    title: str,
    description: str,
    children: tuple[Shape, ...],
    width: int,
) -> str:
    bounds = _bounds(s.code for s in shapes)
    if bounds is None:
        return ""
    projection = _Projection(bounds, float(width))
    uid = f"dge-map-{next(_ids)}"
    body: list[str] = []
    for shape in shapes:
        body.append(_shape(projection, shape, "dge-map-main"))
    for child in children:
        body.append(_shape(projection, child, "dge-map-child"))
    labelled = f"{uid}-title {uid}-desc" if description else f"{uid}-title"
    # role="img" would hide the links of the children from assistive technology.
    role = "" if any(c.href for c in (*shapes, *children)) else ' role="img"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="datagrandest-map"{role} '
        f'aria-labelledby="{labelled}" viewBox="0 0 {projection.width:.0f} '
        f'{projection.height:.0f}" width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        + (f'<desc id="{uid}-desc">{escape(description)}</desc>' if description else "")
        + "<style>.dge-map-main{fill:#d6e4f5;stroke:#1d4f91;stroke-width:1.5}"
        ".dge-map-child{fill:#ffffff;fill-opacity:.35;stroke:#1d4f91;stroke-width:.6}"
        "a:hover .dge-map-child,a:focus .dge-map-child{fill:#ffcc4d;fill-opacity:.9}</style>"
        + "".join(body)
        + "</svg>"
    )


def _shape(projection: _Projection, shape: Shape, css: str) -> str:
    d = projection.path(shape.code)
    if not d:
        return ""
    name = escape(shape.name)
    path = f'<path class="{css}" fill-rule="evenodd" d="{d}"><title>{name}</title></path>'
    if shape.href:
        return f'<a href="{escape(shape.href)}" aria-label="{name}">{path}</a>'
    return path
