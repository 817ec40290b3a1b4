"""The link-check history table (created by our migration) and its queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ckan.model as ckan_model
import sqlalchemy as sa

from ckanext.datagrandest.linkcheck.probe import LinkResult
from ckanext.datagrandest.quality import tables

__all__ = ["LinkState", "history", "last_checked", "latest_for_packages", "record", "table"]

# Our own metadata: CKAN's reset of its tables must not create or drop ours; the migration
# (migration/datagrandest/) owns the schema.
metadata = sa.MetaData()
table = sa.Table(
    "datagrandest_link_check",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("resource_id", sa.UnicodeText, nullable=True),
    sa.Column("checked_at", sa.DateTime, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("method", sa.Unicode(8), nullable=True),
    sa.Column("final_url", sa.UnicodeText, nullable=True),
    sa.Column("content_type", sa.UnicodeText, nullable=True),
    sa.Column("size", sa.BigInteger, nullable=True),
    sa.Column("redirects", sa.Integer, nullable=False),
    sa.Column("error", sa.UnicodeText, nullable=True),
    sa.Column("elapsed", sa.Float, nullable=True),
)


@dataclass(frozen=True)
class LinkState:
    """The last check of one link of a dataset."""

    url: str
    package_id: str
    resource_id: str | None
    ok: bool
    checked_at: datetime
    status: int | None
    final_url: str | None
    content_type: str | None
    size: int | None
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "resource_id": self.resource_id,
            "ok": self.ok,
            "checked_at": self.checked_at.isoformat(),
            "status": self.status,
            "final_url": self.final_url,
            "content_type": self.content_type,
            "size": self.size,
            "error": self.error,
        }


_LATEST_ONE = sa.text(
    "SELECT DISTINCT ON (resource_id, url) url, package_id, resource_id, ok, checked_at, "
    "status, final_url, content_type, size, error FROM datagrandest_link_check "
    "WHERE package_id = :package_id ORDER BY resource_id, url, checked_at DESC, id DESC"
)


def record(package_id: str, resource_id: str | None, result: LinkResult) -> None:
    """Add one check to the history (the caller commits)."""
    ckan_model.Session.execute(
        table.insert().values(
            url=result.url,
            package_id=package_id,
            resource_id=resource_id,
            checked_at=result.checked_at,
            ok=result.ok,
            status=result.status,
            method=result.method,
            final_url=result.final_url,
            content_type=(result.content_type or "")[:200] or None,
            size=result.size,
            redirects=result.redirects,
            error=(result.error or "")[:1000] or None,
            elapsed=result.elapsed,
        )
    )


def latest_for_packages(package_ids: Iterable[str]) -> dict[str, list[LinkState]]:
    """The last check of every link of these datasets, by dataset id."""
    ids = list(dict.fromkeys(package_ids))
    found: dict[str, list[LinkState]] = {pid: [] for pid in ids}
    if not ids or not tables.ready():
        return found
    if len(ids) == 1:
        # The common case (a dataset page, an export): a plain statement, cheap to run.
        rows = ckan_model.Session.execute(_LATEST_ONE, {"package_id": ids[0]})
        for row in rows:
            found[row.package_id].append(LinkState(**row._mapping))
        return found
    # One row per (dataset, resource or landing page, url): the newest.
    rows = ckan_model.Session.execute(
        sa.select(
            table.c.url,
            table.c.package_id,
            table.c.resource_id,
            table.c.ok,
            table.c.checked_at,
            table.c.status,
            table.c.final_url,
            table.c.content_type,
            table.c.size,
            table.c.error,
        )
        .where(table.c.package_id.in_(ids))
        .distinct(table.c.package_id, table.c.resource_id, table.c.url)
        .order_by(
            table.c.package_id,
            table.c.resource_id,
            table.c.url,
            table.c.checked_at.desc(),
            table.c.id.desc(),
        )
    )
    for row in rows:
        found[row.package_id].append(LinkState(**row._mapping))
    return found


def history(package_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The checks of a dataset's links, newest first."""
    rows = ckan_model.Session.execute(
        sa.select(table)
        .where(table.c.package_id == package_id)
        .order_by(table.c.checked_at.desc(), table.c.id.desc())
        .limit(limit)
    )
    return [
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row._mapping.items()}
        for row in rows
    ]


def last_checked(package_ids: list[str]) -> dict[str, datetime]:
    """When each of these datasets' links were last checked (absent: never)."""
    found: dict[str, datetime] = {}
    for start in range(0, len(package_ids), 1000):
        rows = ckan_model.Session.execute(
            sa.select(table.c.package_id, sa.func.max(table.c.checked_at))
            .where(table.c.package_id.in_(package_ids[start : start + 1000]))
            .group_by(table.c.package_id)
        )
        found.update({row[0]: row[1] for row in rows})
    return found
