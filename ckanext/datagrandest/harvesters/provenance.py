"""Provenance of harvested datasets (source, original page, last harvested) for pages and API."""

from __future__ import annotations

import json
from typing import Any

from ckanext.harvest.model import HarvestObject, HarvestSource, Session

__all__ = ["add_provenance", "provenance", "strip_computed", "strip_from_index"]

KEY = "datagrandest_provenance"


def provenance(package_id: str) -> dict[str, Any] | None:
    """Where a dataset was harvested from, or None for a dataset published here."""
    row = (
        Session.query(HarvestSource.id, HarvestSource.title, HarvestSource.url, HarvestSource.type)
        .join(HarvestObject, HarvestObject.harvest_source_id == HarvestSource.id)
        .filter(HarvestObject.package_id == package_id, HarvestObject.current.is_(True))
        .first()
    )
    if row is None:
        return None
    # The last job that saw the dataset, changed or not: unchanged records get a row too.
    last = (
        Session.query(HarvestObject.import_finished)
        .filter(
            HarvestObject.package_id == package_id,
            HarvestObject.harvest_source_id == row.id,
            HarvestObject.state == "COMPLETE",
        )
        .order_by(HarvestObject.import_finished.desc().nullslast())
        .limit(1)
        .scalar()
    )
    return {
        "source_id": row.id,
        "source_title": row.title,
        "source_url": row.url,
        "source_type": row.type,
        "last_harvested": last.isoformat() if last else None,
    }


def add_provenance(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.after_dataset_show: the provenance, plus the original page (url)."""
    if pkg_dict.get("type", "dataset") == "harvest" or not pkg_dict.get("id"):
        return pkg_dict
    found = provenance(pkg_dict["id"])
    if found is not None:
        found["original_url"] = pkg_dict.get("url") or None
        pkg_dict[KEY] = found
    return pkg_dict


def strip_from_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_index: provenance is computed on read, never indexed.

    Solr would take the nested dict for a child document, and a stored copy would go stale.
    """
    return strip_computed(pkg_dict, KEY)


def strip_computed(pkg_dict: dict[str, Any], key: str) -> dict[str, Any]:
    """Remove a field computed on read from a dataset about to be indexed, stored copies too."""
    pkg_dict.pop(key, None)
    for stored in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(stored), str) and key in pkg_dict[stored]:
            data = json.loads(pkg_dict[stored])
            data.pop(key, None)
            pkg_dict[stored] = json.dumps(data)
    return pkg_dict
