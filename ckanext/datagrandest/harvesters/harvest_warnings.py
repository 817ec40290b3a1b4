"""Accept and say: harvested records refused only when unusable, every other oddity a warning.

A record from another portal is refused only when it has no title or no web address at all.
Any other value outside our vocabularies is normalised (``mapping.py``), kept as the source
gave it (a resource format such as ``GTFS``) or dropped, and the import says so in a warning:

- the harvester base writes with ``HARVEST_FLAG`` in the action context; the schema's
  validators (``logic/validators.py``) then keep or drop what they would refuse from a person
  and append a French warning to ``context[WARNINGS_KEY]`` (``warn``);
- the base records each warning on the harvest object as a ``HarvestObjectError`` of stage
  ``STAGE`` while the object still succeeds: ckanext-harvest's job report lists it under the
  record's guid, and our chained ``harvest_job_show``/``harvest_job_list`` count those
  objects as ``warnings`` rather than ``errored``;
- the dataset page shows the warnings of the dataset's current harvest objects to those who
  may edit it (``dataset_warnings``); a new import replaces them (new current object).

Hand-entered data (forms, API calls by users) never carries the flag: strict as before.
"""

from __future__ import annotations

import ast
import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, Final
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from flask_babel import force_locale

from ckanext.datagrandest import vocabularies
from ckanext.datagrandest.harvesters import mapping
from ckanext.datagrandest.harvesters.mapping import Mapped
from ckanext.harvest.model import HarvestObject, HarvestObjectError, Session

__all__ = [
    "HARVEST_FLAG",
    "PREFIX",
    "STAGE",
    "WARNINGS_KEY",
    "Refused",
    "Untitled",
    "context",
    "correct_stats",
    "dataset_warnings",
    "describe",
    "drop_refused",
    "field_label",
    "harvesting",
    "portal_language",
    "prepare",
    "record",
    "where",
    "warn",
]

# Action context keys: the write comes from a harvester; the warnings collected for it.
HARVEST_FLAG: Final = "datagrandest_harvest"
WARNINGS_KEY: Final = "datagrandest_harvest_warnings"
# How a warning is recorded on the harvest object (ckanext-harvest shows stage and message).
STAGE: Final = "Avertissement"
PREFIX: Final = "Avertissement : "
# One value echoed in a message: enough to recognise it, never a whole pasted document.
_SHOWN: Final = 120


class Refused(Exception):
    """The record is unusable (no title, no web address); the message names it and why."""


class Untitled(Refused):
    """Raised by a harvester's ``map_record`` for a record without title: the base refuses
    it in the same words for every harvester."""

    def __init__(self) -> None:
        super().__init__("sans titre")


def harvesting(context: Any) -> bool:
    """The action writes a harvested record (lenient validation, warnings)."""
    return isinstance(context, dict) and bool(context.get(HARVEST_FLAG))


def warn(context: Any, message: str) -> None:
    """Add a warning for the record being written (once: validators may run twice)."""
    found = context.setdefault(WARNINGS_KEY, [])
    if message not in found:
        found.append(message)


def shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


@functools.cache
def _labels() -> dict[tuple[str, ...], str]:
    """French labels of the dataset schema's fields, by (field,), (resources, field) or
    (repeating field, subfield)."""
    get_schema = getattr(tk.h, "scheming_get_dataset_schema", None)
    schema = (get_schema("dataset") if get_schema else None) or {}
    labels: dict[tuple[str, ...], str] = {}

    def french(field: dict[str, Any]) -> str:
        label = field.get("label") or field["field_name"]
        return str(label.get("fr") or label.get("en")) if isinstance(label, dict) else str(label)

    for field in schema.get("dataset_fields", []):
        labels[(field["field_name"],)] = french(field)
        for sub in field.get("repeating_subfields", []):
            labels[(field["field_name"], sub["field_name"])] = (
                f"{french(field)} ({french(sub).lower()})"
            )
    for field in schema.get("resource_fields", []):
        labels[("resources", field["field_name"])] = french(field)
    return labels


def field_label(key: tuple[Any, ...]) -> str:
    """The French label of a flattened key: ("contact", 0, "email") -> "Points de contact
    (courriel)"; the field name when the schema does not know it."""
    names = tuple(part for part in key if isinstance(part, str))
    return _labels().get(names) or ".".join(names)


