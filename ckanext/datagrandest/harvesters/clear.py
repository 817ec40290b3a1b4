"""Clearing a harvest source removes only what that source alone holds.

ckanext-harvest's ``harvest_source_clear`` deletes, in SQL, every dataset any object of the
source points at, and drops from the index everything indexed under the source. With
cross-source deduplication (``dedup.py``) a source may point at a dataset published on the
portal or also listed by another source: such a dataset must stay, as it does when the source
merely stops listing it. So before the stock clear runs, the source lets go of those datasets
(its objects stop pointing at them); after it, they are indexed again under the source that
still lists them.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.search import rebuild
from ckan.types import Context, DataDict

from ckanext.harvest.model import HarvestObject, HarvestSource, Package, Session

__all__ = ["harvest_source_clear", "kept_datasets"]

log = logging.getLogger(__name__)


def kept_datasets(source_id: str) -> tuple[set[str], set[str]]:
    """(published here, listed by another source): the datasets a clear of the source keeps."""
    own = (
        sa.select(HarvestObject.package_id)
        .where(HarvestObject.harvest_source_id == source_id, HarvestObject.package_id.isnot(None))
        .distinct()
        .scalar_subquery()
    )
    elsewhere = (
        Session.query(HarvestObject.package_id)
        .filter(
            HarvestObject.package_id.in_(own),
            HarvestObject.harvest_source_id != source_id,
            HarvestObject.current.is_(True),
        )
        .distinct()
    )
    # A dataset published here existed before any harvest object pointed at it
    # (``dedup.published_here``).
    local = (
        Session.query(Package.id)
        .join(HarvestObject, HarvestObject.package_id == Package.id)
        .filter(Package.id.in_(own))
        .group_by(Package.id, Package.metadata_created)
        .having(sa.func.min(HarvestObject.gathered) > Package.metadata_created)
    )
    return {row[0] for row in local}, {row[0] for row in elsewhere}


def _keep_harvested_origin(package_id: str, source_id: str) -> None:
    """The earliest link of the sources that stay takes the date of the dataset's first link.

    ``dedup`` tells a harvested dataset from one published here by that date: without it, a
    dataset harvested first by the cleared source would look published here, and the sources
    still listing it could never update it again.
    """
    first = (
        Session.query(sa.func.min(HarvestObject.gathered))
        .filter(HarvestObject.package_id == package_id)
        .scalar()
    )
    earliest = (
        Session.query(HarvestObject)
        .filter(
            HarvestObject.package_id == package_id,
            HarvestObject.harvest_source_id != source_id,
        )
        .order_by(HarvestObject.gathered)
        .first()
    )
    if earliest is not None and first is not None:
        earliest.gathered = first


@tk.chained_action
def harvest_source_clear(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's clear, keeping the datasets the source shares (module docstring)."""
    tk.check_access("harvest_source_clear", context, data_dict)
    source = HarvestSource.get(data_dict.get("id"))
    local, elsewhere = kept_datasets(source.id) if source is not None else (set(), set())
    kept = sorted(local | elsewhere)
    if kept:
        for package_id in elsewhere - local:
            _keep_harvested_origin(package_id, source.id)
        Session.query(HarvestObject).filter(
            HarvestObject.harvest_source_id == source.id, HarvestObject.package_id.in_(kept)
        ).update({"package_id": None}, synchronize_session=False)
        Session.commit()
    result = up_func(context, data_dict)
    for package_id in kept:
        # The stock clear dropped from the index whatever was indexed under this source.
        rebuild(package_id)
    if kept:
        log.info("Clear of source %s kept %d shared datasets", source.id, len(kept))
    return result
