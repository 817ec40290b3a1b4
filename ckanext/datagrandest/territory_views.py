"""Territory pages, ``/territoire/<code>``: a place, its map, its datasets and its publishers.

One page per territory of ``territories.py`` (région, département, EPCI by SIREN, commune by
INSEE code).  The datasets are those of the hierarchical territory search (``search.py``):
about the place, about what contains it and about what it contains.  An unknown code is a
404 page in the visitor's language.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.datagrandest import territories

__all__ = ["publishers_based_in", "territory_blueprint"]

territory_blueprint = Blueprint("datagrandest_territory", __name__)

DATASETS_SHOWN = 10


@territory_blueprint.route("/territoire/<code>")
def read(code: str) -> str:
    """The page of one territory."""
    territory = territories.get(code)
    if territory is None:
        return tk.abort(
            404, tk._("Unknown territory: no région, département, EPCI or commune has this code.")
        )
    datasets = _datasets(territory.code)
    return tk.render(
        "datagrandest/territory.html",
        extra_vars={
            "territory": territory,
            "ancestors": [
                t for t in map(territories.get, territories.ancestors(territory.code)) if t
            ],
            "children": territories.children(territory.code),
            "population": territories.population(territory.code),
            "postal_codes": territories.postal_codes(territory.code),
            "datasets": datasets["results"],
            "dataset_count": datasets["count"],
            "publishers": publishers_based_in(territory.code),
        },
    )


def _datasets(code: str) -> dict[str, Any]:
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        return tk.get_action("package_search")(
            context,
            {
                "fq": f'territory:"{code}"',
                "rows": DATASETS_SHOWN,
                "sort": "metadata_modified desc",
                "include_private": False,
            },
        )
    except tk.ValidationError:
        return {"results": [], "count": 0}


def _codes(value: Any) -> list[str]:
    # Scheming stores the list as JSON text in the group's extras.
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else value.split(",")
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [c.strip() for c in value if isinstance(c, str) and c.strip()]


def publishers_based_in(code: str) -> list[dict[str, Any]]:
    """Publishers whose territory of competence is this place or a place inside it.

    Read with one query on the organisations' ``territories`` extra: the page needs only each
    publisher's name and title, not ``organization_list``'s counts and extras of every group.
    """
    rows = (
        model.Session.query(model.Group.name, model.Group.title, model.GroupExtra.value)
        .join(model.GroupExtra, model.GroupExtra.group_id == model.Group.id)
        .filter(
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
            model.GroupExtra.key == "territories",
            model.GroupExtra.state == "active",
        )
        .all()
    )
    found = [
        {"name": name, "title": title}
        for name, title, value in rows
        if (codes := _codes(value)) and code in territories.with_ancestors(codes)
    ]
    return sorted(found, key=lambda org: territories.normalise(org["title"] or org["name"]))
