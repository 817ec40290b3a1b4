"""Preview of a harvest source: its first records read and mapped, nothing written.

As data.gouv.fr does before a first harvest: the source is read with the harvester's own
``list_records`` and ``map_record`` through a dry-run ``Source`` (no job, no harvest object,
no dataset), each record is checked against the schema the way the harvester base would
write it (``harvest_warnings``: lenient for harvested data, every oddity a warning), and the
admin sees what would be created and what would be said about it. A source that cannot be
read gives its error message, never an exception.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import ckan.model as model
import ckan.plugins.toolkit as tk

# The toolkit has no "validate without writing": CKAN's own validation entry point is used,
# as package_create calls it.
from ckan.lib.plugins import lookup_package_plugin, plugin_validate

from ckanext.datagrandest import config as dge_config
from ckanext.datagrandest import territories, vocabularies
from ckanext.datagrandest.harvesters import harvest_warnings
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    PageGuard,
    Record,
    Source,
    SourceError,
    make_client,
)
from ckanext.datagrandest.harvesters.http import HarvestHttpError
from ckanext.datagrandest.harvesters.sanitize import clean_dataset
from ckanext.datagrandest.lists import as_list

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Preview",
    "PreviewItem",
    "preview",
    "preview_file_source",
    "preview_source",
]

log = logging.getLogger(__name__)

DEFAULT_LIMIT: Final = 10
MAX_LIMIT: Final = 100


@dataclass
class PreviewItem:
    """One record as the harvest would write it."""

    guid: str
    title: str = ""
    publisher: str = ""
    licence: str = ""
    formats: list[str] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    landing_page: str = ""
    resources: int = 0
    warnings: list[str] = field(default_factory=list)
    refused: str = ""  # why the harvest would refuse it; empty when it would land


@dataclass
class Preview:
    """What a harvest of the source would do with its first records."""

    source_type: str
    url: str
    limit: int
    items: list[PreviewItem] = field(default_factory=list)
    # Records the gather itself had to leave out (no identifier...).
    problems: list[str] = field(default_factory=list)
    # Why the source could not be read (configuration, HTTP, format); the items read before
    # the error are kept.
    error: str = ""

    @property
    def landing(self) -> int:
        return sum(1 for item in self.items if not item.refused)


def preview_source(name_or_id: str, limit: int = DEFAULT_LIMIT) -> Preview:
    """Preview a harvest source of the database, by name or id."""
    try:
        source = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": name_or_id})
    except tk.ObjectNotFound:
        return Preview("", "", limit, error=f"Source de moissonnage inconnue : {name_or_id}")
    return preview(
        source["source_type"],
        source["url"],
        source.get("config"),
        limit,
        owner_org=source.get("owner_org"),
    )


def preview_file_source(path: Path, name: str, limit: int = DEFAULT_LIMIT) -> Preview:
    """Preview an entry of a sources file (``sources.yaml``), synced or not."""
    from ckanext.datagrandest import sources

    try:
        found = sources.load(path)
    except sources.SourcesError as error:
        return Preview(
            "", "", limit, error=f"{path} : fichier refusé : " + " ; ".join(error.problems)
        )
    entry = next((s for s in found.sources if s.get("name") == name), None)
    if entry is None:
        return Preview("", "", limit, error=f"{path} : aucune source nommée « {name} »")
    found.sources = [entry]
    messages: list[str] = []
    sources.resolve(found, messages.append)  # a udata organisation named only by its name
    if not found.sources:
        return Preview(entry["type"], entry["url"], limit, error=" ".join(messages).strip())
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": entry["organization"], "include_datasets": False}
        )
    except tk.ObjectNotFound:
        org = {}  # not synced yet: the schema's organisation check is left out
    result = preview(
        entry["type"], entry["url"], entry.get("config") or {}, limit, owner_org=org.get("id")
    )
    result.problems[:0] = [m.strip() for m in messages]
    return result


def preview(
    source_type: str,
    url: str,
    config: str | dict[str, Any] | None,
    limit: int = DEFAULT_LIMIT,
    owner_org: str | None = None,
) -> Preview:
    """Read and map the first ``limit`` records of a source; write nothing."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    result = Preview(source_type, url, limit)
    harvester = _harvester(source_type)
    if harvester is None:
        result.error = (
            f"Type de source « {source_type} » non prévisualisable : seuls les moissonneurs "
            "DataGrandEst (datagrandest_*) le sont."
        )
        return result
    try:
        text = json.dumps(config) if isinstance(config, dict) else config
        # As the admin form checks it (the harvester's own checks and the shared ones).
        parsed = json.loads(harvester.validate_config(text))
    except ValueError as error:
        result.error = f"Configuration de la source invalide : {error}"
        return result
    http = make_client()
    source = Source(
        id="preview",
        url=url.rstrip("/"),
        config=parsed,
        http=http,
        pages=PageGuard(dge_config.harvest_max_pages()),
    )
    try:
        for record in _first_records(harvester, source, limit):
            result.items.append(_item(harvester, record, source, owner_org))
    except (HarvestHttpError, SourceError) as error:
        result.error = f"Lecture de la source interrompue : {error}"
    except Exception as error:  # a broken source or a bug must still answer with a message
        log.exception("Preview of %s (%s) failed", url, source_type)
        result.error = f"Erreur inattendue pendant la lecture de la source : {error!r}"
    finally:
        http.close()
    result.problems = list(source.problems)
    return result


