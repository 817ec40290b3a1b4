"""Grades gained and lost by the datasets of a harvest job, for the job report.

When a harvest writes a dataset, the grade the index still holds (the write is not
committed yet, so not reindexed) is kept with the job; the report compares it with the
grade the dataset has in the index now.
"""

from __future__ import annotations

from typing import Any, Final

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.datagrandest.harvesters import harvest_warnings
from ckanext.datagrandest.quality import tables
from ckanext.datagrandest.quality.assess import GRADE_FIELD
from ckanext.datagrandest.quality.indicators import GRADES

__all__ = ["JOB_KEY", "changes", "remember_grade_before"]

# Action context key: the harvest job a harvested write belongs to (set by the harvester).
JOB_KEY: Final = "datagrandest_harvest_job"

metadata = sa.MetaData()
table = sa.Table(
    "datagrandest_harvest_grade",
    metadata,
    sa.Column("harvest_job_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("grade_before", sa.Unicode(16), nullable=True),
)
# faible 0 ... excellent 3
_RANK: Final = {name: rank for rank, (name, _) in enumerate(reversed(GRADES))}
_BATCH: Final = 200


def _indexed_grades(package_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(package_ids), _BATCH):
        ids = package_ids[start : start + _BATCH]
        result = tk.get_action("package_search")(
            {"ignore_auth": True},
            {
                "fq": "id:(" + " OR ".join(f'"{i}"' for i in ids) + ")",
                "fl": f"id,{GRADE_FIELD}",
                "rows": len(ids),
                "include_private": True,
                "include_drafts": True,
            },
        )
        for row in result["results"]:
            grades = row.get(GRADE_FIELD) or []
            if grades:
                found[row["id"]] = grades[0] if isinstance(grades, list) else grades
    return found


def remember_grade_before(
    context: dict[str, Any], package_id: str, *, created: bool = False
) -> None:
    """IPackageController.after_dataset_create/update of a harvested write (not committed).

    The harvester names its job in the context (``JOB_KEY``); a dataset just created has no
    grade before, so only an update asks the index for one (a search per created dataset
    cost a first harvest about 5 % of its time).
    """
    if not context.get(harvest_warnings.HARVEST_FLAG) or not tables.ready():
        return
    job_id = context.get(JOB_KEY) or _current_job_of(package_id)
    if job_id is None:
        return
    session = ckan_model.Session
    if created:
        # A new package id: no row of this job can name it yet.
        session.execute(
            table.insert().values(harvest_job_id=job_id, package_id=package_id, grade_before=None)
        )
        return
    before = _indexed_grades([package_id]).get(package_id)
    exists = session.execute(
        sa.select(table.c.package_id).where(
            table.c.harvest_job_id == job_id, table.c.package_id == package_id
        )
    ).first()
    if exists is None:
        # Part of the write's transaction: a write that fails leaves no row.
        session.execute(
            table.insert().values(harvest_job_id=job_id, package_id=package_id, grade_before=before)
        )


def _current_job_of(package_id: str) -> str | None:
    from ckanext.harvest.model import HarvestObject

    job_id = (
        ckan_model.Session.query(HarvestObject.harvest_job_id)
        .filter(HarvestObject.package_id == package_id, HarvestObject.current.is_(True))
        .limit(1)
        .scalar()
    )
    return str(job_id) if job_id is not None else None


def changes(job_id: str) -> dict[str, int]:
    """Datasets of the job that gained, lost or kept their grade, and those it created."""
    counts = {"gained": 0, "lost": 0, "same": 0, "new": 0}
    if not tables.ready():
        return counts
    rows = ckan_model.Session.execute(
        sa.select(table.c.package_id, table.c.grade_before).where(table.c.harvest_job_id == job_id)
    ).all()
    now = _indexed_grades([row.package_id for row in rows])
    for row in rows:
        if row.grade_before is None:
            counts["new"] += 1
            continue
        after = now.get(row.package_id)
        if after is None:
            continue  # withdrawn since
        delta = _RANK[after] - _RANK.get(row.grade_before, _RANK[after])
        counts["gained" if delta > 0 else "lost" if delta < 0 else "same"] += 1
    return counts
