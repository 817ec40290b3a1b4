"""The one mapping module: a source's words turned into our field values, for every harvester.

Harvesters read their source's shape; this module decides what the words mean (STYLE.md
rule 15).  It reads the vocabularies through ``vocabularies.py`` (the complete EU tables and the
GeoDCAT-AP alignments); no CKAN, no network.

API
---
Each ``map_*`` function returns a ``Mapped``::

    Mapped(values: tuple[str, ...], recognised: bool, original: str, text: str = "", note: str = "")
    m.value  -> the first value or None

* ``recognised=True``: ``values`` are ours (file-type code, EU URI, licence id).  They may be
  empty when the source said nothing, or something that means "nothing to store" (a format
  ``api``: an API has no file type, see ``is_api_format``; a licence ``notspecified``).
* ``recognised=False``: the value was not understood.  Formats keep it as given
  (``values == ("Format maison",)``); languages, frequencies and themes give ``values == ()``
  (drop it); a licence gives ``("other",)`` with the source's text in ``text`` (our
  ``license_other``).  ``warning(kind, m)`` gives the French warning to record
  ("format non reconnu : Format maison"); None for a recognised value.

Functions (``value`` may be anything a JSON payload holds; non-strings are read as text):

* ``map_format(value, *, url=None, media_type=None)`` -> file-type code.  Codes, EU URIs,
  labels, media types, extensions, ODS/udata/CKAN/GeoNetwork names, qualified names
  (``SHP (L93)``, ``CSV LonLat``, ``netcdf4``); with no declared format, the media type then
  the URL's extension.  ``is_api_format(value)`` tells ``api``, ``web service``... apart.
* ``map_language(value)`` / ``map_languages(values)`` -> EU language URI(s).  ISO 639-1/2B/2T/3
  codes, locales (``fr-FR``), id.loc.gov/lexvo/EU URIs, names in French or English.
* ``map_frequency(value)`` -> EU frequency URI.  EU codes and URIs, udata codes, ISO 19115
  ``MD_MaintenanceFrequencyCode`` (and INSPIRE's URIs of them), Dublin Core ``cld/freq``, free
  text in French or English (``mensuelle``, ``tous les jours``, ``weekly``, ``temps réel``).
* ``map_theme(value)`` / ``map_themes(values)`` -> EU data-theme URIs (several per value at
  times).  EU codes, URIs and labels, INSPIRE theme URIs and labels (GeoDCAT-AP's alignment),
  ISO topic categories (through INSPIRE), udata/ODS/CKAN theme and group names.
  ``theme_values(mapped)`` flattens a list of results; ``keyword_themes(words)`` takes only
  keywords that name a theme whole (a fallback when a record states no theme);
  ``iso_themes(inspire, topics)`` and
  ``inspire_theme_code(word, href, thesaurus)`` serve ISO 19139 records.
* ``map_license(value)`` -> our licence id.  Ids, URIs (http/https, trailing slash, ``deed.fr``),
  SPDX ids, udata/CKAN ids, EU licence URIs and codes, titles and free text (``dct:rights``).
  A licence we do not list (CC BY 3.0, ODC-BY...) is recognised as ``other`` with its name in
  ``text``.  ``settle_license(readings)`` takes several readings (dataset, distributions,
  rights) and returns one; readings that disagree give ``other`` with their texts, never a guess.
  ``license_dict(m)`` gives the ``license_id``/``license_other`` fields.
* ``format_from_url(url)`` -> file-type code of the URL's extension, or None.
* ``clean_tags(words)`` -> tag names CKAN accepts; ``tag_list(words)`` -> ``[{"name": ...}]``.
* ``date_only(value)``; places (udata zones, codes, names) are read by ``places.py``.
* ``warning(kind, m)`` / ``warnings(kind, ms)``: ``kind`` is ``"format"``, ``"language"``,
  ``"frequency"``, ``"theme"`` or ``"license"``.

Kept for existing callers: ``frequency_uri``, ``license_fields``, ``theme_uris``, ``tag_list``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from ckanext.datagrandest import territories, vocabularies

__all__ = [
    "INSPIRE_LABELS",
    "LICENSE_OTHER_MAX",
    "Mapped",
    "clean_tags",
    "date_only",
    "format_from_url",
    "frequency_uri",
    "inspire_theme_code",
    "is_api_format",
    "iso_themes",
    "keyword_themes",
    "license_dict",
    "license_fields",
    "map_format",
    "map_frequency",
    "map_language",
    "map_languages",
    "map_license",
    "map_theme",
    "map_themes",
    "settle_license",
    "tag_list",
    "theme_uris",
    "theme_values",
    "warning",
    "warnings",
]

# The schema's limit on license_other (datagrandest_text(500)).
LICENSE_OTHER_MAX: Final = 500
# A format kept as given still has to fit a short text field.
_FORMAT_MAX: Final = 100

Kind = Literal["format", "language", "frequency", "theme", "license"]

_WARNINGS: Final[dict[str, str]] = {
    "format": "format non reconnu",
    "language": "langue non reconnue",
    "frequency": "fréquence non reconnue",
    "theme": "thème non reconnu",
    "license": "licence non reconnue",
}


@dataclass(frozen=True, slots=True)
class Mapped:
    """What a source's value became, and whether we understood it."""

    values: tuple[str, ...]
    recognised: bool
    original: str
    # Licences: the name to store as license_other when the id is "other".
    text: str = ""
    # A warning of its own, when the generic "<kind> non reconnu(e)" would mislead.
    note: str = ""

    @property
    def value(self) -> str | None:
        return self.values[0] if self.values else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _nothing(original: str = "") -> Mapped:
    return Mapped((), True, original)


