"""Mapping of remote vocabularies (licences, frequencies, themes, zones) onto our field values."""

from __future__ import annotations

import functools
import re
from typing import Any, Final

from ckanext.datagrandest import territories, vocabularies

__all__ = [
    "date_only",
    "frequency_uri",
    "license_fields",
    "tag_list",
    "territory_code",
    "theme_uris",
]

# udata's frequency names (every value udata documents) -> EU frequency codes of our
# vocabulary. The EU table we offer has no "n times a day/week/month/year" nor
# "every five years": those become OTHER rather than a wrong neighbour.
_FREQUENCIES: Final = {
    "punctual": "NEVER",
    "continuous": "UPDATE_CONT",
    "hourly": "HOURLY",
    "fourTimesADay": "OTHER",
    "threeTimesADay": "OTHER",
    "semidaily": "OTHER",
    "daily": "DAILY",
    "fourTimesAWeek": "OTHER",
    "threeTimesAWeek": "OTHER",
    "semiweekly": "OTHER",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "OTHER",
    "semimonthly": "OTHER",
    "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY",
    "threeTimesAYear": "OTHER",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "quinquennial": "OTHER",
    "irregular": "IRREG",
    "unknown": "UNKNOWN",
}

# Remote licence ids or labels our licence list does not spell, folded by
# territories.normalise -> our licence ids; searched as whole words, most specific first.
_LICENSES: Final = (
    ("odbl", "odc-odbl"),
    ("open database", "odc-odbl"),
    ("by sa", "cc-by-sa-4.0"),
    ("cc0", "cc-zero-1.0"),
    ("cc zero", "cc-zero-1.0"),
    ("public domain", "cc-zero-1.0"),
    ("cc by", "cc-by-4.0"),
    ("creative commons attribution", "cc-by-4.0"),
    ("lov2", "etalab-2.0"),
    ("fr lo", "etalab-2.0"),
    ("licence ouverte", "etalab-2.0"),
    ("open licence", "etalab-2.0"),
    ("etalab", "etalab-2.0"),
)

# Theme words of remote portals (French or English, folded, singular) -> EU data themes,
# besides the EU labels themselves. Whole words only: "transports" is not "sport".
_THEMES: Final = {
    "environnement": "ENVI",
    "environment": "ENVI",
    "climat": "ENVI",
    "transport": "TRAN",
    "mobilite": "TRAN",
    "deplacement": "TRAN",
    "economie": "ECON",
    "economy": "ECON",
    "economique": "ECON",
    "finance": "ECON",
    "entreprise": "ECON",
    "education": "EDUC",
    "enseignement": "EDUC",
    "culture": "EDUC",
    "sport": "EDUC",
    "sportif": "EDUC",
    "sportive": "EDUC",
    "sante": "HEAL",
    "health": "HEAL",
    "administration": "GOVE",
    "gouvernement": "GOVE",
    "government": "GOVE",
    "citoyennete": "GOVE",
    "citizenship": "GOVE",
    "agriculture": "AGRI",
    "agricole": "AGRI",
    "energie": "ENER",
    "energy": "ENER",
    "social": "SOCI",
    "sociale": "SOCI",
    "societe": "SOCI",
    "population": "SOCI",
    "justice": "JUST",
    "securite": "JUST",
    "recherche": "TECH",
    "science": "TECH",
    "amenagement": "REGI",
    "urbanisme": "REGI",
    "territoire": "REGI",
    "international": "INTR",
    "internationale": "INTR",
}

_ZONE: Final = re.compile(r"^fr:(commune|departement|region|epci):([0-9A-Za-z]+)(@.*)?$")
_WORD: Final = re.compile(r"[a-z0-9]+")
_TAG_OK: Final = re.compile(r"^[\w .-]{2,100}$", re.UNICODE)


def frequency_uri(udata_frequency: Any) -> str | None:
    """EU frequency URI for a udata frequency name (or an EU code or URI given as is)."""
    value = str(udata_frequency or "").strip()
    return vocabularies.frequency_uri(value) or vocabularies.frequency_uri(_FREQUENCIES.get(value))


def _words(text: str) -> str:
    """Folded text with one space around each word, for whole-word searches."""
    return f" {' '.join(_WORD.findall(territories.normalise(text)))} "


@functools.cache
def _known_licenses() -> dict[str, str]:
    """Our licences by id, URI and French/English label, as vocabularies.py knows them."""
    known: dict[str, str] = {}
    for item in vocabularies.licenses():
        names = [item.id, *item.labels.values()]
        known.update({_words(name): item.id for name in names})
        if item.uri:
            rest = item.uri.split("://", 1)[-1].rstrip("/").lower()
            known[rest] = item.id
    return known


def license_fields(remote: Any) -> dict[str, str]:
    """license_id (and license_other when we have no equivalent) for a remote licence."""
    text = str(remote or "").strip()
    if not text:
        return {}
    known = _known_licenses()
    license_id = known.get(_words(text)) or known.get(text.split("://", 1)[-1].rstrip("/").lower())
    if license_id is None:
        folded = _words(text)
        license_id = next((i for needle, i in _LICENSES if f" {needle} " in folded), None)
    if license_id is None or license_id == "other":
        return {"license_id": "other", "license_other": text}
    return {"license_id": license_id}


@functools.cache
def _theme_names() -> dict[str, str]:
    """EU data-theme labels (French and English, folded) and our synonyms -> theme codes."""
    names = {
        _words(label).strip(): c.code for c in vocabularies.themes() for label in c.labels.values()
    }
    return {**names, **_THEMES}


def theme_uris(labels: Any) -> list[str]:
    """EU theme URIs named by remote theme labels: a whole EU label, else whole words."""
    names = _theme_names()
    codes: list[str] = []
    for label in labels if isinstance(labels, list) else [labels]:
        folded = _words(str(label or "")).strip()
        if folded in names:
            codes.append(names[folded])
            continue
        for word in folded.split():
            # Plurals: "transports", "finances", "territoires".
            code = names.get(word) or names.get(word.rstrip("sx"))
            if code:
                codes.append(code)
    found = (vocabularies.theme_uri(code) for code in dict.fromkeys(codes))
    return [uri for uri in found if uri]


def territory_code(zone: Any) -> str | None:
    """Our territory code for a udata zone id (fr:commune:67482...), when it is in Grand Est."""
    match = _ZONE.match(str(zone or ""))
    if not match:
        return None
    code = match.group(2)
    return code if territories.is_known(code) else None


def date_only(value: Any) -> str | None:
    text = str(value or "")
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def tag_list(words: Any) -> list[dict[str, str]]:
    """CKAN tags from remote keywords, dropping those CKAN's tag rules would reject."""
    tags: list[dict[str, str]] = []
    seen: set[str] = set()
    for word in words if isinstance(words, list) else []:
        name = str(word or "").strip()[:100]
        if _TAG_OK.match(name) and name.lower() not in seen:
            seen.add(name.lower())
            tags.append({"name": name})
    return tags
