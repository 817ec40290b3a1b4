"""Harvester of OGC CSW geocatalogues (GeoNetwork, Géo-IDE): ISO 19139 records into our schema."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any, Final

from ckanext.datagrandest.harvesters import csw_client, dedup, iso19139, places
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    Record,
    RecordError,
    Source,
    SourceError,
)
from ckanext.datagrandest.harvesters.http import HarvestHttpError

__all__ = ["CSWHarvester"]

_MAX_PAGE_SIZE: Final = 500
_MAX_LIKES: Final = 50
# GeoNetwork's CSW endpoint (.../srv/fre/csw) sits next to its records API, whose
# /api/records/{uuid} page is the record's human landing page.
_GEONETWORK_CSW: Final = re.compile(r"^(?P<base>.+/srv)/[a-z]{2,3}/csw(?:[/?#].*)?$")
_NO_DESCRIPTION: Final = "Description non fournie par le catalogue source."
# A dataset record stored with the service records that serve it (what parse_record reads).
_BUNDLE_START: Final = '<datagrandest-bundle xmlns="https://www.datagrandest.fr/ns/csw">'
_BUNDLE: Final = _BUNDLE_START + "{}</datagrandest-bundle>"
# Service records read ahead of the datasets, at most (a catalogue of services, not of data).
_MAX_SERVICES: Final = 5000
log = logging.getLogger(__name__)


class CSWHarvester(DataGrandEstHarvester):
    name = "datagrandest_csw"
    title = "Géocatalogue CSW (ISO 19139)"
    description = (
        "Fiches ISO 19139 d'un géocatalogue OGC CSW 2.0.2 (GeoNetwork, Géo-IDE), "
        "éventuellement filtrées sur le nom de l'organisation."
    )

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        like = config.get("organisation_like", [])
        if isinstance(like, str):
            like = [like]
        if not isinstance(like, list) or len(like) > _MAX_LIKES:
            raise ValueError(
                f"« organisation_like » doit être une liste d'au plus {_MAX_LIKES} noms "
                "d'organisation (motifs LIKE, % pour n'importe quelle suite de caractères)"
            )
        for value in like:
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise ValueError(
                    f"nom d'organisation invalide dans « organisation_like » : {value!r}"
                )
        page_size = config.get("page_size", csw_client.DEFAULT_PAGE_SIZE)
        if not isinstance(page_size, int) or isinstance(page_size, bool):
            raise ValueError(f"« page_size » doit être un entier entre 1 et {_MAX_PAGE_SIZE}")
        if not 1 <= page_size <= _MAX_PAGE_SIZE:
            raise ValueError(f"« page_size » doit être un entier entre 1 et {_MAX_PAGE_SIZE}")
        landing = config.get("landing_page")
        if landing is not None and (
            not isinstance(landing, str)
            or "{guid}" not in landing
            or not landing.startswith(("http://", "https://"))
        ):
            raise ValueError(
                "« landing_page » doit être une URL http(s) contenant {guid}, "
                "par exemple https://catalogue.exemple.fr/srv/api/records/{guid}"
            )
        result = {**config, "organisation_like": [v.strip() for v in like], "page_size": page_size}
        if landing is None:
            result.pop("landing_page", None)
        return result

    def _client(self, source: Source) -> csw_client.CSWClient:
        return csw_client.CSWClient(
            source.http,
            source.url,
            page_size=source.config["page_size"],
            # The framework's PageGuard caps the pages; this is a second, looser net.
            max_pages=10**6,
            like=source.config["organisation_like"],
            on_page=source.pages.visit,
        )

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        services = self._services(source)
        client = self._client(source)
        try:
            for page in client.pages():
                yield self._records(page.records, source, services)
        except iso19139.ISO19139Error as error:
            raise SourceError(str(error)) from error
        if not client.result.complete:
            raise SourceError(" ".join(client.result.warnings) or "Collecte CSW incomplète")
        # Services whose datasets the catalogue does not list stay records of their own.
        alone = services.unattached()
        if alone:
            done = _Services()
            done.complete = True
            yield self._records(alone, source, done)

    def _services(self, source: Source) -> _Services:
        """The catalogue's service records (ISO 19119), asked for first with a filter on their
        type; a catalogue that ignores the filter answers datasets too, and then the services
        attach to the datasets listed after them only."""
        services = _Services()
        client = self._client(source)
        client.constraint = _service_filter(client.constraint)
        try:
            for page in client.pages():
                if not all(iso19139.is_service(element) for element in page.records):
                    return _Services()  # the filter was ignored: read along the main walk
                for element in page.records:
                    services.add(element, source)
                if len(services.records) > _MAX_SERVICES:
                    break
        except (iso19139.ISO19139Error, HarvestHttpError) as error:
            log.info("Services of %s not listed apart (%s): read along the walk", source.url, error)
            return _Services()
        services.complete = True
        return services

    def _records(self, elements: list[Any], source: Source, services: _Services) -> list[Record]:
        records = []
        if not services.complete:
            for element in elements:
                if iso19139.is_service(element):
                    services.add(element, source)
        for element in elements:
            guid = iso19139.file_identifier(element)
            if not guid:
                source.skip(
                    "Fiche ISO 19139 sans identifiant (gmd:fileIdentifier) ignorée : "
                    + (iso19139.record_title(element) or "sans titre")
                )
                continue
            if services.attaches(element):
                continue
            served = services.serving(element)
            content = iso19139.record_xml(element)
            if served:
                # The services go with the dataset's record: a change of one re-imports it.
                content = _BUNDLE.format(
                    "".join([content, *(iso19139.record_xml(s) for s in served)])
                )
            records.append(Record(guid, content))
        return records

    def parse_record(self, content: str) -> Any:
        try:
            found = iso19139.records(iso19139.parse_xml(content.encode("utf-8")))
        except iso19139.ISO19139Error as error:
            raise RecordError(str(error)) from error
        if len(found) != 1 and not content.startswith(_BUNDLE_START):
            raise RecordError("le contenu stocké n'est pas une fiche ISO 19139 unique")
        return found

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        record, *services = record if isinstance(record, list) else [record]
        try:
            data = iso19139.to_dataset(record)
        except iso19139.ISO19139Error as error:
            raise RecordError(str(error)) from error
        for service in services:
            _add_service(data, service, source)
        guid = data.pop("guid")
        # Aggregators republishing this record quote its fileIdentifier.
        data[dedup.KEYS_FIELD] = [guid]
        data["name"] = data["title"]
        if not data.get("notes"):
            data["notes"] = _NO_DESCRIPTION
        # The responsible party (publisher, owner, custodian...) is the original publisher;
        # base.py routes a new dataset to that publisher's organisation.
        named = places.from_codes_or_names(iso19139.geographic_identifiers(record))
        if named:
            data["territories"] = list(dict.fromkeys([*named, *data.get("territories", [])]))
        if not data.get("url"):
            landing = landing_page(source.url, source.config, guid)
            if landing:
                data["url"] = landing
        return data


_FILTER_START: Final = '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">'
_IS_SERVICE: Final = (
    "<ogc:PropertyIsEqualTo><ogc:PropertyName>type</ogc:PropertyName>"
    "<ogc:Literal>service</ogc:Literal></ogc:PropertyIsEqualTo>"
)


def _service_filter(constraint: str | None) -> str:
    """An OGC filter for the service records among those ``constraint`` selects."""
    body = _IS_SERVICE
    if constraint and constraint.startswith(_FILTER_START):
        selected = constraint[len(_FILTER_START) : -len("</ogc:Filter>")]
        body = f"<ogc:And>{_IS_SERVICE}{selected}</ogc:And>"
    return f"{_FILTER_START}{body}</ogc:Filter>"


def _add_service(data: dict[str, Any], service: Any, source: Source) -> None:
    """The API resources of a service serving the dataset: a link the dataset already has
    gets the service's documentation; any other is added."""
    guid = iso19139.file_identifier(service) or ""
    page = landing_page(source.url, source.config, guid) if source is not None else None
    resources = data.setdefault("resources", [])
    by_url = {r.get("url"): r for r in resources}
    for resource in iso19139.service_resources(service, page):
        known = by_url.get(resource["url"])
        if known is None:
            resources.append(resource)
        elif resource.get("documentation") and not known.get("documentation"):
            known["documentation"] = resource["documentation"]


