"""A local web server whose paths answer as the links a portal meets: fine, moved, dead, slow.

It records each request (method, path, Range header) and the bytes of body it sent, so a
test can show that a check never downloads a file.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUGE = 10 * 1024**3  # what /huge claims to be


@dataclass
class Hit:
    method: str
    path: str
    range: str | None


@dataclass
class LinkServer:
    """Threaded HTTP server on ``host`` (127.0.0.1 by default); see ``_answer`` for the paths."""

    host: str = "127.0.0.1"
    slow_seconds: float = 3.0
    hits: list[Hit] = field(default_factory=list)
    body_bytes_sent: dict[str, int] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> LinkServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:  # noqa: N802 (the stdlib's name)
                server._answer(self, "HEAD")

            def do_GET(self) -> None:  # noqa: N802
                server._answer(self, "GET")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer((self.host, 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def methods(self, path: str) -> list[str]:
        return [h.method for h in self.hits if h.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path
        self.hits.append(Hit(method, path, handler.headers.get("Range")))
        try:
            self._route(handler, method, path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checker hung up, as it should on big or slow answers

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        status: int,
        headers: dict[str, str],
        body: bytes = b"",
    ) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if "Content-Length" not in headers:
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if method == "GET" and body:
            handler.wfile.write(body)

    def _route(self, handler: BaseHTTPRequestHandler, method: str, path: str) -> None:
        csv = b"a;b\n1;2\n" * 100
        if path == "/ok.csv":
            self._send(handler, method, 200, {"Content-Type": "text/csv"}, csv)
        elif path.startswith("/hop/"):
            # /hop/N redirects to /hop/N-1 ... /hop/0 to /ok.csv
            left = int(path.rsplit("/", 1)[1])
            target = "/ok.csv" if left == 0 else f"/hop/{left - 1}"
            self._send(handler, method, 301, {"Location": target})
        elif path == "/loop":
            self._send(handler, method, 302, {"Location": "/loop"})
        elif path == "/missing":
            self._send(handler, method, 404, {"Content-Type": "text/html"}, b"<p>absent</p>")
        elif path == "/broken":
            self._send(handler, method, 500, {"Content-Type": "text/plain"}, b"boom")
        elif path == "/slow":
            self.stopping.wait(self.slow_seconds)
            self._send(handler, method, 200, {"Content-Type": "text/csv"}, csv)
        elif path == "/silent":
            self.stopping.wait(3600)  # never answers
        elif path == "/no-head.csv":
            if method == "HEAD":
                self._send(handler, method, 405, {"Allow": "GET"})
            else:
                self._send(
                    handler,
                    method,
                    206,
                    {
                        "Content-Type": "text/csv",
                        "Content-Range": f"bytes 0-0/{len(csv)}",
                        "Content-Length": "1",
                    },
                    csv[:1],
                )
        elif path == "/huge":
            # HEAD refused; GET ignores Range and starts sending a 10 GB file.
            if method == "HEAD":
                self._send(handler, method, 405, {"Allow": "GET"})
                return
            self._send(
                handler,
                "HEAD",
                200,
                {"Content-Type": "application/zip", "Content-Length": str(HUGE)},
            )
            chunk = b"\0" * 65536
            sent = 0
            while sent < HUGE and not self.stopping.is_set():
                handler.wfile.write(chunk)
                sent += len(chunk)
                self.body_bytes_sent[path] = sent
                time.sleep(0)  # let the checker close
        else:
            self._send(handler, method, 404, {})
