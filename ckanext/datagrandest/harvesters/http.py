"""The one HTTP client every harvester uses: address checks, pinned connections, deadlines, caps.

A request is made in three steps that cannot disagree with each other:

1. the URL is parsed once, by urllib3 (the library that connects), and refused when it holds
   anything another parser could read differently (backslash, control character, user name,
   a host or port that ``urllib.parse`` would read otherwise);
2. the host name is resolved once and every address it gives is judged (``_is_forbidden``);
3. the connection goes to one of those checked addresses (never to a second resolution,
   so DNS rebinding cannot swap in an internal address), while the Host header, the TLS
   server name (SNI) and the certificate check keep the original host name.

A watchdog closes the connection when the whole request (connect, TLS, headers, body) has
taken longer than its total time limit, so a server trickling bytes cannot hold a worker.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Final
from urllib.parse import urlencode, urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import LocationParseError
from urllib3.util import make_headers, parse_url

__all__ = ["HarvestHttpError", "HttpClient", "Response", "Target", "check_address"]

_CHUNK = 64 * 1024
_USER_AGENT = "ckanext-datagrandest harvester (+https://www.datagrandest.fr)"
_REDIRECTS: Final = (301, 302, 303, 307, 308)
_OPTION = "ckanext.datagrandest.harvest.allow_private_addresses"
# What a host may be once urllib3 has normalised it (lower case, IDNA-encoded).
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_.])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Resolves (host, port) to the IP addresses to judge and connect to.
Resolver = Callable[[str, int], list[str]]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# Not globally reachable (IANA special-purpose registries), whatever the running Python's
# ``is_global`` tables say (they changed between 3.11 and 3.13).
_FORBIDDEN_V4: Final = tuple(
    _V4(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space; 100.100.100.200 is a cloud metadata address
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments, among them 192.0.0.192 (Oracle metadata)
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
# Global unicast is 2000::/3; everything outside it (loopback, ULA, link-local, site-local
# fec0::/10, multicast, the ::/8 block) is refused, and these parts of it too.
_GLOBAL_UNICAST: Final = _V6("2000::/3")
_FORBIDDEN_V6: Final = tuple(_V6(net) for net in ("2001::/23", "2001:db8::/32", "3fff::/20"))
_NAT64: Final = _V6("64:ff9b::/96")
_SIX_TO_FOUR: Final = _V6("2002::/16")


class HarvestHttpError(Exception):
    """A remote call failed; the message is meant for the admin reading the job report."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    location: str = ""


