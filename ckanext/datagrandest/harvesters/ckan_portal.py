"""Harvester of CKAN portals and CKAN-like APIs (Data4Citizen) into our schema.

ckanext-harvest's stock ``ckan`` type copies remote datasets as they are (their licences,
their extras, their groups) and only knows ``/api/3/action/``. This one reads any
CKAN-compatible search (``rows``/``start`` paging, ``result.count``/``result.results``),
for instance Data4Citizen's ``.../d4c/api/datasets/2.0/search/``, and maps each dataset
into the regional schema on the shared base (identity, unchanged skip, deletion safety).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlencode

from ckanext.datagrandest import vocabularies
from ckanext.datagrandest.harvesters import dedup, iso19139, mapping, places, publishers
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    Record,
    RecordError,
    Source,
    SourceError,
    json_records,
)
from ckanext.datagrandest.harvesters.harvest_warnings import Untitled

__all__ = ["CKANHarvester", "strip_volatile"]

STANDARD_SEARCH: Final = "api/3/action/package_search"
_DEFAULT_ROWS: Final = 100
_MAX_ROWS: Final = 1000
_NO_DESCRIPTION: Final = "Description non fournie par le portail source."
# Fields that change without the dataset changing (view counters, caches).
_VOLATILE: Final = frozenset(
    {"tracking_summary", "num_tags", "num_resources", "revision_id", "cache_last_updated"}
)
# Extras naming the original of a dataset another catalogue may also hold:
# ckanext-spatial keeps the ISO fileIdentifier as "guid", ckanext-dcat the URI as "uri".
_ORIGINAL_KEYS: Final = ("identifier", "dct_identifier", "dcat_identifier", "guid", "uri")
_FREQUENCY_KEYS: Final = ("frequency", "accrual_periodicity", "frequency-of-update")
# Where CKAN portals say which places a dataset covers (root fields of scheming portals,
# extras otherwise): names, INSEE codes, zone ids or territory URIs.
_PLACE_KEYS: Final = (
    "territories",
    "territory",
    "spatial_text",
    "spatial-text",
    "spatial_uri",
    "geographic_coverage",
    "zones",
    "communes",
)
_AGENT: Final = ("name", "uri", "email", "url", "identifier", "type")
_PATH: Final = re.compile(r"^[A-Za-z0-9._~/=&-]{1,200}$")
# Data4Citizen takes its paging in the path (``.../search/start=0&rows=100``): a search_path
# may hold these placeholders, filled for each page instead of query parameters.
_PAGING_PLACEHOLDERS: Final = ("{start}", "{rows}")


def _page_url(endpoint: str, params: dict[str, Any], start: int) -> str:
    if "{start}" not in endpoint:
        return f"{endpoint}?{urlencode({**params, 'start': start})}"
    url = endpoint.replace("{start}", str(start)).replace("{rows}", str(params["rows"]))
    rest = {key: value for key, value in params.items() if key != "rows"}
    return f"{url}?{urlencode(rest)}" if rest else url


def strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [strip_volatile(item) for item in value]
    return value


class CKANHarvester(DataGrandEstHarvester):
    name = "datagrandest_ckan"
    title = "Portail CKAN ou compatible (Data4Citizen)"
    description = (
        "Jeux de données d'un portail CKAN (API package_search) ou d'une API compatible "
        "dont le chemin diffère, comme Data4Citizen."
    )

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        path = config.get("search_path", STANDARD_SEARCH)
        bare = path if isinstance(path, str) else ""
        for placeholder in _PAGING_PLACEHOLDERS:
            bare = bare.replace(placeholder, "0")
        if (
            not isinstance(path, str)
            or not _PATH.match(bare.strip("/"))
            or ".." in path.split("/")
            or ("{rows}" in path and "{start}" not in path)
        ):
            raise ValueError(
                "« search_path » doit être un chemin relatif à l'URL de la source, "
                f"par exemple {STANDARD_SEARCH}, ou avec la pagination dans le chemin "
                "d4c/api/datasets/2.0/search/start={start}&rows={rows}"
            )
        rows = config.get("rows", _DEFAULT_ROWS)
        if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= _MAX_ROWS:
            raise ValueError(f"« rows » doit être un entier entre 1 et {_MAX_ROWS}")
        for key in ("fq", "sort"):
            value = config.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > 500):
                raise ValueError(f"« {key} » doit être un texte d'au plus 500 caractères")
        landing = config.get("landing_page")
        if landing is not None and (
            not isinstance(landing, str)
            or not landing.startswith(("http://", "https://"))
            or ("{name}" not in landing and "{id}" not in landing)
        ):
            raise ValueError(
                "« landing_page » doit être une URL http(s) contenant {name} ou {id}, "
                "par exemple https://portail.exemple.fr/dataset/{name}"
            )
        return {**config, "search_path": path, "rows": rows}

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        config = source.config
        endpoint = f"{source.url}/{config['search_path'].lstrip('/')}"
        standard = config["search_path"].strip("/") == STANDARD_SEARCH
        params: dict[str, Any] = {"rows": config["rows"]}
        if config.get("fq"):
            params["fq"] = config["fq"]
        # A stable order keeps offset paging from skipping or repeating datasets.
        sort = config.get("sort", "id asc" if standard else None)
        if sort:
            params["sort"] = sort
        seen: set[str] = set()
        start = 0
        while True:
            url = _page_url(endpoint, params, start)
            source.pages.visit(url)
            items, count = _search_page(source.http.get_json(url), url)
            if not items:
                return
            records = self._records(items, source, seen)
            if not records and all(_guid(item) in seen for item in items):
                raise SourceError(
                    f"La page {url} ne contient que des jeux de données déjà lus : "
                    "le portail ignore la pagination, collecte arrêtée"
                )
            yield records
            start += len(items)
            if count is not None and start >= count:
                return

    def _records(self, items: list[Any], source: Source, seen: set[str]) -> list[Record]:
        records = []
        for record in json_records(items, _guid, strip_volatile, source, ""):
            if record.guid not in seen:
                seen.add(record.guid)
                records.append(record)
        return records

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise RecordError("un jeu de données CKAN doit être un objet JSON")
        title = record.get("title")
        if not isinstance(title, str) or not title.strip():
            raise Untitled
        extras = _extras(record)
        data: dict[str, Any] = {
            "title": title,
            "name": record.get("name") or title,
            "notes": record.get("notes") or _NO_DESCRIPTION,
            "url": _landing_page(record, source),
            "tags": mapping.tag_list(_tag_names(record)),
            "issued": extras.get("issued") or record.get("metadata_created"),
            "modified": extras.get("modified") or record.get("metadata_modified"),
            "version": record.get("version"),
            "resources": [r for r in map(_resource, record.get("resources") or []) if r],
            **_licence(record),
        }
        originals = [
            v.strip()
            for k in _ORIGINAL_KEYS
            if isinstance(v := record.get(k) or extras.get(k), str) and v.strip()
        ]
        if originals:
            # The first name of the original (its identifier, else the geocatalogue's
            # fileIdentifier...) is kept as ours: it is what finds this copy again.
            data["identifier"] = originals[0]
            data[dedup.KEYS_FIELD] = originals
        groups = [g.get("title") or g.get("name") for g in _dicts(record.get("groups"))]
        themes = _themes(record, extras) or mapping.theme_uris(groups)
        if themes:
            data["theme"] = themes
        frequency = _frequency(record, extras)
        if frequency:
            data["frequency"] = frequency
        spatial = _spatial(extras)
        places = [*_places(record), *([spatial] if spatial else [])]
        if places:
            data["spatial_coverage"] = places
        # Languages as the portal gives them: the base maps codes and names, says the rest.
        languages = _strings(record.get("language") or extras.get("language"))
        if languages:
            data["language"] = languages
        periods = _periods(record, extras)
        if periods:
            data["temporal_coverage"] = periods
        territories = _territories(record, extras) or iso19139.infer_territories(title, [])
        if territories:
            data["territories"] = territories
        publisher = _publisher(record, extras)
        if publisher:
            data["publisher"] = [publisher]
        # ckanext-dcat's scheming fields (contact points) first, else maintainer or author.
        contact = _contact(record)
        contacts = _contacts(record) or ([contact] if contact else [])
        if contacts:
            data["contact"] = contacts
        return {k: v for k, v in data.items() if v not in (None, "", [])}


def _search_page(payload: Any, url: str) -> tuple[list[Any], int | None]:
    if isinstance(payload, dict) and payload.get("success") is False:
        error = payload.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        raise SourceError(f"Le portail a refusé la recherche {url} : {message or 'erreur'}")
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise SourceError(
            f"Réponse inattendue de {url} : un objet {{result: {{count, results: [...]}}}} "
            "était attendu"
        )
    count = result.get("count")
    return result["results"], count if isinstance(count, int) else None


def _guid(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    for key in ("id", "name"):
        value = item.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _extras(record: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for extra in record.get("extras") or []:
        if isinstance(extra, dict) and isinstance(extra.get("key"), str):
            found[extra["key"]] = extra.get("value")
    return found


def _tag_names(record: dict[str, Any]) -> list[str]:
    names = []
    for tag in record.get("tags") or []:
        name = tag.get("display_name") or tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str):
            names.append(name)
    return names


def _landing_page(record: dict[str, Any], source: Source) -> str | None:
    """The dataset's own page (its ``url``) when it is a web address, else its page there."""
    remote = record.get("url")
    if isinstance(remote, str) and publishers.web_address(remote):
        return remote.strip()
    template = source.config.get("landing_page")
    name, ident = record.get("name"), record.get("id")
    if template:
        return str(template).replace("{name}", str(name or ident)).replace("{id}", str(ident))
    if source.config["search_path"].strip("/") == STANDARD_SEARCH and name:
        return f"{source.url}/dataset/{name}"
    return None


