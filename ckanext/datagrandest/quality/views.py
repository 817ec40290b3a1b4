"""Quality pages: a publisher's (for its editors) and the whole portal's (for sysadmins)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.datagrandest.quality import report

__all__ = ["blueprint"]

blueprint = Blueprint("datagrandest_quality", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user else ""}


@blueprint.route("/organization/<id>/qualite")
def publisher(id: str) -> str:
    """Average score, grades, broken links and datasets to fix first, for the editors."""
    context = _context()
    try:
        org = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
        tk.check_access("package_create", context, {"owner_org": org["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the editors of this publisher may see its quality"))
    found = report.build(org["id"])
    # The organization templates read these.
    tk.g.group_dict = org
    return tk.render(
        "datagrandest/quality/publisher.html",
        extra_vars={"group_dict": org, "group_type": "organization", "report": found},
    )


@blueprint.route("/ckan-admin/qualite")
def portal() -> str:
    """The same for the whole portal, with one line per publisher, for sysadmins."""
    try:
        tk.check_access("sysadmin", _context())
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Need to be system administrator to administer"))
    found = report.build(None)
    by_org: dict[str, dict[str, Any]] = {}
    for row in found["rows"]:
        entry = by_org.setdefault(
            row["organization"], {"name": row["organization"], "count": 0, "total": 0, "broken": 0}
        )
        entry["count"] += 1
        entry["total"] += row["score"]
        entry["broken"] += row["broken_links"]
    publishers = sorted(
        ({**e, "average": round(e["total"] / e["count"], 1)} for e in by_org.values()),
        key=lambda e: e["average"],
    )
    return tk.render(
        "datagrandest/quality/portal.html",
        extra_vars={"report": found, "publishers": publishers},
    )