def warning(kind: Kind, mapped: Mapped) -> str | None:
    """The French warning for a value we did not understand; None when we did."""
    if mapped.recognised:
        return None
    return mapped.note or f"{_WARNINGS[kind]} : {mapped.original}"


def warnings(kind: Kind, mapped: Iterable[Mapped]) -> list[str]:
    """The warnings of several results, each once."""
    found = (warning(kind, item) for item in mapped)
    return list(dict.fromkeys(w for w in found if w))


def _fold(text: str) -> str:
    """Lower case, no accents, words separated by one space."""
    return " ".join(_WORD.findall(territories.normalise(text)))


_WORD: Final = re.compile(r"[a-z0-9]+")


# -- formats ----------------------------------------------------------------------------

_API_WORDS: Final = frozenset(
    {
        "api",
        "api rest",
        "rest api",
        "api json",
        "json api",
        "web service",
        "webservice",
        "service web",
        "service",
        "application programming interface",
    }
)
# Words too common to be read as a format inside a longer name ("Access database" is caught
# whole by the vocabulary, "Text of the law" must not become TXT).
_TOKEN_STOP: Final = frozenset(
    {"text", "access", "word", "web", "page", "md", "mid", "nc", "data", "map", "file", "bin"}
)
_QUALIFIER: Final = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_TOKENS: Final = re.compile(r"[\s/,;:+|]+")
_VERSION: Final = re.compile(r"(?<=[a-z])[\s_-]?v?\d+(?:\.\d+)*$", re.I)


def is_api_format(value: Any) -> bool:
    """Whether a declared format says "an API" rather than a file type (udata's ``api``)."""
    return _fold(_text(value)) in _API_WORDS


def _format_code(text: str) -> str | None:
    code = vocabularies.file_type_code(text)
    if code:
        return code
    # "SHP (L93)", "GeoJSON [WGS84]": the qualifier says a projection or a packaging.
    bare = " ".join(_QUALIFIER.sub(" ", text).split())
    if bare and bare != text:
        code = vocabularies.file_type_code(bare) or _versionless(bare)
        if code:
            return code
    code = _versionless(text)
    if code:
        return code
    tokens = [t for t in _TOKENS.split(bare or text) if t]
    if 1 < len(tokens) <= 4:
        for token in tokens:
            if token.casefold() in _TOKEN_STOP:
                continue
            code = vocabularies.file_type_code(token) or _versionless(token)
            if code:
                return code
    return None


def _versionless(text: str) -> str | None:
    # "netcdf4", "GML 3.2", "KML v2.2": the version of a format is not another format.
    stripped = _VERSION.sub("", text).strip()
    return vocabularies.file_type_code(stripped) if stripped and stripped != text else None


