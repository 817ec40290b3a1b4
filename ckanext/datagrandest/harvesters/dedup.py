"""Cross-source deduplication: the same dataset reached through several sources is kept once.

Every harvester on the shared base (``base.py``) applies it before it writes or withdraws.
The rule (also in README.md):

* Two datasets are the same when they share an identifier: the ``identifier``
  (``dct:identifier``), an identifier the record names for its original (the ISO
  fileIdentifier a geocatalogue record carries, which aggregators repeat as their guid), or
  the landing page of the original (``url``, compared without scheme or trailing slash).
  A data.gouv.fr record that data.gouv.fr itself harvested names its origin
  (``harvest.remote_url``): the udata harvester uses it as the identifier, so the copy on
  data.gouv.fr and the publisher's own portal meet.
  Titles are never compared: two datasets that merely share a title stay apart.
* A record never merges with another record of its own source.
* Which source writes the dataset: one published directly on this portal always wins
  (harvested copies only link to it); otherwise the source with the highest priority
  (``dedup_priority`` in the source config, else by kind: geocatalogue 30, publisher portal
  20, data.gouv.fr 10); on a tie, the source that linked it first. The others are listed on
  the dataset page but do not overwrite it.
* A source that stops listing the dataset unlinks itself; the dataset is withdrawn only when
  no source lists it any more.
* A record that names a dataset of this very portal (our DCAT URI
  ``{ckanext.dcat.base_uri}/dataset/{id}`` or our page ``{ckan.site_url}/dataset/{name}``:
  a catalogue we harvest has harvested us) is a copy of ours: its harvest object names that
  dataset but never becomes current, so the copy is never written and never counts as a
  source of it (it neither wins it, nor keeps it alive, nor withdraws or clears it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any, Final

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.model import PackageExtra

from ckanext.datagrandest.harvesters import provenance
from ckanext.harvest.model import HarvestObject, HarvestSource, Package, Session

log = logging.getLogger(__name__)

__all__ = [
    "KEYS_FIELD",
    "add_sources",
    "find_duplicate",
    "keys_of",
    "may_write",
    "own_dataset",
    "priority",
    "sources",
    "strip_from_index",
]

# Transient key a harvester's map_record may add: identifiers naming the original.
KEYS_FIELD: Final = "_datagrandest_dedup_keys"
SOURCES_KEY: Final = "datagrandest_sources"
# Priority of a dataset published here, above any source.
LOCAL: Final = 1_000_000
DEFAULT_PRIORITY: Final = {
    "datagrandest_csw": 30,
    "datagrandest_ckan": 20,
    "datagrandest_dcat": 20,
    "datagrandest_ods": 20,
    "datagrandest_udata": 10,
}
_FALLBACK_PRIORITY: Final = 15


def _url_variants(url: str) -> set[str]:
    """The spellings of one landing page a catalogue may use (scheme, trailing slash).

    A bare site address (no path) names a publisher, not a dataset: it never matches.
    """
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return set()
    rest = url.split("://", 1)[1].rstrip("/")
    if "/" not in rest:
        return set()
    return {f"{scheme}://{rest}{slash}" for scheme in ("http", "https") for slash in ("", "/")}


def keys_of(data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(identifiers, landing-page spellings) of a mapped dataset; removes ``KEYS_FIELD``."""
    identifiers = {str(k).strip() for k in data.pop(KEYS_FIELD, None) or () if str(k).strip()}
    identifier = data.get("identifier")
    if isinstance(identifier, str) and identifier.strip():
        identifiers.add(identifier.strip())
    url = data.get("url")
    urls = _url_variants(url) if isinstance(url, str) else set()
    # An original's page named as a key (udata's harvest.remote_url) is matched in every
    # spelling, as an identifier and as a landing page.
    for key in list(identifiers):
        variants = _url_variants(key)
        identifiers |= variants
        urls |= variants
    return identifiers, urls


