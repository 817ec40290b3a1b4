"""Grand Est territory vocabulary (région, départements, EPCIs, communes) for tagging and search.

The data ships in ``data/territories.json``, generated from the Etalab npm package
``@etalab/decoupage-administratif`` by ``python scripts/territories/build_territories.py``
(``make territories``); nothing here touches the network or CKAN, and the file is read
once, on first use.

Codes: région "44", départements "08".."88", EPCIs by SIREN (9 digits), communes by
INSEE code (5 digits, current communes only; former delegated/associated communes are
alternative names of the commune that absorbed them).

Hierarchy: commune -> its EPCI, its département, the région; EPCI -> the départements of
its member communes, the région; département -> the région.  An EPCI may span several
départements, so a commune's ancestors never go *through* its EPCI: a commune in 54 whose
EPCI also covers 57 is not in 57.

Geographic search needs both directions, served by different helpers:

* Index side - a dataset about a place must be found from a search on any *bigger* place
  that contains it.  Index ``with_ancestors(dataset_territories)`` in one multi-valued
  field (say ``territories_with_ancestors``); then filtering that field on ``67`` finds
  datasets about the Bas-Rhin itself and about any EPCI or commune in it, and filtering on
  ``44`` finds everything located in Grand Est.
* Search side - a search on a place must also find datasets about the *bigger* places
  containing it (a dataset on the Bas-Rhin or on the whole région is relevant to
  Strasbourg).  Expand the searched code with ``with_ancestors([code])`` (the code itself
  plus ``ancestors(code)``) and filter the plain territories field on any of them:
  ``territories:(67482 OR 246700488 OR 67 OR 44)``.

Combining both (``territories_with_ancestors:X OR territories:(ancestors(X))``, X itself being
among the first field's values) answers "everything relevant to X": the places inside it and
the places around it, in one term plus at most a handful (``search.territory_filter``).
"""

from __future__ import annotations

import heapq
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, TypedDict

__all__ = [
    "DATA_PATH",
    "KINDS",
    "Kind",
    "Suggestion",
    "Territory",
    "ancestors",
    "autocomplete",
    "children",
    "get",
    "is_known",
    "label",
    "metadata",
    "normalise",
    "population",
    "postal_codes",
    "territories",
    "with_ancestors",
]

Kind = Literal["region", "departement", "epci", "commune"]

# Ordered from the biggest kind to the smallest; autocomplete ranks ties in this order.
KINDS: Final[Mapping[Kind, Mapping[str, str]]] = MappingProxyType(
    {
        "region": MappingProxyType({"fr": "région", "en": "region"}),
        "departement": MappingProxyType({"fr": "département", "en": "department"}),
        "epci": MappingProxyType({"fr": "EPCI", "en": "EPCI"}),
        "commune": MappingProxyType({"fr": "commune", "en": "municipality"}),
    }
)

DATA_PATH: Final = Path(__file__).with_name("data") / "territories.json"

_SECTIONS: Final[tuple[tuple[str, Kind], ...]] = (
    ("r", "region"),
    ("d", "departement"),
    ("e", "epci"),
    ("c", "commune"),
)
_KIND_RANK: Final = {kind: rank for rank, kind in enumerate(KINDS)}
_DEFAULT_LANG: Final = "fr"


@dataclass(frozen=True, slots=True)
class Territory:
    """One territory of the vocabulary.

    ``parents`` holds the direct parents only (see ``ancestors()`` for all of them): the
    EPCI (if any) then the département for a commune; the départements of its members,
    most members first, for an EPCI; the région for a département.  ``departement`` is
    the commune's département, the département itself, the EPCI's main département (where
    most of its members are), or None for the région.  ``outside_departements`` lists, for
    an EPCI straddling régions, its départements outside Grand Est (not in the vocabulary).
    """

    code: str
    kind: Kind
    name: str
    parents: tuple[str, ...]
    departement: str | None
    alt_names: tuple[str, ...] = ()
    outside_departements: tuple[str, ...] = ()


