"""Validators of the regional schema, named datagrandest_* and used from the scheming YAML files.

Error messages are English msgids translated in our French catalogue, so the API and the
form answer in the user's language.  Text policy: plain-text and Markdown fields reject
HTML tags outright (rather than stripping them silently) so the publisher sees what was
refused; the rendering side still escapes/sanitises as CKAN always does.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.datagrandest import lists, territories, vocabularies
from ckanext.datagrandest.harvesters import harvest_warnings as hw
from ckanext.datagrandest.harvesters.sanitize import has_unsafe_link, holds_html
from ckanext.datagrandest.logic.hvd_validators import (
    datagrandest_hvd_categories,
    datagrandest_hvd_dataset,
    datagrandest_legislation_list,
)
from ckanext.datagrandest.logic.tags import datagrandest_tag_name, datagrandest_tag_string
from ckanext.dcat.validators import dcat_date

# Registered with CKAN by the plugin's blanket decorator: exactly these names.
__all__ = [
    "datagrandest_dataset_territories",
    "datagrandest_email",
    "datagrandest_end_after_start",
    "datagrandest_file_format",
    "datagrandest_geojson",
    "datagrandest_harvest_date",
    "datagrandest_hvd_categories",
    "datagrandest_hvd_dataset",
    "datagrandest_legislation_list",
    "datagrandest_identifier_unique",
    "datagrandest_license",
    "datagrandest_license_other",
    "datagrandest_non_negative_int",
    "datagrandest_siren",
    "datagrandest_territories",
    "datagrandest_text",
    "datagrandest_url",
    "datagrandest_url_list",
    "datagrandest_boolean_string",
    "datagrandest_choices",
    "datagrandest_resource_format",
    "datagrandest_vocabulary",
    "datagrandest_vocabulary_list",
    "datagrandest_tag_name",
    "datagrandest_tag_string",
    # Replaces CKAN's core validator of that name, used by every package's tags schema
    # (see logic/tags.py): French tags keep their apostrophe.
    "tag_name_validator",
]

Validator = Callable[..., Any]
tag_name_validator = datagrandest_tag_name

# Default cap of datagrandest_text; the schema sets others per field (title 300,
# descriptions 20,000), well above real metadata but low enough to stop pasted documents.
SHORT_TEXT_MAX = 500
URL_MAX = 2000

# A tag starts right after "<" (so "a < b > c" is not one); comments count too.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_URL = re.compile(
    r"^https?://[^\s/?#<>\"]+\.[^\s/?#<>\"]+(?::\d+)?(?:[/?#][^\s<>\"]*)?$|^https?://(?:localhost|127\.0\.0\.1)(?::\d+)?(?:[/?#][^\s<>\"]*)?$"
)
# The Grand Est région: the territory of a harvested dataset that names none we know.
_REGION = "44"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
_GEOMETRY_TYPES = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def _missing(value: Any) -> bool:
    return value is tk.missing or value is None or value == ""


# -- text -----------------------------------------------------------------------------


def check_text(value: Any, limit: int) -> str:
    """The stripped text, or Invalid: not a string, longer than ``limit``, or holding HTML."""
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text"))
    value = value.strip()
    if len(value) > limit:
        raise tk.Invalid(
            tk._("Too long: {length} characters, at most {limit} allowed").format(
                length=len(value), limit=limit
            )
        )
    # Read by an HTML parser, entities decoded: <img/src=x onerror=…> and &lt;script&gt;
    # count, "a < b" does not.
    if holds_html(value):
        raise tk.Invalid(tk._("HTML is not accepted here: write plain text (or Markdown)"))
    if has_unsafe_link(value):
        raise tk.Invalid(tk._("Links must be web or email addresses (http, https, ftp or mailto)"))
    return value


def datagrandest_text(max_length: int | str = SHORT_TEXT_MAX) -> Validator:
    """Plain text (or Markdown): a string, at most ``max_length`` characters, no HTML.

    A failure stops the field's other validators, which (like CKAN's tag_string_convert)
    may crash on a value that is not text.
    """
    limit = int(max_length)

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        if _missing(value):
            return
        if hw.harvesting(context) and isinstance(value, str) and len(value.strip()) > limit:
            value = _cut(value.strip(), limit)
            hw.warn(
                context,
                f"texte trop long coupé à {limit} caractères : {hw.field_label(key)}"
                + hw.where(key, data),
            )
        try:
            data[key] = check_text(value, limit)
        except tk.Invalid as error:
            errors[key].append(str(error.error))
            raise tk.StopOnError from None

    return validator


def _cut(text: str, limit: int) -> str:
    # At the last space before the limit when there is one not too far back.
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


def _drop(key: FlattenKey, data: FlattenDataDict, context: Context, message: str) -> None:
    """Harvested record: the value goes, a warning says so, the field's other checks stop."""
    hw.warn(context, message + hw.where(key, data))
    data.pop(key, None)
    raise tk.StopOnError


