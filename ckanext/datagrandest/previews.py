"""Resource previews on the dataset page: which view to show, why none can be, coverage map.

Tables are previewed from the DataStore (ckanext-xloader loads CSV/XLSX there through CKAN's
job worker; datatables_view shows them), maps by ckanext-geoview. When a resource has no view,
``datagrandest_preview_problem`` says why in the visitor's language: its file could not be
loaded (xloader's error), it is still being loaded, or its format has no preview.
"""

from __future__ import annotations

import json
import logging
import math
from html import escape
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint
from markupsafe import Markup

__all__ = [
    "add_service_views",
    "datagrandest_coverage_svg",
    "datagrandest_preview",
    "datagrandest_preview_problem",
    "is_service",
]

log = logging.getLogger(__name__)

# ckanext-geoview's service proxy fetches any resource's URL from the server, outside the
# harvesters' address guard (a server-side request forgery door): it stays closed. Map views
# read same-site files directly; remote WMS/WFS answer the browser itself.
blueprint = Blueprint("datagrandest_previews", __name__)


@blueprint.before_app_request
def _no_service_proxy() -> None:
    if tk.request.endpoint == "service_proxy.proxy_service":
        tk.abort(404)


# The EU file types of the OGC services the map viewer asks from the browser (service_maps.py),
# and the bare names some sources send.
_SERVICE_FORMATS = frozenset({"wms", "wfs", "wms_srvc", "wfs_srvc"})


def is_service(resource: dict[str, Any]) -> bool:
    """A WMS or WFS resource at a web address."""
    fmt = str(resource.get("format") or "").strip().lower()
    url = str(resource.get("url") or "").strip().lower()
    return fmt in _SERVICE_FORMATS and url.startswith(("http://", "https://"))


def add_service_views(pkg_dict: dict[str, Any]) -> None:
    """The map view of each WMS/WFS resource that has none, after a package_update.

    CKAN makes the default views in package_create and resource_create only: a service added
    by a re-harvest, or by an edit of the whole dataset, would stay without its map. Written
    in the update's own transaction; nothing when geo_view is not a default view.
    """
    services = [r for r in pkg_dict.get("resources") or [] if r.get("id") and is_service(r)]
    default_views = tk.config.get("ckan.views.default_views") or []
    if isinstance(default_views, str):
        default_views = default_views.split()
    if not services or "geo_view" not in default_views:
        return
    context = {"ignore_auth": True, "defer_commit": True}
    for resource in services:
        if _views(resource["id"]):
            continue
        try:
            tk.get_action("resource_view_create")(
                dict(context),
                {
                    "resource_id": resource["id"],
                    "view_type": "geo_view",
                    "title": tk._("Map viewer"),
                },
            )
        except tk.ValidationError as error:
            # geo_view named as a default view but not loaded: the dataset's write goes on
            log.warning("No map view for resource %s: %s", resource["id"], error.error_dict)
            return


def _views(resource_id: str) -> list[dict[str, Any]]:
    try:
        views: list[dict[str, Any]] = tk.get_action("resource_view_list")(
            {"ignore_auth": True}, {"id": resource_id}
        )
    except tk.ObjectNotFound:
        return []
    return views


