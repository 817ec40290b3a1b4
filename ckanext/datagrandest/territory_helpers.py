"""Template helpers for territory maps: ``h.datagrandest_outline_svg(codes)``."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.datagrandest import maps, outlines, territories
from ckanext.datagrandest.language import page_language

__all__ = ["datagrandest_outline_svg", "datagrandest_territory_kind"]


def _kind(territory: territories.Territory) -> str:
    return territories.KINDS[territory.kind]["en" if page_language().startswith("en") else "fr"]


def datagrandest_territory_kind(code: str) -> str:
    """ "commune", "département"... in the page's language; "" for an unknown code."""
    territory = territories.get(code)
    return _kind(territory) if territory else ""


def _as_codes(codes: Any) -> list[str]:
    if isinstance(codes, str):
        codes = codes.split(",")
    if not isinstance(codes, list | tuple):
        return []
    return [c.strip() for c in codes if isinstance(c, str) and c.strip()]


def datagrandest_outline_svg(codes: Any, children: bool = False, width: int = 480) -> Markup:
    """An inline SVG map of the territories' outlines, framed on them.

    ``codes``: a code, a comma-separated text or a list (a dataset's ``territories``).
    ``children``: also draw the territories directly inside (one territory only), each a link
    to its page.  Returns "" when none of the codes has an outline, so a template can write
    ``{% set map = h.datagrandest_outline_svg(codes) %}{% if map %}...{% endif %}``.
    """
    found = [
        t for t in map(territories.get, _as_codes(codes)) if t and outlines.has_outline(t.code)
    ]
    if not found:
        return Markup("")
    url = tk.h.datagrandest_territory_url
    shapes = [maps.Shape(t.code, t.name, url(t.code)) for t in found]
    inner: list[maps.Shape] = []
    if children and len(found) == 1:
        kids = territories.children(found[0].code)
        # A département page draws its EPCIs; its communes are listed, not drawn.
        if any(k.kind == "epci" for k in kids) and found[0].kind == "departement":
            kids = [k for k in kids if k.kind == "epci"]
        inner = [
            maps.Shape(k.code, k.name, url(k.code)) for k in kids if outlines.has_outline(k.code)
        ]
        shapes = [maps.Shape(found[0].code, found[0].name)]
    names = ", ".join(f"{t.name} ({_kind(t)})" for t in found)
    title = tk._("Map of {names}").format(names=names)
    if inner:
        description = tk._(
            "Outline of {names} and of the {count} territories it contains, "
            "each a link to its page."
        ).format(names=names, count=len(inner))
    else:
        description = tk._("Outline of {names} (simplified official boundaries, IGN).").format(
            names=names
        )
    return Markup(maps.svg(shapes, title, description, inner, width))