def _lenient(
    check: Callable[[Any], Any], warning: str
) -> Callable[[FlattenKey, FlattenDataDict, FlattenErrorDict, Context], None]:
    """A one-value check that, for a harvested record, drops a refused value with a warning
    ("courriel invalide ignoré : {field} : {value}") instead of refusing the record."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        try:
            data[key] = check(value)
        except tk.Invalid as error:
            if not hw.harvesting(context):
                errors[key].append(str(error.error))
                return
            _drop(
                key,
                data,
                context,
                warning.format(field=hw.field_label(key), value=hw.shown(value)),
            )

    validator.__name__ = check.__name__
    return validator


def _email(value: Any) -> Any:
    if _missing(value):
        return value
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value.strip()):
        raise tk.Invalid(tk._("Not a valid email address: {value}").format(value=_show(value)))
    return value.strip()


def _url(value: Any) -> Any:
    if _missing(value):
        return value
    if not isinstance(value, str) or len(value) > URL_MAX or not _URL.match(value.strip()):
        raise tk.Invalid(
            tk._("Not a valid web address (http:// or https://): {value}").format(
                value=_show(value)
            )
        )
    return value.strip()


datagrandest_email = _lenient(_email, "courriel invalide ignoré ({field}) : {value}")
datagrandest_url = _lenient(_url, "adresse web invalide ignorée ({field}) : {value}")


def _show(value: Any, limit: int = 80) -> str:
    # Echo the culprit back without flooding the page with an oversized value.
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _as_list(value: Any) -> list[Any] | None:
    """A list from an API list, a JSON list string, a comma-separated string or one value."""
    return lists.from_input(value, r"[,;\s]+")


def datagrandest_url_list(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A list of URLs (e.g. ``conforms_to``), stored as a JSON list."""
    items = _as_list(data.get(key))
    if items is None:
        errors[key].append(tk._("Expecting a list of web addresses"))
        return
    out = []
    for item in items:
        try:
            out.append(_url(item))
        except tk.Invalid as error:
            if hw.harvesting(context):
                hw.warn(
                    context,
                    f"adresse web invalide ignorée ({hw.field_label(key)}) : {hw.shown(item)}",
                )
            else:
                errors[key].append(str(error.error))
    if not errors[key]:
        data[key] = json.dumps([u for u in out if u])


# -- controlled vocabularies -----------------------------------------------------------


# What a harvest warning calls a value missing from each vocabulary.
_UNKNOWN: dict[str, str] = {
    "data-theme": "thème non reconnu",
    "frequency": "fréquence non reconnue",
    "file-type": "format non reconnu",
    "language": "langue non reconnue",
    "access-right": "droit d'accès non reconnu",
}


def datagrandest_vocabulary(name: vocabularies.VocabularyName) -> Validator:
    """One concept of an EU vocabulary, given by code or URI, stored as its URI.

    A harvested value outside the vocabulary is dropped with a warning.
    """

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key)
        if _missing(value):
            return
        uri = vocabularies.uri(name, value)
        if uri is not None:
            data[key] = uri
        elif hw.harvesting(context):
            _drop(key, data, context, f"{_UNKNOWN[name]} : {hw.shown(value)}")
        else:
            errors[key].append(tk._("Unknown value: {value}").format(value=_show(value)))

    return validator


