"""Link checks of datasets and publishers: run now, or queued for CKAN's job worker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk

from ckanext.datagrandest import config
from ckanext.datagrandest.linkcheck import model
from ckanext.datagrandest.linkcheck.probe import LinkResult, Prober, check_many

__all__ = [
    "all_datasets",
    "check_datasets",
    "datasets_of_publisher",
    "enqueue",
    "links_of",
    "stale_datasets",
]

# A job checks this many datasets; a publisher's thousands go out as several jobs.
CHUNK = 50
_JOB_TIMEOUT = 3600


def links_of(pkg_dict: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(resource id or None for the landing page, URL) of every web address of a dataset."""
    found: list[tuple[str | None, str]] = []
    landing = pkg_dict.get("url")
    if isinstance(landing, str) and landing.strip():
        found.append((None, landing.strip()))
    for resource in pkg_dict.get("resources") or []:
        for key in ("url", "download_url"):
            value = resource.get(key)
            if isinstance(value, str) and value.strip().lower().startswith(("http:", "https:")):
                found.append((resource.get("id"), value.strip()))
    return list(dict.fromkeys(found))


def prober() -> Prober:
    return Prober(
        timeout=config.linkcheck_timeout(),
        max_redirects=config.linkcheck_max_redirects(),
        allow_private=config.linkcheck_allow_private_addresses(),
    )


def check_datasets(
    package_ids: list[str], progress: Callable[[str], None] | None = None
) -> dict[str, list[LinkResult]]:
    """Check every link of these datasets, record the results, reindex the datasets.

    The links of all the datasets are checked together, so the per-host bound holds across
    them. A dataset that no longer exists is skipped.
    """
    context = {"ignore_auth": True}
    datasets: dict[str, list[tuple[str | None, str]]] = {}
    for package_id in package_ids:
        try:
            pkg = tk.get_action("package_show")(dict(context), {"id": package_id})
        except tk.ObjectNotFound:
            continue
        datasets[pkg["id"]] = links_of(pkg)
    urls = [url for links in datasets.values() for _, url in links]
    results = check_many(
        urls,
        prober(),
        workers=config.linkcheck_workers(),
        per_host=config.linkcheck_per_host(),
    )
    by_dataset: dict[str, list[LinkResult]] = {}
    for package_id, links in datasets.items():
        for resource_id, url in links:
            model.record(package_id, resource_id, results[url])
            by_dataset.setdefault(package_id, []).append(results[url])
    ckan_model.Session.commit()
    for package_id in datasets:
        _reindex(package_id)
        if progress is not None:
            checked = by_dataset.get(package_id, [])
            broken = sum(1 for r in checked if not r.ok)
            progress(f"{package_id} : {len(checked)} lien(s) vérifié(s), {broken} en échec")
    return by_dataset


def _reindex(package_id: str) -> None:
    # Reachability feeds the indexed quality grade. CKAN's toolkit has no "reindex one
    # dataset"; its search module's rebuild is what `ckan search-index rebuild ID` calls.
    from ckan.lib.search import rebuild

    rebuild(package_id)


def datasets_of_publisher(name_or_id: str) -> list[str]:
    """Ids of a publisher's datasets (private ones included), or ObjectNotFound."""
    org = tk.get_action("organization_show")(
        {"ignore_auth": True}, {"id": name_or_id, "include_datasets": False}
    )
    return _search_ids(f'owner_org:"{org["id"]}"')


def all_datasets() -> list[str]:
    return _search_ids("")


def _search_ids(fq: str) -> list[str]:
    ids: list[str] = []
    start = 0
    while True:
        page = tk.get_action("package_search")(
            {"ignore_auth": True},
            {
                "fq": fq,
                "include_private": True,
                "fl": "id",
                "rows": 1000,
                "start": start,
                "sort": "id asc",
            },
        )
        ids.extend(r["id"] for r in page["results"])
        start += 1000
        if start >= page["count"]:
            return ids


def stale_datasets(older_than_days: float) -> list[str]:
    """Datasets whose links were never checked, or not since ``older_than_days``; oldest first."""
    limit = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=older_than_days)
    ids = all_datasets()
    last = model.last_checked(ids)
    stale = [pid for pid in ids if pid not in last or last[pid] < limit]
    return sorted(stale, key=lambda pid: (pid in last, last.get(pid, limit)))


def enqueue(package_ids: Iterable[str], label: str) -> int:
    """Queue checks of these datasets for the job worker, CHUNK datasets a job; jobs queued."""
    ids = list(package_ids)
    jobs = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        tk.enqueue_job(
            check_datasets,
            [chunk],
            title=f"datagrandest: vérification des liens ({label}, {len(chunk)} jeu(x))",
            rq_kwargs={"timeout": _JOB_TIMEOUT},
        )
        jobs += 1
    return jobs
