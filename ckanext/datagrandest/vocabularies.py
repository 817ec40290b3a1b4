"""Controlled vocabularies of the schema: EU authority tables (URIs, fr/en labels), our licences.

Stable API shared by the scheming schema, the DCAT profile and the harvesters; nothing here
touches CKAN or the network.  The data ships in ``data/eu_vocabularies.json`` (subsets of the
EU Publications Office authority tables) and ``data/licenses.json`` (CKAN's licence-list
format, loaded by CKAN itself through ``licenses_group_url``).

Vocabulary names are the EU table names: ``data-theme``, ``frequency``, ``file-type``,
``language``, ``access-right``.  Every function taking a concept accepts its code
(``"ENVI"``) or its URI; unknown values give ``None`` (or the value itself for labels) rather
than an exception, because harvested data is full of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = [
    "EU_AUTHORITY",
    "LICENSES_PATH",
    "VOCABULARIES",
    "VOCABULARIES_PATH",
    "Concept",
    "License",
    "access_right_uri",
    "access_rights",
    "choices",
    "concept",
    "concepts",
    "file_type_code",
    "file_type_label",
    "file_type_media_type",
    "file_type_uri",
    "file_types",
    "frequencies",
    "frequency_label",
    "frequency_uri",
    "label",
    "language_uri",
    "languages",
    "license",
    "license_choices",
    "license_ids",
    "license_label",
    "license_uri",
    "licenses",
    "theme_label",
    "theme_uri",
    "themes",
    "uri",
]

VocabularyName = Literal["data-theme", "frequency", "file-type", "language", "access-right"]

VOCABULARIES: Final[tuple[VocabularyName, ...]] = (
    "data-theme",
    "frequency",
    "file-type",
    "language",
    "access-right",
)
EU_AUTHORITY: Final = "http://publications.europa.eu/resource/authority/"
_DATA: Final = Path(__file__).with_name("data")
VOCABULARIES_PATH: Final = _DATA / "eu_vocabularies.json"
LICENSES_PATH: Final = _DATA / "licenses.json"
DEFAULT_LICENSE: Final = "etalab-2.0"
_DEFAULT_LANG: Final = "fr"


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of an EU authority table."""

    vocabulary: VocabularyName
    code: str
    uri: str
    labels: Mapping[str, str]
    # IANA media type, for file types that have one.
    media_type: str | None = None

    def label(self, lang: str = _DEFAULT_LANG) -> str:
        return self.labels[_language(lang)]


@dataclass(frozen=True, slots=True)
class License:
    """One licence of our list; ``uri`` is empty for "other" (its text is per dataset)."""

    id: str
    uri: str
    labels: Mapping[str, str]

    def label(self, lang: str = _DEFAULT_LANG) -> str:
        return self.labels[_language(lang)]


def _language(lang: str) -> str:
    # Accept CKAN locales such as "fr_FR" or "en-GB"; anything else gets French, the
    # portal's language.
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    return base if base in ("fr", "en") else _DEFAULT_LANG


class _Tables:
    def __init__(self, document: Mapping[str, Any], license_rows: list[dict[str, Any]]) -> None:
        self.concepts: dict[str, tuple[Concept, ...]] = {}
        self.lookup: dict[str, dict[str, Concept]] = {}
        for name in VOCABULARIES:
            rows = tuple(
                Concept(
                    vocabulary=name,
                    code=row["code"],
                    uri=f"{EU_AUTHORITY}{name}/{row['code']}",
                    labels=MappingProxyType({"fr": row["fr"], "en": row["en"]}),
                    media_type=row.get("media_type"),
                )
                for row in document[name]
            )
            self.concepts[name] = rows
            table: dict[str, Concept] = {}
            for item in rows:
                table[item.code.casefold()] = item
                table[item.uri.casefold()] = item
                # The https form shows up in harvested data; same concept.
                table[item.uri.replace("http://", "https://", 1).casefold()] = item
            self.lookup[name] = table
        self.licenses = tuple(
            License(
                id=row["id"],
                uri=row.get("url") or "",
                labels=MappingProxyType(
                    {
                        "fr": row.get("title_fr") or row["title"],
                        "en": row.get("title_en") or row["title"],
                    }
                ),
            )
            for row in license_rows
        )
        self.license_by_id = {item.id: item for item in self.licenses}
        self.formats: dict[str, str] = {}
        for item in self.concepts["file-type"]:
            for alias in (item.code, item.labels["fr"], item.labels["en"], item.media_type):
                if alias:
                    self.formats.setdefault(_format_key(alias), item.code)
        for alias, code in _FORMAT_ALIASES.items():
            self.formats[_format_key(alias)] = code


