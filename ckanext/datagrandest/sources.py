"""Harvest sources as code: sources.yaml checked whole, then applied idempotently; harvest runs."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.datagrandest.harvesters.base import make_client
from ckanext.datagrandest.harvesters.http import HarvestHttpError
from ckanext.harvest import queue
from ckanext.harvest.logic.validators import _normalize_url
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource, Package, Session

__all__ = [
    "DEFAULT_PATH",
    "SourcesError",
    "load",
    "resolve",
    "run_harvest",
    "sync",
]

DEFAULT_PATH = Path(__file__).with_name("sources.yaml")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
_FREQUENCIES = ("MANUAL", "MONTHLY", "WEEKLY", "BIWEEKLY", "DAILY", "ALWAYS")
_ORG_FIELDS = ("title", "description", "body_kind", "siren", "territories", "website", "email")
_UDATA = "datagrandest_udata"

Echo = Callable[[str], None]


class SourcesError(Exception):
    """The sources file is wrong; ``problems`` names each wrong entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SourcesFile:
    organizations: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    skipped: list[str] = field(default_factory=list)


def _context() -> dict[str, Any]:
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"user": user, "ignore_auth": True}


def _known_types() -> set[str]:
    return {h["name"] for h in tk.get_action("harvesters_info_show")(_context(), {})}


