"""Checks whether a web address answers: HEAD, then a ranged GET, through the harvesters' guard.

Every hop goes through ``harvesters/http.py``: the same URL parsing, the same refusal of
internal addresses (unless the option allows them), the same pinned connection (no second
name lookup) and the same watchdog. Nothing here downloads a file: HEAD reads no body and
the ranged GET reads at most a few kilobytes, whatever the server sends.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from http.client import HTTPException
from typing import Final
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3

from ckanext.datagrandest.harvesters import http

__all__ = ["LinkResult", "Prober", "check_many"]

# A HEAD answered with one of these is often a server that does not do HEAD: ask with GET.
_HEAD_REFUSED: Final = frozenset({400, 403, 404, 405, 406, 500, 501, 502, 503})
_PEEK: Final = 8 * 1024
_USER_AGENT: Final = "ckanext-datagrandest link checker (+https://www.datagrandest.fr)"


@dataclass(frozen=True)
class LinkResult:
    """What one check found; ``ok`` means the address finally answered 2xx."""

    url: str
    ok: bool
    checked_at: datetime
    elapsed: float
    status: int | None = None
    method: str | None = None
    final_url: str | None = None
    content_type: str | None = None
    size: int | None = None
    redirects: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Answer:
    status: int
    location: str
    content_type: str
    size: int | None


class _Expired(Exception):
    """The link's whole time budget is spent."""


@dataclass
class Prober:
    """Checks one address at a time; ``timeout`` is the budget of the whole check.

    The budget covers the name lookup, every redirect hop and the GET retry: a check never
    runs past it, however slowly a server answers.
    """

    timeout: float
    max_redirects: int
    allow_private: bool
    resolve: http.Resolver | None = None
    ca_certs: str = field(default_factory=certifi.where)

    def check(self, url: str) -> LinkResult:
        started = time.monotonic()
        blank = LinkResult(
            url=url,
            ok=False,
            checked_at=datetime.now(timezone.utc).replace(tzinfo=None),
            elapsed=0.0,
        )
        try:
            result = self._follow(blank, started + self.timeout)
        except http.HarvestHttpError as error:
            result = replace(blank, error=str(error))
        except _Expired:
            result = replace(
                blank, error=f"Délai dépassé ({self.timeout:g} s) : pas de réponse complète"
            )
        ok = result.status is not None and 200 <= result.status < 300
        return replace(result, ok=ok, elapsed=time.monotonic() - started)

    def _follow(self, blank: LinkResult, end: float) -> LinkResult:
        current = blank.url
        seen: list[str] = []
        while True:
            if current in seen:
                return replace(
                    blank, error=f"Boucle de redirections : {current} renvoie vers lui-même"
                )
            seen.append(current)
            method, answer = self._ask(current, end)
            found = replace(
                blank,
                status=answer.status,
                method=method,
                final_url=current,
                content_type=answer.content_type or None,
                size=answer.size,
                redirects=len(seen) - 1,
            )
            if answer.status in (301, 302, 303, 307, 308) and answer.location:
                if len(seen) > self.max_redirects:
                    return replace(
                        found, error=f"Trop de redirections (plus de {self.max_redirects})"
                    )
                current = urljoin(current, answer.location)
                continue
            if answer.status >= 400:
                return replace(found, error=f"Erreur HTTP {answer.status}")
            return found

    def _ask(self, url: str, end: float) -> tuple[str, _Answer]:
        head = self._request("HEAD", url, end)
        if head.status not in _HEAD_REFUSED:
            return "HEAD", head
        return "GET", self._request("GET", url, end)

    def _request(self, method: str, url: str, end: float) -> _Answer:
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise _Expired
        # Rounded down, never past the budget: the guard's message names the wait.
        lookup = max(0.1, math.floor(remaining * 10) / 10)
        target = http.check_address(url, self.allow_private, self.resolve, lookup)
        deadline = http._Deadline(max(0.01, end - time.monotonic()))
        conn = http._connection(target, remaining, deadline, self.ca_certs)
        headers = {"User-Agent": _USER_AGENT, "Accept": "*/*", "Connection": "close"}
        if method == "GET":
            headers["Range"] = "bytes=0-0"
        try:
            conn.request(
                method,
                target.request_uri,
                headers=headers,
                preload_content=False,
                decode_content=False,
            )
            raw = conn.getresponse()
            try:
                if method == "GET":
                    raw.read(_PEEK)  # a server ignoring Range: read a little, never the file
                return _Answer(
                    status=raw.status,
                    location=http._header_text(raw.headers.get("Location", "")),
                    content_type=raw.headers.get("Content-Type", ""),
                    size=_size(raw.status, raw.headers),
                )
            finally:
                raw.close()
        except (http._ConnectError, OSError, HTTPException, urllib3.exceptions.HTTPError) as error:
            if deadline.expired or time.monotonic() >= end:
                raise _Expired from error
            raise _failure(url, error) from error
        finally:
            deadline.finish()
            conn.close()


def _failure(url: str, error: Exception) -> http.HarvestHttpError:
    timed_out = (
        error.timed_out
        if isinstance(error, http._ConnectError)
        else isinstance(error, TimeoutError | urllib3.exceptions.TimeoutError)
    )
    if timed_out:
        return http.HarvestHttpError(f"Délai dépassé en attendant {url}")
    return http.HarvestHttpError(f"Connexion impossible à {url} : {http._reason(error)}")


def _size(status: int, headers: urllib3.HTTPHeaderDict) -> int | None:
    # "Content-Range: bytes 0-0/12345" gives the whole size of a ranged answer.
    content_range = headers.get("Content-Range", "")
    if status == 206 and "/" in content_range:
        total = content_range.rsplit("/", 1)[1].strip()
        return int(total) if total.isdigit() else None
    length = headers.get("Content-Length", "")
    if status != 206 and length.isdigit():
        return int(length)
    return None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def check_many(
    urls: list[str], prober: Prober, *, workers: int, per_host: int
) -> dict[str, LinkResult]:
    """Check each distinct URL once, ``workers`` at a time and at most ``per_host`` per host.

    A host is never sent more than ``per_host`` requests at once, so checking a publisher's
    thousand files does not hammer its server; other hosts go on meanwhile.
    """
    queues: dict[str, list[str]] = {}
    for url in dict.fromkeys(urls):
        queues.setdefault(_host(url), []).append(url)
    results: dict[str, LinkResult] = {}
    busy: dict[str, int] = dict.fromkeys(queues, 0)
    running: dict[Future[LinkResult], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="linkcheck") as pool:

        def fill() -> None:
            for host, queue in queues.items():
                while queue and busy[host] < per_host and len(running) < workers:
                    url = queue.pop(0)
                    busy[host] += 1
                    running[pool.submit(prober.check, url)] = host

        fill()
        while running:
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                busy[running.pop(future)] -= 1
                result = future.result()
                results[result.url] = result
            fill()
    return results
