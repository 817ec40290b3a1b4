"""A local CKAN-like search API for the tests: our fixture pages served by ``start``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demo.replay import ReplayServer, Reply, json_reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ckan"
D4C_PATH = "/data4citizen/d4c/api/datasets/2.0/search/"
CKAN_PATH = "/api/3/action/package_search"
# Our two Data4Citizen pages (rows=2), by start offset.
D4C_PAGES: Mapping[int, str] = {0: "d4c_search_page1.json", 2: "d4c_search_page2.json"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Search:
    """Pages by start offset (a fixture name or a JSON value); the queries received."""

    pages: dict[int, Any]
    url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    # A portal that ignores ``start`` answers its first page every time.
    ignore_start: bool = False

    def __call__(self, query: Mapping[str, str], path: str) -> Reply:
        self.requests.append(dict(query))
        start = 0 if self.ignore_start else int(query.get("start", "0"))
        page = self.pages.get(start)
        if page is None:
            return json_reply({"success": True, "result": {"count": 0, "results": []}})
        return json_reply(load(page) if isinstance(page, str) else page)


@contextmanager
def serve(pages: Mapping[int, Any], path: str = D4C_PATH) -> Iterator[Search]:
    search = Search(dict(pages))
    with ReplayServer({path: search}) as server:
        # The source URL is the portal's root; the search path comes from the config.
        search.url = server.url + ("/data4citizen" if path == D4C_PATH else "")
        yield search


@contextmanager
def serve_paged_in_path(pages: Mapping[int, Any], rows: int) -> Iterator[Search]:
    """Data4Citizen as it answers: the paging in the path, ``.../search/start=0&rows=100``."""
    search = Search(dict(pages))
    routes = {}
    # Each page's own path, and one past the last page (which answers no dataset).
    for start in [*pages, max(pages) + rows]:
        routes[f"{D4C_PATH}start={start}&rows={rows}"] = _at(search, start)
    with ReplayServer(routes) as server:
        search.url = server.url + "/data4citizen"
        yield search


def _at(search: Search, start: int) -> Any:
    return lambda query, path: search({**query, "start": str(start), "path": path}, path)
