"""Search facets of /dataset with French labels, and the display names of their items."""

from __future__ import annotations

from collections import OrderedDict

import ckan.plugins.toolkit as tk

from ckanext.datagrandest import hvd, territories, vocabularies
from ckanext.datagrandest.quality.indicators import GRADE_LABELS

_BODY_KINDS = {
    "state_service": {"fr": "Service de l'État / préfecture", "en": "State service / prefecture"},
    "region": {"fr": "Région", "en": "Region"},
    "departement": {"fr": "Département", "en": "Département"},
    "epci": {"fr": "EPCI (intercommunalité)", "en": "EPCI (inter-municipality)"},
    "commune": {"fr": "Commune", "en": "Municipality"},
    "public_establishment": {"fr": "Établissement public", "en": "Public establishment"},
    "syndicate": {"fr": "Syndicat mixte ou intercommunal", "en": "Joint authority (syndicat)"},
    "association": {"fr": "Association", "en": "Association"},
    "other": {"fr": "Autre", "en": "Other"},
}


def dataset_facets(facets_dict: OrderedDict[str, str]) -> OrderedDict[str, str]:
    """Our facets first, then CKAN's organization and tags (groups are not used here)."""
    ours: OrderedDict[str, str] = OrderedDict(
        [
            ("vocab_departements", tk._("Department")),
            ("vocab_communes", tk._("Municipality")),
            ("vocab_body_kind", tk._("Kind of publisher")),
            ("vocab_theme", tk._("Theme")),
            ("vocab_hvd_category", tk._("High-value datasets")),
            ("res_format", tk._("Format")),
            ("license_id", tk._("Licence")),
            ("vocab_quality_grade", tk._("Metadata quality")),
        ]
    )
    for key in ("organization", "tags"):
        if key in facets_dict:
            ours[key] = facets_dict[key]
    return ours


# Facets whose raw values are codes or URIs, to be shown by name.
LABELLED_FACETS = frozenset(
    {
        "vocab_departements",
        "vocab_communes",
        "vocab_territories",
        "vocab_theme",
        "vocab_hvd_category",
        "vocab_body_kind",
        "res_format",
        "license_id",
        "vocab_quality_grade",
    }
)


def body_kind_label(kind: str, lang: str = "fr") -> str:
    labels = _BODY_KINDS.get(kind)
    return labels["en" if lang.startswith("en") else "fr"] if labels else kind


def item_label(facet: str, value: str, lang: str = "fr") -> str:
    """The name shown for a facet item: territory and theme names rather than codes/URIs."""
    if facet in ("vocab_departements", "vocab_communes", "vocab_territories"):
        found = territories.get(value)
        return found.name if found else value
    if facet == "vocab_theme":
        return vocabularies.theme_label(value, lang)
    if facet == "vocab_hvd_category":
        return hvd.facet_label(value, lang)
    if facet == "vocab_body_kind":
        return body_kind_label(value, lang)
    if facet == "res_format":
        return vocabularies.file_type_label(value, lang)
    if facet == "license_id":
        return vocabularies.license_label(value, lang)
    if facet == "vocab_quality_grade":
        return GRADE_LABELS.get(value, value)  # MQA grades, French words in any language
    return value
