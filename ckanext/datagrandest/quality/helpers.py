"""Template helpers of the quality pages."""

from __future__ import annotations

from ckanext.datagrandest.quality import harvest

__all__ = ["datagrandest_harvest_grade_changes"]


def datagrandest_harvest_grade_changes(job_id: str) -> dict[str, int]:
    """Datasets of a harvest job that gained, lost or kept their grade, and those it created."""
    return harvest.changes(job_id)
