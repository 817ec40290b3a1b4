"""Template helpers of the portal pages: home page blocks, site texts, publisher pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import ckan.plugins.toolkit as tk

from ckanext.datagrandest import config, facets, home, vocabularies
from ckanext.datagrandest.language import page_language

__all__ = [
    "datagrandest_home",
    "datagrandest_home_map",
    "datagrandest_number",
    "datagrandest_publisher_harvest_sources",
    "datagrandest_site_text",
    "datagrandest_territory_url",
]


def datagrandest_site_text(name: str) -> str:
    """``home.title``, ``home.intro`` or ``about`` in the page's language (editable on
    /ckan-admin/config)."""
    return config.site_text(name, page_language())


def datagrandest_number(value: int) -> str:
    """12 345 in French (narrow no-break space), 12,345 in English."""
    text = f"{int(value):,}"
    return text if page_language().startswith("en") else text.replace(",", "\u202f")


_territory_prefixes: dict[str, str] = {}


def datagrandest_territory_url(code: str) -> str:
    """The page of a territory, ``/territoire/<code>`` (in the page's language).

    ``url_for`` costs about a millisecond and a territory page links hundreds of places: the
    prefix is built once per language and process.
    """
    lang = page_language()
    prefix = _territory_prefixes.get(lang)
    if prefix is None:
        prefix = _territory_prefixes[lang] = str(tk.h.url_for("/territoire/"))
    return prefix + quote(code, safe="")


def datagrandest_home() -> dict[str, Any]:
    """The home page's blocks (cached, see home.py) with labels in the page's language."""
    blocks = home.blocks()
    lang = page_language()
    return {
        "dataset_count": blocks.dataset_count,
        "publisher_count": blocks.publisher_count,
        "commune_count": blocks.commune_count,
        "themes": [
            {
                "uri": uri,
                "code": code,
                "label": vocabularies.theme_label(uri, lang),
                "icon": home.THEME_ICONS.get(code, "tag"),
                "count": count,
            }
            for uri, code, count in blocks.themes
        ],
        "departements": [
            {"code": code, "name": name, "count": count}
            for code, name, count in blocks.departements
        ],
        "latest": list(blocks.latest),
        "updated": list(blocks.updated),
        "publishers": [
            dict(item, kind_label=facets.body_kind_label(item["body_kind"], lang))
            if item["body_kind"]
            else dict(item, kind_label="")
            for item in blocks.publishers
        ],
    }


_maps: dict[str, Any] = {}


def datagrandest_home_map() -> Any:
    """The région's outline with its ten départements, each a link to its page (inline SVG).

    Drawn by the territory pages' helper when it is there (else "": the list stays alone),
    once per language and process: the outlines never change while the portal runs.
    """
    lang = page_language()
    if lang not in _maps:
        draw = tk.h.get("datagrandest_outline_svg")
        _maps[lang] = draw("44", children=True) if draw else ""
    return _maps[lang]


def datagrandest_publisher_harvest_sources(org_id: str) -> list[dict[str, Any]]:
    """The harvest sources of a publisher with the state of their last job.

    Private sources are listed only to those who may edit them.
    """
    try:
        sources = tk.get_action("harvest_source_list")(
            {"ignore_auth": True},
            {"organization_id": org_id, "return_last_job_status": True},
        )
    except (KeyError, tk.ObjectNotFound):  # harvest plugin off: no sources to show
        return []
    user = tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else ""
    out = []
    for source in sources:
        if source.get("private") and not _may_edit(user, source["id"]):
            continue
        job = source.get("last_job_status") or {}
        stats = job.get("stats") or {}
        out.append(
            {
                "id": source["id"],
                "name": source.get("name") or source["id"],
                "title": source.get("title") or source.get("url") or source["id"],
                "url": source.get("url") or "",
                "type": source.get("source_type") or "",
                "job_status": job.get("status") or "",
                "job_finished": job.get("finished") or "",
                "job_created": job.get("created") or "",
                "job_errors": int(stats.get("errored") or 0),
                "job_added": int(stats.get("added") or 0),
                "job_updated": int(stats.get("updated") or 0),
            }
        )
    return out


def _may_edit(user: str, source_id: str) -> bool:
    if not user:
        return False
    try:
        tk.check_access("harvest_source_update", {"user": user}, {"id": source_id})
    except tk.NotAuthorized:
        return False
    return True
