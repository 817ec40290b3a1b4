"""Where a dataset was first published: here ("locale") or on a portal we harvest ("moissonne").

data.gouv.fr harvests regional portals and we harvest data.gouv.fr: a portal that harvests us
must be able to take only what was first published here, or a dataset it gave us would come
back to it as a new one.  The rule is ``harvesters/dedup.published_here``'s: a dataset is
ours when it existed before any harvest object pointed at it (a harvest gathers its record
before it creates the dataset; a harvest that merely links to one of ours, a duplicate, comes
later).  A dataset with no harvest object at all is ours.

The origin is indexed (``datagrandest_origin``, one query on ``harvest_object.package_id`` per
indexed dataset), which gives the catalogue's local view (``/catalog.ttl?origine=locale``,
``dcat/views.py``).  A dataset of ours that a harvest links to also carries the origin in its
stored dict, so that the export of a catalogue page, built from search results, does not call
it harvested.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from ckanext.harvest.model import HarvestObject, Session

__all__ = ["FIELD", "HARVESTED", "LOCAL", "index_fields", "is_harvested", "local_filter"]

FIELD: Final = "datagrandest_origin"
LOCAL: Final = "locale"
HARVESTED: Final = "moissonne"


def _first_gathered(package_id: str) -> datetime | None:
    first: datetime | None = Session.execute(
        sa.select(sa.func.min(HarvestObject.gathered)).where(HarvestObject.package_id == package_id)
    ).scalar()
    return first


def _created(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.rstrip("Z")).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: the dataset's origin, as a Solr field (see the module)."""
    package_id = pkg_dict.get("id")
    if not package_id or pkg_dict.get("type", "dataset") == "harvest":
        return pkg_dict
    first = _first_gathered(str(package_id))
    created = _created(pkg_dict.get("metadata_created"))
    if first is None:
        pkg_dict[FIELD] = LOCAL
        return pkg_dict
    local = created is not None and first > created
    pkg_dict[FIELD] = LOCAL if local else HARVESTED
    if local:
        # ckanext-harvest marks it with harvest_source_id all the same: say it is ours.
        for stored in ("data_dict", "validated_data_dict"):
            if isinstance(pkg_dict.get(stored), str):
                data = json.loads(pkg_dict[stored])
                data[FIELD] = LOCAL
                pkg_dict[stored] = json.dumps(data)
    return pkg_dict


def local_filter() -> str:
    """The Solr filter of the datasets first published here."""
    return f"{FIELD}:{LOCAL}"


def is_harvested(dataset_dict: dict[str, Any], has_harvest_link: bool) -> bool:
    """Whether the export should name an origin elsewhere for this dataset.

    ``has_harvest_link``: the dict shows a harvest source (``harvest_source_id`` of a search
    result, ``datagrandest_provenance`` of ``package_show``).  A search result of ours says
    so (``index_fields``); a ``package_show`` is checked against the database.
    """
    if not has_harvest_link:
        return False
    marked = dataset_dict.get(FIELD)
    if marked is None:
        marked = next(
            (e.get("value") for e in dataset_dict.get("extras") or () if e.get("key") == FIELD),
            None,
        )
    if marked is not None:
        return bool(marked != LOCAL)
    package_id = dataset_dict.get("id")
    if not package_id:
        return True
    first = _first_gathered(str(package_id))
    created = _created(dataset_dict.get("metadata_created"))
    return not (first is None or (created is not None and first > created))
