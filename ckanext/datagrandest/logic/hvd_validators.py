"""Validators of the high-value dataset fields (``applicable_legislation``, ``hvd_category``).

Registered with the others through ``logic/validators.py``.  A person gets errors (French
through our catalogue); a harvested record keeps what can be kept and gets warnings, as the
other vocabulary fields do.  A dataset naming the HVD regulation must give what the DCAT-AP
HVD shapes ask of it (a category, an API with its documentation, a contact point): the
checks below say which when a person saves it, except in the web form's first step (a draft
without resources): from its first resource on, the resource form shows what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.datagrandest import hvd, lists
from ckanext.datagrandest.dcat import services
from ckanext.datagrandest.harvesters import harvest_warnings as hw

__all__ = [
    "datagrandest_hvd_categories",
    "datagrandest_hvd_dataset",
    "datagrandest_legislation_list",
]


def _items(value: Any) -> list[Any] | None:
    """A list from an API list, a JSON list text, a comma/semicolon/line-separated text (not
    spaces: a category may be given by its label); None if not."""
    return lists.from_input(value, r"[,;\n]+")


def _shown(value: Any) -> str:
    return hw.shown(value)


def _uri_list(
    key: FlattenKey,
    data: FlattenDataDict,
    errors: FlattenErrorDict,
    context: Context,
    to_uri: Callable[[object], str | None],
    warnings: tuple[str, str],
    refusals: tuple[Callable[[], str], Callable[[str], str]],
) -> None:
    """The list at ``key`` stored as a JSON list of the URIs ``to_uri`` gives its items.

    A person gets the ``refusals`` (not a list; an item without a URI, shown); a harvested
    record keeps the rest, with the ``warnings`` (French: an unreadable list, an item left
    out)."""
    unreadable, left_out = warnings
    not_a_list, refused = refusals
    items = _items(data.get(key))
    harvested = hw.harvesting(context)
    if items is None:
        if harvested:
            hw.warn(context, f"{unreadable} : {_shown(data.get(key))}")
            data[key] = "[]"
            return
        errors[key].append(not_a_list())
        return
    found: dict[str, None] = {}
    for item in items:
        uri = to_uri(item)
        if uri:
            found.setdefault(uri)
        elif harvested:
            hw.warn(context, f"{left_out} : {_shown(item)}" + hw.where(key, data))
        else:
            errors[key].append(refused(_shown(item)))
    if not errors[key]:
        data[key] = json.dumps(list(found))


def datagrandest_legislation_list(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Applicable legislation: web addresses (ELI URIs), stored as a JSON list; the HVD
    regulation in any spelling is stored as its canonical ELI."""
    _uri_list(
        key,
        data,
        errors,
        context,
        hvd.legislation_uri,
        ("législation applicable illisible ignorée", "législation applicable invalide ignorée"),
        (
            lambda: tk._("Expecting a list of web addresses"),
            lambda shown: tk._(
                "Not a web address of a legal act: {value} (for high-value datasets: {eli})"
            ).format(value=shown, eli=hvd.HVD_LEGISLATION),
        ),
    )


def datagrandest_hvd_categories(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """HVD categories (code, URI or label of the EU table), stored as a JSON list of URIs."""
    _uri_list(
        key,
        data,
        errors,
        context,
        hvd.category_uri,
        (
            "catégorie de données de forte valeur illisible ignorée",
            "catégorie de données de forte valeur non reconnue",
        ),
        (
            lambda: tk._("Expecting a list of values"),
            lambda shown: tk._("Unknown high-value dataset category: {value}").format(value=shown),
        ),
    )


def _resource_indexes(data: FlattenDataDict) -> list[int]:
    return sorted(
        {key[1] for key in data if len(key) == 3 and key[0] == "resources" and key[2] == "url"}
    )


def _filled(value: Any) -> bool:
    if value is tk.missing or value is None:
        return False
    if isinstance(value, str):
        text = value.strip()
        return bool(text) and text not in ("[]", '[""]')
    if isinstance(value, list):
        return any(_filled(item) for item in value)
    return bool(value)


def _store(data: FlattenDataDict, key: FlattenKey, value: str) -> None:
    """Change a field validated earlier: scheming's ``convert_to_extras`` has already copied
    its value into the extras, which are what gets saved."""
    data[key] = value
    if len(key) != 1:
        return
    for flat in list(data):
        if len(flat) == 3 and flat[0] == "extras" and flat[2] == "key" and data[flat] == key[0]:
            data[("extras", flat[1], "value")] = value


def datagrandest_hvd_dataset(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """On ``hvd_category``, after its own check: what a high-value dataset must give.

    Categories without the regulation: the regulation is added (categories only exist under
    it).  The regulation without a category, without an API resource with its documentation,
    or without a contact point: an error for a person (a draft without resources, the web
    form's first step, is let through), a warning for a harvested record.
    """
    if errors[key]:
        return
    legislation_key = key[:-1] + ("applicable_legislation",)
    legislation = hvd.uri_list(data.get(legislation_key))
    categories = hvd.uri_list(data.get(key))
    if categories and hvd.HVD_LEGISLATION not in legislation:
        if not errors.get(legislation_key):
            _store(data, legislation_key, json.dumps([*legislation, hvd.HVD_LEGISLATION]))
        legislation.append(hvd.HVD_LEGISLATION)
    if hvd.HVD_LEGISLATION not in legislation:
        return
    harvested = hw.harvesting(context)
    indexes = _resource_indexes(data)
    if not harvested and not indexes and data.get(key[:-1] + ("state",)) == "draft":
        # The web form's first step, before any resource: checked from the first resource
        # on (its resource form shows the errors; CKAN's final "publish" step would not).
        return
    problems: list[tuple[str, str]] = []
    if not categories:
        problems.append(
            (
                tk._(
                    "A high-value dataset needs its category (EU Implementing Regulation "
                    "2023/138): choose at least one"
                ),
                "jeu de données de forte valeur sans catégorie",
            )
        )
    apis = [
        index
        for index in indexes
        if services.service_kind(
            {field: data.get(("resources", index, field)) for field in ("url", "format", "is_api")}
        )
    ]
    if not apis:
        problems.append(
            (
                tk._(
                    "A high-value dataset must be available through an API: add a resource "
                    'whose "API" field says "Yes, a service (API)"'
                ),
                "jeu de données de forte valeur sans API",
            )
        )
    elif not any(_filled(data.get(("resources", index, "documentation"))) for index in apis):
        problems.append(
            (
                tk._(
                    'A high-value dataset\'s API needs its documentation: fill "Documentation" '
                    "of the API resource with the address of a page describing it"
                ),
                "API d'un jeu de données de forte valeur sans documentation",
            )
        )
    contacts = [
        k
        for k in data
        if len(k) == 3 and k[0] == "contact" and k[2] in ("email", "url") and _filled(data[k])
    ]
    if not contacts:
        problems.append(
            (
                tk._(
                    "A high-value dataset needs a contact point with an email address or a "
                    "web page"
                ),
                "jeu de données de forte valeur sans point de contact",
            )
        )
    for message, warning in problems:
        if harvested:
            hw.warn(context, warning)
        else:
            errors[key].append(message)