def datagrandest_vocabulary_list(name: vocabularies.VocabularyName) -> Validator:
    """Concepts of an EU vocabulary (codes or URIs, list or comma-separated), stored as URIs."""

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        items = _as_list(data.get(key))
        harvested = hw.harvesting(context)
        if items is None:
            if harvested:
                _drop(key, data, context, f"{_UNKNOWN[name]} : {hw.shown(data.get(key))}")
            errors[key].append(tk._("Expecting a list of values"))
            return
        uris: dict[str, None] = {}
        for item in items:
            uri = vocabularies.uri(name, item)
            if uri is not None:
                uris.setdefault(uri)
            elif harvested:
                hw.warn(context, f"{_UNKNOWN[name]} : {hw.shown(item)}")
            else:
                errors[key].append(tk._("Unknown value: {value}").format(value=_show(item)))
        if not errors[key]:
            data[key] = json.dumps(list(uris))

    return validator


def datagrandest_file_format(value: Any) -> Any:
    """A resource format, stored as our EU file-type code ("GeoJSON" -> "GEOJSON")."""
    if _missing(value):
        return value
    code = vocabularies.file_type_code(value)
    if code is None:
        raise tk.Invalid(
            tk._("Unknown file format: {value} (expected one of {choices})").format(
                value=_show(value),
                choices=", ".join(item.code for item in vocabularies.file_types()),
            )
        )
    return code


