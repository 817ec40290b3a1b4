"""The home page's blocks (numbers, themes, départements, latest datasets, publishers), cached.

Computing them costs several Solr queries and an organization list; the home page is the most
visited page, so they are computed once per change of the catalogue and kept in each process.

Invalidation: every write that can change what the blocks show (a dataset created, updated,
deleted or reindexed, an organization created, edited or deleted: see the plugin's hooks)
calls ``catalogue_changed()``, which stores the time of the change in Redis, shared by every
web and job process (a harvest in a worker changes the home of the web server). A process
reuses its blocks while that time is the one they were computed under. The hooks run just
*before* CKAN writes to Solr, so blocks computed in the first ``settle_seconds`` after a
change are served but not kept (the search index may not have the change yet); blocks also
expire after ``cache_seconds``, a safety net for changes made outside CKAN's actions.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from ckanext.datagrandest import config, territories, vocabularies

__all__ = [
    "Blocks",
    "blocks",
    "catalogue_changed",
    "clear_process_cache",
]

log = logging.getLogger(__name__)

LATEST_COUNT = 6
PUBLISHER_COUNT = 20

# Font Awesome 6 icons (shipped with CKAN) for the 13 EU data themes, by EU code.
THEME_ICONS = {
    "AGRI": "seedling",
    "ECON": "chart-line",
    "EDUC": "graduation-cap",
    "ENER": "bolt",
    "ENVI": "leaf",
    "GOVE": "landmark",
    "HEAL": "heart-pulse",
    "INTR": "globe",
    "JUST": "scale-balanced",
    "REGI": "city",
    "SOCI": "people-group",
    "TECH": "flask",
    "TRAN": "bus",
}


@dataclass(frozen=True, slots=True)
class Blocks:
    """What the home page shows about the catalogue (language-neutral: labels come later)."""

    dataset_count: int
    publisher_count: int
    commune_count: int
    # (theme URI, EU code, count), in the EU table's order; themes without data included.
    themes: tuple[tuple[str, str, int], ...]
    # (département code, name, count of datasets on it or on what it contains)
    departements: tuple[tuple[str, str, int], ...]
    latest: tuple[dict[str, Any], ...]
    updated: tuple[dict[str, Any], ...]
    publishers: tuple[dict[str, Any], ...]
    computed_under: str


_lock = threading.Lock()
_cached: dict[str, tuple[float, Blocks]] = {}


def _key() -> str:
    return f"{tk.config.get('ckan.site_id')}:datagrandest:catalogue_changed"


def catalogue_changed() -> None:
    """Mark the catalogue as changed: every process recomputes its home blocks.

    Called inside every dataset write: a Redis failure is logged, never raised (the blocks
    then expire after ``cache_seconds``).
    """
    try:
        connect_to_redis().set(_key(), repr(time.time()))
    except RedisError as error:
        log.warning("home page cache: could not mark the catalogue as changed: %s", error)


def clear_process_cache() -> None:
    with _lock:
        _cached.clear()


def blocks() -> Blocks:
    """The home blocks, from this process's cache while the catalogue has not changed."""
    now = time.time()
    try:
        raw = connect_to_redis().get(_key())
    except RedisError as error:
        log.warning("home page cache: Redis unreachable, blocks computed afresh: %s", error)
        return _compute("unknown")
    version = raw.decode() if isinstance(raw, bytes) else str(raw or "0")
    with _lock:
        hit = _cached.get(version)
    if hit is not None and now - hit[0] < config.home_cache_seconds():
        return hit[1]
    computed = _compute(version)
    try:
        changed_at = float(version)
    except ValueError:
        changed_at = 0.0
    if now - changed_at >= config.home_cache_settle_seconds():
        with _lock:
            _cached.clear()  # older versions are useless now
            _cached[version] = (now, computed)
    return computed


def _context() -> dict[str, Any]:
    # Public datasets only: the blocks are shared by every visitor, signed in or not.
    return {"ignore_auth": True}


def _compute(version: str) -> Blocks:
    search = tk.get_action("package_search")(
        _context(),
        {
            "rows": LATEST_COUNT,
            "sort": "metadata_created desc",
            "facet.field": [
                "vocab_theme",
                "vocab_departements",
                "vocab_territories",
                "organization",
            ],
            "facet.limit": -1,
            "facet.mincount": 1,
        },
    )
    facets = search.get("facets", {})
    updated = tk.get_action("package_search")(
        _context(), {"rows": LATEST_COUNT, "sort": "metadata_modified desc"}
    )
    publisher_names = tk.get_action("organization_list")(_context(), {})
    # The biggest publishers by public datasets; all_fields is capped (25 by default), so
    # only they are fetched whole.
    by_count = sorted(facets.get("organization", {}).items(), key=lambda item: (-item[1], item[0]))
    top = [name for name, _count in by_count[:PUBLISHER_COUNT]]
    organizations = (
        tk.get_action("organization_list")(
            _context(),
            {"all_fields": True, "include_extras": True, "organizations": top, "limit": len(top)},
        )
        if top
        else []
    )
    org_counts = dict(by_count)
    theme_counts = facets.get("vocab_theme", {})
    departement_counts = facets.get("vocab_departements", {})
    return Blocks(
        dataset_count=int(search["count"]),
        publisher_count=len(publisher_names),
        commune_count=_communes_covered(facets.get("vocab_territories", {})),
        themes=tuple(
            (theme.uri, theme.code, int(theme_counts.get(theme.uri, 0)))
            for theme in vocabularies.themes()
        ),
        departements=tuple(
            (dep.code, dep.name, int(departement_counts.get(dep.code, 0)))
            for dep in sorted(territories.territories("departement"), key=lambda t: t.code)
        ),
        latest=tuple(_summary(d) for d in search["results"]),
        updated=tuple(_summary(d) for d in updated["results"]),
        publishers=tuple(
            _publisher(org, int(org_counts.get(org["name"], 0)))
            for org in sorted(
                organizations,
                key=lambda o: (-int(org_counts.get(o["name"], 0)), o.get("title") or o["name"]),
            )
        ),
        computed_under=version,
    )


def _summary(dataset: dict[str, Any]) -> dict[str, Any]:
    org = dataset.get("organization") or {}
    return {
        "name": dataset["name"],
        "title": dataset.get("title") or dataset["name"],
        "publisher": org.get("title") or org.get("name") or "",
        "metadata_created": dataset.get("metadata_created"),
        "metadata_modified": dataset.get("metadata_modified"),
    }


def _publisher(org: dict[str, Any], count: int) -> dict[str, Any]:
    return {
        "name": org["name"],
        "title": org.get("title") or org["name"],
        "package_count": count,
        "body_kind": org.get("body_kind") or "",
        "image_url": org.get("image_display_url") or "",
    }


@cache
def _epci_communes() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for commune in territories.territories("commune"):
        for parent in commune.parents:
            found = territories.get(parent)
            if found is not None and found.kind == "epci":
                members.setdefault(parent, set()).add(commune.code)
    return {code: frozenset(found) for code, found in members.items()}


def _communes_covered(territory_counts: dict[str, int]) -> int:
    """Communes with local data: a dataset on the commune itself or on its EPCI.

    Datasets on a whole département or on the région are left out: counted, they would make
    every commune "covered" by one regional dataset.
    """
    covered: set[str] = set()
    epcis = _epci_communes()
    for code in territory_counts:
        found = territories.get(code)
        if found is None:
            continue
        if found.kind == "commune":
            covered.add(found.code)
        elif found.kind == "epci":
            covered |= epcis.get(found.code, frozenset())
    return len(covered)
