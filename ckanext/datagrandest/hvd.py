"""High-value datasets (EU Implementing Regulation 2023/138): its ELI and the HVD categories.

Shared by the schema's validators, the search facet, the harvesters and the DCAT export; no
CKAN, no network.  The categories are the EU table in ``data/eu_vocabularies.json``
(``vocabularies.hvd_categories()``: 6 top categories and their sub-categories).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

from ckanext.datagrandest import lists, vocabularies

__all__ = [
    "HVD_CATEGORY_SCHEME",
    "HVD_LEGISLATION",
    "category",
    "category_choices",
    "category_label",
    "category_uri",
    "facet_label",
    "index_values",
    "is_hvd",
    "legislation_uri",
    "uri_list",
]

# The regulation's ELI, as the DCAT-AP HVD shapes require it (sh:hasValue).
HVD_LEGISLATION: Final = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
HVD_CATEGORY_SCHEME: Final = "http://data.europa.eu/bna/asd487ae75"
# The same regulation written otherwise: https, no "/oj", the French-language manifestation,
# a trailing slash, EUR-Lex's CELEX page.
_HVD_SPELLINGS: Final = re.compile(
    r"^https?://data\.europa\.eu/eli/reg_impl/2023/138(?:/oj(?:/[a-z]{3})?)?/?$"
    r"|^https?://eur-lex\.europa\.eu/.*32023R0138.*$",
    re.I,
)
_WEB: Final = re.compile(r"^https?://\S+$")


def _folded(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


@cache
def _lookup() -> dict[str, vocabularies.OtherConcept]:
    table: dict[str, vocabularies.OtherConcept] = {}
    for item in vocabularies.hvd_categories():
        # Labels last, so that a code or URI always wins a shared key.
        for key in (item.labels["en"], item.labels["fr"]):
            table.setdefault(_folded(key), item)
        for key in (item.code, item.uri, item.uri.replace("http://", "https://", 1)):
            table[key.casefold()] = item
    return table


def category(value: object) -> vocabularies.OtherConcept | None:
    """The HVD category with this code (``c_ac64a52d``), URI (http or https) or French or
    English label ("Mobilité", "Geospatial"), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = value.strip().rstrip("/") if "://" in value else value
    return _lookup().get(key.strip().casefold()) or _lookup().get(_folded(key))


def category_uri(value: object) -> str | None:
    found = category(value)
    return found.uri if found else None


def category_label(value: object, lang: str = "fr") -> str:
    """The category's label in the language; the value itself when it is unknown."""
    found = category(value)
    if found is not None:
        return found.label(lang)
    return value if isinstance(value, str) else str(value)


def category_choices() -> list[dict[str, Any]]:
    """Scheming ``choices``: every category by URI, each sub-category after its top category
    and marked with a dash, labels in French and English."""
    items = sorted(vocabularies.hvd_categories(), key=lambda item: item.extra.get("order", ""))
    return [
        {
            "value": item.uri,
            "label": {
                lang: ("— " if item.broader else "") + item.labels[lang] for lang in ("fr", "en")
            },
        }
        for item in items
    ]


def legislation_uri(value: object) -> str | None:
    """A legislation reference as stored: the HVD regulation in any of its spellings becomes
    its canonical ELI; any other web address is kept as given; anything else gives None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _HVD_SPELLINGS.match(text):
        return HVD_LEGISLATION
    return text if _WEB.match(text) else None


def uri_list(value: Any) -> list[str]:
    """A stored list field (a list, a JSON list text, one value) as a list of strings."""
    items = lists.from_input(value, separators=None) or []
    return [item for item in items if isinstance(item, str) and item]


def is_hvd(legislation: Any) -> bool:
    """Whether a dataset, distribution or service names the HVD regulation among its
    applicable legislation (a stored list, JSON list text or one value)."""
    return HVD_LEGISLATION in uri_list(legislation)


def index_values(legislation: Any, categories: Any) -> list[str]:
    """What the search index holds for the facet "Données de forte valeur": the regulation's
    ELI for every high-value dataset, then its categories and their top categories."""
    found = [uri for uri in (category_uri(item) for item in uri_list(categories)) if uri]
    if not found and not is_hvd(legislation):
        return []
    values: dict[str, None] = {HVD_LEGISLATION: None}
    for uri in found:
        item = category(uri)
        if item is not None and item.broader:
            top = category(item.broader)
            if top is not None:
                values.setdefault(top.uri)
        values.setdefault(uri)
    return list(values)


def facet_label(value: str, lang: str = "fr") -> str:
    """The facet item's name: "Toutes les données de forte valeur" for the regulation, a
    category's label otherwise."""
    if value == HVD_LEGISLATION:
        return (
            "All high-value datasets"
            if lang.startswith("en")
            else ("Toutes les données de forte valeur")
        )
    return category_label(value, lang)