def _harvester(source_type: str) -> DataGrandEstHarvester | None:
    from ckanext.harvest.queue import get_harvester

    harvester = get_harvester(source_type)
    return harvester if isinstance(harvester, DataGrandEstHarvester) else None


def _first_records(
    harvester: DataGrandEstHarvester, source: Source, limit: int
) -> Iterator[Record]:
    seen: set[str] = set()
    pages = harvester.list_records(source)
    try:
        for page in pages:
            for record in page:
                if record.guid in seen:
                    continue
                seen.add(record.guid)
                yield record
                if len(seen) >= limit:
                    return
    finally:
        # Stop the listing now: no further page is requested.
        close = getattr(pages, "close", None)
        if close is not None:
            close()


def _item(
    harvester: DataGrandEstHarvester, record: Record, source: Source, owner_org: str | None
) -> PreviewItem:
    item = PreviewItem(guid=record.guid)
    try:
        data = clean_dataset(harvester.map_record(harvester.parse_record(record.content), source))
    except harvest_warnings.Untitled:
        # In the words of the harvest's job report (base.import_stage).
        item.refused = f"Enregistrement {record.guid} sans titre : ignoré"
        return item
    except Exception as error:  # the harvest would fail this record alone
        item.refused = f"Enregistrement {record.guid} illisible : {error}"
        return item
    _describe(item, data)
    try:
        data = harvest_warnings.prepare(data, record.guid, item.warnings)
    except harvest_warnings.Refused as refusal:
        item.refused = str(refusal)
        return item
    validated, verdict = _validate(data, owner_org, item.warnings)
    if verdict:
        item.refused = verdict
    elif validated is not None:
        _describe(item, validated)
    return item


def _validate(
    data: dict[str, Any], owner_org: str | None, warnings: list[str]
) -> tuple[dict[str, Any] | None, str]:
    """The schema's verdict, as the base's write would get it; nothing is written."""
    data = dict(data)
    data.pop("name", None)
    data.pop("id", None)
    data.pop("_datagrandest_dedup_keys", None)
    if owner_org:
        data["owner_org"] = owner_org
    data["type"] = data.get("type") or "dataset"
    plugin = lookup_package_plugin(data["type"])
    for attempt in range(2):
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = harvest_warnings.context(
            {
                "user": site_user["name"],
                "ignore_auth": True,
                "model": model,
                "session": model.Session,
            },
            warnings,
        )
        validated, errors = plugin_validate(
            plugin, context, data, plugin.create_package_schema(), "package_create"
        )
        if not owner_org:
            errors.pop("owner_org", None)  # a source from a file has no organisation yet
        errors.pop("name", None)  # the base makes the name unique
        if not errors:
            return validated, ""
        error = tk.ValidationError(errors)
        if attempt == 0 and harvest_warnings.drop_refused(data, error, warnings):
            continue
        return None, f"Refusé : {harvest_warnings.describe(error, data)}"
    return None, ""


def _describe(item: PreviewItem, data: dict[str, Any]) -> None:
    item.title = str(data.get("title") or "")
    publisher = next((p for p in as_list(data.get("publisher")) if isinstance(p, dict)), {})
    item.publisher = str(publisher.get("name") or "")
    licence = data.get("license_id")
    if licence:
        label = vocabularies.license_label(licence)
        other = data.get("license_other")
        item.licence = f"{label} ({other})" if licence == "other" and other else label
    formats = [
        str(resource.get("format"))
        for resource in data.get("resources") or []
        if isinstance(resource, dict) and resource.get("format")
    ]
    item.formats = sorted(set(formats))
    item.resources = len(data.get("resources") or [])
    item.territories = [
        territories.label(code) if territories.get(code) else code
        for code in as_list(data.get("territories"))
        if isinstance(code, str)
    ]
    item.landing_page = str(data.get("url") or "")
