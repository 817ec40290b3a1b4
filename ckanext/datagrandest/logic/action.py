"""Actions of the datagrandest plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.datagrandest import territories
from ckanext.datagrandest.harvesters import dedup, provenance
from ckanext.datagrandest.harvesters.clear import harvest_source_clear
from ckanext.datagrandest.harvesters.harvest_warnings import (
    datagrandest_harvest_warnings,
    harvest_job_list,
    harvest_job_show,
    harvest_source_show_status,
)
from ckanext.datagrandest.language import page_language
from ckanext.datagrandest.logic import schema
from ckanext.datagrandest.view_titles import resource_view_list, resource_view_show

__all__ = [
    "datagrandest_harvest_warnings",
    "datagrandest_territory_autocomplete",
    "harvest_job_list",
    "harvest_job_show",
    "harvest_source_show_status",
    "harvest_source_clear",
    "package_create",
    "package_update",
    "resource_view_list",
    "resource_view_show",
]


@tk.side_effect_free
def datagrandest_territory_autocomplete(context: Context, data_dict: DataDict) -> list[Any]:
    """Grand Est territories matching a name or code, best first.

    :param q: part of a name, INSEE/SIREN code or postal code, accents, case and hyphens
        ignored, "st"/"ste" read as saint/sainte ("metz", "Épinal", "67482", "67000", "st die")
    :param limit: how many answers, 1 to 50 (default 10)
    :param lang: "fr" or "en" for the labels (default: the language of the request)
    :returns: dicts with ``code``, ``name``, ``kind``, ``departement``, ``label``,
        ``matched_alt_name`` (the former commune name matched, if any) and
        ``matched_postal_code`` (the postal code matched, if any); larger places first
        among equally good matches
    """
    tk.check_access("datagrandest_territory_autocomplete", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.territory_autocomplete(), context)
    if errors:
        raise tk.ValidationError(errors)
    lang = data.get("lang") or page_language()
    return list(territories.autocomplete(data["q"], limit=data["limit"], lang=lang))


# CKAN turns a repeating field that is not a list of objects into a bare 400 "Integrity
# Error" in English before any validator runs; answer with a field error instead.


@tk.chained_action
def package_create(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    _drop_computed_fields(data_dict)
    _check_repeating_fields(data_dict)
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    _drop_computed_fields(data_dict)
    _check_repeating_fields(data_dict)
    return up_func(context, data_dict)


# Added by package_show on read (harvest provenance, every source a dataset was found in):
# a client that sends a dataset back as it read it, as package_patch itself does, must not
# be refused for them, and nobody may write them.
COMPUTED_FIELDS = (provenance.KEY, dedup.SOURCES_KEY)


def _drop_computed_fields(data_dict: DataDict) -> None:
    if isinstance(data_dict, dict):
        for name in COMPUTED_FIELDS:
            data_dict.pop(name, None)


def _check_repeating_fields(data_dict: DataDict) -> None:
    if not isinstance(data_dict, dict):
        return
    # Without scheming loaded (some test configurations) there are no repeating fields.
    get_schema = getattr(tk.h, "scheming_get_dataset_schema", None)
    schema = (get_schema(data_dict.get("type") or "dataset") if get_schema else None) or {}
    names = [
        f["field_name"] for f in schema.get("dataset_fields", []) if "repeating_subfields" in f
    ]
    errors: dict[str, Any] = {}
    for name in [*names, "resources", "tags", "extras", "groups"]:
        value = data_dict.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            message = tk._("Expecting a list of entries, each with named fields")
            # ValidationError expects tag errors shaped per tag ({"name": [...]}).
            errors[name] = [{"name": [message]}] if name == "tags" else [message]
    if errors:
        raise tk.ValidationError(errors)
