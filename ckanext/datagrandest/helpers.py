"""Template helpers, named datagrandest_*: vocabulary choices and territory display."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.datagrandest import facets, hvd, territories, vocabularies
from ckanext.datagrandest.language import page_language
from ckanext.datagrandest.portal_helpers import (
    datagrandest_home,
    datagrandest_home_map,
    datagrandest_number,
    datagrandest_publisher_harvest_sources,
    datagrandest_site_text,
    datagrandest_territory_url,
)
from ckanext.datagrandest.previews import (
    datagrandest_coverage_svg,
    datagrandest_preview,
    datagrandest_preview_problem,
)
from ckanext.datagrandest.quality.helpers import datagrandest_harvest_grade_changes
from ckanext.datagrandest.territory_helpers import (
    datagrandest_outline_svg,
    datagrandest_territory_kind,
)

__all__ = [
    "datagrandest_harvest_grade_changes",
    "datagrandest_coverage_svg",
    "datagrandest_preview",
    "datagrandest_preview_problem",
    "datagrandest_outline_svg",
    "datagrandest_territory_kind",
    "datagrandest_body_kind_label",
    "datagrandest_harvest_warnings",
    "datagrandest_home",
    "datagrandest_home_map",
    "datagrandest_number",
    "datagrandest_publisher_harvest_sources",
    "datagrandest_site_text",
    "datagrandest_territory_url",
    "datagrandest_hvd_category_choices",
    "datagrandest_license_choices",
    "datagrandest_license_label",
    "datagrandest_territories",
    "datagrandest_territory_label",
    "datagrandest_vocabulary_choices",
]


def datagrandest_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the EU vocabulary named by ``vocabulary:``."""
    return vocabularies.choices(field["vocabulary"])


def datagrandest_hvd_category_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the EU high-value dataset categories."""
    return hvd.category_choices()


def datagrandest_license_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    return vocabularies.license_choices()


def datagrandest_license_label(license_id: str) -> str:
    return vocabularies.license_label(license_id, page_language())


def datagrandest_body_kind_label(kind: str) -> str:
    return facets.body_kind_label(kind, page_language())


def datagrandest_territory_label(code: str) -> str:
    """ "Strasbourg (commune, 67)" in the page's language; the code if it is unknown."""
    return territories.label(code, page_language())


def datagrandest_territories(value: Any) -> list[dict[str, Any]]:
    """Codes (list, JSON list or comma-separated) -> code, name, kind label and full label."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else value.split(",")
        except ValueError:
            value = [value]
    if not isinstance(value, list):
        return []
    lang = page_language()
    out = []
    for code in value:
        if not isinstance(code, str) or not code.strip():
            continue
        found = territories.get(code)
        out.append(
            {
                "code": code.strip(),
                "name": found.name if found else code.strip(),
                "kind": territories.KINDS[found.kind]["en" if lang == "en" else "fr"]
                if found
                else "",
                "label": territories.label(code, lang),
            }
        )
    return out


def datagrandest_harvest_warnings(package_id: str) -> list[str]:
    """The last import's warnings of a harvested dataset, for a user who may edit it; else []."""
    try:
        return list(tk.get_action("datagrandest_harvest_warnings")({}, {"id": package_id}))
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []
