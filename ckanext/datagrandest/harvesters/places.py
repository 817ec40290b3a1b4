"""Territories a harvested record names: zone ids, codes, territory URIs and place names.

Every harvester turns what its source says about places into our territory codes here
(``territories.py``: région 44, départements, EPCI SIREN, commune INSEE code), keeping only
Grand Est territories of the kind the source says: ``fr:departement:44`` is the
Loire-Atlantique, not our région 44. Names count only when they name one territory
(``iso19139.infer_territories``); nothing is guessed from a bounding box.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from ckanext.datagrandest import territories
from ckanext.datagrandest.harvesters import iso19139

__all__ = ["from_codes_or_names", "from_zones", "other_zones", "zone_code"]

# Kinds as sources spell them -> ours.
_KINDS: Final = {
    "commune": "commune",
    "communes": "commune",
    "com": "commune",
    "epci": "epci",
    "intercommunalite": "epci",
    "departement": "departement",
    "departements": "departement",
    "dep": "departement",
    "region": "region",
    "regions": "region",
    "reg": "region",
}
# udata zone ids: "fr:commune:57463", "fr:epci:200039865@2014-01-01" (validity date),
# older "fr/commune/57463"; any other country or level is not ours.
_ZONE: Final = re.compile(
    r"^fr[:/](commune|epci|departement|region)[:/]([0-9A-Za-z]{2,9})(?:@[0-9-]+)?/?$", re.I
)
# A code behind its kind in a URI or path: id.insee.fr/geo/commune/57463,
# geo.api.gouv.fr/communes/57463, .../departement/57, .../intercommunalite/200039865.
_URI_CODE: Final = re.compile(
    r"/(communes?|epci|intercommunalite|departements?|regions?)/([0-9]{2,9})(?:[/?#.]|$)", re.I
)
# A bare official code ("57463", "57", "200039865"), or ISO 3166-2 "FR-57".
_BARE: Final = re.compile(r"^(?:FR-)?([0-9]{2}|[0-9]{5}|[0-9]{9})$", re.I)


def _of_kind(code: str, kind: str | None) -> str | None:
    territory = territories.get(code)
    if territory is None or (kind is not None and territory.kind != kind):
        return None
    return territory.code


def zone_code(zone: Any) -> str | None:
    """Our code for one udata zone (an id, or a zone object with ``id``/``code``)."""
    if isinstance(zone, dict):
        zone = zone.get("id") or zone.get("code")
    match = _ZONE.match(str(zone or "").strip())
    if not match:
        return None
    return _of_kind(match.group(2), _KINDS[match.group(1).lower()])


def from_zones(zones: Any) -> list[str]:
    """Grand Est codes among udata ``spatial.zones``, in order, without repeats."""
    found = (zone_code(zone) for zone in zones if zones) if isinstance(zones, list) else ()
    return list(dict.fromkeys(code for code in found if code))


def other_zones(zones: Any) -> list[str]:
    """The udata zones that are no Grand Est territory (``fr:epci:244900015``, ``country:fr``),
    as the source names them (validity suffix left out), in order, without repeats: kept as
    the dataset's spatial coverage rather than lost."""
    found: list[str] = []
    for zone in zones if isinstance(zones, list) else []:
        value = zone.get("id") or zone.get("code") if isinstance(zone, dict) else zone
        text = str(value or "").strip().split("@", 1)[0].strip()
        if text and len(text) <= 200 and zone_code(zone) is None:
            found.append(text)
    return list(dict.fromkeys(found))


def _one(value: str) -> str | None:
    zone = zone_code(value)
    if zone:
        return zone
    match = _URI_CODE.search(value)
    if match:
        return _of_kind(match.group(2), _KINDS.get(match.group(1).lower()))
    if value.upper() == "FR-GES":  # ISO 3166-2 code of the Grand Est région
        return "44"
    bare = _BARE.match(value)
    if bare:
        code = bare.group(1)
        # "FR-44" and a bare "44" are the Loire-Atlantique in ISO 3166-2 and INSEE terms.
        return None if code == "44" else _of_kind(code, None)
    return None


def from_codes_or_names(values: Iterable[Any]) -> list[str]:
    """Codes from zone ids, territory URIs, official codes, else place names."""
    found: dict[str, None] = {}
    names: list[str] = []
    for value in values:
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str | int) or isinstance(text, bool):
                continue
            text = str(text).strip()
            if not text:
                continue
            code = _one(text)
            if code:
                found.setdefault(code)
            elif not text.startswith(("http://", "https://")) and len(text) <= 200:
                names.append(text)
    for code in iso19139.infer_territories("", names):
        found.setdefault(code)
    return list(found)