class Suggestion(TypedDict):
    """One autocomplete answer, ready to serialise to JSON."""

    code: str
    name: str
    kind: Kind
    departement: str | None
    label: str
    # The former commune name the query matched, when it matched no current name.
    matched_alt_name: str | None
    # The postal code the query matched, when it matched by postal code.
    matched_postal_code: str | None


_FOLD: Final = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
_NON_ALNUM: Final = re.compile(r"[^0-9a-z]+")
# Abbreviations people type for the words of place names ("st die", "ste marie").
_ABBREVIATIONS: Final = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalise(text: str) -> str:
    """Fold accents, case and punctuation: "Saint-Dié-des-Vosges" -> "saint die des vosges"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_FOLD).casefold())
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return _NON_ALNUM.sub(" ", ascii_text).strip()


class _Vocabulary:
    """The loaded data plus the lookup tables autocomplete needs, built once."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.header: Mapping[str, Any] = MappingProxyType(dict(document["h"]))
        outside: Mapping[str, list[str]] = document.get("x", {})
        self.by_code: dict[str, Territory] = {}
        for section, kind in _SECTIONS:
            for row in document[section]:
                code, name, parents = row[0], row[1], tuple(row[2])
                self.by_code[code] = Territory(
                    code=code,
                    kind=kind,
                    name=name,
                    parents=parents,
                    departement=_own_departement(code, kind, parents),
                    alt_names=tuple(row[3]) if len(row) > 3 else (),
                    outside_departements=tuple(outside.get(code, ())),
                )
        self.ancestors = {code: self._walk_up(t) for code, t in self.by_code.items()}
        self.population: dict[str, int] = dict(document.get("p", {}))
        self.postal_codes: dict[str, tuple[str, ...]] = {
            code: tuple(codes) for code, codes in document.get("z", {}).items()
        }
        self.children: dict[str, list[str]] = {}
        # A commune is under its EPCI and its département (not the EPCI's other départements).
        for territory in self.by_code.values():
            for parent in territory.parents:
                self.children.setdefault(parent, []).append(territory.code)
        self._build_search_index()

    def _walk_up(self, territory: Territory) -> tuple[str, ...]:
        # Breadth first so that nearer ancestors come first; an EPCI is never climbed
        # through because it may span départements its member commune is not in.
        found: list[str] = []
        level = list(territory.parents)
        while level:
            next_level: list[str] = []
            for code in level:
                if code in found:
                    continue
                found.append(code)
                parent = self.by_code.get(code)
                if parent is not None and parent.kind != "epci":
                    next_level.extend(parent.parents)
            level = next_level
        return tuple(found)

    def _build_search_index(self) -> None:
        # Sorted the way autocomplete breaks ties: bigger kind, then name, then code.
        self.territories = sorted(
            self.by_code.values(), key=lambda t: (_KIND_RANK[t.kind], normalise(t.name), t.code)
        )
        # (compact key, padded spaced key, territory index, alternative name or None):
        # the compact key makes "saintdie" and "saint die" both match "Saint-Dié-...",
        # the padded spaced key (" saint die des vosges") finds word starts.
        names: list[tuple[str, str, int, str | None]] = []
        for index, territory in enumerate(self.territories):
            seen: set[str] = set()
            for text, alt in [(territory.name, None), *((a, a) for a in territory.alt_names)]:
                spaced = normalise(text)
                # A former name differing only by accents or hyphens adds nothing.
                if spaced and spaced not in seen:
                    seen.add(spaced)
                    names.append((spaced.replace(" ", ""), " " + spaced, index, alt))
        names.sort(key=lambda entry: (entry[0], entry[2]))
        self.names = names
        self.name_keys = [entry[0] for entry in names]
        codes: list[tuple[str, int, str | None]] = [
            (t.code.casefold(), i, None) for i, t in enumerate(self.territories)
        ]
        for index, territory in enumerate(self.territories):
            codes.extend(
                (postal, index, postal) for postal in self.postal_codes.get(territory.code, ())
            )
        # (code or postal code, territory index, the postal code or None), sorted by key.
        self.codes: list[tuple[str, int, str | None]] = sorted(
            codes, key=lambda entry: (entry[0], entry[1], entry[2] or "")
        )
        self.code_keys = [code for code, _, _ in self.codes]
        self.rank_population = [-self.population.get(t.code, 0) for t in self.territories]
        self.longest_key = max(max(map(len, self.name_keys)), max(map(len, self.code_keys)))


