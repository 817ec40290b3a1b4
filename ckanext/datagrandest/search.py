"""Search: index each dataset's territories with their ancestors and expand territory filters.

A search on a territory uses the pseudo-field ``territory`` in ``fq`` (API:
``fq=territory:67482``; web: ``/dataset/?territory=67482``, which CKAN's search page turns
into the same fq).  It becomes the hierarchical filter of docs/field-contract.md: datasets on
the territory itself, on a bigger territory containing it, or on a smaller one inside it.
Facet filters (``vocab_departements``, ``vocab_communes``...) stay exact so counts match.

The hierarchy costs the search about one term lookup: the index already holds, per dataset,
its territories with their ancestors (``vocab_territories_within``), so "on T or inside T" is
the one term T of that field, and "around T" is a handful of known codes (a commune's EPCI,
département and région) on ``vocab_territories``; no list of descendants is ever built.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Final

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.datagrandest import facets, hvd, territories
from ckanext.datagrandest.language import page_language
from ckanext.datagrandest.lists import as_list

# `territory:67482` or `territory:"67482"`, not preceded by a letter (vocab_territory...).
_TERRITORY_FILTER = re.compile(r'(?<![\w.])territory:(?:"([^"]*)"|([^\s()"]+))')
_SAFE_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")


class _PublisherCache:
    """Organisation id -> kind of public body, valid while Redis holds the same generation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation: str | None = None
        self.kinds: dict[str, str | None] = {}


_publishers: Final = _PublisherCache()


def territory_filter(code: str) -> str:
    """The Solr filter that finds everything relevant to a territory (see module docstring)."""
    code = code.strip()
    if not _SAFE_CODE.match(code):
        # Never let user text into the Solr syntax; an odd code simply matches nothing.
        return "vocab_territories_within:__none__"
    # A dataset's own codes are among its ``within`` codes: T itself needs no second term.
    inside = f'vocab_territories_within:"{code}"'
    around = " OR ".join(f'"{c}"' for c in territories.ancestors(code))
    return f"({inside} OR vocab_territories:({around}))" if around else inside


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    fq = search_params.get("fq")
    if isinstance(fq, str) and "territory:" in fq:
        search_params["fq"] = _TERRITORY_FILTER.sub(
            lambda m: territory_filter(m.group(1) if m.group(1) is not None else m.group(2)), fq
        )
    return search_params


def after_dataset_search(search_results: dict[str, Any]) -> dict[str, Any]:
    # CKAN shows facet items by their raw value; ours are codes and URIs.
    lang = page_language()
    for name, facet in search_results.get("search_facets", {}).items():
        if name not in facets.LABELLED_FACETS:
            continue  # CKAN already names organizations, groups and tags
        for item in facet.get("items", []):
            item["display_name"] = facets.item_label(name, item["name"], lang)
    return search_results


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    validated = _validated(pkg_dict)
    codes = [c for c in as_list(validated.get("territories")) if isinstance(c, str)]
    if codes:
        pkg_dict["vocab_territories"] = codes
        within = territories.with_ancestors(codes)
        pkg_dict["vocab_territories_within"] = within
        pkg_dict["vocab_departements"] = [
            code for code in within if (t := territories.get(code)) and t.kind == "departement"
        ]
        pkg_dict["vocab_communes"] = [
            code for code in codes if (t := territories.get(code)) and t.kind == "commune"
        ]
    themes = [t for t in as_list(validated.get("theme")) if isinstance(t, str)]
    if themes:
        pkg_dict["vocab_theme"] = themes
    categories = hvd.index_values(
        validated.get("applicable_legislation"), validated.get("hvd_category")
    )
    if categories:
        pkg_dict["vocab_hvd_category"] = categories
    body_kind = _publisher_kind(pkg_dict.get("owner_org"))
    if body_kind:
        pkg_dict["vocab_body_kind"] = [body_kind]
    return pkg_dict


def shown_for_indexing(context: Any) -> bool:
    """Whether a ``package_show`` is the one CKAN's indexer makes before indexing a dataset.

    CKAN shows the dataset with exactly these flags (``ckan.lib.search``: the synchronous
    indexer and ``rebuild``). Display-only data computed in ``after_dataset_show`` (provenance,
    the sources of a deduplicated dataset) is stripped in ``before_dataset_index``: computing
    it for the indexer costs several queries per write and a harvest writes every dataset.
    """
    return (
        isinstance(context, dict)
        and bool(context.get("ignore_auth"))
        and context.get("validate") is False
        and context.get("use_cache") is False
    )


