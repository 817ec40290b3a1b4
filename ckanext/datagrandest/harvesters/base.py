"""Shared base of our harvesters: identity, unchanged-skip, deletion safety, errors, provenance.

Writing a harvester on this base (``udata.py`` and ``ods.py`` are worked examples)::

    class MyHarvester(DataGrandEstHarvester):
        name = "datagrandest_my"                # the harvest source type
        title = "Mon portail"
        description = "Ce que moissonne ce type de source."

        def check_config(self, config: dict) -> dict:          # optional
            # Validate and normalise the source's JSON config; raise ValueError
            # with a French message for the admin.
            return config

        def list_records(self, source: Source) -> Iterator[list[Record]]:
            # Read the remote catalogue page by page with ``source.http`` (the safe
            # client: get/get_json) and yield, per page, the records it holds as
            # ``Record(guid, content)``: guid is the record's stable id at the source,
            # content its text (canonical JSON or XML) without volatile parts such as
            # view counters, because the content hash decides "unchanged".
            # Call ``source.pages.visit(url)`` before reading each page (loop and page
            # cap guard); raise SourceError (or let HarvestHttpError through) to stop the
            # job with a clear message; ``source.skip(message)`` for a record that cannot
            # even be identified (the job is then incomplete: nothing gets withdrawn).

        def map_record(self, record: Any, source: Source) -> dict:
            # Turn one record (``parse_record(content)``: JSON by default; XML harvesters
            # override parse_record with ``parse_xml``) into a dataset dict in the field
            # names of docs/field-contract.md. Put the original page in ``url`` and a
            # name suggestion in ``name``; never set id or owner_org; identifiers naming
            # the original (deduplication keys) may go in ``dedup.KEYS_FIELD``. Raise RecordError
            # (or any exception) for a record that cannot be mapped: that record alone
            # fails, the others still import.

The base then does the rest: guid per source (two sources never share harvest objects),
cross-source deduplication (``dedup.py``: a dataset several sources list is kept once, written
by the source that wins it, withdrawn only when no source lists it any more), updates
in place (same id and name), skips unchanged records without writing (counted "not
modified"), withdraws vanished datasets only after a complete error-free gather that still
holds at least half of last time's datasets, sanitises text, and finishes every job with its
errors in the job report.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.datagrandest import config as dge_config
from ckanext.datagrandest.harvesters import dedup, harvest_warnings, publishers, safexml
from ckanext.datagrandest.harvesters.http import HarvestHttpError, HttpClient
from ckanext.datagrandest.harvesters.sanitize import clean_dataset
from ckanext.datagrandest.quality import harvest as quality_harvest
from ckanext.datagrandest.territories import normalise
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (
    HarvestGatherError,
    HarvestJob,
    HarvestObject,
    HarvestObjectExtra,
    Package,
    Session,
)

__all__ = [
    "DataGrandEstHarvester",
    "PageGuard",
    "Record",
    "RecordError",
    "Source",
    "SourceError",
    "canonical_json",
    "compact",
    "json_records",
    "parse_xml",
]

log = logging.getLogger(__name__)

_HASH_KEY = "datagrandest_hash"
_ACTION_KEY = "datagrandest_action"
_WITHDRAW = "withdraw"


class SourceError(Exception):
    """The source cannot be read any further; the message goes to the job report."""


class RecordError(Exception):
    """One record cannot be mapped; the others still import."""


@dataclass(frozen=True, slots=True)
class Record:
    guid: str
    content: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()


class PageGuard:
    """Refuses a page already read (a page pointing back to itself) and caps the page count."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self._seen: set[str] = set()

    def visit(self, url: str) -> None:
        if url in self._seen:
            raise SourceError(f"Pagination en boucle : la page {url} a déjà été lue")
        if len(self._seen) >= self.max_pages:
            raise SourceError(
                f"Plus de {self.max_pages} pages lues (ckanext.datagrandest.harvest.max_pages)"
                " : la collecte est arrêtée"
            )
        self._seen.add(url)


@dataclass
class Source:
    """What a harvester sees of the source being harvested."""

    id: str
    url: str
    config: dict[str, Any]
    http: HttpClient
    pages: PageGuard
    job: Any = None
    problems: list[str] = field(default_factory=list)

    def skip(self, message: str) -> None:
        """Report a record the gather had to leave out; the job then withdraws nothing."""
        self.problems.append(message)
        if self.job is not None:
            HarvestGatherError.create(message, self.job)