def _own_departement(code: str, kind: Kind, parents: tuple[str, ...]) -> str | None:
    if kind == "departement":
        return code
    if kind == "epci":
        return parents[0] if parents else None
    if kind == "commune":
        # A commune's parents are [EPCI, département] or just [département].
        return parents[-1] if parents else None
    return None


@cache
def _vocabulary() -> _Vocabulary:
    with DATA_PATH.open(encoding="utf-8") as stream:
        return _Vocabulary(json.load(stream))


def _clean(code: object) -> str | None:
    return code.strip() if isinstance(code, str) else None


def get(code: str) -> Territory | None:
    """Return the territory with this code, or None if the code is not in the vocabulary."""
    cleaned = _clean(code)
    return _vocabulary().by_code.get(cleaned) if cleaned is not None else None


def is_known(code: str) -> bool:
    """Tell whether the code is a Grand Est région, département, EPCI or commune code."""
    return get(code) is not None


def ancestors(code: str) -> list[str]:
    """All territories containing this one, nearest first; [] for the région or an unknown code.

    Commune -> [EPCI, département, région]; EPCI -> [département(s)..., région];
    département -> [région].
    """
    cleaned = _clean(code)
    if cleaned is None:
        return []
    return list(_vocabulary().ancestors.get(cleaned, ()))


def with_ancestors(codes: Iterable[str]) -> list[str]:
    """The given codes (first, in order) followed by all their ancestors, without duplicates.

    Unknown codes are kept as given (they just add no ancestors); blank ones are dropped.
    """
    vocabulary = _vocabulary()
    result: dict[str, None] = {}
    own = [c for c in (_clean(code) for code in codes) if c]
    for code in own:
        result.setdefault(code)
    for code in own:
        for ancestor in vocabulary.ancestors.get(code, ()):
            result.setdefault(ancestor)
    return list(result)


def children(code: str) -> list[Territory]:
    """The territories directly inside this one, bigger kinds first, then by name.

    Région -> départements; département -> its EPCIs (those with a member commune in it)
    and its communes; EPCI -> its member communes; commune -> [].
    """
    cleaned = _clean(code)
    if cleaned is None:
        return []
    vocabulary = _vocabulary()
    found = [vocabulary.by_code[c] for c in vocabulary.children.get(cleaned, ())]
    return sorted(found, key=lambda t: (_KIND_RANK[t.kind], normalise(t.name), t.code))


def population(code: str) -> int | None:
    """The population the source package gives (sum of communes above an EPCI), or None."""
    cleaned = _clean(code)
    return _vocabulary().population.get(cleaned) if cleaned is not None else None


def postal_codes(code: str) -> list[str]:
    """A commune's postal codes ([] for other kinds and unknown codes)."""
    cleaned = _clean(code)
    return list(_vocabulary().postal_codes.get(cleaned, ())) if cleaned is not None else []


def territories(kind: Kind | None = None) -> list[Territory]:
    """Every territory (or those of one kind), bigger kinds first, then by name."""
    everything = _vocabulary().territories
    return [t for t in everything if kind is None or t.kind == kind]


def metadata() -> Mapping[str, Any]:
    """The data file header: source package, version, licence, generation command, counts."""
    return _vocabulary().header


def _language(lang: str) -> str:
    # Accept CKAN locales such as "fr_FR" or "en-GB"; this is a French portal, so any
    # language without its own labels gets the French ones.
    base = lang.replace("-", "_").split("_")[0].lower()
    return base if base in KINDS["region"] else _DEFAULT_LANG


