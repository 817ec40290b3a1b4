"""Local servers and a pretend public network for the outbound-guard tests.

``ProbeServer`` listens on 127.0.0.1 and records every request it receives (path and Host
header), so a test can prove that a refused URL never reached it; its routes can answer
normally, redirect, or trickle their headers or body one byte at a time.

``PublicNetwork`` pretends that some names resolve to public addresses and that those
addresses are served by local servers: it replaces the operating system's name lookup
(``socket.getaddrinfo``) and connection (``socket.create_connection``) for those names and
addresses only, never our code, so the client's own checks run unchanged with the option
``allow_private_addresses`` off.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# What a route does with the request handler: write a whole answer on it.
Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hit:
    path: str
    host: str


class ProbeServer:
    """A threaded HTTP server on 127.0.0.1 that records each request; ``routes`` by path."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[Hit] = []
        self.server_names: list[str | None] = []  # TLS server names (SNI) received
        self.stopping = threading.Event()
        self.tls: ssl.SSLContext | None = None
        probe = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                probe.hits.append(Hit(self.path, self.headers.get("Host", "")))
                route = probe.routes.get(self.path.split("?")[0], reply_json({"ok": True}))
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, which is what the trickling tests expect

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def use_tls(self, certfile: str, keyfile: str) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)

        def remember(sock: Any, server_name: str | None, ctx: Any) -> None:
            self.server_names.append(server_name)

        context.sni_callback = remember
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> ProbeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]


def reply_json(value: Any, status: int = 200) -> Route:
    body = json.dumps(value).encode()

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def trickle_body(server: ProbeServer, every: float, declared_length: bool) -> Route:
    """Valid headers, then the body one byte per ``every`` seconds, never ending."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared_length:
            handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        handler.wfile.write(b'{"data": [')
        _drip(server, handler, b" ", every)

    return route


def trickle_headers(server: ProbeServer, every: float) -> Route:
    """A status line, then header bytes one per ``every`` seconds, never ending."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        _drip(server, handler, b"X", every)

    return route


def _drip(server: ProbeServer, handler: BaseHTTPRequestHandler, byte: bytes, every: float) -> None:
    # Stops when the client closes the connection or the server shuts down (a safety net:
    # the test fails anyway if the client waited for it).
    while not server.stopping.wait(every):
        handler.wfile.write(byte)
        handler.wfile.flush()


@dataclass
class PublicNetwork:
    """Pretend names and public addresses; see the module docstring."""

    # name -> the answers of successive lookups (the last one repeats)
    names: dict[str, list[str]] = field(default_factory=dict)
    # (public address, port) -> (local address, port) actually connected to
    routes: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    connections: list[tuple[str, int]] = field(default_factory=list)

    def serve(self, name: str, address: str, port: int, server: ProbeServer) -> str:
        """``name`` resolves to the public ``address``, whose ``port`` is ``server``."""
        self.names[name] = [address]
        self.routes[(address, port)] = ("127.0.0.1", server.port)
        return f"{server.url.split(':')[0]}://{name}:{port}"


@contextmanager
def public_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[PublicNetwork]:
    network = PublicNetwork()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.create_connection

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        answers = network.names.get(name)
        if answers is None:
            return real_getaddrinfo(host, port, *args, **kwargs)
        network.lookups.append(name)
        index = min(network.lookups.count(name), len(answers)) - 1
        address = answers[index]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, int(port or 0), 0, 0) if ":" in address else (address, int(port or 0))
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        network.connections.append((address[0], int(address[1])))
        routed = network.routes.get((address[0], int(address[1])))
        if routed is not None:
            return real_connect(routed, *args, **kwargs)
        if not address[0].startswith("127.") and address[0] != "::1":
            # Nothing leaves the machine: a public address nobody serves is unreachable.
            raise ConnectionRefusedError(f"réseau simulé : rien ne répond à {address[0]}")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield network