def canonical_json(value: Any) -> str:
    """The same data always gives the same text, hence the same hash."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def json_records(
    items: list[Any],
    guid_of: Callable[[Any], Any],
    strip_volatile: Callable[[dict[str, Any]], dict[str, Any]],
    source: Source,
    kind: str,
) -> list[Record]:
    """Records of one page of JSON datasets; one without a usable id is skipped and reported."""
    records = []
    for item in items:
        guid = guid_of(item) if isinstance(item, dict) else None
        if not isinstance(guid, str) or not guid:
            source.skip(f"Jeu de données {kind}sans identifiant ignoré : {str(item)[:200]}")
            continue
        records.append(Record(guid, canonical_json(strip_volatile(item))))
    return records


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """A mapped dataset without its empty fields (the schema then applies its defaults)."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def parse_xml(content: str | bytes) -> Any:
    """Parse a stored XML record: entities never resolved, nothing fetched, within budgets.

    A DOCTYPE is tolerated here (its entities stay unresolved): the record was checked when
    its page was read; ``safexml`` caps elements, depth and text length.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        return safexml.parse(data, allow_doctype=True)
    except safexml.XMLRefused as error:
        raise RecordError(f"XML invalide : {error}") from error


def make_client() -> HttpClient:
    return HttpClient(
        timeout=dge_config.harvest_timeout(),
        max_bytes=dge_config.harvest_max_response_bytes(),
        max_redirects=dge_config.harvest_max_redirects(),
        allow_private=dge_config.harvest_allow_private_addresses(),
    )


class DataGrandEstHarvester(HarvesterBase):
    """IHarvester plugin base; subclasses implement list_records and map_record."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # The job whose records are being imported (see _job).
    _current_job: _Job | None = None

    # What a subclass implements.

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return config

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        raise NotImplementedError

    def parse_record(self, content: str) -> Any:
        try:
            return json.loads(content)
        except ValueError as error:
            raise RecordError(f"Contenu JSON invalide : {error}") from error

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        raise NotImplementedError

    # IHarvester

    def info(self) -> dict[str, str]:
        # The class attribute: CKAN's plugin machinery sets an instance ``name`` of its own
        # (the class name when a harvester is instantiated directly).
        kind = type(self)
        return {"name": kind.name, "title": kind.title, "description": kind.description}

    def validate_config(self, config: str | None) -> str:
        parsed = publishers.check_config(self._parse_config(config))
        return json.dumps(self.check_config(parsed), ensure_ascii=False)

    def gather_stage(self, harvest_job: HarvestJob) -> list[str]:
        source_row = harvest_job.source
        try:
            config = self.check_config(self._parse_config(source_row.config))
        except ValueError as error:
            self._gather_error(f"Configuration de la source invalide : {error}", harvest_job)
            return []
        http = make_client()
        source = Source(
            id=source_row.id,
            url=source_row.url.rstrip("/"),
            config=config,
            http=http,
            pages=PageGuard(dge_config.harvest_max_pages()),
            job=harvest_job,
        )
        previous = _current_objects(source_row.id)
        seen: set[str] = set()
        ids: list[str] = []
        complete = True
        try:
            for page in self.list_records(source):
                ids.extend(self._store_page(page, previous, seen, harvest_job))
        except (HarvestHttpError, SourceError) as error:
            complete = False
            self._gather_error(f"Collecte interrompue : {error}", harvest_job)
        except Exception as error:  # a bug must still finish the job with a visible error
            log.exception("Gather of source %s failed", source_row.id)
            complete = False
            self._gather_error(f"Erreur inattendue pendant la collecte : {error!r}", harvest_job)
        finally:
            http.close()
        if complete and not source.problems:
            ids.extend(self._withdraw_vanished(previous, seen, harvest_job))
        elif previous:
            self._gather_error(
                "Collecte incomplète : aucun jeu de données n'a été retiré.", harvest_job
            )
        return ids

    def fetch_stage(self, harvest_object: HarvestObject) -> bool:
        # The listing already carries whole records; a harvester whose listing does not
        # overrides this to fetch harvest_object.content.
        return True

    def import_stage(self, harvest_object: HarvestObject) -> bool | str:
        # A withdrawal carries no content (and a record always does): the extras are read
        # only then.
        if harvest_object.content is None and _extra(harvest_object, _ACTION_KEY) == _WITHDRAW:
            return self._withdraw(harvest_object)
        job = self._job(harvest_object)
        try:
            if job.config_error is not None:
                raise job.config_error
            record = self.parse_record(harvest_object.content or "")
            data = self.map_record(record, job.source)
        except harvest_warnings.Untitled:
            self._save_object_error(
                f"Enregistrement {harvest_object.guid} sans titre : ignoré",
                harvest_object,
                "Import",
            )
            return False
        except Exception as error:  # one bad record must not stop the others
            self._save_object_error(
                f"Enregistrement {harvest_object.guid} illisible : {error}",
                harvest_object,
                "Import",
            )
            return False
        with harvest_warnings.portal_language():
            return self._save_dataset(clean_dataset(data), harvest_object)

    def _job(self, obj: HarvestObject) -> _Job:
        """What the records of ``obj``'s job share, read at its first record.

        A fetch consumer imports the records of one job after the other: the source's
        config, organisation, HTTP client and the site user are read once per job, not once
        per record (an edit of the source's config applies from its next job, as for the
        gather). The previous job's client is closed when the next job starts.
        """
        job = self._current_job
        if job is not None and job.id == obj.harvest_job_id:
            return job
        if job is not None:
            job.source.http.close()
        row = obj.source
        job = _Job(
            id=obj.harvest_job_id,
            source=Source(
                id=obj.harvest_source_id,
                url=row.url.rstrip("/"),
                config={},
                http=make_client(),
                pages=PageGuard(1),
            ),
            owner_org=_owner_org(obj.harvest_source_id),
            user=self._get_user_name(),
        )
        try:
            job.source.config = self.check_config(self._parse_config(row.config))
        except Exception as error:  # reported on each record, as "illisible"
            job.config_error = error
        self._current_job = job
        return job

    # Gather helpers

    def _parse_config(self, config: str | None) -> dict[str, Any]:
        if not config or not config.strip():
            return {}
        try:
            parsed = json.loads(config)
        except ValueError as error:
            raise ValueError(f"la configuration n'est pas du JSON valide ({error})") from error
        if not isinstance(parsed, dict):
            raise ValueError("la configuration doit être un objet JSON")
        return parsed

    def _gather_error(self, message: str, job: HarvestJob) -> None:
        Session.rollback()
        HarvestGatherError.create(message, job)

    def _store_page(
        self,
        page: list[Record],
        previous: dict[str, _Previous],
        seen: set[str],
        job: HarvestJob,
    ) -> list[str]:
        """Write one page's harvest objects in two bulk inserts; return those to import."""
        now = datetime.datetime.utcnow()
        objects: list[dict[str, Any]] = []
        extras: list[dict[str, Any]] = []
        to_import: list[str] = []
        for record in page:
            if record.guid in seen:
                continue  # a record listed twice is imported once
            seen.add(record.guid)
            digest = record.content_hash
            known = previous.get(record.guid)
            object_id = str(uuid.uuid4())
            row = {
                "id": object_id,
                "guid": record.guid,
                "current": False,
                "gathered": now,
                "harvest_job_id": job.id,
                "harvest_source_id": job.source_id,
                "package_id": known.package_id if known else None,
                "retry_times": 0,
                # executemany takes its columns from the first row: every row has all keys.
                "report_status": None,
                "import_finished": None,
            }
            if known and known.content_hash == digest and known.active:
                # Unchanged: a bare row keeps the job report honest; no content, no import.
                row.update(
                    state="COMPLETE",
                    report_status="not modified",
                    content=None,
                    import_finished=now,
                )
            else:
                row.update(state="WAITING", content=record.content)
                extras.append(_extra_row(object_id, _HASH_KEY, digest))
                to_import.append(object_id)
            objects.append(row)
        if objects:
            Session.execute(sa.insert(HarvestObject.__table__), objects)
        if extras:
            Session.execute(sa.insert(HarvestObjectExtra.__table__), extras)
        Session.commit()
        return to_import

    def _withdraw_vanished(
        self, previous: dict[str, _Previous], seen: set[str], job: HarvestJob
    ) -> list[str]:
        active = {guid for guid, known in previous.items() if known.active}
        if not seen:
            self._gather_error(
                "La source n'a renvoyé aucun jeu de données : rien n'a été retiré"
                + (f" ({len(active)} jeux de données moissonnés conservés)." if active else "."),
                job,
            )
            return []
        if len(seen) * 2 < len(active):
            self._gather_error(
                f"La source n'a renvoyé que {len(seen)} jeux de données contre {len(active)} "
                "la dernière fois (moins de la moitié) : rien n'a été retiré, "
                "vérifiez la source avant le prochain moissonnage.",
                job,
            )
            return []
        vanished = sorted(active - seen)
        now = datetime.datetime.utcnow()
        objects = []
        extras = []
        for guid in vanished:
            object_id = str(uuid.uuid4())
            objects.append(
                {
                    "id": object_id,
                    "guid": guid,
                    "current": False,
                    "gathered": now,
                    "state": "WAITING",
                    "harvest_job_id": job.id,
                    "harvest_source_id": job.source_id,
                    "package_id": previous[guid].package_id,
                    "retry_times": 0,
                    "content": None,
                }
            )
            extras.append(_extra_row(object_id, _ACTION_KEY, _WITHDRAW))
        if objects:
            Session.execute(sa.insert(HarvestObject.__table__), objects)
            Session.execute(sa.insert(HarvestObjectExtra.__table__), extras)
            Session.commit()
        return [row["id"] for row in objects]

    # Import helpers

    def _get_user_name(self) -> str:
        # Not cached on the singleton: the site user is recreated with each fresh database.
        return str(tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])

    def _context(self, obj: HarvestObject) -> dict[str, Any]:
        return {
            "user": self._job(obj).user,
            "ignore_auth": True,
            "return_id_only": True,
            # The quality hook keeps each written dataset's grade with this job.
            quality_harvest.JOB_KEY: obj.harvest_job_id,
        }

    def _save_dataset(self, data: dict[str, Any], obj: HarvestObject) -> bool | str:
        # Cross-source deduplication (dedup.py) is a rule of every harvester: a record
        # naming a dataset another source already brought is linked to it, and written
        # only by the source that wins it.
        own = dedup.own_dataset(data)
        if own is not None:
            # A copy of one of our own datasets (a catalogue we harvest harvested us): the
            # object names the dataset but never becomes current, so the source neither
            # writes, indexes, shows as provenance, withdraws nor clears it; the record is
            # recognised again at each run.
            obj.package_id = own
            obj.current = False
            return "unchanged"  # nothing written: "not modified" in the job report
        # The gather gave the object the dataset of the source's current object for this
        # guid: without one, the source has no current object to retire for it.
        linked = obj.package_id is not None
        if not linked:
            obj.package_id = dedup.find_duplicate(data, obj.harvest_source_id)
        data.pop(dedup.KEYS_FIELD, None)
        if obj.package_id is not None and not dedup.may_write(
            obj.package_id, obj.harvest_source_id
        ):
            _make_current(obj, retire=linked)
            return True
        return self._write_dataset(data, obj, retire=linked)

    def _write_dataset(
        self,
        data: dict[str, Any],
        obj: HarvestObject,
        warnings: list[str] | None = None,
        *,
        retire: bool = True,
    ) -> bool:
        # Accept and say (harvest_warnings.py): refused only without title or web address;
        # what the schema would refuse from a person is kept or dropped with a warning.
        retry = warnings is None
        warnings = [] if warnings is None else warnings
        try:
            data = harvest_warnings.prepare(data, obj.guid, warnings)
        except harvest_warnings.Refused as refusal:
            self._save_object_error(str(refusal), obj, "Import")
            return False
        context = harvest_warnings.context(self._context(obj), warnings)
        suggested = data.pop("name", None) or data["title"]
        data.pop("id", None)
        existing = (
            Session.query(Package.id, Package.name, Package.owner_org)
            .filter(Package.id == obj.package_id)
            .first()
            if obj.package_id
            else None
        )
        if existing and existing.owner_org:
            # No harvest moves a dataset out of the organisation it is in: the source that
            # wins a dataset rewrites its metadata, never its organisation.
            data["owner_org"] = existing.owner_org
        else:
            job = self._job(obj)
            data["owner_org"] = publishers.owner_org(
                publishers.first(data.get("publisher")),
                job.owner_org,
                job.source.config,
                job.directory,
            )
        try:
            if existing:
                data.update(id=existing.id, name=existing.name, state="active")
                _link_before_write(obj, existing.id, retire=retire)
                package_id = tk.get_action("package_update")(context, data)
            else:
                data["name"] = self._ensure_name_is_unique(
                    _munge_name(suggested), append_type="number-sequence"
                )
                data["id"] = str(uuid.uuid4())
                _link_before_write(obj, data["id"], retire=retire)
                package_id = tk.get_action("package_create")(context, data)
        except tk.ValidationError as error:
            Session.rollback()
            if retry and harvest_warnings.drop_refused(data, error, warnings):
                # Once more without what the schema refused (each drop is a warning).
                return self._write_dataset(data, obj, warnings, retire=retire)
            self._save_object_error(
                f"Jeu de données {obj.guid} « {data.get('title')} » refusé : "
                f"{harvest_warnings.describe(error, data)}",
                obj,
                "Import",
            )
            return False
        except Exception as error:
            log.exception("Import of %s failed", obj.guid)
            Session.rollback()
            self._save_object_error(
                f"Échec de l'import du jeu de données {obj.guid} : {error!r}", obj, "Import"
            )
            return False
        if isinstance(package_id, dict):
            package_id = package_id["id"]
        # Linked and made current before the write (_link_before_write), committed with it.
        obj.package_id = package_id
        obj.current = True
        harvest_warnings.record(obj, warnings)
        return True

    def _withdraw(self, obj: HarvestObject) -> bool:
        if obj.package_id and (
            dedup.shared_with_others(obj.package_id, obj.harvest_source_id)
            or dedup.published_here(obj.package_id)
        ):
            # Another source still lists the dataset, or it was published here (a harvest
            # only links to it): only this source's link goes.
            _retire_previous(obj)
            obj.current = False
            return True
        try:
            tk.get_action("package_delete")(self._context(obj), {"id": obj.package_id})
        except tk.ObjectNotFound:
            pass  # already gone: nothing left to withdraw
        # The previous object stays current so the guid keeps its dataset if it comes back.
        obj.current = False
        return True


