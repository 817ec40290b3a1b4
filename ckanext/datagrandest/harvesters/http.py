"""The one HTTP client every harvester uses: address checks, timeouts, size and redirect caps."""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests

__all__ = ["HarvestHttpError", "HttpClient", "Response", "check_address"]

_CHUNK = 64 * 1024
_USER_AGENT = "ckanext-datagrandest harvester (+https://www.datagrandest.fr)"


class HarvestHttpError(Exception):
    """A remote call failed; the message is meant for the admin reading the job report."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes
    location: str = ""


def _is_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # An IPv4 address mapped into IPv6 (::ffff:127.0.0.1) must be judged as IPv4.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def check_address(url: str, allow_private: bool) -> None:
    """Refuse a URL that is not http(s) or that resolves to an internal address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HarvestHttpError(f"Adresse invalide (http ou https attendu) : {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise HarvestHttpError(
            f"Connexion impossible à {url} : nom d'hôte introuvable ({error})"
        ) from error
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if _is_forbidden(ip):
            raise HarvestHttpError(
                f"Adresse refusée : {parts.hostname} correspond à l'adresse interne {ip} "
                "(boucle locale, réseau privé ou lien local) ; l'option "
                "ckanext.datagrandest.harvest.allow_private_addresses ne l'autorise pas"
            )


class HttpClient:
    """GET with every safety a harvest needs; each failure raises HarvestHttpError."""

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        allow_private: bool,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self._session = requests.Session()
        self._session.headers["User-Agent"] = _USER_AGENT
        # Proxies from the environment would bypass the address check.
        self._session.trust_env = False

    def close(self) -> None:
        self._session.close()

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> Response:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        seen: list[str] = []
        current = url
        while True:
            check_address(current, self.allow_private)
            if current in seen:
                raise HarvestHttpError(f"Boucle de redirections : {current} renvoie vers lui-même")
            seen.append(current)
            response = self._send(current)
            if response.status in (301, 302, 303, 307, 308):
                location = response.location
                if not location:
                    raise HarvestHttpError(f"Redirection sans destination depuis {current}")
                if len(seen) > self.max_redirects:
                    raise HarvestHttpError(
                        f"Trop de redirections (plus de {self.max_redirects}) depuis {url}"
                    )
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

    def _send(self, url: str) -> Response:
        deadline = time.monotonic() + self.timeout * 4
        try:
            with self._session.get(
                url, timeout=self.timeout, stream=True, allow_redirects=False
            ) as raw:
                if raw.is_redirect:
                    return Response(url, raw.status_code, "", b"", raw.headers.get("Location", ""))
                declared = raw.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise self._too_big(url)
                body = bytearray()
                for chunk in raw.iter_content(_CHUNK):
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise self._too_big(url)
                    # A server dripping bytes never trips the read timeout: bound the total.
                    if time.monotonic() > deadline:
                        raise HarvestHttpError(
                            f"Délai dépassé ({self.timeout * 4:g} s au total) pour {url}"
                        )
                return Response(
                    url, raw.status_code, raw.headers.get("Content-Type", ""), bytes(body)
                )
        except requests.Timeout as error:
            raise HarvestHttpError(
                f"Délai dépassé ({self.timeout:g} s) en attendant {url}"
            ) from error
        except requests.ConnectionError as error:
            raise HarvestHttpError(f"Connexion impossible à {url} : {_reason(error)}") from error
        except requests.RequestException as error:
            raise HarvestHttpError(f"Échec de la requête vers {url} : {error}") from error

    def _too_big(self, url: str) -> HarvestHttpError:
        return HarvestHttpError(
            f"Réponse trop volumineuse depuis {url} : plus de {self.max_bytes} octets "
            "(limite ckanext.datagrandest.harvest.max_response_bytes), lecture interrompue"
        )


def _reason(error: Exception) -> str:
    # requests nests the useful cause (refused, reset, DNS) a few levels down.
    cause: BaseException | None = error
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    text = str(cause or error)
    return text[:300]
