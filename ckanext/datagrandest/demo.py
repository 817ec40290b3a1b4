"""Demo content for a local portal: a sysadmin, publishers and datasets, loaded idempotently.

The content is every ``data/demo*.yaml`` of the package (``demo.yaml`` first, then the others
by name), each with ``organizations`` and ``datasets`` lists; organizations of every file are
loaded before any dataset, so a file may publish under another file's publishers.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan.lib import search as ckan_search

from ckanext.datagrandest import config as dge_config


def files() -> list[str]:
    """Names of the demo content files, in loading order."""
    names = [
        entry.name
        for entry in resources.files("ckanext.datagrandest").joinpath("data").iterdir()
        if entry.name.startswith("demo") and entry.name.endswith(".yaml")
    ]
    return sorted(names, key=lambda name: (name != "demo.yaml", name))


def content() -> dict[str, list[dict[str, Any]]]:
    """Every demo file's organizations and datasets, merged in loading order."""
    data_dir = resources.files("ckanext.datagrandest").joinpath("data")
    merged: dict[str, list[dict[str, Any]]] = {"organizations": [], "datasets": []}
    for name in files():
        # "{site_url}": files the demo serves itself (demo/files, see demo-previews.yaml);
        # "{ogc_url}": its sample WMS/WFS service (demo/ogc.py)
        text = (
            data_dir.joinpath(name)
            .read_text("utf-8")
            .replace("{site_url}", _site_url())
            .replace("{ogc_url}", dge_config.demo_ogc_url())
        )
        loaded = yaml.safe_load(text) or {}
        for key in merged:
            merged[key].extend(loaded.get(key) or [])
    return merged


def _site_url() -> str:
    return str(tk.config.get("ckan.site_url") or "").rstrip("/")


def load(admin_name: str, admin_password: str, refresh: bool = False) -> list[str]:
    """Create the demo sysadmin, organizations and datasets; return what was done.

    An organization that differs from its file is updated; a dataset that already exists is
    left as it is unless ``refresh`` (a second run then takes seconds, not minutes).
    The search index is committed once at the end rather than after every dataset.
    """
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    report = [_ensure_sysadmin(context, admin_name, admin_password)]
    data = content()
    for org in data["organizations"]:
        report.append(_upsert_organization(context, org))
    existing = set(tk.get_action("package_list")(context.copy(), {}))
    commit_each = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False
    try:
        for dataset in data["datasets"]:
            report.append(_upsert_dataset(context, dataset, dataset["name"] in existing, refresh))
    finally:
        tk.config["ckan.search.solr_commit"] = commit_each
        ckan_search.commit()
    return report


def _ensure_sysadmin(context: dict[str, Any], name: str, password: str) -> str:
    try:
        user = tk.get_action("user_show")(context.copy(), {"id": name})
        tk.get_action("user_update")(
            context.copy(),
            {
                "id": user["id"],
                "email": user.get("email") or f"{name}@localhost",
                "password": password,
            },
        )
        verb = "updated"
    except tk.ObjectNotFound:
        user = tk.get_action("user_create")(
            context.copy(),
            {"name": name, "email": f"{name}@localhost", "password": password},
        )
        verb = "created"
    if not user.get("sysadmin"):
        tk.get_action("user_patch")(context.copy(), {"id": user["id"], "sysadmin": True})
    return f"sysadmin {name}: {verb}"


def _upsert_organization(context: dict[str, Any], data: dict[str, Any]) -> str:
    try:
        shown = tk.get_action("organization_show")(
            context.copy(), {"id": data["name"], "include_datasets": False}
        )
    except tk.ObjectNotFound:
        tk.get_action("organization_create")(context.copy(), dict(data))
        return f"organization {data['name']}: created"
    if all(shown.get(key) == value for key, value in data.items()):
        return f"organization {data['name']}: kept"
    tk.get_action("organization_patch")(context.copy(), {"id": shown["id"], **data})
    return f"organization {data['name']}: updated"


def _upsert_dataset(
    context: dict[str, Any], data: dict[str, Any], exists: bool, refresh: bool
) -> str:
    if not exists:
        tk.get_action("package_create")(context.copy(), dict(data))
        return f"package {data['name']}: created"
    if not refresh:
        return f"package {data['name']}: kept"
    tk.get_action("package_patch")(context.copy(), {"id": data["name"], **data})
    return f"package {data['name']}: updated"