@dataclass
class _Job:
    """What the records of one harvest job share (see DataGrandEstHarvester._job)."""

    id: str
    source: Source
    owner_org: str | None
    user: str
    config_error: Exception | None = None
    # The organisations new datasets are routed to (publishers.py), read once per job.
    directory: publishers.Directory = field(default_factory=publishers.Directory)


@dataclass(frozen=True, slots=True)
class _Previous:
    package_id: str | None
    content_hash: str | None
    active: bool


def _current_objects(source_id: str) -> dict[str, _Previous]:
    """guid -> what the last successful import left, for one source only."""
    rows = (
        Session.query(
            HarvestObject.guid, HarvestObject.package_id, HarvestObjectExtra.value, Package.state
        )
        .outerjoin(
            HarvestObjectExtra,
            sa.and_(
                HarvestObjectExtra.harvest_object_id == HarvestObject.id,
                HarvestObjectExtra.key == _HASH_KEY,
            ),
        )
        .outerjoin(Package, Package.id == HarvestObject.package_id)
        .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True))
    )
    return {
        guid: _Previous(package_id, digest, state == "active")
        for guid, package_id, digest, state in rows
    }


def _retire_previous(obj: HarvestObject) -> None:
    """The source's earlier objects for this guid stop being current."""
    Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == obj.harvest_source_id,
        HarvestObject.guid == obj.guid,
        HarvestObject.current.is_(True),
        HarvestObject.id != obj.id,
    ).update({"current": False}, synchronize_session=False)


