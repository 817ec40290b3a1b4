"""Harvester of udata portals (data.gouv.fr API v1): the datasets of chosen organizations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from ckanext.datagrandest import hvd
from ckanext.datagrandest.harvesters import dedup, mapping, places, publishers
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    Record,
    RecordError,
    Source,
    SourceError,
    compact,
    json_records,
)

__all__ = ["UdataHarvester", "datasets_url", "origin_keys", "strip_volatile"]

_DEFAULT_PAGE_SIZE = 100
_MAX_PAGE_SIZE = 1000
_ORG_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
_GRANULARITY = {
    "fr:commune": "commune",
    "fr:epci": "epci",
    "fr:departement": "departement",
    "fr:region": "region",
}


def datasets_url(base_url: str, organization: str) -> str:
    # This endpoint takes an id or a slug; /api/1/datasets/?organization= takes ids only.
    return f"{base_url}/api/1/organizations/{quote(organization, safe='')}/datasets/"


def strip_volatile(dataset: dict[str, Any]) -> dict[str, Any]:
    """Drop what changes without the data changing (audience counters, link checks)."""
    kept = {k: v for k, v in dataset.items() if k not in ("metrics", "internal", "quality")}
    resources = kept.get("resources")
    if isinstance(resources, list):
        kept["resources"] = [
            {
                k: (
                    {ek: ev for ek, ev in v.items() if not ek.startswith(("check:", "analysis:"))}
                    if k == "extras" and isinstance(v, dict)
                    else v
                )
                for k, v in resource.items()
                if k not in ("metrics", "internal")
            }
            if isinstance(resource, dict)
            else resource
            for resource in resources
        ]
    return kept


class UdataHarvester(DataGrandEstHarvester):
    name = "datagrandest_udata"
    title = "data.gouv.fr (udata)"
    description = (
        "Jeux de données d'une ou plusieurs organisations d'un portail udata "
        "(data.gouv.fr), par l'API v1."
    )

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        organizations = config.get("organizations")
        if isinstance(organizations, str):
            organizations = [organizations]
        if not isinstance(organizations, list) or not organizations:
            raise ValueError(
                "« organizations » doit lister au moins une organisation udata (id ou slug)"
            )
        for organization in organizations:
            if not isinstance(organization, str) or not _ORG_ID.match(organization):
                raise ValueError(f"organisation udata invalide : {organization!r}")
        page_size = config.get("page_size", _DEFAULT_PAGE_SIZE)
        if not isinstance(page_size, int) or not 1 <= page_size <= _MAX_PAGE_SIZE:
            raise ValueError(f"« page_size » doit être un entier entre 1 et {_MAX_PAGE_SIZE}")
        return {**config, "organizations": organizations, "page_size": page_size}

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        for organization in source.config["organizations"]:
            first = datasets_url(source.url, organization)
            url: str | None = (
                f"{first}?{urlencode({'page': 1, 'page_size': source.config['page_size']})}"
            )
            while url:
                source.pages.visit(url)
                payload = source.http.get_json(url)
                if isinstance(payload, list):
                    # Older udata answers an organization's datasets with one bare array.
                    items, url = payload, None
                elif isinstance(payload, dict) and isinstance(payload.get("data"), list):
                    items = payload["data"]
                    next_page = payload.get("next_page")
                    url = next_page if isinstance(next_page, str) and items else None
                else:
                    raise SourceError(
                        f"Réponse inattendue de {url} : ni liste paginée "
                        "{data, next_page, ...} ni tableau de jeux de données"
                    )
                yield json_records(items, _id, strip_volatile, source, "udata ")

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise RecordError("un jeu de données udata doit être un objet JSON")
        # A record without title is refused by the base, which names it (harvest_warnings).
        title = record.get("title") if isinstance(record.get("title"), str) else None
        resources = record.get("resources") or []
        if not isinstance(resources, list):
            raise RecordError("« resources » doit être une liste")
        spatial = record.get("spatial") or {}
        origin = origin_keys(record)
        temporal = record.get("temporal_coverage") or {}
        data: dict[str, Any] = {
            "title": title,
            "name": record.get("slug") or title,
            "notes": record.get("description") or "",
            "url": record.get("page") or "",
            # The schema wants identifiers unique in the catalogue; the id alone may be shared
            # by two udata instances, the page URL is not. A record data.gouv.fr harvested
            # itself is identified by its origin, where the publisher's portal has it too.
            "identifier": origin[0] if origin else record.get("page") or record.get("uri"),
            dedup.KEYS_FIELD: origin,
            "issued": record.get("created_at"),
            "modified": record.get("last_update") or record.get("last_modified"),
            "tags": mapping.tag_list(record.get("tags")),
            "resources": [r for r in map(_resource, resources) if r],
            **mapping.license_fields(record.get("license")),
        }
        # Unmapped, as the source says it: the base keeps or drops it with a warning.
        frequency = mapping.frequency_uri(record.get("frequency")) or record.get("frequency")
        if frequency:
            data["frequency"] = frequency
        if isinstance(temporal, dict) and (temporal.get("start") or temporal.get("end")):
            data["temporal_coverage"] = [
                {
                    "start": mapping.date_only(temporal.get("start")),
                    "end": mapping.date_only(temporal.get("end")),
                }
            ]
        publisher = _publisher(record)
        if publisher:
            data["publisher"] = [publisher]
        # data.gouv.fr tags the high-value datasets of Regulation (EU) 2023/138 "hvd".
        tags = record.get("tags")
        if isinstance(tags, list) and any(str(t).strip().lower() == "hvd" for t in tags):
            data["applicable_legislation"] = [hvd.HVD_LEGISLATION]
        if isinstance(spatial, dict):
            known = places.from_zones(spatial.get("zones"))
            if known:
                data["territories"] = known
            # Zones outside Grand Est say where the data is: kept as its spatial coverage.
            elsewhere = places.other_zones(spatial.get("zones"))
            if elsewhere:
                data["spatial_coverage"] = [{"text": zone} for zone in elsewhere]
            granularity = spatial.get("granularity")
            if granularity:
                data["granularity"] = _GRANULARITY.get(str(granularity), "other")
        return compact(data)


def _id(item: dict[str, Any]) -> Any:
    return item.get("id")


def _publisher(record: dict[str, Any]) -> dict[str, str] | None:
    """The udata organization publishing the dataset, else the user who owns it."""
    organization = record.get("organization")
    if isinstance(organization, dict) and organization.get("name"):
        return publishers.agent(
            organization["name"],
            url=organization.get("page"),
            # udata gives recent organizations their SIRET (or SIREN).
            identifier=organization.get("business_number_id"),
        )
    owner = record.get("owner")
    if isinstance(owner, dict):
        name = owner.get("fullname") or " ".join(
            str(owner.get(k) or "") for k in ("first_name", "last_name")
        )
        return publishers.agent(name, url=owner.get("page"))
    return None


def origin_keys(record: dict[str, Any]) -> list[str]:
    """Identifiers of the original a record data.gouv.fr harvested from elsewhere, best first.

    udata keeps them in ``harvest``: ``remote_url`` (the original's page), ``uri`` (its DCAT
    URI); an Opendatasoft original without ``remote_url`` has a page built from ``domain`` and
    ``remote_id``. Never the bare ``remote_id``: ids repeat across portals.
    """
    harvest = record.get("harvest")
    if not isinstance(harvest, dict):
        return []
    keys = [harvest.get("remote_url"), harvest.get("uri")]
    domain, remote_id = harvest.get("domain"), harvest.get("remote_id")
    backend = str(harvest.get("backend") or "").lower().replace(" ", "")
    if backend == "opendatasoft" and isinstance(domain, str) and isinstance(remote_id, str):
        keys.append(f"https://{domain}/explore/dataset/{quote(remote_id)}/")
    web = [k.strip() for k in keys if isinstance(k, str) and k.startswith(("http://", "https://"))]
    return list(dict.fromkeys(web))


def _resource(resource: Any) -> dict[str, Any] | None:
    if not isinstance(resource, dict):
        return None
    # One without url is dropped by the base with a warning naming it (harvest_warnings).
    result: dict[str, Any] = {
        "url": resource.get("url") or "",
        "name": resource.get("title") or "",
        "description": resource.get("description") or "",
        "format": str(resource.get("format") or "").upper(),
        "mimetype": resource.get("mime") or "",
    }
    if isinstance(resource.get("filesize"), int):
        result["size"] = resource["filesize"]
    checksum = resource.get("checksum")
    if isinstance(checksum, dict) and checksum.get("value"):
        result["hash"] = checksum["value"]
        result["hash_algorithm"] = checksum.get("type") or ""
    if resource.get("type") == "api" or resource.get("filetype") == "api":
        result["is_api"] = True
    return {key: value for key, value in result.items() if value not in (None, "")}
