"""The corpus of real answers (tests/fixtures/corpus/): load it, serve it, harvest it, check it.

Shared by the end-to-end corpus test (``test_corpus.py``) and the fidelity report
(``bench/bench_fidelity.py``). Each source of ``expectations.yaml`` is served by a local server
in its real shape (udata API v1, Opendatasoft Explore v2.1, CKAN ``package_search``, a DCAT
document, a CSW 2.0.2 ``GetRecords`` answer), harvested by the real harvester type, and its
datasets compared field by field with what the payload says.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from demo.replay import (
    ReplayServer,
    Reply,
    ods_routes,
    udata_routes,
)

from .ckan_server import CKAN_PATH, Search
from .conftest import create_source, harvest, source_datasets
from .csw_server import CSW_PATH, Catalogue

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# Shared reference payloads, used from where they are (never copied into the project).
REFERENCE = ROOT.parent / "shared" / "reference" / "payloads"
REFERENCE_PREFIX = "@reference/"
KINDS = ("udata", "ods", "ckan", "dcat", "csw")
HARVESTER_TYPES = {
    "udata": "datagrandest_udata",
    "ods": "datagrandest_ods",
    "ckan": "datagrandest_ckan",
    "dcat": "datagrandest_dcat",
    "csw": "datagrandest_csw",
}
# The organisation every corpus source belongs to: it covers the whole région, so a record
# naming no Grand Est place gets 44 ("fallback" in the expectations).
ORGANIZATION = {
    "name": "corpus-grand-est",
    "title": "Corpus de réponses réelles",
    "body_kind": "region",
    "territories": ["44"],
}
FALLBACK = ["44"]
# What our harvesters write in license_other when the source states no licence.
NOT_STATED = "non précisée"
# What the job report says for each acceptable refusal (harvest_warnings.Refused).
REFUSAL_WORDS = {
    "no title": ("sans titre",),
    "no web address": ("sans adresse web",),
}
_MEDIA_TYPES = {
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json": "application/json",
}


@dataclass(frozen=True)
class Expected:
    """What one record should become (see the header of expectations.yaml)."""

    id: str
    title: str
    refused: str | None = None
    license: tuple[str, ...] | None = None
    publisher: tuple[str, ...] | None = None
    territories: tuple[str, ...] | None = None
    formats: tuple[tuple[str, ...], ...] = ()
    landing_page: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CorpusSource:
    kind: str
    name: str
    files: tuple[str, ...]
    records: tuple[Expected, ...]

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"

    def paths(self) -> list[Path]:
        return [path_of(self.kind, name) for name in self.files]

    def available(self) -> bool:
        """False when a shared reference file is missing (the shared folder is absent)."""
        return all(path.exists() for path in self.paths())


def path_of(kind: str, name: str) -> Path:
    if name.startswith(REFERENCE_PREFIX):
        return REFERENCE / name[len(REFERENCE_PREFIX) :]
    return CORPUS / kind / name


def _alternatives(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _expected(item: Mapping[str, Any]) -> Expected:
    territories = item.get("territories")
    refused = item.get("refused")
    if refused is not None and refused not in REFUSAL_WORDS:
        raise ValueError(f"{item['id']}: unacceptable refusal reason {refused!r}")
    if refused is None and item.get("landed") is not True:
        raise ValueError(f"{item['id']}: say landed: true or refused: <reason>")
    return Expected(
        id=str(item["id"]),
        title=str(item["title"]),
        refused=refused,
        license=_alternatives(item.get("license")),
        publisher=_alternatives(item.get("publisher")),
        territories=tuple(FALLBACK if territories == "fallback" else territories)
        if territories is not None
        else None,
        formats=tuple(_alternatives(f) or () for f in item.get("formats", [])),
        landing_page=_alternatives(item.get("landing_page")),
    )


def load_sources(kinds: tuple[str, ...] = KINDS) -> list[CorpusSource]:
    """The corpus sources of ``kinds``, as ``expectations.yaml`` lists them."""
    raw = yaml.safe_load((CORPUS / "expectations.yaml").read_text(encoding="utf-8"))
    return [
        CorpusSource(
            kind,
            str(entry["source"]),
            tuple(entry["files"]),
            tuple(_expected(item) for item in entry["records"]),
        )
        for kind in kinds
        for entry in raw.get(kind, [])
    ]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# Serving -----------------------------------------------------------------------------------


def _udata(source: CorpusSource, server: ReplayServer) -> dict[str, Any]:
    answers = [read_json(path) for path in source.paths()]
    datasets: list[dict[str, Any]] = []
    for answer in answers:
        datasets.extend(answer if isinstance(answer, list) else [answer])
    # A file holding a bare array is an older udata's answer: served as it came.
    bare = [source.name] if len(answers) == 1 and isinstance(answers[0], list) else []
    server.routes.update(udata_routes(lambda: server.url, {source.name: datasets}, bare_array=bare))
    return {"organizations": [source.name]}


def ods_datasets(answer: Any) -> list[dict[str, Any]]:
    """Catalogue datasets of an Explore v2.1 answer, or of a v2.0 one (``datasets[].dataset``
    or a single ``{"dataset": ...}`` item): v2.1 serves the same dataset objects, unwrapped."""
    if isinstance(answer, dict) and isinstance(answer.get("results"), list):
        return list(answer["results"])
    if isinstance(answer, dict) and isinstance(answer.get("datasets"), list):
        return [item["dataset"] for item in answer["datasets"]]
    if isinstance(answer, dict) and isinstance(answer.get("dataset"), dict):
        return [answer["dataset"]]
    raise ValueError("not an Opendatasoft catalogue answer")


def _ods(source: CorpusSource, server: ReplayServer) -> dict[str, Any]:
    datasets = [d for path in source.paths() for d in ods_datasets(read_json(path))]
    server.routes.update(ods_routes(datasets))
    return {}


def ckan_datasets(answer: Any) -> list[dict[str, Any]]:
    """Datasets of a ``package_search`` answer, a ``package_show`` answer or a bare dataset."""
    result = answer.get("result", answer) if isinstance(answer, dict) else answer
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        return list(result["results"])
    if isinstance(result, dict):
        return [result]
    raise ValueError("not a CKAN answer")


def _ckan(source: CorpusSource, server: ReplayServer) -> dict[str, Any]:
    datasets = [d for path in source.paths() for d in ckan_datasets(read_json(path))]
    page = {"success": True, "result": {"count": len(datasets), "results": datasets}}
    server.routes[CKAN_PATH] = Search({0: page})
    return {}


def _dcat(source: CorpusSource, server: ReplayServer) -> tuple[str, dict[str, Any]]:
    (path,) = source.paths()
    extension = path.suffix.lstrip(".")
    body = path.read_bytes()
    media_type = f"{_MEDIA_TYPES[extension]}; charset=utf-8"

    def catalogue(query: Mapping[str, str], request_path: str) -> Reply:
        return Reply(200, body, {"Content-Type": media_type})

    route = f"/catalog.{extension}"
    server.routes[route] = catalogue
    return route, {}


_RETURNED = re.compile(rb'numberOfRecordsReturned="(\d+)"')
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)


def csw_pages(paths: list[Path]) -> dict[int, bytes]:
    """GetRecords answers by startPosition. A bare ``gmd:MD_Metadata`` document (a record file
    of a test suite) goes into the GetRecordsResponse envelope a CSW puts it in."""
    bodies = [path.read_bytes() for path in paths]
    counts = [int(m.group(1)) if (m := _RETURNED.search(body)) else 1 for body in bodies]
    total = sum(counts)
    pages: dict[int, bytes] = {}
    start = 1
    for body, count in zip(bodies, counts, strict=True):
        if b"GetRecordsResponse" not in body[:2000]:
            following = start + count if start + count <= total else 0
            record = _XML_DECLARATION.sub(b"", body)
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?>\n'
                b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"'
                b' version="2.0.2"><csw:SearchStatus timestamp="2025-01-01T00:00:00Z"/>'
                + f'<csw:SearchResults numberOfRecordsMatched="{total}" '
                f'numberOfRecordsReturned="{count}" elementSet="full" '
                f'nextRecord="{following}">'.encode()
                + record
                + b"</csw:SearchResults></csw:GetRecordsResponse>"
            )
        pages[start] = body
        start += count
    return pages


def _csw(source: CorpusSource, server: ReplayServer) -> dict[str, Any]:
    server.routes[CSW_PATH] = Catalogue(dict(csw_pages(source.paths())))
    return {}


@contextmanager
def serve(source: CorpusSource) -> Iterator[tuple[str, dict[str, Any]]]:
    """A local server answering like the source's portal: (harvest source URL, config)."""
    with ReplayServer() as server:
        if source.kind == "udata":
            url, config = server.url, _udata(source, server)
        elif source.kind == "ods":
            url, config = server.url, _ods(source, server)
        elif source.kind == "ckan":
            url, config = server.url, _ckan(source, server)
        elif source.kind == "dcat":
            route, config = _dcat(source, server)
            url = server.url + route
        else:
            url, config = server.url + CSW_PATH, _csw(source, server)
        yield url, config