class _Services:
    """Service records met in a catalogue, by the identifiers of the datasets they serve."""

    def __init__(self) -> None:
        self.records: dict[str, Any] = {}
        self.by_target: dict[str, list[str]] = {}
        self.attached: set[str] = set()
        # True when every service was read before the datasets (the filtered first walk).
        self.complete = False

    def add(self, element: Any, source: Source) -> None:
        guid = iso19139.file_identifier(element)
        targets = iso19139.operates_on(element)
        if not guid or not targets or guid in self.records:
            return
        self.records[guid] = element
        for target in targets:
            self.by_target.setdefault(target, []).append(guid)

    def attaches(self, element: Any) -> bool:
        """A service record known here: it goes with its datasets, not as a dataset."""
        return iso19139.file_identifier(element) in self.records

    def serving(self, element: Any) -> list[Any]:
        guids = [g for key in iso19139.dataset_keys(element) for g in self.by_target.get(key, [])]
        self.attached.update(guids)
        return [self.records[guid] for guid in dict.fromkeys(guids)]

    def unattached(self) -> list[Any]:
        return [e for guid, e in self.records.items() if guid not in self.attached]


def landing_page(csw_url: str, config: dict[str, Any], guid: str) -> str | None:
    """The record's page on the source catalogue: from the config, or GeoNetwork's layout."""
    template = config.get("landing_page")
    if template:
        return str(template).replace("{guid}", guid)
    match = _GEONETWORK_CSW.match(csw_url)
    return f"{match.group('base')}/api/records/{guid}" if match else None
