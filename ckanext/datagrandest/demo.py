"""Demo content for a local portal: a sysadmin, publishers and datasets, loaded idempotently."""

from __future__ import annotations

from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
import yaml


def content() -> dict[str, list[dict[str, Any]]]:
    text = resources.files("ckanext.datagrandest").joinpath("data/demo.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def load(admin_name: str, admin_password: str) -> list[str]:
    """Create or update the demo sysadmin, organizations and datasets; return what was done."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    report = [_ensure_sysadmin(context, admin_name, admin_password)]
    data = content()
    for org in data["organizations"]:
        report.append(_upsert(context, "organization", org))
    for dataset in data["datasets"]:
        report.append(_upsert(context, "package", dataset))
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


def _upsert(context: dict[str, Any], kind: str, data: dict[str, Any]) -> str:
    try:
        tk.get_action(f"{kind}_show")(context.copy(), {"id": data["name"]})
    except tk.ObjectNotFound:
        tk.get_action(f"{kind}_create")(context.copy(), dict(data))
        return f"{kind} {data['name']}: created"
    tk.get_action(f"{kind}_patch")(context.copy(), {"id": data["name"], **data})
    return f"{kind} {data['name']}: updated"
