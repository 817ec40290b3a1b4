"""Harvester of OGC CSW geocatalogues (GeoNetwork, Géo-IDE): ISO 19139 records into our schema."""

from __future__ import annotations

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

__all__ = ["CSWHarvester"]

_MAX_PAGE_SIZE: Final = 500
_MAX_LIKES: Final = 50
# GeoNetwork's CSW endpoint (.../srv/fre/csw) sits next to its records API, whose
# /api/records/{uuid} page is the record's human landing page.
_GEONETWORK_CSW: Final = re.compile(r"^(?P<base>.+/srv)/[a-z]{2,3}/csw(?:[/?#].*)?$")
_NO_DESCRIPTION: Final = "Description non fournie par le catalogue source."


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

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        config = source.config
        client = csw_client.CSWClient(
            source.http,
            source.url,
            page_size=config["page_size"],
            # The framework's PageGuard caps the pages; this is a second, looser net.
            max_pages=10**6,
            like=config["organisation_like"],
            on_page=source.pages.visit,
        )
        try:
            for page in client.pages():
                yield self._records(page.records, source)
        except iso19139.ISO19139Error as error:
            raise SourceError(str(error)) from error
        if not client.result.complete:
            raise SourceError(" ".join(client.result.warnings) or "Collecte CSW incomplète")

    def _records(self, elements: list[Any], source: Source) -> list[Record]:
        records = []
        for element in elements:
            guid = iso19139.file_identifier(element)
            if not guid:
                source.skip(
                    "Fiche ISO 19139 sans identifiant (gmd:fileIdentifier) ignorée : "
                    + (iso19139.record_title(element) or "sans titre")
                )
                continue
            records.append(Record(guid, iso19139.record_xml(element)))
        return records

    def parse_record(self, content: str) -> Any:
        try:
            found = iso19139.records(iso19139.parse_xml(content.encode("utf-8")))
        except iso19139.ISO19139Error as error:
            raise RecordError(str(error)) from error
        if len(found) != 1:
            raise RecordError("le contenu stocké n'est pas une fiche ISO 19139 unique")
        return found[0]

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        try:
            data = iso19139.to_dataset(record)
        except iso19139.ISO19139Error as error:
            raise RecordError(str(error)) from error
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


def landing_page(csw_url: str, config: dict[str, Any], guid: str) -> str | None:
    """The record's page on the source catalogue: from the config, or GeoNetwork's layout."""
    template = config.get("landing_page")
    if template:
        return str(template).replace("{guid}", guid)
    match = _GEONETWORK_CSW.match(csw_url)
    return f"{match.group('base')}/api/records/{guid}" if match else None