def datagrandest_resource_format(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Resource format as a file-type code; empty: guessed from the URL extension if known.

    Also fills an empty ``mimetype`` from the format, so the DCAT media type is there.
    A harvested format outside the vocabulary is kept as the source wrote it ("GTFS") with a
    warning; such a stored format is accepted again when the resource is sent back unchanged.
    """
    value = data.get(key)
    if _missing(value):
        url = data.get(key[:-1] + ("url",))
        extension = url.rsplit("/", 1)[-1].rpartition(".")[2] if isinstance(url, str) else ""
        value = vocabularies.file_type_code(extension) if extension else None
        if value is None:
            data[key] = ""
            return
    try:
        data[key] = datagrandest_file_format(value)
    except tk.Invalid as error:
        kept = value.strip()[:FORMAT_MAX] if isinstance(value, str) else None
        if kept and hw.harvesting(context):
            data[key] = kept
            hw.warn(context, f"format non reconnu : {hw.shown(kept)}" + hw.where(key, data))
        elif not (kept and kept == _stored_format(key, data, context)):
            errors[key].append(str(error.error))
        return
    mimetype_key = key[:-1] + ("mimetype",)
    if _missing(data.get(mimetype_key)):
        media_type = vocabularies.file_type_media_type(data[key])
        if media_type:
            data[mimetype_key] = media_type


# A harvested format kept as given: a label, not a document.
FORMAT_MAX = 100


def _stored_format(key: FlattenKey, data: FlattenDataDict, context: Context) -> Any:
    """The format the resource being updated has now (a harvested one may be outside our
    vocabulary): sending it back unchanged is no new entry to refuse."""
    resource_id = data.get(key[:-1] + ("id",))
    if not isinstance(resource_id, str) or not resource_id:
        return None
    resource = context["model"].Resource.get(resource_id)
    return resource.format if resource is not None else None


_TRUE = {"true", "1", "yes", "oui", "on"}
_FALSE = {"false", "0", "no", "non", "off", ""}


def _boolean_string(value: Any) -> Any:
    """A yes/no flag stored as "true" or "false" (what the form's select posts)."""
    if value is tk.missing or value is None:
        return "false"
    text = str(value).strip().lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise tk.Invalid(tk._("Expecting true or false, not {value}").format(value=_show(value)))


datagrandest_boolean_string = _lenient(
    _boolean_string, "valeur oui/non ignorée ({field}) : {value}"
)


def datagrandest_choices(field: dict[str, Any], schema: dict[str, Any]) -> Validator:
    """One of the field's static ``choices``, with an error that names the value and the list."""
    allowed = [str(choice["value"]) for choice in field.get("choices", [])]

    def validator(value: Any) -> Any:
        if _missing(value):
            return value
        if not isinstance(value, str) or value not in allowed:
            raise tk.Invalid(
                tk._("Unknown value: {value} (expected one of {choices})").format(
                    value=_show(value), choices=", ".join(allowed)
                )
            )
        return value

    return _lenient(validator, "valeur non reconnue ({field}) : {value}")


# Scheming hands this factory the field definition (see ckanext.scheming.validation).
datagrandest_choices.is_a_scheming_validator = True  # type: ignore[attr-defined]


def datagrandest_license(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """One of our licence ids. A harvested dataset's unknown licence becomes "other" with the
    source's text as ``license_other``; a harvested resource's is dropped (the dataset's
    applies)."""
    value = data.get(key)
    if _missing(value) or vocabularies.license(value) is not None:
        return
    if not hw.harvesting(context):
        errors[key].append(
            tk._("Unknown licence: {value} (expected one of {choices})").format(
                value=_show(value), choices=", ".join(vocabularies.license_ids())
            )
        )
        return
    if key[0] == "resources":
        _drop(key, data, context, f"licence non reconnue : {hw.shown(value)}")
    other_key = key[:-1] + ("license_other",)
    data[key] = "other"
    if _missing(data.get(other_key)):
        data[other_key] = hw.shown(value)
    hw.warn(context, f"licence non reconnue, gardée comme « autre licence » : {hw.shown(value)}")


def datagrandest_license_other(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """``license_other`` is required with the "other" licence and dropped with any other one."""
    license_id = data.get(key[:-1] + ("license_id",))
    value = data.get(key)
    if license_id == "other":
        if _missing(value) or (isinstance(value, str) and not value.strip()):
            if hw.harvesting(context):
                data[key] = UNNAMED_LICENSE
                hw.warn(context, "licence « autre » sans nom : " + UNNAMED_LICENSE)
                return
            errors[key].append(tk._('Name the licence when you choose "Other licence"'))
    elif not errors[key]:
        # A leftover text would contradict the licence actually chosen.
        data.pop(key, None)
        raise tk.StopOnError


# license_other of a harvested dataset whose source names no licence.
UNNAMED_LICENSE = "Licence non précisée par la source."


def _non_negative_int(value: Any) -> Any:
    if _missing(value):
        return value
    if isinstance(value, bool):
        raise tk.Invalid(tk._("Must be a whole number of bytes"))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Must be a whole number of bytes")) from None
    if number < 0:
        raise tk.Invalid(tk._("Must be zero or more"))
    return number


datagrandest_non_negative_int = _lenient(
    _non_negative_int, "nombre invalide ignoré ({field}) : {value}"
)


# -- dates -----------------------------------------------------------------------------


def _date_bounds(value: Any) -> tuple[date, date] | None:
    """First and last day an ISO year, month, date or datetime designates."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


def datagrandest_end_after_start(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """On the ``end`` subfield of a period: the end may not come before the start."""
    if errors[key]:
        return
    start = _date_bounds(_iso(data.get(key[:-1] + ("start",))))
    end = _date_bounds(_iso(data.get(key)))
    if start and end and end[1] < start[0]:
        if hw.harvesting(context):
            _drop(
                key,
                data,
                context,
                f"fin de période antérieure au début ignorée : {_iso(data.get(key))}",
            )
        errors[key].append(tk._("The end date comes before the start date"))


def datagrandest_harvest_date(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Before ckanext-dcat's ``dcat_date``: a harvested date it would refuse is dropped with a
    warning. Hand-entered dates are left to ``dcat_date`` alone."""
    value = data.get(key)
    if _missing(value) or not hw.harvesting(context):
        return
    try:
        dcat_date(key, {key: value}, errors, context)
    except tk.Invalid:
        _drop(
            key, data, context, f"date invalide ignorée ({hw.field_label(key)}) : {hw.shown(value)}"
        )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- GeoJSON ---------------------------------------------------------------------------


def _geojson(value: Any) -> Any:
    """A GeoJSON geometry, Feature or FeatureCollection (WGS 84), stored as compact JSON."""
    if _missing(value):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise tk.Invalid(tk._("Not valid JSON, so not valid GeoJSON")) from None
    problem = _geojson_problem(value)
    if problem:
        raise tk.Invalid(tk._("Not valid GeoJSON: {problem}").format(problem=problem))
    return json.dumps(value, separators=(",", ":"))


datagrandest_geojson = _lenient(_geojson, "GeoJSON invalide ignoré ({field}) : {value}")


def _geojson_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return tk._("expecting a JSON object")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            return tk._("a FeatureCollection needs a list of features")
        for feature in features:
            problem = _geojson_problem(feature)
            if problem:
                return problem
        return None
    if kind == "Feature":
        geometry = obj.get("geometry")
        return None if geometry is None else _geojson_problem(geometry)
    if kind == "GeometryCollection":
        geometries = obj.get("geometries")
        if not isinstance(geometries, list):
            return tk._("a GeometryCollection needs a list of geometries")
        return next(filter(None, map(_geojson_problem, geometries)), None)
    if kind not in _GEOMETRY_TYPES:
        return tk._("unknown type {kind}").format(kind=_show(kind, 40))
    if not _positions_ok(obj.get("coordinates"), _GEOMETRY_TYPES[kind]):
        return tk._("bad coordinates for a {kind} (longitude, latitude in degrees)").format(
            kind=kind
        )
    return None


def _positions_ok(coordinates: Any, depth: int) -> bool:
    if depth == 0:
        return (
            isinstance(coordinates, list)
            and 2 <= len(coordinates) <= 3
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
            and -180 <= coordinates[0] <= 180
            and -90 <= coordinates[1] <= 90
        )
    return (
        isinstance(coordinates, list)
        and len(coordinates) > 0
        and all(_positions_ok(c, depth - 1) for c in coordinates)
    )


# -- territories -----------------------------------------------------------------------


def datagrandest_territories(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Territory codes (list or comma-separated), each known, stored as a JSON list."""
    codes = _territory_codes(key, data, errors, context)
    if codes is not None:
        data[key] = json.dumps(codes)


def datagrandest_dataset_territories(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """As ``datagrandest_territories``, required; empty means the publisher's territory.

    A harvested dataset with neither gets the whole région, with a warning.
    """
    codes = _territory_codes(key, data, errors, context)
    if codes is None:
        return
    if not codes:
        codes = _publisher_territories(data.get(key[:-1] + ("owner_org",)), context)
    if not codes and hw.harvesting(context):
        codes = [_REGION]
        hw.warn(
            context,
            "aucun territoire reconnu et pas de territoire de compétence du producteur : "
            "la région Grand Est par défaut",
        )
    if not codes:
        errors[key].append(
            tk._(
                "Give at least one territory covered by the data (its publisher has no "
                "territory of competence to use by default)"
            )
        )
        return
    data[key] = json.dumps(codes)


def _territory_codes(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> list[str] | None:
    items = _as_list(data.get(key))
    harvested = hw.harvesting(context)
    if harvested and items is not None:
        for item in items:
            if not isinstance(item, str):
                hw.warn(context, f"territoire inconnu : {hw.shown(item)}")
        items = [item for item in items if isinstance(item, str)]
    if items is None or not all(isinstance(item, str) for item in items):
        if harvested:
            hw.warn(context, f"territoires illisibles ignorés : {hw.shown(data.get(key))}")
            return []
        errors[key].append(tk._("Expecting a list of territory codes"))
        return None
    codes: dict[str, None] = {}
    for item in items:
        code = item.strip()
        if not territories.is_known(code) and harvested:
            hw.warn(context, f"territoire inconnu : {hw.shown(code)}")
        elif not territories.is_known(code):
            errors[key].append(
                tk._("Unknown territory code: {code} (not a Grand Est territory)").format(
                    code=_show(code, 40)
                )
            )
        else:
            codes.setdefault(code)
    return None if errors[key] else list(codes)


def _publisher_territories(org_ref: Any, context: Context) -> list[str]:
    if not isinstance(org_ref, str) or not org_ref:
        return []
    org = context["model"].Group.get(org_ref)
    if org is None:
        return []
    stored = org.extras.get("territories")
    try:
        codes = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [c for c in codes if isinstance(c, str) and territories.is_known(c)]


# -- identifiers -----------------------------------------------------------------------


def siren_is_valid(siren: str) -> bool:
    """Nine digits whose Luhn checksum is right (INSEE's SIREN key)."""
    if not re.fullmatch(r"\d{9}", siren):
        return False
    total = 0
    for position, char in enumerate(reversed(siren)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def datagrandest_siren(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """SIREN of a publisher: 9 digits (spaces tolerated), valid key, no other organization."""
    value = data.get(key)
    if _missing(value):
        return
    if not isinstance(value, str | int) or isinstance(value, bool):
        errors[key].append(tk._("A SIREN number is 9 digits"))
        return
    siren = re.sub(r"[\s.]", "", str(value))
    if not re.fullmatch(r"\d{9}", siren):
        errors[key].append(tk._("A SIREN number is 9 digits"))
        return
    if not siren_is_valid(siren):
        errors[key].append(
            tk._("The SIREN number {siren} is not valid (wrong check digit)").format(siren=siren)
        )
        return
    model = context["model"]
    other = _held_elsewhere(
        model,
        model.Group,
        model.GroupExtra,
        model.GroupExtra.group_id,
        model.Group.title,
        "siren",
        siren,
        _own_ref(key, data),
        model.Group.is_organization.is_(True),
    )
    if other is not None:
        errors[key].append(
            tk._("The SIREN number {siren} is already used by {organization}").format(
                siren=siren, organization=other
            )
        )
        return
    data[key] = siren


def datagrandest_identifier_unique(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The dataset ``identifier`` is not used by another active dataset."""
    value = data.get(key)
    if _missing(value) or errors[key] or not isinstance(value, str):
        return
    model = context["model"]
    other = _held_elsewhere(
        model,
        model.Package,
        model.PackageExtra,
        model.PackageExtra.package_id,
        model.Package.name,
        "identifier",
        value,
        _own_ref(key, data),
    )
    if other is not None and hw.harvesting(context):
        _drop(
            key,
            data,
            context,
            f"identifiant déjà porté par le jeu de données {other}, ignoré : {hw.shown(value)}",
        )
    if other is not None:
        errors[key].append(
            tk._("The identifier {identifier} is already used by the dataset {name}").format(
                identifier=_show(value), name=other
            )
        )


def _own_ref(key: FlattenKey, data: FlattenDataDict) -> Any:
    """The id of the object being validated, or on update its name (then resolved by get)."""
    return data.get(key[:-1] + ("id",)) or data.get(key[:-1] + ("name",))


def _held_elsewhere(
    model: Any,
    entity: Any,
    extra: Any,
    link: Any,
    label: Any,
    field: str,
    value: str,
    own_ref: Any,
    *conditions: Any,
) -> str | None:
    """The label of another live object (not ``own_ref``) whose extra ``field`` is ``value``."""
    query = (
        model.Session.query(label)
        .join(extra, link == entity.id)
        .filter(extra.key == field)
        .filter(extra.value == value)
        .filter(extra.state == "active")
        .filter(entity.state != "deleted")
        .filter(*conditions)
    )
    own = entity.get(own_ref) if isinstance(own_ref, str) and own_ref else None
    if own is not None:
        query = query.filter(entity.id != own.id)
    other = query.first()
    return other[0] if other is not None else None
