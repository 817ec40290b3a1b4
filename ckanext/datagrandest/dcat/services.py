"""Data services: which resources are APIs, and how they are exported as ``dcat:DataService``.

A resource is an API when it says so (``is_api``), when its format is a service type of the
EU file-type table (``WMS_SRVC``, ``WFS_SRVC``, ``WMTS_SRVC``, ``WCS_SRVC``, ``REST``), or
when its address is one: an OGC ``service=`` query (WMS, WFS, WMTS, WCS, CSW), a path ending
in ``/wms``, ``/wfs``... , an OGC API (``/collections``), an Opendatasoft API
(``/api/records/1.0/``, ``/api/explore/v2.x/``) or a CKAN API (``/api/3/action/``).  A
resource with a file format (CSV, GeoJSON...) that does not say ``is_api`` stays a file, even
when an API serves it.

Each API resource stays a ``dcat:Distribution`` (with its access URL) and gets a
``dcat:DataService`` through ``dcat:accessService``: title, ``dcat:endpointURL`` (the service
address without its request), ``dcat:endpointDescription`` (the resource's own, else the OGC
GetCapabilities document or the API's published description), ``dct:conformsTo`` the OGC
standard, ``dcat:servesDataset`` the dataset, the dataset's contact points, the resource's
documentation (``foaf:page``), its licence; on a catalogue page the catalogue lists it with
``dcat:service``.  The high-value fields are added by ``dcat/hvd.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from ckanext.datagrandest import hvd, vocabularies

__all__ = [
    "KINDS",
    "ServiceKind",
    "endpoint_description",
    "endpoint_url",
    "service_kind",
    "service_ref",
    "service_to_graph",
]

_OGC_SERVICE_TYPE: Final = "http://www.opengis.net/def/serviceType/ogc/"


@dataclass(frozen=True, slots=True)
class ServiceKind:
    """A kind of API: its code, a French title, the standard it follows, its file type."""

    code: str
    title: str
    standard: str | None = None
    file_type: str | None = None
    # Published description of the API when it is the same for every endpoint of the kind.
    description: str | None = None


KINDS: Final[Mapping[str, ServiceKind]] = {
    "WMS": ServiceKind("WMS", "Service de cartes OGC WMS", _OGC_SERVICE_TYPE + "wms", "WMS_SRVC"),
    "WFS": ServiceKind(
        "WFS", "Service d'objets géographiques OGC WFS", _OGC_SERVICE_TYPE + "wfs", "WFS_SRVC"
    ),
    "WMTS": ServiceKind(
        "WMTS", "Service de tuiles OGC WMTS", _OGC_SERVICE_TYPE + "wmts", "WMTS_SRVC"
    ),
    "WCS": ServiceKind(
        "WCS", "Service de couvertures OGC WCS", _OGC_SERVICE_TYPE + "wcs", "WCS_SRVC"
    ),
    "CSW": ServiceKind("CSW", "Service de catalogue OGC CSW", _OGC_SERVICE_TYPE + "csw"),
    "OGC_API": ServiceKind(
        "OGC_API",
        "API OGC Features",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "REST",
    ),
    "ODS": ServiceKind(
        "ODS",
        "API Opendatasoft",
        None,
        "REST",
        "https://help.opendatasoft.com/apis/ods-explore-v2/",
    ),
    "CKAN": ServiceKind(
        "CKAN", "API CKAN", None, "REST", "https://docs.ckan.org/en/latest/api/index.html"
    ),
    "REST": ServiceKind("REST", "API", None, "REST"),
}
# The OGC kinds whose endpoint answers GetCapabilities.
_CAPABILITIES: Final = frozenset({"WMS", "WFS", "WMTS", "WCS", "CSW"})
_BY_FILE_TYPE: Final = {
    "WMS_SRVC": "WMS",
    "WFS_SRVC": "WFS",
    "WMTS_SRVC": "WMTS",
    "WCS_SRVC": "WCS",
}
_OGC_PATH: Final = re.compile(r"/(wms|wfs|wmts|wcs|csw)(?:/|$)", re.I)
_ODS_PATH: Final = re.compile(r"/api/(?:records/1\.0|explore/v2(?:\.\d+)?|datasets/1\.0)/", re.I)
_CKAN_PATH: Final = re.compile(r"/api/(?:3/)?action/[a-z_]+", re.I)
_OGC_API_PATH: Final = re.compile(r"/collections(?:/|$)|/ogcapi/|/ogc/features", re.I)
_TRUE: Final = frozenset({"true", "1", "yes", "oui", "on"})


def _is_api(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in _TRUE)


def _url_kind(url: str) -> ServiceKind | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    query = {key.lower(): value.upper() for key, value in parse_qsl(parts.query)}
    if query.get("service") in KINDS and query["service"] in _CAPABILITIES:
        return KINDS[query["service"]]
    if parts.path.lower().endswith("wmtscapabilities.xml"):
        return KINDS["WMTS"]
    if _ODS_PATH.search(parts.path):
        return KINDS["ODS"]
    if _CKAN_PATH.search(parts.path):
        return KINDS["CKAN"]
    if _OGC_API_PATH.search(parts.path):
        return KINDS["OGC_API"]
    match = _OGC_PATH.search(parts.path)
    return KINDS[match.group(1).upper()] if match else None


def service_kind(resource: Mapping[str, Any]) -> ServiceKind | None:
    """The kind of API a resource is (see the module docstring), or None for a file."""
    fmt = vocabularies.file_type_code(resource.get("format")) if resource.get("format") else None
    if fmt in _BY_FILE_TYPE:
        return KINDS[_BY_FILE_TYPE[fmt]]
    api = _is_api(resource.get("is_api")) or fmt == "REST"
    if fmt is not None and not api:
        return None  # a file, whatever serves it
    url = resource.get("url")
    found = _url_kind(url) if isinstance(url, str) and url else None
    if api:
        return found or KINDS["REST"]
    return found


_REQUEST_KEYS: Final = frozenset({"request", "version", "acceptversions"})


def endpoint_url(url: str, kind: ServiceKind) -> str:
    """The service's address: for an OGC service, the URL without its request
    (``REQUEST=GetCapabilities``, ``VERSION``); other APIs as given."""
    if kind.code not in _CAPABILITIES:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _REQUEST_KEYS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def endpoint_description(url: str, kind: ServiceKind) -> str | None:
    """Where the service describes itself: the GetCapabilities document of an OGC service,
    the published description of an Opendatasoft or CKAN API; None when unknown."""
    if kind.code not in _CAPABILITIES:
        return kind.description
    parts = urlsplit(endpoint_url(url, kind))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "service"]
    query += [("SERVICE", kind.code), ("REQUEST", "GetCapabilities")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def service_ref(distribution: URIRef) -> URIRef:
    """The data service's URI: its distribution's, one level down (stable as it is)."""
    return URIRef(f"{distribution}/service")


def _urls(value: Any) -> list[str]:
    return [v.strip() for v in hvd.uri_list(value) if v.strip().startswith("http")]


def service_to_graph(
    graph: Graph,
    resource: Mapping[str, Any],
    distribution: URIRef,
) -> URIRef | None:
    """Describe the resource's data service and link it to its distribution and the dataset
    that has it; None (nothing added) for a file."""
    kind = service_kind(resource)
    url = resource.get("access_url") or resource.get("url")
    if kind is None or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    node = service_ref(distribution)
    g = graph
    g.add((distribution, DCAT.accessService, node))
    g.add((node, RDF.type, DCAT.DataService))
    title = resource.get("name") or kind.title
    g.add((node, DCTERMS.title, Literal(str(title), lang="fr")))
    g.add((node, DCAT.endpointURL, URIRef(endpoint_url(url, kind))))
    description = _urls(resource.get("endpoint_description")) or [
        d for d in [endpoint_description(url, kind)] if d
    ]
    for item in description[:1]:
        g.add((node, DCAT.endpointDescription, URIRef(item)))
    if kind.standard:
        standard = URIRef(kind.standard)
        g.add((node, DCTERMS.conformsTo, standard))
        g.add((standard, RDF.type, DCTERMS.Standard))
    dataset_ref = next(g.subjects(DCAT.distribution, distribution), None)
    if dataset_ref is not None:
        g.add((node, DCAT.servesDataset, dataset_ref))
        for contact in g.objects(dataset_ref, DCAT.contactPoint):
            g.add((node, DCAT.contactPoint, contact))
    for page in _urls(resource.get("documentation")):
        g.add((node, FOAF.page, URIRef(page)))
        g.add((URIRef(page), RDF.type, FOAF.Document))
    for licence in list(g.objects(distribution, DCTERMS.license))[:1]:
        g.add((node, DCTERMS.license, licence))
    catalog = next(g.subjects(RDF.type, DCAT.Catalog), None)
    if catalog is not None:
        g.add((catalog, DCAT.service, node))
    return node