def _territories(record: dict[str, Any], extras: dict[str, Any]) -> list[str]:
    values: list[Any] = []
    for key in _PLACE_KEYS:
        value = record.get(key) or extras.get(key)
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            values.extend(v.get("id") or v.get("code") if isinstance(v, dict) else v for v in value)
    return places.from_codes_or_names(values)


def _publisher(record: dict[str, Any], extras: dict[str, Any]) -> dict[str, str] | None:
    """dct:publisher as a DCAT-minded portal states it, else the organization, else a person."""
    stated = record.get("publisher")
    if isinstance(stated, str) and stated.strip().startswith("["):
        try:
            stated = json.loads(stated)
        except ValueError:
            stated = None
    first = publishers.first(stated)
    if first:
        found = publishers.agent(
            first.get("name"),
            uri=first.get("uri"),
            email=first.get("email"),
            url=first.get("url"),
            identifier=first.get("identifier"),
            kind=first.get("type"),
        )
        if found:
            return found
    legacy = {k: record.get(f"publisher_{k}") or extras.get(f"publisher_{k}") for k in _AGENT}
    found = publishers.agent(
        legacy["name"],
        uri=legacy["uri"],
        email=legacy["email"],
        url=legacy["url"],
        identifier=legacy["identifier"],
        kind=legacy["type"],
    )
    if found:
        return found
    organization = record.get("organization")
    if isinstance(organization, dict) and (organization.get("title") or organization.get("name")):
        return publishers.agent(organization.get("title") or organization.get("name"))
    for who in ("author", "maintainer"):
        found = publishers.agent(record.get(who), email=record.get(f"{who}_email"))
        if found:
            return found
    return None