def _make_current(obj: HarvestObject, *, retire: bool = True) -> None:
    """obj becomes the one current object of its source and guid (its link to the dataset).

    ``retire=False`` when the source is known to have no current object for the guid.
    """
    if retire:
        _retire_previous(obj)
    obj.current = True


def _link_before_write(obj: HarvestObject, package_id: str, *, retire: bool = True) -> None:
    """Make obj the dataset's current object before the write that indexes the dataset.

    ckanext-harvest's ``before_dataset_index`` adds ``harvest_source_id`` only from a current
    object pointing at the package; linked after the write, a first import would be indexed
    without its source (source page empty, ``harvest_source_clear`` blind to it). A failed
    write rolls this back with the rest.
    """
    obj.package_id = package_id
    _make_current(obj, retire=retire)
    # A new dataset's row is written by package_create: check the link at commit time. The
    # link itself is written by the write's own flush (CKAN flushes before it indexes), in
    # whatever order: no round trip of its own.
    Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))


def _extra(obj: HarvestObject, key: str) -> str | None:
    for extra in obj.extras:
        if extra.key == key:
            return str(extra.value)
    return None


def _extra_row(object_id: str, key: str, value: str) -> dict[str, str]:
    return {"id": str(uuid.uuid4()), "harvest_object_id": object_id, "key": key, "value": value}


def _owner_org(source_id: str) -> str | None:
    # The harvest source is itself a dataset; its organization is the publisher.
    return Session.query(Package.owner_org).filter(Package.id == source_id).scalar()


def _munge_name(text: str) -> str:
    """A CKAN dataset name (lower-case ASCII, digits, dashes) from a slug or a title."""
    return normalise(text).replace(" ", "-")[:90].strip("-") or "jeu-de-donnees"


def _summary(error: Any) -> str:
    summary = getattr(error, "error_summary", None) or getattr(error, "error_dict", None)
    return json.dumps(summary, ensure_ascii=False) if summary else str(error)