def shown_internally(context: Any) -> bool:
    """Whether a ``package_show`` is made by CKAN for itself, not for a reader of the dataset.

    The indexer's (``shown_for_indexing``) and the activity stream's snapshot of each write
    (``ckanext.activity``: ``for_view`` set to False, auth ignored): a harvest writes every
    dataset, and each write makes both. Display-only data (provenance, sources, grades) is
    computed for pages, the API and exports, not for these.
    """
    return shown_for_indexing(context) or (
        isinstance(context, dict)
        and context.get("for_view", True) is False
        and bool(context.get("ignore_auth"))
    )


def schedule_publisher_reindex(organization: Any) -> None:
    """After a publisher is edited, reindex its datasets: their index carries its body_kind.

    Done in a background job, after the edit is committed, rather than inside it. Every
    process forgets its cached publisher kinds now, and again when the job starts.
    """
    publishers_changed()
    tk.enqueue_job(
        reindex_publisher_datasets,
        [organization.id],
        title=f"datagrandest: reindex the datasets of {organization.name}",
    )


def reindex_publisher_datasets(org_id: str) -> int:
    """Reindex every dataset of an organization; return how many."""
    # The job may run in a process that cached the kind before the edit was committed.
    publishers_changed()
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    # The bulk actions record activities, which need a real user.
    context = {"ignore_auth": True, "user": site_user["name"]}
    ids: dict[bool, list[str]] = {True: [], False: []}
    start = 0
    while True:
        page = tk.get_action("package_search")(
            context.copy(),
            {
                "fq": f'owner_org:"{org_id}"',
                "include_private": True,
                "rows": 100,
                "start": start,
            },
        )
        # Whole dicts, not "fl": the index does not return "private" as a field, and
        # guessing visibility wrong would publish a private dataset.
        for result in page["results"]:
            ids[result["private"] is True].append(result["id"])
        start += 100
        if start >= page["count"]:
            break
    # CKAN's bulk visibility actions reindex the datasets they touch (through
    # before_dataset_index); setting each dataset's current visibility changes nothing else.
    for private, datasets in ids.items():
        if datasets:
            action = "bulk_update_private" if private else "bulk_update_public"
            tk.get_action(action)(context.copy(), {"datasets": datasets, "org_id": org_id})
    return len(ids[True]) + len(ids[False])


def _validated(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    # CKAN hands us the stored dict (JSON strings in extras); the validated copy it
    # serialised just before has the lists the schema's output validators made.
    try:
        validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        validated = {}
    return validated if isinstance(validated, dict) else {}


def _publisher_kind(owner_org: Any) -> str | None:
    """The publisher's kind of public body, from this process's cache (see ``publishers_changed``).

    Every indexed dataset needs it; an ``organization_show`` each time cost a search and
    several queries per index call, for a value that changes only when a publisher is edited.
    """
    if not owner_org:
        return None
    generation = _publishers_generation()
    with _publishers.lock:
        if _publishers.generation != generation:
            _publishers.kinds.clear()
            _publishers.generation = generation
        if owner_org in _publishers.kinds:
            return _publishers.kinds[owner_org]
    kind = _read_publisher_kind(owner_org)
    with _publishers.lock:
        if _publishers.generation == generation:
            _publishers.kinds[owner_org] = kind
    return kind


def publishers_changed() -> None:
    """Every process forgets the publishers it cached (a shared counter in Redis moves on)."""
    connect_to_redis().incr(_generation_key())
    with _publishers.lock:
        _publishers.kinds.clear()
        _publishers.generation = None


def _generation_key() -> str:
    return f"{tk.config.get('ckan.site_id')}:datagrandest:publishers_generation"


def _publishers_generation() -> str:
    raw = connect_to_redis().get(_generation_key())
    return raw.decode() if isinstance(raw, bytes) else str(raw or "0")


def _read_publisher_kind(owner_org: str) -> str | None:
    try:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {
                "id": owner_org,
                "include_datasets": False,
                "include_users": False,
                "include_groups": False,
                "include_tags": False,
                "include_followers": False,
            },
        )
    except tk.ObjectNotFound:
        return None
    kind = org.get("body_kind")
    return kind if isinstance(kind, str) and kind else None