def _licence(record: dict[str, Any]) -> dict[str, str]:
    fields = mapping.license_fields(record.get("license_id"))
    if fields.get("license_id") in (None, "other"):
        by_title = mapping.license_fields(record.get("license_title"))
        fields = by_title if by_title.get("license_id") not in (None, "other") else fields
    if fields.get("license_id") == "other":
        text = record.get("license_title") or record.get("license_id") or ""
        fields["license_other"] = str(text)[: iso19139.LICENSE_OTHER_MAX]
    return fields or {
        "license_id": "other",
        "license_other": "Licence non précisée par le portail source.",
    }


def _themes(record: dict[str, Any], extras: dict[str, Any]) -> list[str]:
    raw = record.get("theme") or extras.get("theme")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.startswith("[") else [raw]
        except ValueError:
            raw = [raw]
    found = [vocabularies.theme_uri(v) for v in raw or [] if isinstance(v, str)]
    return list(dict.fromkeys(uri for uri in found if uri))


def _frequency(record: dict[str, Any], extras: dict[str, Any]) -> str | None:
    for key in _FREQUENCY_KEYS:
        value = record.get(key) or extras.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        # An EU code or URI, an ISO maintenance code, or a udata name (DCAT-on-CKAN portals
        # repeat whichever their own harvest brought in).
        found = mapping.frequency_uri(value)
        if found:
            return found
    return None