def find_duplicate(data: dict[str, Any], source_id: str) -> str | None:
    """The id of an active dataset that is the same as ``data`` (see the rule), or None.

    Call before ``KEYS_FIELD`` is removed; it is removed here. One query, on indexed columns
    (the plugin's migration indexes ``identifier`` extras and ``package.url``): a harvest
    makes it for every record it imports.
    """
    identifiers, urls = keys_of(data)
    if not identifiers and not urls:
        return None
    matches: list[Any] = []
    if identifiers:
        matches.append(
            sa.select(PackageExtra.package_id.label("id")).where(
                PackageExtra.key == "identifier",
                PackageExtra.state == "active",
                PackageExtra.value.in_(identifiers),
            )
        )
        # A geocatalogue record's fileIdentifier is the guid its harvest object carries.
        matches.append(
            sa.select(HarvestObject.package_id.label("id")).where(
                HarvestObject.current.is_(True),
                HarvestObject.guid.in_(identifiers),
                HarvestObject.harvest_source_id != source_id,
            )
        )
    if urls:
        matches.append(sa.select(Package.id.label("id")).where(Package.url.in_(urls)))
    candidates = sa.union(*matches).subquery()
    # A record never merges with a dataset its own source already holds.
    own = sa.exists().where(
        sa.and_(
            HarvestObject.package_id == Package.id,
            HarvestObject.harvest_source_id == source_id,
            HarvestObject.current.is_(True),
        )
    )
    found = [
        str(row.id)
        for row in Session.execute(
            sa.select(Package.id)
            .where(
                Package.id.in_(sa.select(candidates.c.id)),
                Package.state == "active",
                Package.type == "dataset",
                ~own,
            )
            .limit(2)
        )
    ]
    if len(found) > 1:
        # Two datasets here already answer to these keys: merging a third into either
        # would be a guess, so the record stays apart.
        log.warning("Several datasets match %s; not merging", sorted(identifiers | urls))
        return None
    return found[0] if found else None


def priority(source_id: str | None) -> int:
    """How strongly a source's version of a dataset wins (higher wins)."""
    if source_id is None:
        return LOCAL
    row = Session.query(HarvestSource.type, HarvestSource.config).filter_by(id=source_id).first()
    if row is None:
        return _FALLBACK_PRIORITY
    try:
        configured = json.loads(row.config or "{}").get("dedup_priority")
    except (ValueError, AttributeError):
        configured = None
    if isinstance(configured, int) and not isinstance(configured, bool):
        return configured
    return DEFAULT_PRIORITY.get(row.type, _FALLBACK_PRIORITY)


def _own_prefixes() -> tuple[str, ...]:
    """Where this portal's dataset URIs and pages start, in both schemes."""
    from ckanext.dcat.utils import catalog_uri

    bases = {catalog_uri(), tk.config.get("ckan.site_url") or ""}
    prefixes = set()
    for base in bases:
        rest = base.split("://", 1)[-1].rstrip("/")
        if rest:
            prefixes |= {f"{scheme}://{rest}/dataset/" for scheme in ("http", "https")}
    return tuple(sorted(prefixes))


def own_dataset(data: dict[str, Any]) -> str | None:
    """The active dataset of this portal a record is a copy of, or None (see the rule).

    Reads ``identifier``, ``url`` and ``KEYS_FIELD`` without removing anything.
    """
    values = [data.get("identifier"), data.get("url"), *(data.get(KEYS_FIELD) or ())]
    prefixes = _own_prefixes()
    refs: set[str] = set()
    for value in values:
        text = str(value or "").strip()
        prefix = next((p for p in prefixes if text.startswith(p)), None)
        if prefix:
            ref = text[len(prefix) :].split("?", 1)[0].split("#", 1)[0].strip("/")
            # /dataset/{id}.ttl and the like name the same dataset.
            refs |= {ref, ref.rsplit(".", 1)[0]} if "/" not in ref else set()
    refs.discard("")
    if not refs:
        return None
    row = (
        Session.query(Package.id)
        .filter(
            Package.state == "active",
            Package.type == "dataset",
            sa.or_(Package.id.in_(refs), Package.name.in_(refs)),
        )
        .first()
    )
    return str(row.id) if row else None


