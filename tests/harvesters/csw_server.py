"""A local CSW 2.0.2 catalogue for the tests: our fixture pages served by startPosition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from demo.replay import ReplayServer, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csw"
CSW_PATH = "/geonetwork/srv/fre/csw"

# What one startPosition answers: a fixture file name or raw bytes.
Answer = str | bytes

# The OGC filter term of a query for service records (ISO 19119).
SERVICE_TYPE = "<ogc:Literal>service</ogc:Literal>"
NO_RECORDS = (
    b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
    b'<csw:SearchResults numberOfRecordsMatched="0" numberOfRecordsReturned="0" nextRecord="0"/>'
    b"</csw:GetRecordsResponse>"
)

# The three pages of our fixture catalogue, as a well-behaved server pages them.
THREE_PAGES: Mapping[int, Answer] = {1: "page1.xml", 3: "page2.xml", 5: "page3.xml"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Catalogue:
    """The pages a test serves (change them between two harvests); the queries received."""

    pages: dict[int, Answer]
    url: str = ""
    # Each GetRecords query, keys in lower case (KVP names are case-insensitive).
    requests: list[dict[str, str]] = field(default_factory=list)
    # What a query filtered on type "service" gets, as a GeoNetwork honours that filter:
    # the catalogue's service records only (none unless a test gives pages of them).
    service_pages: dict[int, Answer] = field(default_factory=dict)
    service_requests: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, query: Mapping[str, str], path: str) -> Reply:
        lowered = {key.lower(): value for key, value in query.items()}
        services = SERVICE_TYPE in lowered.get("constraint", "")
        (self.service_requests if services else self.requests).append(lowered)
        if lowered.get("request") != "GetRecords":
            return Reply(400, b"GetRecords only")
        pages = self.service_pages if services else self.pages
        if services and not pages:
            return Reply(200, NO_RECORDS, {"Content-Type": "application/xml; charset=UTF-8"})
        try:
            answer = pages.get(int(lowered.get("startposition", "1")))
        except ValueError:
            answer = None
        if answer is None:
            return Reply(404, b"no such page")
        body = fixture(answer) if isinstance(answer, str) else answer
        return Reply(200, body, {"Content-Type": "application/xml; charset=UTF-8"})


@contextmanager
def serve(pages: Mapping[int, Answer]) -> Iterator[Catalogue]:
    """Serve ``pages`` at a GeoNetwork-like CSW path on 127.0.0.1, for the block's duration."""
    catalogue = Catalogue(dict(pages))
    with ReplayServer({CSW_PATH: catalogue}) as server:
        catalogue.url = server.url + CSW_PATH
        yield catalogue