def format_from_url(url: Any) -> str | None:
    """File-type code the extension of a URL's last path segment gives (``.tar.gz`` too)."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1].casefold()
    if "." not in name:
        return None
    parts = name.split(".")
    # ".tar.gz" before ".gz"
    if len(parts) > 2:
        code = vocabularies.extension_file_type(".".join(parts[-2:]))
        if code:
            return code
    return vocabularies.extension_file_type(parts[-1])


def map_format(value: Any, *, url: Any = None, media_type: Any = None) -> Mapped:
    """A resource format as our file-type code; an unknown one is kept as given.

    Without a declared format, the media type then the URL's extension are used.  A declared
    format we do not know stays as it is (``recognised=False``): the URL does not overrule
    what the source says.
    """
    text = _text(value)
    if text:
        if is_api_format(text):
            return _nothing(text)
        code = _format_code(text)
        if code:
            return Mapped((code,), True, text)
        return Mapped((text[:_FORMAT_MAX],), False, text)
    hint = vocabularies.media_type_file_type(media_type) or format_from_url(url)
    return Mapped((hint,), True, "") if hint else _nothing()


# -- languages --------------------------------------------------------------------------

_LANGUAGE_URI: Final = re.compile(
    r"(?:id\.loc\.gov/vocabulary/iso639-[125]|lexvo\.org/id/iso639-[135]|"
    r"publications\.europa\.eu/resource/authority/language)/([A-Za-z]{2,3})\b"
)
_LOCALE: Final = re.compile(r"^([A-Za-z]{2,3})[-_][A-Za-z0-9]{2,8}$")


@functools.cache
def _language_index() -> tuple[dict[str, str], dict[str, str]]:
    """(ISO code -> EU URI, folded name -> EU URI); ISO 639-1 over 639-2/T and 639-3 over
    639-2/B where a code is shared; names of the languages with an ISO 639-1 code first."""
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    items = vocabularies.languages()
    for position in (0, 2, 3, 1):
        for item in items:
            if len(item.iso) > position and item.iso[position]:
                by_code.setdefault(item.iso[position], item.uri)
    ranked = sorted(items, key=lambda item: not (item.iso and item.iso[0]))
    for item in ranked:
        if item.iso and not any(item.iso[:3]) and item.labels["fr"] == item.labels["en"]:
            continue  # an autonym only, not a French or English name
        for name in item.labels.values():
            by_name.setdefault(_fold(name), item.uri)
    by_name.update(
        {_fold(k): vocabularies.EU_AUTHORITY + "language/" + v for k, v in _LANGUAGE_NAMES.items()}
    )
    return by_code, by_name


# Names the EU table does not spell that way.
_LANGUAGE_NAMES: Final = {
    "francais": "FRA",
    "french": "FRA",
    "alsacien": "GSW",
    "alsatian": "GSW",
    "german": "DEU",
    "deutsch": "DEU",
    "english": "ENG",
}


def map_language(value: Any) -> Mapped:
    """A language as its EU URI (``en``, ``FRE``, ``fr-FR``, ``français``, id.loc.gov URIs)."""
    text = _text(value)
    if not text:
        return _nothing()
    found = vocabularies.language_uri(text)
    if found:
        return Mapped((found,), True, text)
    by_code, by_name = _language_index()
    code = text
    match = _LANGUAGE_URI.search(text)
    if match:
        code = match.group(1)
    else:
        locale = _LOCALE.match(text)
        if locale:
            code = locale.group(1)
    found = by_code.get(code.casefold()) or vocabularies.language_uri(code)
    if not found and not match:
        found = by_name.get(_fold(text))
    return Mapped((found,), True, text) if found else Mapped((), False, text)


def map_languages(values: Any) -> list[Mapped]:
    """Several languages: a list, or one text with commas or semicolons ("fre; eng")."""
    items = values if isinstance(values, list | tuple) else [values]
    found: list[Mapped] = []
    for item in items:
        for part in re.split(r"[,;|]", _text(item)):
            if part.strip():
                found.append(map_language(part.strip()))
    return found


# -- frequencies --------------------------------------------------------------------------

# udata's frequency names (every value udata documents) -> EU frequency codes. Those finer
# than the EU table (four times a day...) become OTHER rather than a wrong neighbour.
_UDATA_FREQUENCIES: Final = {
    "punctual": "NEVER",
    "continuous": "CONT",
    "hourly": "HOURLY",
    "fourTimesADay": "OTHER",
    "threeTimesADay": "OTHER",
    "semidaily": "DAILY_2",
    "daily": "DAILY",
    "fourTimesAWeek": "OTHER",
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
    "unknown": "UNKNOWN",
}

# Free text met in French and English catalogues (folded), besides the EU labels.
_FREQUENCY_WORDS: Final = {
    "temps reel": "CONT",
    "en temps reel": "CONT",
    "real time": "CONT",
    "realtime": "CONT",
    "en continu": "CONT",
    "continu": "CONT",
    "continue": "CONT",
    "continuous": "CONT",
    "continual": "CONT",
    "mise a jour continue": "UPDATE_CONT",
    "mise a jour en continu": "UPDATE_CONT",
    "continuously updated": "UPDATE_CONT",
    "quotidien": "DAILY",
    "quotidiennement": "DAILY",
    "journalier": "DAILY",
    "tous les jours": "DAILY",
    "chaque jour": "DAILY",
    "par jour": "DAILY",
    "une fois par jour": "DAILY",
    "every day": "DAILY",
    "hebdomadaire": "WEEKLY",
    "toutes les semaines": "WEEKLY",
    "chaque semaine": "WEEKLY",
    "une fois par semaine": "WEEKLY",
    "every week": "WEEKLY",
    "mensuel": "MONTHLY",
    "mensuellement": "MONTHLY",
    "tous les mois": "MONTHLY",
    "chaque mois": "MONTHLY",
    "une fois par mois": "MONTHLY",
    "every month": "MONTHLY",
    "trimestriel": "QUARTERLY",
    "tous les trimestres": "QUARTERLY",
    "chaque trimestre": "QUARTERLY",
    "tous les trois mois": "QUARTERLY",
    "semestriel": "ANNUAL_2",
    "tous les six mois": "ANNUAL_2",
    "deux fois par an": "ANNUAL_2",
    "biannual": "ANNUAL_2",
    "half yearly": "ANNUAL_2",
    "annuel": "ANNUAL",
    "annuellement": "ANNUAL",
    "tous les ans": "ANNUAL",
    "chaque annee": "ANNUAL",
    "une fois par an": "ANNUAL",
    "yearly": "ANNUAL",
    "every year": "ANNUAL",
    "annually": "ANNUAL",
    "horaire": "HOURLY",
    "toutes les heures": "HOURLY",
    "every hour": "HOURLY",
    "bimensuel": "MONTHLY_2",
    "deux fois par mois": "MONTHLY_2",
    "bimestriel": "BIMONTHLY",
    "tous les deux mois": "BIMONTHLY",
    "tous les 15 jours": "BIWEEKLY",
    "tous les quinze jours": "BIWEEKLY",
    "toutes les deux semaines": "BIWEEKLY",
    "fortnightly": "BIWEEKLY",
    "biennal": "BIENNIAL",
    "tous les deux ans": "BIENNIAL",
    "triennal": "TRIENNIAL",
    "tous les trois ans": "TRIENNIAL",
    "quinquennal": "QUINQUENNIAL",
    "tous les cinq ans": "QUINQUENNIAL",
    "decennal": "DECENNIAL",
    "tous les dix ans": "DECENNIAL",
    "irregulier": "IRREG",
    "irregulierement": "IRREG",
    # udata shows its "punctual" (published once) as "Ponctuelle".
    "ponctuel": "NEVER",
    "ponctuellement": "IRREG",
    "au fil de l eau": "UPDATE_CONT",
    "selon les besoins": "AS_NEEDED",
    "au besoin": "AS_NEEDED",
    "si necessaire": "AS_NEEDED",
    "lorsque necessaire": "AS_NEEDED",
    "as needed": "AS_NEEDED",
    "when needed": "AS_NEEDED",
    "non planifie": "NOT_PLANNED",
    "pas de mise a jour prevue": "NOT_PLANNED",
    "not planned": "NOT_PLANNED",
    "aucune": "NEVER",
    "jamais": "NEVER",
    "aucune mise a jour": "NEVER",
    "never": "NEVER",
    "inconnu": "UNKNOWN",
    "inconnue": "UNKNOWN",
    "non renseigne": "UNKNOWN",
    "unknown": "UNKNOWN",
    "autre": "OTHER",
}

_CLD: Final = "purl.org/cld/freq/"
_INSPIRE_FREQUENCY: Final = "inspire.ec.europa.eu/metadata-codelist/MaintenanceFrequency/"


@functools.cache
def _frequency_words() -> dict[str, str]:
    words = {
        _fold(c.labels[lang]): c.code for c in vocabularies.frequencies() for lang in ("fr", "en")
    }
    words.update(_FREQUENCY_WORDS)
    return words


@functools.cache
def _udata_frequencies() -> dict[str, str]:
    table = {k.casefold(): v for k, v in _UDATA_FREQUENCIES.items()}
    table.update({k.casefold(): v for k, v in vocabularies.mappings("cld-frequency").items()})
    return table


def _frequency_code(text: str) -> str | None:
    for marker in (_CLD, _INSPIRE_FREQUENCY):
        if marker in text:
            text = text.split(marker, 1)[1].strip("/ ")
    code = vocabularies.iso_frequency_code(text) or _udata_frequencies().get(text.casefold())
    if code:
        return code
    folded = _fold(text)
    words = _frequency_words()
    if folded in words:
        return words[folded]
    # Feminine and adverbial forms: "mensuelle", "quotidienne", "irrégulière".
    for suffix in ("le", "ne", "e", "s"):
        if folded.endswith(suffix) and folded[: -len(suffix)] in words:
            return words[folded[: -len(suffix)]]
    return None


def map_frequency(value: Any) -> Mapped:
    """An update frequency as its EU URI (udata, ISO 19115, Dublin Core, EU, free text)."""
    text = _text(value)
    if not text:
        return _nothing()
    found = vocabularies.frequency_uri(text) or vocabularies.frequency_uri(_frequency_code(text))
    return Mapped((found,), True, text) if found else Mapped((), False, text)


def frequency_uri(value: Any) -> str | None:
    """EU frequency URI for any spelling ``map_frequency`` knows, or None."""
    return map_frequency(value).value


# -- themes ---------------------------------------------------------------------------------

# Theme words of remote portals (French or English, folded, singular) -> EU data themes,
# besides the EU labels themselves. Whole words only: "transports" is not "sport".
_THEMES: Final = {
    "environnement": "ENVI",
    "environment": "ENVI",
    "climat": "ENVI",
    "biodiversite": "ENVI",
    "nature": "ENVI",
    "eau": "ENVI",
    "dechet": "ENVI",
    "transport": "TRAN",
    "mobilite": "TRAN",
    "deplacement": "TRAN",
    "economie": "ECON",
    "economy": "ECON",
    "economique": "ECON",
    "finance": "ECON",
    "budget": "ECON",
    "entreprise": "ECON",
    "emploi": "ECON",
    "tourisme": "ECON",
    "commerce": "ECON",
    "education": "EDUC",
    "enseignement": "EDUC",
    "culture": "EDUC",
    "sport": "EDUC",
    "sportif": "EDUC",
    "sportive": "EDUC",
    "loisir": "EDUC",
    "patrimoine": "EDUC",
    "sante": "HEAL",
    "health": "HEAL",
    "administration": "GOVE",
    "gouvernement": "GOVE",
    "government": "GOVE",
    "citoyennete": "GOVE",
    "citizenship": "GOVE",
    "election": "GOVE",
    "agriculture": "AGRI",
    "agricole": "AGRI",
    "alimentation": "AGRI",
    "foret": "AGRI",
    "energie": "ENER",
    "energy": "ENER",
    "social": "SOCI",
    "sociale": "SOCI",
    "societe": "SOCI",
    "solidarite": "SOCI",
    "population": "SOCI",
    "demographie": "SOCI",
    "logement": "SOCI",
    "habitat": "SOCI",
    "justice": "JUST",
    "securite": "JUST",
    "recherche": "TECH",
    "science": "TECH",
    "numerique": "TECH",
    "amenagement": "REGI",
    "urbanisme": "REGI",
    "territoire": "REGI",
    "cadastre": "REGI",
    "international": "INTR",
    "internationale": "INTR",
}

_INSPIRE_URI: Final = re.compile(r"inspire\.ec\.europa\.eu/theme/([a-z]{2})\b", re.I)

# Labels of the INSPIRE themes as GEMET publishes them, in French and English, so that
# records citing a theme by name rather than by URI are recognised too.
INSPIRE_LABELS: Final[dict[str, tuple[str, ...]]] = {
    "ac": ("Conditions atmosphériques", "Atmospheric conditions"),
    "ad": ("Adresses", "Addresses"),
    "af": ("Installations agricoles et aquacoles", "Agricultural and aquaculture facilities"),
    "am": (
        "Zones de gestion, de restriction ou de réglementation et unités de déclaration",
        "Area management/restriction/regulation zones and reporting units",
    ),
    "au": ("Unités administratives", "Administrative units"),
    "br": ("Régions biogéographiques", "Bio-geographical regions"),
    "bu": ("Bâtiments", "Buildings"),
    "cp": ("Parcelles cadastrales", "Cadastral parcels"),
    "ef": ("Installations de suivi environnemental", "Environmental monitoring facilities"),
    "el": ("Altitude", "Elevation"),
    "er": ("Sources d'énergie", "Energy resources"),
    "ge": ("Géologie", "Geology"),
    "gg": ("Systèmes de maillage géographique", "Geographical grid systems"),
    "gn": ("Dénominations géographiques", "Geographical names"),
    "hb": ("Habitats et biotopes", "Habitats and biotopes"),
    "hh": ("Santé et sécurité des personnes", "Human health and safety"),
    "hy": ("Hydrographie", "Hydrography"),
    "lc": ("Occupation des terres", "Land cover"),
    "lu": ("Usage des sols", "Land use"),
    "mf": (
        "Caractéristiques géographiques météorologiques",
        "Meteorological geographical features",
    ),
    "mr": ("Ressources minérales", "Mineral resources"),
    "nz": ("Zones à risque naturel", "Natural risk zones"),
    "of": (
        "Caractéristiques géographiques océanographiques",
        "Oceanographic geographical features",
    ),
    "oi": ("Ortho-imagerie", "Orthoimagery"),
    "pd": ("Répartition de la population — démographie", "Population distribution — demography"),
    "pf": ("Lieux de production et sites industriels", "Production and industrial facilities"),
    "ps": ("Sites protégés", "Protected sites"),
    "rs": ("Référentiels de coordonnées", "Coordinate reference systems"),
    "sd": ("Répartition des espèces", "Species distribution"),
    "so": ("Sols", "Soil"),
    "sr": ("Régions maritimes", "Sea regions"),
    "su": ("Unités statistiques", "Statistical units"),
    "tn": ("Réseaux de transport", "Transport networks"),
    "us": (
        "Services d'utilité publique et services publics",
        "Utility and governmental services",
    ),
}


@functools.cache
def _inspire_label_index() -> dict[str, str]:
    return {_fold(label): code for code, labels in INSPIRE_LABELS.items() for label in labels}


@functools.cache
def _theme_names() -> dict[str, str]:
    """EU data-theme labels (French and English, folded) and our synonyms -> theme codes."""
    names = {_fold(label): c.code for c in vocabularies.themes() for label in c.labels.values()}
    return {**names, **_THEMES}


def inspire_theme_code(word: str, href: str | None = None, thesaurus: str = "") -> str | None:
    """The INSPIRE theme code a keyword names: by URI, or by label within an INSPIRE thesaurus.

    A label only counts within an INSPIRE thesaurus: "Sols" or "Altitude" are also ordinary
    keywords elsewhere.
    """
    for candidate in (href or "", word):
        match = _INSPIRE_URI.search(candidate)
        if match and vocabularies.inspire_theme_data_themes(match.group(1)):
            return match.group(1).lower()
    if "inspire" in thesaurus.casefold():
        return _inspire_label_index().get(_fold(word))
    return None


def _uris(codes: Iterable[str]) -> tuple[str, ...]:
    found = (vocabularies.theme_uri(code) for code in dict.fromkeys(codes))
    return tuple(uri for uri in found if uri)


def _topic_themes(topic: str) -> tuple[str, ...]:
    codes = [
        theme
        for inspire in vocabularies.topic_category_inspire_themes(topic)
        for theme in vocabularies.inspire_theme_data_themes(inspire)
    ]
    return _uris(codes)


def map_theme(value: Any, *, whole: bool = False) -> Mapped:
    """EU data-theme URIs a source's theme names (a value may name several, or none).

    ``whole=True`` (for keywords, which are no themes): only a whole EU or INSPIRE label, a
    synonym or an INSPIRE URI counts, never one word of a longer text or a topic category.
    """
    text = _text(value)
    if not text:
        return _nothing()
    direct = vocabularies.theme_uri(text)
    if direct:
        return Mapped((direct,), True, text)
    match = _INSPIRE_URI.search(text)
    if match:
        found = _uris(vocabularies.inspire_theme_data_themes(match.group(1)))
        return Mapped(found, bool(found), text)
    folded = _fold(text)
    names = _theme_names()
    if folded in names:
        return Mapped(_uris([names[folded]]), True, text)
    inspire = _inspire_label_index().get(folded)
    if inspire:
        return Mapped(_uris(vocabularies.inspire_theme_data_themes(inspire)), True, text)
    if whole:
        return Mapped((), False, text)
    topic = _topic_themes(text)
    if topic:
        return Mapped(topic, True, text)
    codes = []
    for word in folded.split():
        # Plurals: "transports", "finances", "territoires".
        code = names.get(word) or names.get(word.rstrip("sx"))
        if code:
            codes.append(code)
    found = _uris(codes)
    return Mapped(found, bool(found), text)


def map_themes(values: Any) -> list[Mapped]:
    """One result per theme name given (a list or one text)."""
    items = values if isinstance(values, list | tuple) else [values]
    return [map_theme(item) for item in items if _text(item)]


def keyword_themes(words: Any) -> list[str]:
    """EU theme URIs that keywords name whole ("Transports", "Hydrographie"); the others say
    nothing (a keyword is no theme: no warning)."""
    items = words if isinstance(words, list | tuple) else [words]
    return theme_values(map_theme(item, whole=True) for item in items if _text(item))


def theme_values(mapped: Iterable[Mapped]) -> list[str]:
    """The theme URIs of several results, each once, in order."""
    return list(dict.fromkeys(uri for item in mapped for uri in item.values))


def theme_uris(labels: Any) -> list[str]:
    """EU theme URIs named by remote theme labels (unknown ones dropped)."""
    return theme_values(map_themes(labels))


def iso_themes(inspire: Iterable[str], topics: Iterable[str]) -> list[str]:
    """EU theme URIs of an ISO 19139 record: its INSPIRE themes, else its topic categories."""
    codes = [code for theme in inspire for code in vocabularies.inspire_theme_data_themes(theme)]
    if codes:
        return list(_uris(codes))
    return list(dict.fromkeys(uri for topic in topics for uri in _topic_themes(topic)))


# -- licences -------------------------------------------------------------------------------

# EU licence table codes of the licences we list.
_EU_TO_OURS: Final = {
    "ETALAB_2_0": "etalab-2.0",
    "ODC_BL": "odc-odbl",
    "CC_BY_4_0": "cc-by-4.0",
    "CC_BY": "cc-by-4.0",
    "CC_BYSA_4_0": "cc-by-sa-4.0",
    "CC_BYSA": "cc-by-sa-4.0",
    "CC0": "cc-zero-1.0",
}

# Ids of other portals (udata, CKAN, SPDX) and URLs the tables do not give -> our ids or an
# EU code (a licence we do not list). Licence Ouverte 1.0 becomes 2.0: Etalab published 2.0
# as its successor, and our list has no 1.0.
_LICENSE_IDS: Final = {
    "fr-lo": "etalab-2.0",
    "lov2": "etalab-2.0",
    "lo-2.0": "etalab-2.0",
    "lo-1.0": "etalab-2.0",
    "etalab": "etalab-2.0",
    "etalab-1.0": "etalab-2.0",
    "licence-ouverte": "etalab-2.0",
    "cc-by": "cc-by-4.0",
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "cc-zero": "cc-zero-1.0",
    "cc0": "cc-zero-1.0",
    "cc0-1.0": "cc-zero-1.0",
    "odbl": "odc-odbl",
    "odbl-1.0": "odc-odbl",
    "odc-odbl": "odc-odbl",
    "odc-by": "ODC_BY",
    "odc-by-1.0": "ODC_BY",
    "odc-pddl": "ODC_PDDL",
    "pddl-1.0": "ODC_PDDL",
    "etalab.gouv.fr/licence-ouverte-open-licence": "etalab-2.0",
    "etalab.gouv.fr/licence-ouverte-open-licence/": "etalab-2.0",
    "data.gouv.fr/licence-ouverte-open-licence": "etalab-2.0",
    "spdx.org/licenses/etalab-2.0": "etalab-2.0",
    "spdx.org/licenses/etalab-2.0.html": "etalab-2.0",
    "spdx.org/licenses/odbl-1.0": "odc-odbl",
    "spdx.org/licenses/odbl-1.0.html": "odc-odbl",
    "spdx.org/licenses/cc-by-4.0": "cc-by-4.0",
    "spdx.org/licenses/cc-by-4.0.html": "cc-by-4.0",
    "spdx.org/licenses/cc-by-sa-4.0": "cc-by-sa-4.0",
    "spdx.org/licenses/cc0-1.0": "cc-zero-1.0",
    "opendefinition.org/licenses/odc-odbl": "odc-odbl",
    "opendefinition.org/licenses/cc-by": "cc-by-4.0",
    "opendefinition.org/licenses/cc-by-sa": "cc-by-sa-4.0",
    "opendefinition.org/licenses/cc-zero": "cc-zero-1.0",
}

# udata/CKAN ids that say "no licence stated": no reading at all.
_NO_LICENCE: Final = frozenset(
    {"notspecified", "not specified", "non specifiee", "licence non specifiee", "none", "aucune"}
)
# udata/CKAN "other" licences: recognised, kept as "other" with this name.
_OTHER_LICENCES: Final = {
    "other-at": "Autre licence (attribution)",
    "other-open": "Autre licence ouverte",
    "other-pd": "Autre licence (domaine public)",
    "other-nc": "Autre licence (pas d'utilisation commerciale)",
    "other-closed": "Autre licence (non ouverte)",
    "uk-ogl": "Open Government Licence (Royaume-Uni)",
    "gfdl": "GNU Free Documentation License",
    "cc-nc": "Creative Commons Non Commercial",
}

# "(compatible ODC-BY, CC-BY 2.0)": a compatibility note names licences the text is not.
_COMPATIBLE: Final = re.compile(r"\(?\s*compatibles?\b[^)]*\)?", re.I)


def _cc_version(group: str) -> str:
    return rf"(?:[\s_-]*v?(?P<{group}>[1-4][.,]\d))?"


# Free-text patterns: (pattern, our id or EU code). The first licence named in the text wins.
_LICENCE_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            r"licence\s+ouverte|open\s+licen[cs]e|etalab|\blov2\b|\bfr[\s_-]lo\b|\blo\s*2[.,]0",
            re.I,
        ),
        "etalab-2.0",
    ),
    (re.compile(r"\bodbl\b|open\s+database\s+licen[cs]e", re.I), "odc-odbl"),
    (re.compile(r"\bpddl\b|public\s+domain\s+dedication", re.I), "ODC_PDDL"),
    (re.compile(r"\bodc[\s_-]*by\b|open\s+data\s+commons\s+attribution", re.I), "ODC_BY"),
    (
        re.compile(
            r"\bcc[\s_-]*by[\s_-]*(?:nc|nd)\b|creative\s+commons\s+attribution\W+"
            r"(?:pas\s+d.utilisation\s+commerciale|pas\s+de\s+modification|non\W?commercial|no\W?deriv)",
            re.I,
        ),
        "CC_NC_ND",
    ),
    (
        re.compile(
            r"\bcc[\s_-]*by[\s_-]*sa\b"
            + _cc_version("v1")
            + r"|creative\s+commons\s+attribution\W+"
            r"(?:share\W?alike|partage\s+dans\s+les\s+m[eê]mes\s+conditions)" + _cc_version("v2"),
            re.I,
        ),
        "cc-by-sa",
    ),
    (
        re.compile(
            r"\bcc[\s_-]*(?:0|zero)\b|creative\s+commons\s+(?:cc0|zero)|domaine\s+public|"
            r"public\s+domain",
            re.I,
        ),
        "cc-zero-1.0",
    ),
    (
        re.compile(
            r"\bcc[\s_-]*by\b" + _cc_version("v1") + r"|creative\s+commons\s+(?:attribution|by)\b"
            r"(?:\s+international)?" + _cc_version("v2"),
            re.I,
        ),
        "cc-by",
    ),
)


def _license_key(text: str) -> str:
    key = text.strip().casefold()
    key = re.sub(r"^https?://(?:www\.)?", "", key)
    key = re.sub(r"/(?:deed|legalcode)(?:\.[a-z-]+)?$", "", key)
    key = re.sub(r"(?<=\d)-(?=\d)", ".", key) if "/" in key else key
    return key.rstrip("/")


@functools.cache
def _license_index() -> dict[str, str]:
    """Keys (ids, URIs, short names, titles) -> our licence id or an EU licence code."""
    index: dict[str, str] = {}
    for licence in vocabularies.eu_licences():
        target = _EU_TO_OURS.get(licence.code, licence.code)
        keys = [licence.code, licence.uri, *licence.short_names, *licence.urls]
        keys += list(licence.labels.values())
        for key in keys:
            index.setdefault(_license_key(key), target)
            index.setdefault(_fold(key), target)
    for key, target in _LICENSE_IDS.items():
        index[_license_key(key)] = target
    for item in vocabularies.licenses():
        for key in (item.id, item.uri, *item.labels.values()):
            if key:
                index[_license_key(key)] = item.id
                index[_fold(key)] = item.id
    return index


def _licence_result(target: str, original: str) -> Mapped:
    if vocabularies.license(target):
        return Mapped((target,), True, original)
    licence = vocabularies.eu_licence(target)
    name = licence.label("fr") if licence else original
    return Mapped(("other",), True, original, text=name)


def _cc_target(family: str, version: str | None) -> str:
    version = (version or "4.0").replace(",", ".")
    if version == "4.0":
        return "cc-by-4.0" if family == "cc-by" else "cc-by-sa-4.0"
    suffix = version.replace(".", "_")
    return f"CC_BY_{suffix}" if family == "cc-by" else f"CC_BYSA_{suffix}"


def _licence_in_text(text: str) -> str | None:
    cleaned = _COMPATIBLE.sub(" ", text)
    found: list[tuple[int, int, str]] = []
    for rank, (pattern, target) in enumerate(_LICENCE_PATTERNS):
        match = pattern.search(cleaned)
        if match:
            if target in ("cc-by", "cc-by-sa"):
                target = _cc_target(target, match.group("v1") or match.group("v2"))
            found.append((match.start(), rank, target))
    return min(found)[2] if found else None


def map_license(value: Any) -> Mapped:
    """A licence as our id; one we do not list is "other" with its name, recognised."""
    text = _text(value)
    if not text:
        return _nothing()
    folded = _fold(text)
    if folded in _NO_LICENCE:
        return _nothing(text)
    if text.casefold() in _OTHER_LICENCES:
        return Mapped(("other",), True, text, text=_OTHER_LICENCES[text.casefold()])
    index = _license_index()
    target = index.get(_license_key(text)) or index.get(folded)
    if target is None:
        eu = vocabularies.eu_licence(text)
        target = _EU_TO_OURS.get(eu.code, eu.code) if eu else _licence_in_text(text)
    if target == "CC_NC_ND":
        return Mapped(("other",), True, text, text=text[:LICENSE_OTHER_MAX])
    if target is None:
        return Mapped(("other",), False, text, text=text[:LICENSE_OTHER_MAX])
    return _licence_result(target, text)


def settle_license(readings: Iterable[Any], rights: Iterable[Any] = ()) -> Mapped:
    """One licence from several readings: the dataset's, its distributions', ``dct:rights``.

    Empty readings (and "notspecified") do not count; one licence named by every other
    reading wins; readings that name different licences give "other" with their texts
    (``recognised=False``, a note saying they disagree).  A rights text that names no licence
    ("pas de restriction d'accès public") is no reading, unless there is nothing else.
    """
    results = [map_license(value) for value in readings]
    unread_rights: list[str] = []
    for value in rights:
        mapped = map_license(value)
        if mapped.recognised:
            results.append(mapped)
        elif mapped.original:
            unread_rights.append(mapped.original)
    meaningful = [m for m in results if m.values]
    outcomes = {(m.value, m.text if m.value == "other" else "") for m in meaningful}
    if len(outcomes) == 1:
        return meaningful[0]
    if not meaningful:
        if unread_rights:
            text = " ; ".join(dict.fromkeys(unread_rights))
            return Mapped(("other",), False, text, text=text[:LICENSE_OTHER_MAX])
        return _nothing()
    texts = list(
        dict.fromkeys(
            m.text or (vocabularies.license_label(m.value) if m.value != "other" else m.original)
            for m in meaningful
        )
    )
    text = " ; ".join(texts)
    return Mapped(
        ("other",),
        False,
        text,
        text=text[:LICENSE_OTHER_MAX],
        note=f"licences contradictoires, gardées comme « autre » : {text}",
    )


def license_dict(mapped: Mapped) -> dict[str, str]:
    """``license_id`` (and ``license_other`` for "other") of a result; {} when it is empty."""
    if not mapped.values:
        return {}
    if mapped.value == "other":
        return {
            "license_id": "other",
            "license_other": (mapped.text or mapped.original)[:LICENSE_OTHER_MAX],
        }
    return {"license_id": mapped.values[0]}


def license_fields(remote: Any) -> dict[str, str]:
    """license_id (and license_other when we have no equivalent) for one remote licence.

    "notspecified" and the like give "other" with a text saying so; an empty value gives {}.
    """
    mapped = map_license(remote)
    if not mapped.values and mapped.original:
        return {
            "license_id": "other",
            "license_other": f"Licence non précisée par la source ({mapped.original[:100]}).",
        }
    return license_dict(mapped)


# -- tags --------------------------------------------------------------------------------

# Our tag rule (logic/tags.py): letters, digits, spaces, "'", "_", "-" and ".", 2 to 100
# characters. Every apostrophe the sources write (’ ‘ ʼ ` ´) becomes "'", so "Qualité de
# l’air" stays "Qualité de l'air"; anything else refused becomes a space.
_APOSTROPHES: Final = re.compile(r"['’‘ʼ`´]")
_TAG_REFUSED: Final = re.compile(r"[^\w '.-]+", re.UNICODE)
_TAG_MIN: Final = 2
_TAG_MAX: Final = 100


def clean_tags(words: Any) -> list[str]:
    """Keywords as tag names CKAN accepts, deduplicated without regard to case.

    A list of keywords, or one text with commas or semicolons; web addresses are dropped.
    """
    items = words if isinstance(words, list | tuple) else [words]
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        for word in re.split(r"[,;]", _text(item)):
            if word.strip().casefold().startswith(("http://", "https://")):
                continue
            tag = _TAG_REFUSED.sub(" ", _APOSTROPHES.sub("'", word))
            tag = " ".join(tag.split())[:_TAG_MAX].strip(" .-_'")
            if len(tag) < _TAG_MIN or tag.casefold() in seen:
                continue
            seen.add(tag.casefold())
            result.append(tag)
    return result


def tag_list(words: Any) -> list[dict[str, str]]:
    """CKAN tags from remote keywords (see ``clean_tags``)."""
    return [{"name": tag} for tag in clean_tags(words)]


# -- places and dates ------------------------------------------------------------------------


def date_only(value: Any) -> str | None:
    text = _text(value)
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None
