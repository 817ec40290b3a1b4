"""Local HTTP server replaying udata and Opendatasoft APIs, for the tests, the demo and the bench.

Demo and test tooling, never shipped in the package. It binds 127.0.0.1 on a free port and
answers like the real APIs (paging envelopes, limits) from datasets given as Python lists:
the tests' fixtures, the demo samples (``demo/harvest_samples/``) or generated ones. Run
alone, from the repository's root, for the demo or the benchmark::

    python -m demo.replay --samples --port-file PATH
    python -m demo.replay --synthetic-udata 50000 --port-file PATH
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, overload
from urllib.parse import parse_qs, urlsplit

from ckanext.datagrandest.territories import normalise

__all__ = [
    "SAMPLES_PATH",
    "Generated",
    "Reply",
    "ReplayServer",
    "json_reply",
    "ods_routes",
    "synthetic_udata_dataset",
    "udata_routes",
]

SAMPLES_PATH = Path(__file__).resolve().parent / "harvest_samples"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(value: Any, status: int = 200) -> Reply:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json; charset=utf-8"})


# A route answers a request from its query string (each key with its last value).
Handler = Callable[[Mapping[str, str], str], Reply]


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 (a free port unless ``port`` is given); ``routes``
    maps paths to handlers."""

    def __init__(self, routes: dict[str, Handler] | None = None, port: int = 0) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.requests: list[str] = []
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                parts = urlsplit(self.path)
                server.requests.append(self.path)
                handler = server.routes.get(parts.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                reply = handler(query, self.path) if handler else json_reply({}, 404)
                self.send_response(reply.status)
                headers = {"Content-Length": str(len(reply.body)), **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, timeout): nothing to do

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _int(query: Mapping[str, str], key: str, default: int) -> int:
    try:
        return int(query.get(key, default))
    except ValueError:
        return default


def udata_routes(
    base_url: Callable[[], str],
    organizations: Mapping[str, Sequence[dict[str, Any]]],
    *,
    bare_array: Iterable[str] = (),
) -> dict[str, Handler]:
    """udata API v1: /organizations/{slug}/datasets/ paged as {data, next_page, ...} and
    /organizations/suggest/. Organizations in ``bare_array`` answer like older udata: one
    bare array. A catalogue may be any sequence (``Generated`` builds big ones page by page).
    """
    routes: dict[str, Handler] = {}
    old_style = set(bare_array)

    def datasets_of(slug: str) -> Handler:
        def handler(query: Mapping[str, str], path: str) -> Reply:
            datasets = organizations[slug]
            if slug in old_style:
                return json_reply(list(datasets))
            page = max(_int(query, "page", 1), 1)
            size = min(max(_int(query, "page_size", 20), 1), 1000)
            chunk = list(datasets[(page - 1) * size : page * size])
            more = page * size < len(datasets)
            prefix = f"{base_url()}/api/1/organizations/{slug}/datasets/"
            return json_reply(
                {
                    "data": chunk,
                    "next_page": f"{prefix}?page={page + 1}&page_size={size}" if more else None,
                    "previous_page": f"{prefix}?page={page - 1}&page_size={size}"
                    if page > 1
                    else None,
                    "page": page,
                    "page_size": size,
                    "total": len(datasets),
                }
            )

        return handler

    for slug in organizations:
        routes[f"/api/1/organizations/{slug}/datasets/"] = datasets_of(slug)

    def suggest(query: Mapping[str, str], path: str) -> Reply:
        words = normalise(query.get("q", "")).split()
        found = [
            {
                "id": hashlib.md5(slug.encode()).hexdigest()[:24],
                "slug": slug,
                "name": _org_name(slug),
            }
            for slug in organizations
            if words and all(word in normalise(slug) for word in words)
        ]
        return json_reply(found)

    routes["/api/1/organizations/suggest/"] = suggest
    return routes


def _org_name(slug: str) -> str:
    return slug.replace("-", " ").title()


def ods_routes(datasets: list[dict[str, Any]]) -> dict[str, Handler]:
    """Opendatasoft Explore v2.1: /catalog/datasets (limit <= 100, offset + limit <= 10,000)
    and /catalog/exports/json; ``where`` filters on ``publisher = "..."`` only."""

    def matching(query: Mapping[str, str]) -> list[dict[str, Any]]:
        where = query.get("where", "")
        if where.startswith("publisher"):
            wanted = where.split("=", 1)[1].strip().strip("\"'")
            return [d for d in datasets if d["metas"]["default"].get("publisher") == wanted]
        return datasets

    def catalogue(query: Mapping[str, str], path: str) -> Reply:
        limit = _int(query, "limit", 10)
        offset = _int(query, "offset", 0)
        if limit > 100 or offset + limit > 10_000:
            return json_reply(
                {"error_code": "InvalidRESTParameterError", "message": "limit/offset out of range"},
                400,
            )
        selected = matching(query)
        return json_reply(
            {"total_count": len(selected), "results": selected[offset : offset + limit]}
        )

    def export(query: Mapping[str, str], path: str) -> Reply:
        return json_reply(matching(query))

    return {
        "/api/explore/v2.1/catalog/datasets": catalogue,
        "/api/explore/v2.1/catalog/exports/json": export,
    }


def synthetic_udata_dataset(index: int, organization: str, base_url: str) -> dict[str, Any]:
    """A udata dataset shaped like data.gouv.fr's, for benchmarks (about 2 KB of JSON)."""
    ident = f"{index:024x}"
    slug = f"{organization}-jeu-{index}"
    return {
        "id": ident,
        "slug": slug,
        "title": f"Jeu de données de test {index}",
        "description": f"Description **Markdown** du jeu {index}, publié pour le banc d'essai.",
        "created_at": "2024-01-15T10:00:00+00:00",
        "last_modified": "2025-03-01T08:30:00+00:00",
        "last_update": "2025-03-01T08:30:00+00:00",
        "frequency": "monthly",
        "license": "lov2",
        "page": f"{base_url}/fr/datasets/{slug}/",
        "uri": f"{base_url}/api/1/datasets/{slug}/",
        "tags": ["banc-essai", f"lot-{index % 50}"],
        "organization": {"id": "0" * 24, "slug": organization, "name": organization},
        "spatial": {"zones": ["fr:departement:67"], "granularity": "fr:departement"},
        "temporal_coverage": {"start": "2020-01-01", "end": "2024-12-31"},
        "metrics": {"views": index % 997, "followers": 0},
        "resources": [
            {
                "id": f"00000000-0000-4000-8000-{index:012d}",
                "title": f"donnees-{index}.csv",
                "description": None,
                "format": "csv",
                "mime": "text/csv",
                "filesize": 1000 + index,
                "type": "main",
                "filetype": "file",
                "checksum": {"type": "sha1", "value": f"{index:040x}"},
                "url": f"{base_url}/files/donnees-{index}.csv",
                "extras": {"check:status": 200},
            }
        ],
    }


def _samples_routes(server: ReplayServer) -> None:
    udata = json.loads((SAMPLES_PATH / "udata.json").read_text(encoding="utf-8"))
    ods = json.loads((SAMPLES_PATH / "ods.json").read_text(encoding="utf-8"))
    server.routes.update(udata_routes(lambda: server.url, udata))
    server.routes.update(ods_routes(ods))


class Generated(Sequence[dict[str, Any]]):
    """A catalogue built when a page asks for it, so 50,000 datasets never sit in memory."""

    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self.size = count
        self.make = make

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, item: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, item: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, item: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(item, slice):
            return [self.make(i) for i in range(*item.indices(self.size))]
        if not 0 <= item < self.size:
            raise IndexError(item)
        return self.make(item)


def _synthetic_routes(server: ReplayServer, count: int) -> None:
    organization = "banc-essai"
    catalogue = Generated(count, lambda i: synthetic_udata_dataset(i, organization, server.url))
    server.routes.update(udata_routes(lambda: server.url, {organization: catalogue}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", action="store_true", help="serve the bundled demo samples")
    parser.add_argument("--synthetic-udata", type=int, default=0, metavar="N")
    parser.add_argument("--port-file", type=Path, required=True)
    args = parser.parse_args(argv)
    server = ReplayServer()
    if args.samples:
        _samples_routes(server)
    if args.synthetic_udata:
        _synthetic_routes(server, args.synthetic_udata)
    server.start()
    args.port_file.write_text(server.url + "\n", encoding="utf-8")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