# Harvesting and checking -------------------------------------------------------------------


@dataclass
class Outcome:
    """One harvest of a corpus source: the job's report and the datasets it left."""

    source: CorpusSource
    base_url: str
    source_id: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    # An exception that escaped the harvest job (a bug: every failure should end the job).
    crash: str = ""
    # The report of a second job over the unchanged source (``harvest_source(again=True)``).
    second: dict[str, Any] = field(default_factory=dict)

    def found(self, record: Expected) -> list[dict[str, Any]]:
        wanted = fold(record.title)
        return [d for d in self.datasets if fold(d.get("title")) == wanted]

    def errors(self) -> list[str]:
        errors = [f"harvest crashed: {self.crash}"] if self.crash else []
        errors.extend(self.report.get("gather_errors", []))
        for guid, messages in self.report.get("object_errors", {}).items():
            errors.extend(f"{guid}: {message}" for message in messages)
        return errors


def harvest_source(source: CorpusSource, org_id: str, *, again: bool = False) -> Outcome:
    """Serve ``source``, create its harvest source in ``org_id`` and run one whole job; with
    ``again``, a second job over the unchanged answers (same server, same address) whose
    report goes to ``Outcome.second``."""
    with serve(source) as (url, config):
        created = create_source(
            url, HARVESTER_TYPES[source.kind], config, org_id, f"corpus-{source.kind}-{source.name}"
        )
        outcome = Outcome(source, url.split("/catalog")[0].split(CSW_PATH)[0], created["id"])
        outcome.report = _job(outcome)
        outcome.datasets = list(source_datasets(created["id"]).values())
        if again and not outcome.crash:
            outcome.second = _job(outcome)
    return outcome


