"""Actions of the datagrandest plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datagrandest import territories
from ckanext.datagrandest.logic import schema

__all__ = ["datagrandest_territory_autocomplete"]


@tk.side_effect_free
def datagrandest_territory_autocomplete(context: Context, data_dict: DataDict) -> list[Any]:
    """Grand Est territories matching a name or code, best first.

    :param q: part of a name or code, accents and case ignored ("metz", "Épinal", "67482")
    :param limit: how many answers, 1 to 50 (default 10)
    :param lang: "fr" or "en" for the labels (default: the language of the request)
    :returns: dicts with ``code``, ``name``, ``kind``, ``departement``, ``label`` and
        ``matched_alt_name`` (the former commune name matched, if any)
    """
    tk.check_access("datagrandest_territory_autocomplete", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.territory_autocomplete(), context)
    if errors:
        raise tk.ValidationError(errors)
    lang = data.get("lang") or _request_language()
    return list(territories.autocomplete(data["q"], limit=data["limit"], lang=lang))


def _request_language() -> str:
    try:
        return tk.h.lang() or "fr"
    except RuntimeError:
        # Called outside a request (CLI, jobs): the portal's language.
        return "fr"