def datagrandest_preview(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The first resource of the dataset that has a view, with that view; None when none has."""
    for resource in pkg.get("resources") or []:
        views = _views(resource["id"])
        if views:
            return {"resource": resource, "view": views[0]}
    return None


def _xloader_task(resource_id: str) -> dict[str, Any] | None:
    try:
        task: dict[str, Any] = tk.get_action("task_status_show")(
            {"ignore_auth": True},
            {"entity_id": resource_id, "task_type": "xloader", "key": "xloader"},
        )
    except (tk.ObjectNotFound, KeyError):
        return None
    return task


def _tabular(resource: dict[str, Any]) -> bool:
    formats = str(tk.config.get("ckanext.xloader.formats") or "csv xlsx xls tsv").lower().split()
    return str(resource.get("format") or "").lower() in formats


def _xloader_error(task: dict[str, Any]) -> str:
    try:
        error = json.loads(task.get("error") or "{}")
    except ValueError:
        return str(task.get("error") or "")
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return str(error)


def datagrandest_preview_problem(resource: dict[str, Any]) -> str:
    """Why this resource has no preview, for the visitor; "" when it has one (or will)."""
    if _views(resource["id"]):
        return ""
    if _tabular(resource) and not resource.get("datastore_active"):
        task = _xloader_task(resource["id"])
        if task and task.get("state") == "error":
            reason = _xloader_error(task)
            message = tk._("No preview of this table: its file could not be read.")
            return f"{message} ({reason})" if reason else message
        if task and task.get("state") in ("pending", "submitting", "running"):
            return tk._("The preview of this table is being prepared: come back in a few minutes.")
        return tk._("No preview of this table yet: its file has not been loaded.")
    fmt = resource.get("format") or tk._("unknown")
    return tk._("No preview for this format ({format}): download the file to open it.").format(
        format=fmt
    )


# --- coverage map from the dataset's own geometry -------------------------------------------


def _geometries(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for place in pkg.get("spatial_coverage") or []:
        if not isinstance(place, dict):
            continue
        for key in ("geom", "bbox", "centroid"):
            value = place.get(key)
            try:
                geometry = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                continue
            if isinstance(geometry, dict) and geometry.get("type"):
                found.append(geometry)
                break
    return found


def _rings(geometry: dict[str, Any]) -> tuple[list[list[list[float]]], list[list[float]]]:
    """(polygon rings and lines, points) of a GeoJSON geometry, as [lon, lat] pairs."""
    kind = geometry.get("type")
    coords: Any = geometry.get("coordinates") or []
    rings: list[list[list[float]]] = []
    points: list[list[float]] = []
    try:
        if kind == "Point":
            points.append([float(coords[0]), float(coords[1])])
        elif kind == "MultiPoint":
            points.extend([float(c[0]), float(c[1])] for c in coords)
        elif kind == "LineString":
            rings.append([[float(c[0]), float(c[1])] for c in coords])
        elif kind in ("Polygon", "MultiLineString"):
            rings.extend([[float(c[0]), float(c[1])] for c in ring] for ring in coords)
        elif kind == "MultiPolygon":
            for polygon in coords:
                rings.extend([[float(c[0]), float(c[1])] for c in ring] for ring in polygon)
        elif kind == "GeometryCollection":
            for part in geometry.get("geometries") or []:
                more_rings, more_points = _rings(part)
                rings.extend(more_rings)
                points.extend(more_points)
    except (TypeError, ValueError, IndexError):
        return [], []
    return rings, points


def datagrandest_coverage_svg(pkg: dict[str, Any], width: int = 480) -> Markup:
    """The dataset's coverage map: its territories' outlines (h.datagrandest_outline_svg),
    else its own geometry (spatial coverage) drawn as inline SVG; "" when it has neither."""
    outline = tk.h.datagrandest_outline_svg(pkg.get("territories") or [])
    if outline:
        return Markup(outline)
    rings: list[list[list[float]]] = []
    points: list[list[float]] = []
    for geometry in _geometries(pkg):
        more_rings, more_points = _rings(geometry)
        rings.extend(more_rings)
        points.extend(more_points)
    every = [p for ring in rings for p in ring] + points
    if not every:
        return Markup("")
    west, east = min(p[0] for p in every), max(p[0] for p in every)
    south, north = min(p[1] for p in every), max(p[1] for p in every)
    kx = math.cos(math.radians((south + north) / 2))
    pad = 8.0
    span = max((east - west) * kx, north - south, 1e-6)
    scale = (width - 2 * pad) / span
    height = max((north - south) * scale + 2 * pad, 2 * pad + 8)

    def xy(point: list[float]) -> str:
        return f"{pad + (point[0] - west) * kx * scale:.1f},{pad + (north - point[1]) * scale:.1f}"

    title = escape(tk._("Map of the dataset's coverage"))
    description = escape(tk._("Area given by the dataset's own geometry."))
    shapes = [f'<path d="M{" L".join(xy(p) for p in ring)} Z"/>' for ring in rings if ring]
    for point in points:
        x, y = xy(point).split(",")
        shapes.append(f'<circle cx="{x}" cy="{y}" r="5"/>')
    return Markup(
        f'<svg class="dge-coverage-geometry" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" aria-labelledby="dge-cov-t dge-cov-d">'
        f'<title id="dge-cov-t">{title}</title><desc id="dge-cov-d">{description}</desc>'
        f"{''.join(shapes)}</svg>"
    )