def _job(outcome: Outcome) -> dict[str, Any]:
    try:
        return harvest(outcome.source_id)
    except Exception as error:  # noqa: BLE001 (reported as an unmet expectation)
        from ckan import model

        model.Session.rollback()
        outcome.crash = f"{type(error).__name__}: {str(error)[:300]}"
        return {}


def fold(value: Any) -> str:
    """Text compared without case, accents' composition or repeated white space."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split()).casefold()


def _url(value: Any) -> str:
    return unquote(str(value or "")).strip().rstrip("/")


def publisher_names(dataset: Mapping[str, Any]) -> list[str]:
    value = dataset.get("publisher")
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if name:
            names.append(str(name))
    return names


def formats_of(dataset: Mapping[str, Any]) -> list[str]:
    return [str(r.get("format") or "") for r in dataset.get("resources") or []]


def check(outcome: Outcome, record: Expected) -> list[str]:
    """What differs from the expectations for one record, one readable line per field."""
    where = f"{outcome.source.label} record {record.id!r} ({record.title!r})"
    found = outcome.found(record)
    if record.refused:
        if found:
            return [f"{where}: expected refused ({record.refused}), got a dataset"]
        words = REFUSAL_WORDS[record.refused]
        said = [
            e
            for e in outcome.errors()
            if any(w in e.lower() for w in words) and (record.id in e or record.title in e)
        ]
        if not said:
            return [
                f"{where}: refused as expected, but no job error gives the reason "
                f"{record.refused!r}; job errors: {outcome.errors() or 'none'}"
            ]
        return []
    if not found:
        return [f"{where}: expected landed, got no dataset; job errors: {outcome.errors()}"]
    if len(found) > 1:
        return [f"{where}: expected one dataset, got {len(found)} with that title"]
    dataset = found[0]
    problems = []

    def differs(name: str, expected: Any, got: Any) -> None:
        problems.append(f"{where}: {name}: expected {expected}, got {got!r}")

    license_id, license_other = dataset.get("license_id"), str(dataset.get("license_other"))
    # "other" keeps the source's own words, never our "not stated" placeholder.
    unstated = license_id == "other" and NOT_STATED in license_other.lower()
    if record.license and (license_id not in record.license or unstated):
        got = f"other ({license_other!r})" if license_id == "other" else license_id
        differs("licence", " or ".join(record.license), got)
    if record.publisher:
        names = {fold(n) for n in publisher_names(dataset)}
        if not names & {fold(p) for p in record.publisher}:
            differs("publisher", " or ".join(record.publisher), dataset.get("publisher"))
    if record.territories is not None:
        if sorted(dataset.get("territories") or []) != sorted(record.territories):
            differs("territories", list(record.territories), dataset.get("territories"))
    present = {fold(f) for f in formats_of(dataset)}
    for alternatives in record.formats:
        if not present & {fold(a) for a in alternatives}:
            differs("format", " or ".join(alternatives), formats_of(dataset))
    if record.landing_page:
        wanted = {_url(p.replace("{base}", outcome.base_url)) for p in record.landing_page}
        if _url(dataset.get("url")) not in wanted:
            differs("landing page", " or ".join(sorted(wanted)), dataset.get("url"))
    return problems