def load(path: Path) -> SourcesFile:
    """Read and check the whole file; SourcesError lists every wrong entry."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SourcesError([f"{path} : lecture impossible ({error})"]) from error
    if not isinstance(document, dict):
        raise SourcesError([f"{path} : un objet avec « organizations » et « sources » attendu"])
    organizations = document.get("organizations") or []
    sources = document.get("sources") or []
    problems: list[str] = []
    if not isinstance(organizations, list) or not isinstance(sources, list):
        raise SourcesError([f"{path} : « organizations » et « sources » doivent être des listes"])
    org_names: set[str] = set()
    for index, org in enumerate(organizations):
        where = f"organizations[{index}]"
        if not isinstance(org, dict):
            problems.append(f"{where} : un objet attendu")
            continue
        name = org.get("name")
        where += f" ({name})" if name else ""
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{where} : « name » manquant ou invalide")
        elif name in org_names:
            problems.append(f"{where} : nom « {name} » en double")
        else:
            org_names.add(name)
        if not org.get("title"):
            problems.append(f"{where} : « title » manquant")
    types = _known_types()
    names: set[str] = set()
    for index, source in enumerate(sources):
        where = f"sources[{index}]"
        if not isinstance(source, dict):
            problems.append(f"{where} : un objet attendu")
            continue
        name = source.get("name")
        where += f" ({name})" if name else ""
        problems.extend(f"{where} : {p}" for p in _source_problems(source, types, org_names))
        if isinstance(name, str) and name in names:
            problems.append(f"{where} : nom « {name} » en double")
        names.add(str(name))
    if problems:
        raise SourcesError(problems)
    for source in sources:
        source["url"] = os.path.expandvars(source["url"]).rstrip("/")
    return SourcesFile(organizations, sources)


def _source_problems(source: dict[str, Any], types: set[str], orgs: set[str]) -> list[str]:
    problems = []
    name, kind, url = source.get("name"), source.get("type"), source.get("url")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append("« name » manquant ou invalide (minuscules, chiffres, tirets)")
    if kind not in types:
        problems.append(f"type inconnu « {kind} » (types installés : {', '.join(sorted(types))})")
    if not isinstance(url, str) or not url.strip():
        problems.append("« url » manquante")
    elif not os.path.expandvars(url).startswith(("http://", "https://")):
        problems.append(f"« url » invalide (http ou https attendu) : {url}")
    if source.get("organization") not in orgs:
        problems.append(
            f"organisation « {source.get('organization')} » absente de « organizations »"
        )
    if str(source.get("frequency", "MANUAL")) not in _FREQUENCIES:
        problems.append(f"« frequency » doit valoir {', '.join(_FREQUENCIES)}")
    config = source.get("config") or {}
    if not isinstance(config, dict):
        problems.append("« config » doit être un objet")
        return problems
    search = source.get("organization_search")
    if search is not None:
        if kind != _UDATA:
            problems.append(f"« organization_search » ne vaut que pour le type {_UDATA}")
        elif not isinstance(search, str) or not search.strip():
            problems.append("« organization_search » doit être un texte")
        return problems  # the config gets its organization when the search is resolved
    if kind in types:
        try:
            _harvester(str(kind)).validate_config(json.dumps(config))
        except ValueError as error:
            problems.append(f"configuration invalide : {error}")
    return problems


def _harvester(kind: str) -> Any:
    return queue.get_harvester(kind)


def resolve(sources_file: SourcesFile, echo: Echo) -> None:
    """Turn each organization_search into a udata slug; skip the entries that cannot be."""
    kept = []
    for source in sources_file.sources:
        search = source.get("organization_search")
        if not search:
            kept.append(source)
            continue
        url = f"{source['url']}/api/1/organizations/suggest/"
        client = make_client()
        reason = ""
        try:
            found = client.get_json(url, {"q": search, "size": 5})
        except HarvestHttpError as error:
            found = None
            reason = str(error)
        finally:
            client.close()
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            reason = reason or "aucune organisation trouvée"
            echo(
                f"  ! {source['name']} : impossible de résoudre « {search} » sur {source['url']}"
                f" ({reason}) : entrée ignorée"
            )
            sources_file.skipped.append(source["name"])
            continue
        best = found[0]
        slug = best.get("slug") or best.get("id")
        others = ", ".join(str(o.get("slug")) for o in found[1:] if isinstance(o, dict))
        echo(
            f"  ? {source['name']} : « {search} » → {slug} ({best.get('name')}), à confirmer"
            + (f" ; autres réponses : {others}" if others else "")
        )
        source["config"] = {**(source.get("config") or {}), "organizations": [slug]}
        kept.append(source)
    sources_file.sources = kept


def _stored_config(kind: str, config: dict[str, Any]) -> str:
    # As _apply_source will send it and ckanext-harvest store it (defaults filled in).
    validated = _harvester(kind).validate_config(json.dumps(config))
    return str(_normalised("config", validated))


def _same_url_and_config(sources_file: SourcesFile) -> list[str]:
    """Entries ckanext-harvest would refuse: same address and config as another source.

    ckanext-harvest allows one source per (URL without query, port 80/443 or trailing slash;
    config). Checked for the file's entries among themselves and against the sources already
    in the database that the file does not rewrite, before anything is created.
    """
    problems: list[str] = []
    by_key: dict[tuple[str, str], str] = {}
    in_file = set()
    for index, source in enumerate(sources_file.sources):
        where = f"sources[{index}] ({source['name']})"
        in_file.add(source["name"])
        key = (
            _normalize_url(source["url"]),
            _stored_config(source["type"], source.get("config") or {}),
        )
        if key in by_key:
            problems.append(
                f"{where} : même adresse ({key[0]}) et même configuration que {by_key[key]} ; "
                "ckanext-harvest n'accepte qu'une source par adresse et configuration"
            )
        else:
            by_key[key] = where
    rows = (
        Session.query(Package.name, Package.url, Package.state, HarvestSource.config)
        .join(HarvestSource, HarvestSource.id == Package.id)
        .filter(Package.type == "harvest")
    )
    for name, url, state, config in rows:
        if name in in_file or not url:
            continue
        key = (_normalize_url(url), str(_normalised("config", config or "")))
        if key in by_key:
            deleted = " (supprimée, mais toujours enregistrée)" if state == "deleted" else ""
            problems.append(
                f"{by_key[key]} : la source « {name} »{deleted} déjà enregistrée a la même "
                f"adresse ({key[0]}) et la même configuration ; ckanext-harvest refuserait "
                "cette entrée"
            )
    return problems


def sync(path: Path, echo: Echo) -> list[str]:
    """Apply the file: organizations, then harvest sources; returns one line per change."""
    sources_file = load(path)
    resolve(sources_file, echo)
    # Checked whole before the first write: a file ckanext-harvest would refuse halfway
    # through must change nothing.
    conflicts = _same_url_and_config(sources_file)
    if conflicts:
        raise SourcesError(conflicts)
    context = _context()
    changes: list[str] = []
    total = len(sources_file.organizations) + len(sources_file.sources)
    step = 0
    org_ids: dict[str, str] = {}
    for org in sources_file.organizations:
        step += 1
        status, org_ids[org["name"]] = _apply_organization(context, org)
        echo(f"[{step}/{total}] organisation {org['name']} : {status}")
        if status != "inchangée":
            changes.append(f"organisation {org['name']} {status}")
    for source in sources_file.sources:
        step += 1
        status = _apply_source(context, source, org_ids[source["organization"]])
        echo(f"[{step}/{total}] source {source['name']} : {status}")
        if status != "inchangée":
            changes.append(f"source {source['name']} {status}")
    for name in sources_file.skipped:
        changes.append(f"source {name} ignorée (organisation udata non résolue)")
    return changes


def _apply_organization(context: dict[str, Any], org: dict[str, Any]) -> tuple[str, str]:
    wanted = {k: org[k] for k in _ORG_FIELDS if k in org}
    try:
        current = tk.get_action("organization_show")(
            dict(context), {"id": org["name"], "include_datasets": False}
        )
    except tk.ObjectNotFound:
        created = tk.get_action("organization_create")(
            dict(context), {"name": org["name"], **wanted}
        )
        return "créée", created["id"]
    if all(current.get(k) == v for k, v in wanted.items()):
        return "inchangée", current["id"]
    tk.get_action("organization_patch")(dict(context), {"id": current["id"], **wanted})
    return "mise à jour", current["id"]


def _apply_source(context: dict[str, Any], source: dict[str, Any], org_id: str) -> str:
    wanted = {
        "title": source.get("title") or source["name"],
        "url": source["url"],
        "source_type": source["type"],
        # As the harvester will store it (defaults filled in), so an unchanged entry compares equal.
        "config": _normalised(
            "config",
            _harvester(source["type"]).validate_config(json.dumps(source.get("config") or {})),
        ),
        "owner_org": org_id,
        "frequency": source.get("frequency", "MANUAL"),
    }
    try:
        current = tk.get_action("harvest_source_show")(dict(context), {"id": source["name"]})
    except tk.ObjectNotFound:
        tk.get_action("harvest_source_create")(dict(context), {"name": source["name"], **wanted})
        return "créée"
    differs = [k for k, v in wanted.items() if _normalised(k, current.get(k)) != v]
    if not differs:
        return "inchangée"
    tk.get_action("harvest_source_patch")(dict(context), {"id": current["id"], **wanted})
    return f"mise à jour ({', '.join(differs)})"


def _normalised(key: str, value: Any) -> Any:
    if key == "config" and isinstance(value, str) and value:
        try:
            return json.dumps(json.loads(value), ensure_ascii=False, sort_keys=True)
        except ValueError:
            return value
    return value if value is not None else ""


# ckanext-harvest's job statistics, in the command's language.
_STAT_LABELS = {
    "added": "ajoutés",
    "updated": "mis à jour",
    "not modified": "inchangés",
    "errored": "en erreur",
    "deleted": "retirés",
}


def _validation_text(error: Any) -> str:
    summary = getattr(error, "error_summary", None) or {}
    return "; ".join(str(v) for v in summary.values()) or str(error)


def run_harvest(
    names: Iterable[str], progress: Callable[[Iterable[str], str], Any], echo: Echo
) -> bool:
    """Run a job per source synchronously (no queues); False if any job had errors."""
    context = _context()
    sources = {}
    for name in names:
        try:
            sources[name] = tk.get_action("harvest_source_show")(dict(context), {"id": name})
        except tk.ObjectNotFound:
            pass
    unknown = [name for name in names if name not in sources]
    if unknown:
        # Check every name first: a typo must not leave half of the sources harvested.
        raise SourcesError(
            [f"source de moissonnage inconnue : {name}" for name in unknown]
            + ["rien n'a été moissonné ; `ckan harvester sources` liste les sources"]
        )
    clean = True
    for name, source in sources.items():
        try:
            job_dict = tk.get_action("harvest_job_create")(
                dict(context), {"source_id": source["id"], "run": False}
            )
        except tk.ValidationError as refused:
            # e.g. a job of this source is already queued or running
            echo(f"{name} : pas de moissonnage, {_validation_text(refused)}")
            clean = False
            continue
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()
        harvester = queue.get_harvester(source["source_type"])
        echo(f"{name} : collecte de {source['url']}…")
        object_ids = queue.gather_stage(harvester, job) or []
        with progress(object_ids, f"{name} : import") as bar:
            for object_id in bar:
                queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        tk.get_action("harvest_jobs_run")(dict(context), {"source_id": source["id"]})
        report = tk.get_action("harvest_job_report")(dict(context), {"id": job.id})
        stats = tk.get_action("harvest_job_show")(dict(context), {"id": job.id})["stats"]
        counts = ", ".join(f"{_STAT_LABELS.get(k, k)} {v}" for k, v in stats.items() if v)
        echo(f"{name} : {counts or 'rien à faire'}")
        for error in report["gather_errors"]:
            echo(f"  ! {error['message']}")
        for item in report["object_errors"].values():
            for error in item["errors"]:
                echo(f"  ! {item['guid']} : {error['message']}")
        clean = clean and not report["gather_errors"] and not report["object_errors"]
    return clean