def _spatial(extras: dict[str, Any]) -> dict[str, str] | None:
    raw = extras.get("spatial")
    if not isinstance(raw, str):
        return None
    try:
        geometry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        return None
    return {"geom": json.dumps(geometry)}


def _strings(value: Any) -> list[str]:
    """A list field as a CKAN gives it: a list, a JSON list in an extra, or "fr, en"."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else text.split(",")
        except (ValueError, RecursionError):
            value = text.split(",")
    items = value if isinstance(value, list) else []
    return list(dict.fromkeys(v.strip() for v in items if isinstance(v, str) and v.strip()))


def _periods(record: dict[str, Any], extras: dict[str, Any]) -> list[dict[str, str]]:
    """ckanext-dcat's periods: the scheming ``temporal_coverage`` list, else the
    ``temporal_start``/``temporal_end`` extras."""
    raw = _dicts(record.get("temporal_coverage")) or [
        {"start": extras.get("temporal_start"), "end": extras.get("temporal_end")}
    ]
    periods = []
    for item in raw:
        period = {k: v for k in ("start", "end") if (v := mapping.date_only(item.get(k)))}
        if period:
            periods.append(period)
    return periods


def _places(record: dict[str, Any]) -> list[dict[str, str]]:
    """ckanext-dcat's scheming ``spatial_coverage`` (URI, name, GeoJSON geometries)."""
    places = []
    for item in _dicts(record.get("spatial_coverage")):
        place: dict[str, str] = {}
        for key in ("uri", "text", "geom", "bbox", "centroid"):
            value = item.get(key)
            if isinstance(value, dict):
                value = json.dumps(value)
            if isinstance(value, str) and value.strip():
                place[key] = value.strip()
        if place:
            places.append(place)
    return places


def _contacts(record: dict[str, Any]) -> list[dict[str, str]]:
    """ckanext-dcat's scheming ``contact`` list (name, email, url)."""
    found = [
        {k: v for k in ("name", "email", "url") if isinstance(v := item.get(k), str) and v}
        for item in _dicts(record.get("contact"))
    ]
    return [c for c in found if c]


def _contact(record: dict[str, Any]) -> dict[str, str] | None:
    for who in ("maintainer", "author"):
        name, email = record.get(who), record.get(f"{who}_email")
        if name or email:
            return {k: v for k, v in (("name", name), ("email", email)) if isinstance(v, str) and v}
    return None


def _resource(resource: Any) -> dict[str, Any] | None:
    if not isinstance(resource, dict) or resource.get("state", "active") != "active":
        return None
    url = resource.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "ftp://")):
        return None
    declared = str(resource.get("format") or "")
    service = iso19139.service_kind(url, declared) or (
        declared.upper() if declared.upper() in ("WMS", "WFS") else None
    )
    result: dict[str, Any] = {
        "url": url,
        "name": resource.get("name") or url.rstrip("/").rsplit("/", 1)[-1],
        "description": resource.get("description") or "",
    }
    if service:
        result.update(format=f"{service}_SRVC", is_api=True)
    else:
        # Ours ("CSV LonLat/XY" is CSV), else the source's name kept as given: the schema says it.
        found = mapping.map_format(declared, url=url, media_type=resource.get("mimetype"))
        if found.value:
            result["format"] = found.value
        result["is_api"] = resource.get("resource_type") == "api" or mapping.is_api_format(declared)
    if isinstance(resource.get("mimetype"), str):
        result["mimetype"] = resource["mimetype"]
    size = resource.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        result["size"] = size
    if isinstance(resource.get("hash"), str):
        result["hash"] = resource["hash"]
    return {k: v for k, v in result.items() if v not in (None, "")}
