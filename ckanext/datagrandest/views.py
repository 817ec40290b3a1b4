"""Web pages of the datagrandest plugin outside the DCAT endpoints: the harvest source preview."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.datagrandest.harvesters import preview as preview_module

__all__ = ["harvest_blueprint"]

harvest_blueprint = Blueprint("datagrandest_harvest", __name__)


@harvest_blueprint.route("/harvest/<id>/preview")
def preview(id: str) -> str:
    """What a harvest of the source would create from its first records; nothing is written.

    A GET that changes nothing (no CSRF token needed); for those who may edit the source.
    """
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        source = tk.get_action("harvest_source_show")(context, {"id": id})
        tk.check_access("harvest_source_update", context, {"id": source["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Harvest source not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the editors of this source may preview it"))
    limit = tk.request.args.get("limit", type=int) or preview_module.DEFAULT_LIMIT
    result = preview_module.preview(
        source["source_type"],
        source["url"],
        source.get("config"),
        limit,
        owner_org=source.get("owner_org"),
    )
    # The harvest templates name their routes after the dataset type.
    tk.g.dataset_type = "harvest"
    return tk.render(
        "datagrandest/harvest_preview.html",
        extra_vars={"harvest_source": source, "preview": result},
    )