# Spellings met in the wild (CKAN's own format names, file extensions) that do not follow
# from the codes, labels and media types.
_FORMAT_ALIASES: Final = {
    "shapefile": "SHP",
    "esri shapefile": "SHP",
    "geopackage": "GPKG",
    "excel": "XLSX",
    "geotiff": "TIFF",
    "tif": "TIFF",
    "jpg": "JPEG",
    "htm": "HTML",
    "text": "TXT",
    "turtle": "RDF_TURTLE",
    "ttl": "RDF_TURTLE",
    "rdf": "RDF_XML",
    "jsonld": "JSON_LD",
    "wms": "WMS_SRVC",
    "wfs": "WFS_SRVC",
    "ogc wms": "WMS_SRVC",
    "ogc wfs": "WFS_SRVC",
}


def _format_key(value: str) -> str:
    return value.strip().lstrip(".").casefold().replace("-", " ").replace("_", " ")


@cache
def _tables() -> _Tables:
    with VOCABULARIES_PATH.open(encoding="utf-8") as stream:
        document = json.load(stream)
    with LICENSES_PATH.open(encoding="utf-8") as stream:
        license_rows = json.load(stream)
    return _Tables(document, license_rows)


# -- generic access ---------------------------------------------------------------------


def concepts(vocabulary: VocabularyName) -> list[Concept]:
    """Every concept of a vocabulary, in display order."""
    return list(_tables().concepts[vocabulary])


def concept(vocabulary: VocabularyName, value: object) -> Concept | None:
    """The concept with this code or URI (case-insensitive), or None."""
    if not isinstance(value, str):
        return None
    return _tables().lookup[vocabulary].get(value.strip().casefold())


def uri(vocabulary: VocabularyName, value: object) -> str | None:
    """The URI of the concept with this code or URI, or None if it is not in the vocabulary."""
    found = concept(vocabulary, value)
    return found.uri if found else None


def label(vocabulary: VocabularyName, value: object, lang: str = _DEFAULT_LANG) -> str:
    """The label of the concept in the language; the value itself when it is unknown."""
    found = concept(vocabulary, value)
    if found is not None:
        return found.label(lang)
    return value if isinstance(value, str) else str(value)


def choices(vocabulary: VocabularyName) -> list[dict[str, Any]]:
    """Scheming ``choices``: URI values (code for file types) with ``{fr, en}`` labels."""
    key = "code" if vocabulary == "file-type" else "uri"
    return [
        {"value": getattr(item, key), "label": dict(item.labels)}
        for item in _tables().concepts[vocabulary]
    ]


# -- one shortcut per vocabulary, the names other modules use ---------------------------


def themes() -> list[Concept]:
    """The 13 EU data themes."""
    return concepts("data-theme")


def theme_uri(value: object) -> str | None:
    return uri("data-theme", value)


def theme_label(value: object, lang: str = _DEFAULT_LANG) -> str:
    return label("data-theme", value, lang)


def frequencies() -> list[Concept]:
    return concepts("frequency")


def frequency_uri(value: object) -> str | None:
    return uri("frequency", value)


def frequency_label(value: object, lang: str = _DEFAULT_LANG) -> str:
    return label("frequency", value, lang)


def file_types() -> list[Concept]:
    return concepts("file-type")


def file_type_uri(value: object) -> str | None:
    """URI of a file type from its code (``"CSV"``), URI or a spelling ``file_type_code`` knows."""
    return uri("file-type", file_type_code(value) or value)


def file_type_label(value: object, lang: str = _DEFAULT_LANG) -> str:
    return label("file-type", file_type_code(value) or value, lang)


def file_type_media_type(value: object) -> str | None:
    found = concept("file-type", file_type_code(value) or value)
    return found.media_type if found else None


def file_type_code(value: object) -> str | None:
    """Our format code for a free spelling: "GeoJSON", ".csv", "text/csv", a URI -> code or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    found = concept("file-type", value)
    if found is not None:
        return found.code
    return _tables().formats.get(_format_key(value))


def languages() -> list[Concept]:
    return concepts("language")


def language_uri(value: object) -> str | None:
    return uri("language", value)


def access_rights() -> list[Concept]:
    return concepts("access-right")


def access_right_uri(value: object) -> str | None:
    return uri("access-right", value)


# -- licences ---------------------------------------------------------------------------


def licenses() -> list[License]:
    """Our licences, the default (Licence Ouverte 2.0) first and "other" last."""
    return list(_tables().licenses)


def license_ids() -> list[str]:
    return [item.id for item in _tables().licenses]


def license(license_id: object) -> License | None:
    return _tables().license_by_id.get(license_id) if isinstance(license_id, str) else None


def license_uri(license_id: object) -> str | None:
    """The licence URI; None for "other" or an unknown id."""
    found = license(license_id)
    return found.uri or None if found else None


def license_label(license_id: object, lang: str = _DEFAULT_LANG) -> str:
    found = license(license_id)
    if found is not None:
        return found.label(lang)
    return license_id if isinstance(license_id, str) else str(license_id)


def license_choices() -> list[dict[str, Any]]:
    """Scheming ``choices`` for a licence select."""
    return [{"value": item.id, "label": dict(item.labels)} for item in _tables().licenses]