@dataclass(frozen=True)
class Target:
    """A URL as the connection will use it, with the addresses it was checked against."""

    scheme: str
    host: str  # without brackets for IPv6
    port: int
    request_uri: str
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if ip in _SIX_TO_FOUR and ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _is_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach an IPv4 host:
        # judge that host.
        if ip.ipv4_mapped is not None:
            return _is_forbidden(ip.ipv4_mapped)
        if ip in _NAT64:
            return _is_forbidden(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(_is_forbidden(inner) for inner in _embedded_ipv4(ip)):
            return True
        if ip not in _GLOBAL_UNICAST or any(ip in net for net in _FORBIDDEN_V6):
            return True
    elif any(ip in net for net in _FORBIDDEN_V4):
        return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _invalid(url: str, why: str) -> HarvestHttpError:
    return HarvestHttpError(f"Adresse invalide ({why}) : {url}")


def parse_target(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of a URL, or HarvestHttpError.

    urllib3 reads the URL (it is what connects); ``urllib.parse`` must read the same host and
    port, so that no check elsewhere (ours or a library's) can be fooled by a difference.
    """
    if "\\" in url:
        raise _invalid(url, "barre oblique inverse « \\ » refusée")
    if _CONTROL.search(url):
        raise _invalid(url, "caractère de contrôle refusé")
    try:
        parsed = parse_url(url)
    except LocationParseError as error:
        raise _invalid(url, "adresse ou port illisible") from error
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise _invalid(url, "http ou https attendu")
    if parsed.auth is not None or "@" in (parsed.netloc or ""):
        raise _invalid(url, "identifiants dans l'adresse refusés")
    host = parsed.host or ""
    if host.startswith("[") and host.endswith("]"):
        try:
            literal = ipaddress.IPv6Address(host[1:-1])
        except ValueError as error:
            raise _invalid(url, "adresse IPv6 illisible") from error
        if literal.scope_id:
            raise _invalid(url, "adresse IPv6 avec zone refusée")
        host = host[1:-1]
    elif not _HOST_NAME.fullmatch(host):
        raise _invalid(url, "nom d'hôte illisible" if host else "http ou https attendu")
    port = parsed.port if parsed.port is not None else (443 if scheme == "https" else 80)
    if not 0 < port < 65536:
        raise _invalid(url, f"port {port} hors de 1 à 65535")
    try:
        other = urlsplit(url)
        other_host = other.hostname or ""
        if not other_host.isascii():
            other_host = other_host.encode("idna").decode("ascii")
        other_port = other.port if other.port is not None else port
    except (ValueError, UnicodeError) as error:
        raise _invalid(url, "adresse ou port illisible") from error
    if (other_host.lower(), other_port) != (host.lower(), port):
        raise _invalid(url, "lecture ambiguë de l'hôte ou du port")
    return scheme, host, port, parsed.request_uri


def _lookup(resolve: Resolver, host: str, port: int, url: str, timeout: float | None) -> list[str]:
    # The system resolver cannot be interrupted: it runs in a thread the request stops
    # waiting for at ``timeout`` (the thread ends when the resolver gives up).
    found: dict[str, Any] = {}

    def run() -> None:
        try:
            found["addresses"] = resolve(host, port)
        except (OSError, UnicodeError) as error:
            found["error"] = error

    worker = threading.Thread(target=run, name=f"harvest-dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise HarvestHttpError(f"Délai dépassé ({timeout:g} s) en cherchant l'adresse de {url}")
    if "error" in found:
        raise HarvestHttpError(
            f"Connexion impossible à {url} : nom d'hôte introuvable ({found['error']})"
        ) from found["error"]
    return list(found.get("addresses") or [])


def check_address(
    url: str, allow_private: bool, resolve: Resolver | None = None, timeout: float | None = None
) -> Target:
    """Parse a URL and resolve its host once; refuse it if any address is not public.

    The returned target carries the checked addresses: connect to those and nothing else.
    ``timeout`` bounds the name lookup.
    """
    scheme, host, port, request_uri = parse_target(url)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = _lookup(resolve or system_resolver, host, port, url, timeout)
    if not addresses:
        raise HarvestHttpError(f"Connexion impossible à {url} : nom d'hôte introuvable")
    if not allow_private:
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError as error:
                raise HarvestHttpError(f"Adresse refusée : {host} donne {address!r}") from error
            if _is_forbidden(ip):
                raise HarvestHttpError(
                    f"Adresse refusée : {host} correspond à l'adresse interne {ip} "
                    "(boucle locale, réseau privé, lien local ou plage réservée) ; "
                    f"l'option {_OPTION} ne l'autorise pas"
                )
    return Target(scheme, host, port, request_uri, tuple(addresses))


class _Deadline:
    """Shuts the connection down when the whole request has lasted ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._done = False
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.01, self._end - time.monotonic())

    def attach(self, sock: socket.socket) -> None:
        # A duplicate of the socket: TLS wrapping detaches the original object, and the
        # duplicate stays ours to close, so its descriptor cannot be reused under us.
        with self._lock:
            if self._done:
                return
            self._socket = sock.dup()
            if self.expired:
                self._shutdown()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the peer

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._timer.cancel()
            if self._socket is not None:
                self._socket.close()
                self._socket = None


class _ConnectError(Exception):
    """No checked address accepted the connection."""

    def __init__(self, reason: BaseException, timed_out: bool) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.timed_out = timed_out


class _PinnedMixin:
    """Connects to the checked addresses instead of resolving the host name again."""

    port: int
    timeout: Any
    _addresses: tuple[str, ...] = ()
    _deadline: _Deadline | None = None

    def _new_conn(self) -> socket.socket:
        assert self._deadline is not None
        last: BaseException = OSError("aucune adresse")
        for address in self._addresses:
            try:
                sock = socket.create_connection(
                    (address, self.port), min(float(self.timeout), self._deadline.remaining())
                )
            except OSError as error:
                last = error
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._deadline.attach(sock)
            return sock
        raise _ConnectError(last, isinstance(last, TimeoutError))


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


def _connection(
    target: Target, timeout: float, deadline: _Deadline, ca_certs: str
) -> HTTPConnection:
    conn: _PinnedHTTPConnection | _PinnedHTTPSConnection
    if target.scheme == "https":
        # host stays the name: SNI and certificate verification are for it, not the address.
        conn = _PinnedHTTPSConnection(
            target.host,
            target.port,
            timeout=timeout,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs,
        )
    else:
        conn = _PinnedHTTPConnection(target.host, target.port, timeout=timeout)
    conn._addresses = target.addresses
    conn._deadline = deadline
    return conn


class HttpClient:
    """GET with every safety a harvest needs; each failure raises HarvestHttpError.

    ``timeout`` bounds each wait (connect, each read); ``total_timeout`` (four times it by
    default) the whole of one request, however slowly the server trickles its answer.
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        allow_private: bool,
        total_timeout: float | None = None,
        resolve: Resolver | None = None,
        ca_certs: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.total_timeout = total_timeout if total_timeout is not None else timeout * 4
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self._resolve = resolve
        self._ca_certs = ca_certs or certifi.where()
        self._headers = {
            **make_headers(accept_encoding=True, user_agent=_USER_AGENT),
            "Accept": "*/*",
            "Connection": "close",
        }

    def close(self) -> None:
        """Nothing to release: each request has its own connection, closed at its end."""

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> Response:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        seen: list[str] = []
        current = url
        while True:
            target = check_address(current, self.allow_private, self._resolve, self.timeout)
            if current in seen:
                raise HarvestHttpError(f"Boucle de redirections : {current} renvoie vers lui-même")
            seen.append(current)
            response = self._send(current, target)
            if response.status in _REDIRECTS:
                location = response.location
                if not location:
                    raise HarvestHttpError(f"Redirection sans destination depuis {current}")
                if len(seen) > self.max_redirects:
                    raise HarvestHttpError(
                        f"Trop de redirections (plus de {self.max_redirects}) depuis {url}"
                    )
                # The next hop goes through check_address like the first one.
                current = urljoin(current, location)
                continue
            if response.status >= 400:
                raise HarvestHttpError(
                    f"Erreur HTTP {response.status} pour {current}"
                    + (" (erreur du serveur distant)" if response.status >= 500 else "")
                )
            return response

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.get(url, params)
        media_type = response.content_type.split(";")[0].strip().lower()
        if not (media_type == "application/json" or media_type.endswith("+json")):
            raise HarvestHttpError(
                f"Type de contenu inattendu pour {response.url} : "
                f"« {media_type or 'absent'} » au lieu de JSON"
            )
        try:
            return json.loads(response.body)
        except ValueError as error:
            raise HarvestHttpError(f"JSON invalide reçu de {response.url} : {error}") from error

    def _send(self, url: str, target: Target) -> Response:
        deadline = _Deadline(self.total_timeout)
        conn = _connection(target, self.timeout, deadline, self._ca_certs)
        try:
            response = self._exchange(url, target, conn, deadline)
        except HarvestHttpError:
            raise
        except (_ConnectError, OSError, HTTPException, urllib3.exceptions.HTTPError) as error:
            if deadline.expired:
                raise self._too_slow(url) from error
            raise self._failure(url, error) from error
        finally:
            deadline.finish()
            conn.close()
        if deadline.expired:  # the watchdog may have cut a body that had no declared length
            raise self._too_slow(url)
        return response

    def _exchange(
        self, url: str, target: Target, conn: HTTPConnection, deadline: _Deadline
    ) -> Response:
        conn.request(
            "GET",
            target.request_uri,
            headers=self._headers,
            preload_content=False,
            decode_content=True,
        )
        raw = conn.getresponse()
        try:
            location = raw.headers.get("Location", "")
            if raw.status in _REDIRECTS and location:
                return Response(url, raw.status, "", b"", _header_text(location))
            declared = raw.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_big(url)
            body = bytearray()
            for chunk in raw.stream(_CHUNK):
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise self._too_big(url)
                if deadline.expired:
                    raise self._too_slow(url)
            return Response(url, raw.status, raw.headers.get("Content-Type", ""), bytes(body))
        finally:
            raw.close()

    def _failure(self, url: str, error: Exception) -> HarvestHttpError:
        timed_out = (
            error.timed_out
            if isinstance(error, _ConnectError)
            else isinstance(error, TimeoutError | urllib3.exceptions.TimeoutError)
        )
        if timed_out:
            return HarvestHttpError(f"Délai dépassé ({self.timeout:g} s) en attendant {url}")
        if isinstance(error, _ConnectError | OSError | urllib3.exceptions.ProtocolError):
            return HarvestHttpError(f"Connexion impossible à {url} : {_reason(error)}")
        return HarvestHttpError(f"Échec de la requête vers {url} : {_reason(error)}")

    def _too_slow(self, url: str) -> HarvestHttpError:
        return HarvestHttpError(
            f"Délai dépassé ({self.total_timeout:g} s au total) pour {url} : "
            "le serveur envoie sa réponse trop lentement, lecture interrompue"
        )

    def _too_big(self, url: str) -> HarvestHttpError:
        return HarvestHttpError(
            f"Réponse trop volumineuse depuis {url} : plus de {self.max_bytes} octets "
            "(limite ckanext.datagrandest.harvest.max_response_bytes), lecture interrompue"
        )


def _header_text(value: str) -> str:
    # http.client decodes headers as Latin-1; servers send UTF-8 in Location.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _reason(error: BaseException) -> str:
    # The useful cause (refused, reset, certificate) sits a few levels down.
    cause: BaseException = error.reason if isinstance(error, _ConnectError) else error
    while cause.__cause__ is not None:
        cause = cause.__cause__
    return str(cause)[:300]
