"""Published pages served from memory, built once per version of the data.

Most visitors are anonymous and read the same few pages: the home page, a force's
scorecard, its measure pages and charts, its areas. ``PageCache`` keeps each such page
as sent (status 200, headers and body) under its address and the version of the data
(the store snapshot served and the recorded rebases, the only records these pages
show), so a burst of visitors
costs one build per page, and a new load or a saved record changes the version and so
the pages. Requests for a page being built wait for that build instead of repeating it.
Signed-in visitors, downloads, forms and anything but GET go straight to the pages.

``warm_pages`` builds the configured force's main pages: at start, before the server
answers, and in the background whenever a new version of the data is first seen.

Example:
    >>> Middleware(PageCache)  # inside the session middleware  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcestat.store.rebases import rebases_version
from forcestat.store.records import open_records
from forcestat.web.auth import Session
from forcestat.web.measure_view import ViewCache

__all__ = ["PageCache", "data_version", "warm_pages"]

log = logging.getLogger("forcestat.web")

# Pages every visitor sees alike when not signed in.
_CACHEABLE = re.compile(
    r"^/(forces/[a-z-]+(/measures/[a-z0-9_]+(/chart\.svg)?|/areas(/[A-Za-z0-9]+){0,2})?)?$"
)


@dataclass(frozen=True)
class _Sent:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def data_version(app: Any) -> tuple[object, ...]:
    """The version of what the cached pages show: the snapshot served and the recorded
    rebases (the tracker, users and audit log are on pages never cached)."""
    records = open_records(app.state.settings.store)
    try:
        return (app.state.snapshots.version, rebases_version(records))
    finally:
        records.close()


def _cacheable(scope: Scope) -> bool:
    session: Session | None = scope.get("forcestat.session")
    query = scope.get("query_string", b"")
    return (
        scope["method"] == "GET"
        and session is not None
        and session.token is None
        and b"format=" not in query
        and b"rebase_month=" not in query
        and _CACHEABLE.match(scope["path"]) is not None
    )


class PageCache:
    """Keeps anonymous visitors' pages per data version (see the module docstring)."""

    def __init__(
        self, app: ASGIApp, size: int = 1024, holder: dict[str, PageCache] | None = None
    ) -> None:
        self.app = app
        if holder is not None:
            holder["cache"] = self  # for the start-up warm-up
        self.pages = ViewCache(size)
        self._building: dict[tuple[object, ...], asyncio.Future[_Sent | None]] = {}
        self._versions_seen: set[tuple[object, ...]] = set()
        self._warming: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _cacheable(scope):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        version = await run_in_threadpool(data_version, app)
        if version not in self._versions_seen:
            first = not self._versions_seen
            self._versions_seen = {version}
            if not first and not scope.get("forcestat.warming"):
                # New data: build the main pages now rather than at each first visitor.
                task = asyncio.get_running_loop().create_task(warm_pages(app, self))
                self._warming.add(task)  # kept until done: the loop holds tasks weakly
                task.add_done_callback(self._warming.discard)
        key = (scope["path"], scope.get("query_string", b""), version)
        found = self.pages.get(key)
        if isinstance(found, _Sent):
            await _replay(found, send)
            return
        pending = self._building.get(key)
        if pending is not None:
            sent = await asyncio.shield(pending)
            if sent is not None:
                await _replay(sent, send)
            else:
                await self.app(scope, receive, send)
            return
        future: asyncio.Future[_Sent | None] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            sent = await self._build(scope, receive)
            if sent is not None:
                self.pages.put(key, sent)
        except BaseException:
            future.set_result(None)
            raise
        finally:
            self._building.pop(key, None)
        if not future.done():
            future.set_result(sent)
        if sent is None:
            await self.app(scope, receive, send)
        else:
            await _replay(sent, send)

    async def _build(self, scope: Scope, receive: Receive) -> _Sent | None:
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None or start["status"] != 200:
            return None
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        session: Session = scope["forcestat.session"]
        if session.csrf_token.encode() in body:
            return None  # a form for this visitor alone: not shared
        headers = tuple((k, v) for k, v in start.get("headers", []) if k.lower() != b"set-cookie")
        return _Sent(200, headers, body)


async def _replay(sent: _Sent, send: Send) -> None:
    await send({"type": "http.response.start", "status": sent.status, "headers": sent.headers})
    await send({"type": "http.response.body", "body": sent.body})


def _main_pages(app: Any) -> list[str]:
    slug: str = app.state.default_force_slug
    pages = ["/", f"/forces/{slug}", f"/forces/{slug}/areas"]
    for measure in app.state.catalogue.measures:
        pages.append(f"/forces/{slug}/measures/{measure.id}")
        pages.append(f"/forces/{slug}/measures/{measure.id}/chart.svg")
    return pages


async def warm_pages(app: Any, cache: PageCache) -> None:
    """Build the configured force's main pages through ``cache``, one at a time, as an
    anonymous visitor would ask for them."""
    for path in _main_pages(app):
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"localhost")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 80),
            "app": app,
            "state": {},
            "forcestat.session": Session(None, "warming"),
            "forcestat.session_changed": False,
            "forcestat.warming": True,
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def ignore(message: Message) -> None:
            return None

        try:
            await cache(scope, receive, ignore)
        except Exception:  # a page that fails is shown as an error to its visitor later
            log.exception("building %s in advance failed", path)