def where(key: tuple[Any, ...], data: dict[Any, Any]) -> str:
    """Which part of the record a flattened key is in: " (ressource « Nom »)" or ""."""
    if len(key) >= 3 and key[0] == "resources":
        name = data.get(("resources", key[1], "name")) or data.get(("resources", key[1], "url"))
        return f" (ressource « {shown(name)} »)" if name else f" (ressource {key[1] + 1})"
    return ""


def record(obj: HarvestObject, warnings: list[str]) -> None:
    """Record a successful import's warnings on its harvest object (saved with the object)."""
    for message in warnings:
        obj.errors.append(HarvestObjectError(message=PREFIX + message, stage=STAGE))


# -- before and after the write ------------------------------------------------------------


def _web(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https", "ftp") and bool(parts.netloc)


def prepare(data: dict[str, Any], guid: str, warnings: list[str]) -> dict[str, Any]:
    """Refuse an unusable record (Refused); otherwise normalise what the mapping knows and
    fill what the schema requires, adding a warning for every change."""
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise Refused(f"Enregistrement {guid} sans titre : ignoré")
    resources = []
    for index, resource in enumerate(data.get("resources") or []):
        if isinstance(resource, dict) and _web(resource.get("url")):
            resources.append(resource)
            continue
        name = resource.get("name") if isinstance(resource, dict) else None
        label = f"« {shown(name)} »" if name else str(index + 1)
        _add(warnings, f"ressource {label} sans adresse web : retirée")
    data["resources"] = resources
    # A dataset's URI or identifier is no web address: it may not dereference to a page.
    if not resources and not _web(data.get("url")):
        raise Refused(
            f"Enregistrement {guid} « {shown(title)} » sans adresse web (aucune ressource "
            "avec une URL, pas de page d'origine) : ignoré"
        )
    notes = data.get("notes")
    if not isinstance(notes, str) or not notes.strip():
        data["notes"] = title
        _add(warnings, "description absente : le titre en tient lieu")
    _normalise(data, warnings)
    return data


def _add(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)


def _normalise(data: dict[str, Any], warnings: list[str]) -> None:
    """Source words our vocabularies do not spell, turned into ours by ``mapping.py``.

    Harvesters may pass a value they could not map as the source gave it. Only what the
    mapping recognises is replaced here; the rest reaches the schema, whose validators keep
    or drop it with a warning naming the value (and the resource).
    """
    frequency = data.get("frequency")
    if frequency and not vocabularies.frequency_uri(frequency):
        found = mapping.map_frequency(frequency)
        if found.recognised:
            data["frequency"] = found.value
    mappers: tuple[tuple[str, vocabularies.VocabularyName, Callable[[Any], Mapped]], ...] = (
        ("language", "language", mapping.map_language),
        ("theme", "data-theme", mapping.map_theme),
    )
    for field, vocabulary, mapper in mappers:
        items = data.get(field)
        if not isinstance(items, list | str) or not items:
            continue
        values: list[Any] = []
        for item in items if isinstance(items, list) else [items]:
            uri = vocabularies.uri(vocabulary, item)
            mapped = mapper(item) if uri is None else None
            if uri is not None:
                values.append(uri)
            elif mapped is not None and mapped.recognised:
                values.extend(mapped.values)
            else:
                values.append(item)
        data[field] = list(dict.fromkeys(values))
    license_id = data.get("license_id")
    if license_id and not vocabularies.license(license_id):
        found = mapping.map_license(license_id)
        data.update(mapping.license_dict(found) or {"license_id": "other"})
        if not found.recognised:
            _add(
                warnings,
                f"licence non reconnue, gardée comme « autre licence » : {shown(license_id)}",
            )
    for resource in data.get("resources") or []:
        fmt = resource.get("format")
        if not isinstance(fmt, str) or not fmt.strip() or vocabularies.file_type_code(fmt):
            continue
        found = mapping.map_format(
            fmt, url=resource.get("url"), media_type=resource.get("mimetype")
        )
        if found.recognised and found.value:
            resource["format"] = found.value
        elif found.recognised:
            # "api", "web service": no file type, an API.
            resource.pop("format")
            resource.setdefault("is_api", "true")


@contextlib.contextmanager
def portal_language() -> Iterator[None]:
    """The schema's messages in the portal's language (French) while a record is written,
    also in a harvest worker, where no visitor's request chooses one."""
    with force_locale(tk.config.get("ckan.locale_default") or "fr"):
        yield


def context(base: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """An action context for writing a harvested record; validators add to ``warnings``."""
    return {**base, HARVEST_FLAG: True, WARNINGS_KEY: warnings}


# Never dropped to save a record: without them there is no dataset to speak of.
_ESSENTIAL: Final = frozenset({"title", "name", "owner_org", "id", "type"})


def drop_refused(data: dict[str, Any], error: Any, warnings: list[str]) -> bool:
    """Drop from ``data`` what the schema still refused (a warning for each); False when an
    essential field was refused or nothing could be dropped."""
    errors = getattr(error, "error_dict", None)
    if not isinstance(errors, dict) or not errors or _ESSENTIAL & set(errors):
        return False
    dropped = _drop_junk(data, errors.get("__junk"), warnings)
    for field, problem in errors.items():
        value = data.get(field)
        if isinstance(problem, list) and isinstance(value, list) and len(problem) == len(value):
            if any(isinstance(p, dict) for p in problem):
                dropped |= _drop_in_list(field, value, problem, warnings)
                continue
        if field in data:
            data.pop(field)
            _add(
                warnings,
                f"{field_label((field,))} refusé et ignoré : {shown(value)} ({_messages(problem)})",
            )
            dropped = True
    if not data.get("notes"):
        data["notes"] = data.get("title")
    return dropped and (bool(data.get("resources")) or _web(data.get("url")))


# Core list fields the scheming schema does not list but always accepts.
_CORE_LISTS: Final = frozenset({"resources", "tags", "extras", "groups"})


def _junk_keys(problem: Any) -> list[tuple[Any, ...]]:
    """The flattened keys a ``__junk`` error names ("The input field [('a', 0, 'b')] was not
    expected.", in whatever language): navl keeps only their repr in the message."""
    found: list[tuple[Any, ...]] = []
    for message in problem if isinstance(problem, list) else [problem]:
        text = str(message)
        start, end = text.find("["), text.rfind("]")
        if start < 0 or end < start:
            continue
        try:
            keys = ast.literal_eval(text[start : end + 1])
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            continue
        found.extend(k for k in keys if isinstance(k, tuple) and k and isinstance(k[0], str))
    return found


def _drop_junk(data: dict[str, Any], problem: Any, warnings: list[str]) -> bool:
    """Fields the schema does not know (ckanext-dcat profile leftovers such as
    ``qualified_attribution``), dropped with a warning; an unknown subfield of a known list
    field is dropped from its entry only."""
    if not problem:
        return False
    known = {key[0] for key in _labels()} | _CORE_LISTS
    dropped = False
    for key in _junk_keys(problem):
        field = key[0]
        if field not in data or field in _ESSENTIAL:
            continue
        if field not in known:
            _add(warnings, f"champ inconnu du schéma ignoré : {field} ({shown(data.pop(field))})")
            dropped = True
            continue
        items = data[field]
        if len(key) >= 3 and isinstance(items, list) and isinstance(key[1], int):
            item = items[key[1]] if key[1] < len(items) else None
            if isinstance(item, dict) and key[2] in item:
                value = item.pop(key[2])
                _add(
                    warnings,
                    f"champ inconnu du schéma ignoré ({field_label((field,))}) : "
                    f"{key[2]} ({shown(value)})",
                )
                dropped = True
    return dropped


def _drop_in_list(field: str, items: list[Any], problems: list[Any], warnings: list[str]) -> bool:
    """Entries of a list field (resources, tags, repeating subfields) the schema refused."""
    kept = []
    dropped = False
    for index, (item, problem) in enumerate(zip(items, problems, strict=True)):
        if not problem or not isinstance(item, dict):
            kept.append(item)
            continue
        dropped = True
        name = item.get("name") or item.get("url") or str(index + 1)
        if field == "tags" or (field == "resources" and "url" in problem):
            _add(
                warnings,
                f"{field_label((field,))} « {shown(name)} » refusé : retiré "
                f"({_messages(problem)})",
            )
            continue
        for key, message in problem.items():
            where = f" ({field_label((field, key))} de « {shown(name)} »)"
            _add(
                warnings,
                f"valeur refusée et ignorée{where} : {shown(item.get(key))} "
                f"({_messages(message)})",
            )
            item.pop(key, None)
        kept.append(item)
    items[:] = kept
    return dropped


def _messages(problem: Any) -> str:
    if isinstance(problem, dict):
        return "; ".join(f"{k} : {_messages(v)}" for k, v in problem.items())
    if isinstance(problem, list):
        return "; ".join(_messages(p) for p in problem if p)
    return str(problem)


def describe(error: Any, data: dict[str, Any]) -> str:
    """A refusal in French naming each refused field (and resource) and why."""
    errors = getattr(error, "error_dict", None)
    if not isinstance(errors, dict) or not errors:
        return str(error)
    parts: list[str] = []
    for field, problem in errors.items():
        items = data.get(field)
        if (
            isinstance(problem, list)
            and isinstance(items, list)
            and any(isinstance(p, dict) and p for p in problem)
        ):
            for index, entry in enumerate(problem):
                if isinstance(entry, dict) and entry and index < len(items):
                    item = items[index] if isinstance(items[index], dict) else {}
                    name = item.get("name") or item.get("url") or str(index + 1)
                    parts.extend(
                        f"{field_label((field, key))} de « {shown(name)} » : {_messages(msg)}"
                        for key, msg in entry.items()
                    )
            continue
        parts.append(f"{field_label((field,))} : {_messages(problem)}")
    return " ; ".join(parts)


# -- where warnings are shown ---------------------------------------------------------------


def dataset_warnings(package_id: str) -> list[str]:
    """The warnings of the last import of a dataset, from each source that lists it."""
    rows = (
        Session.query(HarvestObjectError.message)
        .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
        .filter(
            HarvestObject.package_id == package_id,
            HarvestObject.current.is_(True),
            HarvestObjectError.stage == STAGE,
        )
        .order_by(HarvestObjectError.created, HarvestObjectError.id)
    )
    return list(dict.fromkeys(message.removeprefix(PREFIX) for (message,) in rows))


def correct_stats(job_id: str, stats: dict[str, Any]) -> dict[str, Any]:
    """Job counts where a record imported with warnings counts as ``warnings``, not ``errored``.

    ckanext-harvest counts every object with an error row as errored, even when the record
    was added or updated; ours carry warnings in such rows.
    """
    if not isinstance(stats, dict):
        return stats
    with_rows = (
        Session.query(
            HarvestObjectError.harvest_object_id,
            sa.func.bool_or(HarvestObjectError.stage != STAGE),
        )
        .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
        .filter(HarvestObject.harvest_job_id == job_id)
        .group_by(HarvestObjectError.harvest_object_id)
        .all()
    )
    warned_only = sum(1 for _, has_error in with_rows if not has_error)
    stats = dict(stats)
    stats["warnings"] = warned_only
    if warned_only and "errored" in stats:
        stats["errored"] = max(0, int(stats["errored"]) - warned_only)
    return stats


# -- actions (wired in logic/action.py) ------------------------------------------------------


@tk.side_effect_free
def datagrandest_harvest_warnings(context: Any, data_dict: Any) -> list[str]:
    """The warnings of a harvested dataset's last import, for those who may edit it.

    :param id: the dataset's id or name
    :returns: the warnings, in French ("format non reconnu : GTFS (ressource « ... »)")
    """
    package_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("package_update", context, {"id": package_id})
    package = context["model"].Package.get(package_id)
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return dataset_warnings(package.id)


@tk.chained_action
@tk.side_effect_free
def harvest_job_show(up_func: Any, context: Any, data_dict: Any) -> Any:
    return _with_correct_stats(up_func(context, data_dict))


@tk.chained_action
@tk.side_effect_free
def harvest_job_list(up_func: Any, context: Any, data_dict: Any) -> Any:
    jobs = up_func(context, data_dict)
    for job in jobs if isinstance(jobs, list) else []:
        _with_correct_stats(job)
    return jobs


@tk.chained_action
@tk.side_effect_free
def harvest_source_show_status(up_func: Any, context: Any, data_dict: Any) -> Any:
    status = up_func(context, data_dict)
    if isinstance(status, dict):
        _with_correct_stats(status.get("last_job"))
    return status


def _with_correct_stats(job: Any) -> Any:
    """A job dict of ckanext-harvest with its stats corrected in place (see correct_stats)."""
    if isinstance(job, dict) and "stats" in job:
        job["stats"] = correct_stats(job["id"], job["stats"])
    return job
