"""Harvester of Opendatasoft portals through the Explore API v2.1 catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from ckanext.datagrandest import territories
from ckanext.datagrandest.harvesters import mapping, places, publishers
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    Record,
    RecordError,
    Source,
    SourceError,
    compact,
    json_records,
)
from ckanext.datagrandest.harvesters.harvest_warnings import Untitled

__all__ = ["OdsHarvester", "catalog_url", "strip_volatile"]

# The Explore API caps `limit` at 100 and `offset + limit` at 10,000; past that the whole
# catalogue is read through its JSON export.
PAGE_LIMIT = 100
MAX_WINDOW = 10_000
_GEO_TYPES = frozenset({"geo_point_2d", "geo_shape"})
_CODE = re.compile(r"(\d[0-9AB]\d{0,7}\d?)$")


def catalog_url(base_url: str) -> str:
    return f"{base_url}/api/explore/v2.1/catalog"


def strip_volatile(dataset: dict[str, Any]) -> dict[str, Any]:
    """Drop the processing timestamp ODS refreshes without any change to the dataset."""
    metas = dataset.get("metas")
    if not isinstance(metas, dict) or not isinstance(metas.get("default"), dict):
        return dataset
    default = {k: v for k, v in metas["default"].items() if k != "metadata_processed"}
    return {**dataset, "metas": {**metas, "default": default}}


class OdsHarvester(DataGrandEstHarvester):
    name = "datagrandest_ods"
    title = "Opendatasoft (Explore API v2.1)"
    description = (
        "Catalogue d'un portail Opendatasoft, filtrable par une clause « where » "
        "(par exemple un producteur)."
    )

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        where = config.get("where")
        if where is not None and (not isinstance(where, str) or len(where) > 2000):
            raise ValueError(
                "« where » doit être une clause ODSQL (texte de 2 000 caractères au plus)"
            )
        return config

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        base = catalog_url(source.url)
        filters = {"where": source.config["where"]} if source.config.get("where") else {}
        offset = 0
        while True:
            url = f"{base}/datasets?{urlencode({**filters, 'limit': PAGE_LIMIT, 'offset': offset})}"
            source.pages.visit(url)
            payload = source.http.get_json(url)
            if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
                raise SourceError(f"Réponse inattendue de {url} : « results » manquant")
            total = payload.get("total_count")
            if isinstance(total, int) and total > MAX_WINDOW:
                yield from self._from_export(base, filters, source)
                return
            results = payload["results"]
            yield self._records(results, source)
            offset += len(results)
            if not results or not isinstance(total, int) or offset >= total:
                return

    def _from_export(
        self, base: str, filters: dict[str, str], source: Source
    ) -> Iterator[list[Record]]:
        url = f"{base}/exports/json" + (f"?{urlencode(filters)}" if filters else "")
        source.pages.visit(url)
        payload = source.http.get_json(url)
        if not isinstance(payload, list):
            raise SourceError(
                f"Réponse inattendue de {url} : un tableau de jeux de données attendu"
            )
        for start in range(0, len(payload), PAGE_LIMIT):
            yield self._records(payload[start : start + PAGE_LIMIT], source)

    def _records(self, items: list[Any], source: Source) -> list[Record]:
        return json_records(
            items, lambda item: item.get("dataset_id"), strip_volatile, source, "Opendatasoft "
        )

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise RecordError("un jeu de données Opendatasoft doit être un objet JSON")
        dataset_id = str(record.get("dataset_id") or "")
        metas = (record.get("metas") or {}).get("default")
        if not isinstance(metas, dict):
            raise RecordError("« metas.default » manquant")
        title = metas.get("title")
        if not isinstance(title, str) or not title.strip():
            raise Untitled
        keywords = metas.get("keyword") or []
        data: dict[str, Any] = {
            "title": title,
            "name": dataset_id,
            "notes": metas.get("description") or "",
            "url": f"{source.url}/explore/dataset/{quote(dataset_id)}/",
            # dataset ids repeat across ODS portals; the page URL names the portal too.
            "identifier": f"{source.url}/explore/dataset/{quote(dataset_id)}/",
            "modified": metas.get("modified"),
            "tags": mapping.tag_list(keywords if isinstance(keywords, list) else [keywords]),
            "theme": mapping.theme_uris(metas.get("theme") or []),
            "resources": _resources(source.url, dataset_id, record),
            **mapping.license_fields(metas.get("license")),
        }
        codes = _territories(metas)
        if codes:
            data["territories"] = codes
        # The data's language ("fr", "en"): the base maps it to the EU URI, or says so.
        language = metas.get("language")
        if isinstance(language, str) and language.strip():
            data["language"] = [language.strip()]
        dcat = (record.get("metas") or {}).get("dcat")
        dcat = dcat if isinstance(dcat, dict) else {}
        publisher = publishers.agent(
            metas.get("publisher") or dcat.get("creator"),
            email=dcat.get("contact_email") if not metas.get("publisher") else None,
        )
        if publisher:
            data["publisher"] = [publisher]
        return compact(data)


def _resources(base_url: str, dataset_id: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    if record.get("has_records") is False:
        return []
    api = f"{catalog_url(base_url)}/datasets/{quote(dataset_id)}"
    fields = record.get("fields") or []
    has_geo = "geo" in (record.get("features") or []) or any(
        isinstance(f, dict) and f.get("type") in _GEO_TYPES for f in fields
    )
    resources: list[dict[str, Any]] = [
        {
            "name": "Export CSV",
            "url": f"{api}/exports/csv",
            "format": "CSV",
            "mimetype": "text/csv",
        },
        {
            "name": "Export JSON",
            "url": f"{api}/exports/json",
            "format": "JSON",
            "mimetype": "application/json",
        },
    ]
    if has_geo:
        resources.append(
            {
                "name": "Export GeoJSON",
                "url": f"{api}/exports/geojson",
                "format": "GEOJSON",
                "mimetype": "application/geo+json",
            }
        )
    resources.append(
        {
            "name": "API Explore v2.1",
            "url": f"{api}/records",
            "format": "JSON",
            "mimetype": "application/json",
            "is_api": True,
            "description": "Interroger les enregistrements par l'API Opendatasoft.",
        }
    )
    for resource in resources:
        resource["download_url" if not resource.get("is_api") else "access_url"] = resource["url"]
    return resources


def _territories(metas: dict[str, Any]) -> list[str]:
    """Codes from ODS's geographic references (e.g. fr_40_67482) or territory names."""
    found: list[str] = []
    for reference in metas.get("geographic_reference") or []:
        match = _CODE.search(str(reference))
        if match and territories.is_known(match.group(1)):
            found.append(match.group(1))
    names = metas.get("territory") or []
    for name in names if isinstance(names, list) else [names]:
        for suggestion in territories.autocomplete(str(name), limit=1):
            if territories.normalise(suggestion["name"]) == territories.normalise(str(name)):
                found.append(suggestion["code"])
    if not found:
        # Codes or "Commune de X" forms the exact-name match above leaves.
        found = places.from_codes_or_names(names if isinstance(names, list) else [names])
    return list(dict.fromkeys(found))