def _label(territory: Territory, lang: str) -> str:
    kind = KINDS[territory.kind][_language(lang)]
    if territory.kind == "region":
        return f"{territory.name} ({kind})"
    if territory.kind == "epci":
        where = "/".join((*territory.parents, *territory.outside_departements))
    else:
        where = territory.departement or ""
    return f"{territory.name} ({kind}, {where})" if where else f"{territory.name} ({kind})"


def label(code: str, lang: str = _DEFAULT_LANG) -> str:
    """Display text such as "Strasbourg (commune, 67)"; the code itself if it is unknown."""
    territory = get(code)
    if territory is None:
        return code if isinstance(code, str) else str(code)
    return _label(territory, lang)


# Match quality, best first.
_EXACT, _PREFIX, _WORD_START, _SUBSTRING = range(4)


def _variants(query: str) -> list[str]:
    """The normalised query, then with "st"/"ste" spelt out (a query "st" may mean Strasbourg)."""
    spaced = normalise(query)
    words = spaced.split(" ")
    expanded = " ".join(_ABBREVIATIONS.get(word, word) for word in words)
    return [spaced] if expanded == spaced else [spaced, expanded]


def autocomplete(query: str, limit: int = 10, lang: str = _DEFAULT_LANG) -> list[Suggestion]:
    """Territories whose name, former name, code or postal code matches the query, best first.

    Matching ignores accents, case, spaces and punctuation, and reads "st"/"ste" as
    "saint"/"sainte".  Ranking: exact name or code (INSEE, SIREN or postal code), then
    names/codes starting with the query, then names with a word starting with it, then names
    merely containing it; among equally good matches, a current name before a former one,
    then the larger population first (the région, then départements, then towns before
    villages), then alphabetical order.
    """
    if not isinstance(query, str) or limit <= 0:
        return []
    vocabulary = _vocabulary()
    variants = [v for v in _variants(query) if v and len(v) <= 2 * vocabulary.longest_key]
    if not variants:
        return []

    # index -> (quality, former name?, -population, index, former name, postal code)
    best: dict[int, tuple[int, bool, int, int, str | None, str | None]] = {}

    def offer(index: int, quality: int, alt: str | None, postal: str | None = None) -> None:
        key = (quality, alt is not None, vocabulary.rank_population[index], index, alt, postal)
        current = best.get(index)
        if current is None or key[:4] < current[:4]:
            best[index] = key

    for spaced in variants:
        # The spelt-out variant matches whole words only: "ste" is "sainte", not "saint e...".
        spelt_out = spaced is not variants[0]
        compact = spaced.replace(" ", "")
        if len(compact) > vocabulary.longest_key:
            continue
        # Prefixes (and exact matches) come from binary searches over sorted keys, which is
        # enough on its own whenever they already fill the limit: the others rank lower.
        start = bisect_left(vocabulary.code_keys, compact)
        for code, index, postal in vocabulary.codes[start:]:
            if not code.startswith(compact):
                break
            offer(index, _EXACT if code == compact else _PREFIX, None, postal)
        start = bisect_left(vocabulary.name_keys, compact)
        for key, padded, index, alt in vocabulary.names[start:]:
            if not key.startswith(compact):
                break
            if not spelt_out or padded.startswith(" " + spaced):
                offer(index, _EXACT if key == compact else _PREFIX, alt)
        if len(best) < limit:
            word_start = " " + spaced
            for key, padded, index, alt in vocabulary.names:
                if compact in key and not key.startswith(compact):
                    if word_start in padded:
                        offer(index, _WORD_START, alt)
                    elif not spelt_out:
                        offer(index, _SUBSTRING, alt)

    ranked = heapq.nsmallest(limit, best.values(), key=lambda item: item[:4])
    suggestions: list[Suggestion] = []
    for _, _, _, index, alt, postal in ranked:
        territory = vocabulary.territories[index]
        suggestions.append(
            Suggestion(
                code=territory.code,
                name=territory.name,
                kind=territory.kind,
                departement=territory.departement,
                label=_label(territory, lang),
                matched_alt_name=alt,
                matched_postal_code=postal,
            )
        )
    return suggestions
