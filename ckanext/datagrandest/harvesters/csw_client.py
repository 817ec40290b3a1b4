"""OGC CSW 2.0.2 GetRecords client: ISO 19139 records page by page, never trusting the paging.

Requests are KVP GETs (``outputSchema=http://www.isotc211.org/2005/gmd``) so they go
through the harvesters' safe HTTP client; an optional ``PropertyIsLike`` filter narrows
a big catalogue (Géo-IDE) to the organisations we harvest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from lxml import etree

from ckanext.datagrandest.harvesters import iso19139

GMD: Final = "http://www.isotc211.org/2005/gmd"
DEFAULT_PAGE_SIZE: Final = 50
DEFAULT_MAX_PAGES: Final = 400


class CSWError(iso19139.ISO19139Error):
    """The catalogue answered something other than records (an OWS exception, a wrong root)."""


class _Response(Protocol):
    @property
    def body(self) -> bytes: ...


class Getter(Protocol):
    """What the client needs from an HTTP client: ``HttpClient`` from ``harvesters/http.py``."""

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> _Response: ...


@dataclass
class Page:
    """One GetRecords answer: the records not seen on an earlier page, and the paging figures."""

    start: int
    records: list[etree._Element]
    returned: int
    matched: int | None
    next_record: int | None


@dataclass
class Walk:
    """How the walk over the pages ended, for the deletion guard and the job report."""

    pages: int = 0
    records: int = 0
    matched: int | None = None
    # True only when the server said there was nothing more (nextRecord 0 or past the
    # end, or an empty page): then, and only then, missing records may be deleted.
    complete: bool = False
    warnings: list[str] = field(default_factory=list)


def like_filter(values: Sequence[str], property_name: str = "OrganisationName") -> str:
    """An OGC Filter 1.1.0 matching records whose property is like any of the values.

    A value without a wildcard matches anywhere in the property ("DDT de la Marne" is
    looked up as "%DDT de la Marne%").
    """
    likes = []
    for value in values:
        pattern = value if "%" in value else f"%{value}%"
        likes.append(
            '<ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\\" matchCase="false">'
            f"<ogc:PropertyName>{escape(property_name)}</ogc:PropertyName>"
            f"<ogc:Literal>{escape(pattern)}</ogc:Literal></ogc:PropertyIsLike>"
        )
    body = likes[0] if len(likes) == 1 else f"<ogc:Or>{''.join(likes)}</ogc:Or>"
    return f'<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">{body}</ogc:Filter>'


class CSWClient:
    """Walk a catalogue's GetRecords pages; ``result`` tells how the walk ended."""

    def __init__(
        self,
        http: Getter,
        url: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        like: Sequence[str] = (),
        like_property: str = "OrganisationName",
        on_page: Callable[[str], None] | None = None,
    ) -> None:
        self.http = http
        self.url = url
        self.page_size = max(1, page_size)
        self.max_pages = max(1, max_pages)
        self.constraint = like_filter(like, like_property) if like else None
        # Called with each page's full URL before it is read (the framework's page guard).
        self.on_page = on_page
        self.result = Walk()

    def params(self, start: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecords",
            "typeNames": "gmd:MD_Metadata",
            "namespace": f"xmlns(gmd={GMD})",
            "resultType": "results",
            "elementSetName": "full",
            "outputSchema": GMD,
            "startPosition": start,
            "maxRecords": self.page_size,
        }
        if self.constraint:
            params.update(
                constraintLanguage="FILTER",
                constraint_language_version="1.1.0",
                constraint=self.constraint,
            )
        return params

    def get_page(self, start: int) -> tuple[list[etree._Element], int, int | None, int | None]:
        """Fetch and parse one page: (records, returned, matched, nextRecord)."""
        params = self.params(start)
        if self.on_page is not None:
            separator = "&" if "?" in self.url else "?"
            self.on_page(f"{self.url}{separator}{urlencode(params)}")
        body = self.http.get(self.url, params).body
        root = iso19139.parse_xml(body)
        name = etree.QName(root).localname
        if name == "ExceptionReport":
            texts = [" ".join(t.split()) for t in root.itertext() if t.strip()]
            raise CSWError(
                f"Le catalogue CSW a répondu par une erreur : {' '.join(texts)[:500] or name}"
            )
        if name != "GetRecordsResponse":
            raise CSWError(
                f"Réponse inattendue du catalogue CSW : élément racine « {name} » "
                "au lieu de GetRecordsResponse."
            )
        results = root.find(f"{{{iso19139.NS['csw']}}}SearchResults")
        if results is None:
            raise CSWError("Réponse CSW sans SearchResults.")
        records = iso19139.records(results)
        return (
            records,
            len(records),
            _int(results.get("numberOfRecordsMatched")),
            _int(results.get("nextRecord")),
        )

    def pages(self) -> Iterator[Page]:
        """Pages in order, each with only the records not seen before.

        Stops when the server says it is done, when a page is empty or brings nothing new
        (a server looping on the same page), or at ``max_pages``; only the first two set
        ``result.complete``.
        """
        self.result = result = Walk()
        seen: set[str] = set()
        start = 1
        while True:
            if result.pages >= self.max_pages:
                result.warnings.append(
                    f"Moissonnage arrêté après {self.max_pages} pages (plafond atteint) : "
                    "les fiches suivantes n'ont pas été lues et aucune fiche ne sera supprimée."
                )
                return
            records, returned, matched, next_record = self.get_page(start)
            result.pages += 1
            result.matched = matched if matched is not None else result.matched
            fresh = []
            for record in records:
                key = _record_key(record)
                if key not in seen:
                    seen.add(key)
                    fresh.append(record)
            if not records:
                result.complete = True
                return
            if not fresh:
                result.warnings.append(
                    f"La page commençant à {start} ne contient que des fiches déjà lues : "
                    "le catalogue tourne en rond, moissonnage arrêté là."
                )
                return
            result.records += len(fresh)
            yield Page(start, fresh, returned, matched, next_record)
            # nextRecord must move forward; when it does not (missing, or pointing back),
            # fall back on counting what we received.
            following = next_record if next_record and next_record > start else start + returned
            if next_record == 0 or (matched is not None and following > matched):
                result.complete = True
                return
            start = following

    def records(self) -> Iterator[etree._Element]:
        for page in self.pages():
            yield from page.records


def _record_key(record: etree._Element) -> str:
    guid = iso19139.file_identifier(record)
    if guid:
        return guid
    # Records without an identifier still need a key to spot a repeated page.
    return "sha1:" + hashlib.sha1(etree.tostring(record), usedforsecurity=False).hexdigest()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
