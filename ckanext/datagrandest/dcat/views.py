"""Guards in front of ckanext-dcat's RDF endpoints: an unknown format is a 404, not a 500."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.dcat.utils import CONTENT_TYPES

blueprint = Blueprint("datagrandest_dcat", __name__)

# ckanext-dcat routes /catalog.<_format> and /dataset/<id>.<_format> for any format and
# then fails inside rdflib with a 500 when it is not one it can write.
_RDF_ENDPOINTS = frozenset({"dcat.read_catalog", "dcat.read_dataset", "dcat.read_dataset_series"})


@blueprint.before_app_request
def reject_unknown_rdf_format() -> None:
    if tk.request.endpoint not in _RDF_ENDPOINTS:
        return
    requested = (tk.request.view_args or {}).get("_format")
    if requested and requested not in CONTENT_TYPES:
        formats = ", ".join(sorted(CONTENT_TYPES))
        tk.abort(404, f"Format « {requested} » inconnu : formats disponibles {formats}.")