def _links(package_id: str) -> list[tuple[str, str, Any]]:
    """(source id, guid, first linked) of every source currently listing the package."""
    rows = (
        Session.query(
            HarvestObject.harvest_source_id,
            HarvestObject.guid,
            sa.func.min(HarvestObject.gathered),
        )
        .filter(HarvestObject.package_id == package_id)
        .group_by(HarvestObject.harvest_source_id, HarvestObject.guid)
        .all()
    )
    current = {
        (row.harvest_source_id, row.guid)
        for row in Session.query(HarvestObject.harvest_source_id, HarvestObject.guid).filter(
            HarvestObject.package_id == package_id, HarvestObject.current.is_(True)
        )
    }
    return [(s, g, first) for s, g, first in rows if (s, g) in current]


def published_here(package_id: str) -> bool:
    """Whether the dataset was created on this portal rather than by a harvest.

    A harvest gathers its record before it creates the dataset; a dataset published
    here existed before any harvest object pointed at it.
    """
    created = Session.query(Package.metadata_created).filter_by(id=package_id).scalar()
    if created is None:
        return False
    first = (
        Session.query(sa.func.min(HarvestObject.gathered))
        .filter(HarvestObject.package_id == package_id)
        .scalar()
    )
    return first is None or first > created


def winner(package_id: str, links: Iterable[tuple[str, str, Any]] | None = None) -> str | None:
    """The source that writes the package; None when it was published here."""
    links = list(_links(package_id) if links is None else links)
    if not links or published_here(package_id):
        return None
    ranked = sorted(links, key=lambda link: (-priority(link[0]), link[2]))
    return ranked[0][0]


def may_write(package_id: str, source_id: str) -> bool:
    """Whether ``source_id``'s record may overwrite the package (it wins, see the rule)."""
    if published_here(package_id):
        return False
    links = _links(package_id)
    others = [link for link in links if link[0] != source_id]
    if not others:
        return True
    mine = priority(source_id)
    best_other = max(priority(link[0]) for link in others)
    if mine != best_other:
        return mine > best_other
    # A tie goes to whoever linked first; a newcomer has no link yet and so loses.
    own = [link[2] for link in links if link[0] == source_id]
    return bool(own) and min(own) <= min(link[2] for link in others if priority(link[0]) == mine)


def shared_with_others(package_id: str, source_id: str) -> bool:
    """Whether another source still lists the package (then it must not be withdrawn)."""
    return any(link[0] != source_id for link in _links(package_id))


def sources(package_id: str) -> list[dict[str, Any]]:
    """Every source listing the package, the one that writes it first."""
    links = _links(package_id)
    if not links:
        return []
    writer = winner(package_id, links)
    rows = {
        row.id: row
        for row in Session.query(
            HarvestSource.id, HarvestSource.title, HarvestSource.url, HarvestSource.type
        ).filter(HarvestSource.id.in_([link[0] for link in links]))
    }
    found = [
        {
            "source_id": source_id,
            "source_title": rows[source_id].title if source_id in rows else None,
            "source_url": rows[source_id].url if source_id in rows else None,
            "source_type": rows[source_id].type if source_id in rows else None,
            "guid": guid,
            "writes": source_id == writer,
        }
        for source_id, guid, _ in links
    ]
    return sorted(found, key=lambda item: (not item["writes"], item["source_title"] or ""))


def add_sources(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.after_dataset_show: every source the dataset was found in."""
    if pkg_dict.get("type", "dataset") != "dataset" or not pkg_dict.get("id"):
        return pkg_dict
    found = sources(pkg_dict["id"])
    if found:
        pkg_dict[SOURCES_KEY] = found
    return pkg_dict


def strip_from_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_index: computed on read, never indexed."""
    return provenance.strip_computed(pkg_dict, SOURCES_KEY)
