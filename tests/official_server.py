"""A local stand-in for the official download sites, for tests that never touch the network.

``OfficialServer`` serves a folder laid out in the publishers' URL shapes
(``/data/archive/2019-06.zip``, ``/media/<id>/<name>.ods``) from a real
``ThreadingHTTPServer`` on 127.0.0.1, with ``Range`` support (206 Partial Content),
and switches to misbehave as real servers do: answer with an error status, cut a body
short once, or ignore ``Range``. Every request is logged with its ``Range`` header.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

__all__ = ["OfficialServer", "ServedRequest"]


@dataclass(frozen=True)
class ServedRequest:
    path: str
    range: str | None  # the Range header as sent, or None


@dataclass
class _Switches:
    fail: dict[str, int] = field(default_factory=dict)  # path -> HTTP status to answer
    cut_once: dict[str, int] = field(default_factory=dict)  # path -> bytes to send, then close
    ignore_range: bool = False
    requests: list[ServedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class OfficialServer:
    """Serve ``root`` over HTTP on 127.0.0.1 until the ``with`` block ends."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.switches = _Switches()
        handler = type("Handler", (_Handler,), {"root": root, "switches": self.switches})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[ServedRequest]:
        with self.switches.lock:
            return list(self.switches.requests)

    def fail(self, path: str, status: int) -> None:
        """Answer every request for ``path`` with ``status``."""
        self.switches.fail[path] = status

    def cut_once(self, path: str, after_bytes: int) -> None:
        """Send only ``after_bytes`` of the next body for ``path`` and close the connection."""
        self.switches.cut_once[path] = after_bytes

    def ignore_range(self, on: bool = True) -> None:
        self.switches.ignore_range = on

    def __enter__(self) -> OfficialServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    root: Path
    switches: _Switches

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        sent_range = self.headers.get("Range")
        with self.switches.lock:
            self.switches.requests.append(ServedRequest(path, sent_range))
            status = self.switches.fail.get(path)
            cut = self.switches.cut_once.pop(path, None)
        if status is not None:
            self.send_error(status)
            return
        local = (self.root / path.lstrip("/")).resolve()
        if not local.is_file() or self.root.resolve() not in local.parents:
            self.send_error(404)
            return
        body = local.read_bytes()
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", sent_range or "")
        if m is not None and not self.switches.ignore_range:
            start = int(m.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        payload = body[start:]
        if cut is not None:
            # Promise the whole body, deliver part of it, then hang up.
            self.wfile.write(payload[:cut])
            self.close_connection = True
            return
        self.wfile.write(payload)
