"""Mapping of remote vocabularies (licences, frequencies, themes, zones) onto our field values."""

from __future__ import annotations

import re
from typing import Any, Final

from ckanext.datagrandest import territories

__all__ = [
    "EU_FREQUENCY",
    "EU_THEME",
    "date_only",
    "frequency_uri",
    "license_fields",
    "tag_list",
    "territory_code",
    "theme_uris",
]

EU_FREQUENCY: Final = "http://publications.europa.eu/resource/authority/frequency/"
EU_THEME: Final = "http://publications.europa.eu/resource/authority/data-theme/"

# udata's frequency names -> EU frequency codes.
_FREQUENCIES: Final = {
    "continuous": "CONT",
    "hourly": "HOURLY",
    "fourTimesADay": "DAILY_4",
    "threeTimesADay": "DAILY_3",
    "semidaily": "DAILY_2",
    "daily": "DAILY",
    "fourTimesAWeek": "WEEKLY_4",
    "threeTimesAWeek": "WEEKLY_3",
    "semiweekly": "WEEKLY_2",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "MONTHLY_3",
    "semimonthly": "MONTHLY_2",
    "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY",
    "threeTimesAYear": "ANNUAL_3",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "quinquennial": "QUINQUENNIAL",
    "irregular": "IRREG",
    "punctual": "NEVER",
}

# Remote licence ids or labels, folded by territories.normalise -> our licence ids.
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

# Words of a theme label (French or English, folded) -> EU data themes.
_THEMES: Final = (
    ("environnement", "ENVI"),
    ("environment", "ENVI"),
    ("climat", "ENVI"),
    ("transport", "TRAN"),
    ("mobilit", "TRAN"),
    ("economi", "ECON"),
    ("econom", "ECON"),
    ("financ", "ECON"),
    ("entreprise", "ECON"),
    ("education", "EDUC"),
    ("culture", "EDUC"),
    ("sport", "EDUC"),
    ("sante", "HEAL"),
    ("health", "HEAL"),
    ("administration", "GOVE"),
    ("government", "GOVE"),
    ("citoyen", "GOVE"),
    ("citizenship", "GOVE"),
    ("agricult", "AGRI"),
    ("energ", "ENER"),
    ("social", "SOCI"),
    ("societe", "SOCI"),
    ("population", "SOCI"),
    ("justice", "JUST"),
    ("securite", "JUST"),
    ("recherche", "TECH"),
    ("science", "TECH"),
    ("amenagement", "REGI"),
    ("urbanisme", "REGI"),
    ("territoire", "REGI"),
    ("international", "INTR"),
)

_ZONE: Final = re.compile(r"^fr:(commune|departement|region|epci):([0-9A-Za-z]+)(@.*)?$")
_TAG_OK: Final = re.compile(r"^[\w .-]{2,100}$", re.UNICODE)


def frequency_uri(udata_frequency: Any) -> str | None:
    code = _FREQUENCIES.get(str(udata_frequency or ""))
    return EU_FREQUENCY + code if code else None


def license_fields(remote: Any) -> dict[str, str]:
    """license_id (and license_other when we have no equivalent) for a remote licence."""
    text = str(remote or "").strip()
    if not text:
        return {}
    folded = territories.normalise(text)
    for needle, license_id in _LICENSES:
        if needle in folded:
            return {"license_id": license_id}
    return {"license_id": "other", "license_other": text}


def theme_uris(labels: Any) -> list[str]:
    found: list[str] = []
    for label in labels if isinstance(labels, list) else [labels]:
        words = territories.normalise(str(label or "")).split()
        for needle, code in _THEMES:
            # Word prefixes: "transport" must not match "sport".
            hit = any(word.startswith(needle) for word in words)
            if hit and EU_THEME + code not in found:
                found.append(EU_THEME + code)
    return found


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
