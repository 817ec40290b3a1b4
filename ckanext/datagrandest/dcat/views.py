"""Around ckanext-dcat's RDF endpoints: unknown formats, charset, the catalogue's local view.

* An unknown format is a 404 with a French message, not rdflib's 500.
* Every RDF answer says ``charset=utf-8``: ckanext-dcat sends ``text/turtle`` (and
  ``application/rdf+xml``, ``application/ld+json``) without one, and a client following HTTP's
  default for ``text/*`` decodes it as Latin-1 ("EuromÃ©tropole").
* Content negotiation on ``/`` (``Accept: text/turtle``...) gives the catalogue, as ckanext-dcat
  documents, although the portal's home page owns that route.
* ``/catalog.{ttl,rdf,xml,jsonld}?origine=locale`` (and the same parameter with content
  negotiation on ``/``) lists only the datasets first published on DataGrandEst
  (``dcat/origin.py``), for portals that harvest us and must not take back what they gave
  us.  Paging works as on the full catalogue; its ``hydra`` links keep the parameter.
"""

from __future__ import annotations

import math
from typing import Any, Final
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, make_response

from ckanext.datagrandest.dcat import origin
from ckanext.dcat.exceptions import RDFProfileException
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import CONTENT_TYPES, catalog_uri, check_access_header, read_catalog_page

blueprint = Blueprint("datagrandest_dcat", __name__)

# ckanext-dcat routes /catalog.<_format> and /dataset/<id>.<_format> for any format and
# then fails inside rdflib with a 500 when it is not one it can write.
_RDF_ENDPOINTS = frozenset({"dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series"})
_RDF_MEDIA_TYPES: Final = frozenset(CONTENT_TYPES.values())
ORIGIN_PARAM: Final = "origine"
_PER_PAGE_DEFAULT: Final = 100


@blueprint.before_app_request
def reject_unknown_rdf_format() -> None:
    if tk.request.endpoint not in _RDF_ENDPOINTS:
        return
    requested = (tk.request.view_args or {}).get("_format")
    if requested and requested not in CONTENT_TYPES:
        formats = ", ".join(sorted(CONTENT_TYPES))
        tk.abort(404, f"Format « {requested} » inconnu : formats disponibles {formats}.")


@blueprint.after_app_request
def declare_utf8(response: Response) -> Response:
    """RDF answers are UTF-8 (rdflib writes it, Flask encodes it): say so in the header."""
    if response.mimetype in _RDF_MEDIA_TYPES and "charset" not in (
        response.headers.get("Content-Type") or ""
    ):
        response.headers["Content-Type"] = f"{response.mimetype}; charset=utf-8"
    return response


def _is_catalogue_request() -> bool:
    if tk.request.endpoint == "dcat.read_catalog":
        return True
    # The portal's home page takes "/" before ckanext-dcat's content negotiation on it:
    # a client asking for RDF there still gets the catalogue.
    return tk.request.path == "/" and tk.request.method == "GET" and bool(check_access_header())


@blueprint.before_app_request
def local_catalogue() -> Response | None:
    """``?origine=locale`` on the catalogue: only the datasets first published here."""
    if not _is_catalogue_request():
        return None
    if ORIGIN_PARAM not in tk.request.args:
        if tk.request.endpoint == "dcat.read_catalog":
            return None  # ckanext-dcat's own view
        response: Response = read_catalog_page(check_access_header())
        return response
    value = tk.request.args.get(ORIGIN_PARAM, "")
    if value != origin.LOCAL:
        tk.abort(
            400,
            f"Valeur « {value} » inconnue pour le paramètre {ORIGIN_PARAM} : seule "
            f"« {origin.LOCAL} » existe (jeux de données publiés d'abord sur DataGrandEst).",
        )
    _format = (tk.request.view_args or {}).get("_format") or check_access_header()
    if not _format or _format not in CONTENT_TYPES:
        return None  # the HTML page, or the unknown-format 404 above
    page = _page(tk.request.args.get("page"))
    per_page = int(tk.config.get("ckanext.dcat.datasets_per_page") or _PER_PAGE_DEFAULT)
    query = tk.get_action("package_search")(
        {},
        {
            "q": "*:*",
            "fq": f"+{origin.local_filter()}",
            "fq_list": ["-dataset_type:harvest", "-dataset_type:showcase"],
            "rows": per_page,
            "start": per_page * (page - 1),
            "sort": "metadata_modified desc",
        },
    )
    profiles = tk.request.args.get("profiles")
    try:
        serializer = RDFSerializer(profiles=profiles.split(",") if profiles else None)
    except RDFProfileException as error:
        tk.abort(409, str(error))
    output = serializer.serialize_catalog(
        {},
        query["results"],
        _format=_format,
        pagination_info=_pagination(query["count"], page, per_page, profiles),
    )
    response = make_response(output)
    response.headers["Content-Type"] = f"{CONTENT_TYPES[_format]}; charset=utf-8"
    return response


def _page(value: str | None) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        page = 0
    if page < 1:
        tk.abort(409, "Le paramètre page doit être un entier supérieur ou égal à 1.")
    return page


def _pagination(count: int, page: int, per_page: int, profiles: str | None) -> dict[str, Any]:
    """ckanext-dcat's pagination_info, with links that keep ``origine=locale``."""
    if count == 0:
        return {}
    base = catalog_uri() + tk.request.path

    def url(number: int) -> str:
        params = {ORIGIN_PARAM: origin.LOCAL}
        if profiles:
            params["profiles"] = profiles
        params["page"] = str(number)
        return f"{base}?{urlencode(params)}"

    last = max(1, math.ceil(count / per_page))
    info: dict[str, Any] = {
        "count": count,
        "items_per_page": per_page,
        "current": url(page),
        "first": url(1),
        "last": url(last),
    }
    if page > 1:
        info["previous"] = url(min(page - 1, last))
    if page < last:
        info["next"] = url(page + 1)
    return info
