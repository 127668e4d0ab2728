"""The dashboard as an ASGI application (Starlette), served by uvicorn.

``create_app`` brings the store up to date and publishes a snapshot of it (unless a
load holds it, when the last published snapshot is served), creates the dashboard's
records beside it, and mounts GOV.UK Frontend's built files (shipped in the package)
(``/govuk-frontend`` for CSS and JS, ``/assets`` for the fonts and images its CSS
names), the package's own static files, and every page's routes. Errors are pages:
an expected failure (``PageError``) or an unknown URL shows its status and a message;
anything else is logged and shown as a 500 page, never a stack trace.

Example:
    >>> app = create_app(WebSettings(store=Path("forcestat.duckdb"),
    ...     govuk_frontend=find_govuk_frontend()))  # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcestat.errors import StoreError
from forcestat.forces import find_force
from forcestat.measures.catalogue import load_catalogue
from forcestat.measures.sql import store_offence_codes
from forcestat.store.database import open_store
from forcestat.store.records import open_records
from forcestat.store.sessions import SignInThrottle
from forcestat.store.snapshot import SnapshotReader, current_snapshot, publish_snapshot
from forcestat.web.auth import SessionSigner, new_session
from forcestat.web.http import PageError, SessionCookieMiddleware, Visitor, visitor
from forcestat.web.measure_view import ViewCache
from forcestat.web.page_cache import PageCache, warm_pages
from forcestat.web.pages import (
    account,
    areas,
    audit,
    data,
    home,
    local,
    measure,
    milestones,
    overview,
    registers,
    reports,
    signin,
    users,
)
from forcestat.web.rendering import render
from forcestat.web.settings import WebSettings

__all__ = ["ErrorPage", "create_app"]

log = logging.getLogger("forcestat.web")

_STATIC = Path(__file__).parent / "static"
# Scripts, styles, fonts and images from this site only; no inline script, no framing.
_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_SECURITY_HEADERS = {
    "content-security-policy": _CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@dataclass(frozen=True)
class ErrorPage:
    """An error shown as a page: its title, what to do, and links onward."""

    title: str
    message: str
    links: tuple[tuple[str, str], ...]


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    try:
        who = await visitor(request)
    except Exception:  # the store itself may be what failed
        who = Visitor(request.scope.get("forcestat.session") or new_session(), None)
    links: list[tuple[str, str]] = []
    if status == 403 and who.user is not None and who.user.must_change_password:
        links.append(("Change your password", "/account/password"))
    if status == 403 and who.user is None:
        links.append(("Sign in", f"/sign-in?next={request.url.path}"))
    if status == 400 and request.method == "GET" and "period" in request.query_params:
        links.append(("Show the latest period instead", request.url.path))
    links.append(("Go to the start page", "/"))
    page = ErrorPage(title, message, tuple(links))
    return render(request, who, "error.html", page, status_code=status)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return await _error_page(request, exc.status, exc.title, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return await _error_page(
            request,
            404,
            "Page not found",
            "There is no page at this address. Check it, or start from the home page.",
        )
    if exc.status_code == 405:
        return await _error_page(
            request, 405, "Not allowed", "This address does not accept that kind of request."
        )
    return await _error_page(request, exc.status_code, "Request not accepted", str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s", request.url.path, exc_info=exc)
    return await _error_page(
        request,
        500,
        "Sorry, there is a problem with the service",
        "Something went wrong on our side. Try again later; if it keeps happening, tell the "
        "team that runs this dashboard what you were doing.",
    )


def _publish_at_start(store_path: Path) -> None:
    """Upgrade the store and publish a snapshot of it as it is now. While a load holds
    it, serve the snapshot already published: the load publishes a new one as it ends."""
    try:
        con = open_store(store_path)
    except StoreError:
        if current_snapshot(store_path) is not None:
            log.warning("%s is in use: serving its last snapshot until it is released", store_path)
            return
        raise
    try:
        publish_snapshot(con, store_path)
    finally:
        con.close()


def create_app(settings: WebSettings) -> Starlette:
    """The dashboard over the store in ``settings`` (upgraded and published at startup)."""
    default_force = find_force(settings.force)
    _publish_at_start(settings.store)
    open_records(settings.store).close()  # created, or moved from an older store, now
    snapshots = SnapshotReader(settings.store)
    try:
        with snapshots.connection() as (_, store):
            catalogue = load_catalogue(
                settings.plan,
                extra_offence_codes=store_offence_codes(store),
                national_baseline=settings.national_baseline,
            )
    except BaseException:
        snapshots.close()
        raise

    holder: dict[str, PageCache] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Before the first visitor: the configured force's pages, built once.
        if "cache" in holder:
            await warm_pages(app, holder["cache"])
        yield
        snapshots.close()

    page_routes = [
        *home.routes,
        *overview.routes,
        *measure.routes,
        *areas.routes,
        *local.routes,
        *data.routes,
        *reports.routes,
        *milestones.routes,
        *registers.routes,
        *signin.routes,
        *users.routes,
        *audit.routes,
        *account.routes,
    ]
    static = [
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
        Mount("/govuk-frontend", StaticFiles(directory=settings.govuk_frontend), name="govuk"),
        Mount("/assets", StaticFiles(directory=settings.govuk_frontend / "assets"), name="assets"),
    ]
    signer = SessionSigner(settings.secret_key, settings.session_hours * 3600)
    app = Starlette(
        routes=[*page_routes, *static],
        middleware=[
            Middleware(_SecurityHeaders),
            Middleware(SessionCookieMiddleware, signer=signer),
            Middleware(PageCache, holder=holder),
        ],
        exception_handlers={
            PageError: _page_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue
    # Built pages and charts, keyed by what they show and the version of the data.
    app.state.views = ViewCache(512)
    app.state.snapshots = snapshots
    app.state.throttle = SignInThrottle()
    app.state.default_force = default_force
    app.state.default_force_slug = default_force.slug
    return app
