"""Map previews of other sites' WMS and WFS services, read by the visitor's browser itself.

ckanext-geoview offers its OpenLayers viewer (``geo_view``) for another site's resource only
through its server-side proxy, which stays closed here (``previews.py``: it would fetch any
address from inside our network). A service is not a file to fetch: the browser asks it for
its capabilities, its map images (WMS GetMap) and its features (WFS GetFeature as GeoJSON),
which public services allow (CORS). ``assets/service_maps.js`` does that in the viewer and
says in the page when the service cannot be read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ckanext.datagrandest.previews import is_service
from ckanext.geoview.plugin import OLGeoView

__all__ = ["ServiceMapView", "is_service", "service_address"]

# Parameters of one request, not of the service: the viewer adds its own.
_REQUEST_PARAMS = frozenset(
    {"service", "request", "version", "outputformat", "typename", "typenames", "layers",
     "srsname", "crs", "srs", "bbox", "maxfeatures", "count", "format", "width", "height",
     "styles", "transparent"}
)  # fmt: skip
_LAYER_PARAMS = ("layers", "typename", "typenames")


def service_address(url: str) -> tuple[str, list[str]]:
    """(the service's base address, the layers or feature types its URL names).

    Publishers often give a GetCapabilities or GetMap request as the service's URL; the
    viewer needs the address alone, and keeps the layers the URL (or its ``#fragment``, as
    geoview reads it) names.
    """
    parts = urlsplit(url.strip())
    layers: list[str] = []
    kept = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _LAYER_PARAMS:
            layers.extend(v for v in value.split(",") if v)
        elif key.lower() not in _REQUEST_PARAMS:
            kept.append((key, value))
    layers.extend(v for v in parts.fragment.split(",") if v)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    return base, list(dict.fromkeys(layers))


class ServiceMapView(OLGeoView):
    """Geoview's OpenLayers viewer (view type ``geo_view``), also for the WMS and WFS services
    of other sites. Loaded as ``datagrandest_geo_view`` in place of geoview's ``geo_view``
    (never both: they share the view type), so that CKAN makes the view with each such
    resource, hand-entered or harvested (``ckan.views.default_views``)."""

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        if is_service(data_dict["resource"]):
            return True
        return bool(super().can_view(data_dict))

    def setup_template_variables(
        self, context: dict[str, Any], data_dict: dict[str, Any]
    ) -> dict[str, Any]:
        variables: dict[str, Any] = super().setup_template_variables(context, data_dict)
        resource = data_dict["resource"]
        if is_service(resource):
            base, layers = service_address(str(resource["url"]))
            fmt = str(resource.get("format") or "").lower()
            variables["dge_service"] = {
                "kind": "wfs" if fmt.startswith("wfs") else "wms",
                "url": base,
                "layers": layers,
            }
        return variables
