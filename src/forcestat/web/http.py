"""What every page handler needs from a request: the visitor, the store, checked input.

- ``run_db`` lends the newest read-only snapshot of the analytical store;
  ``run_records`` the dashboard's own records (users, sessions, tracker, rebases, audit
  log); ``run_both`` both, with the version pages are cached under.

- ``PageError`` is an expected failure a visitor can act on; the app renders it as an
  error page with its status (404 unknown force, 400 bad period, 403 not allowed).
- ``SessionCookieMiddleware`` reads the signed session cookie into the request (a new
  anonymous session, with its CSRF token, when there is none) and writes the cookie
  back when a handler changed the session (sign-in, sign-out), HttpOnly, SameSite=Lax,
  and Secure when served over https.
- ``checked_form`` reads a posted form and refuses it unless it carries the session's
  CSRF token.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TypeVar

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcestat.forces import Force, force_by_slug
from forcestat.store.rebases import rebases_version
from forcestat.store.records import open_records
from forcestat.store.sessions import session_for
from forcestat.store.snapshot import SnapshotReader
from forcestat.store.users import Role, User, get_user
from forcestat.web.auth import Session, SessionSigner, csrf_matches, new_session

__all__ = [
    "SESSION_COOKIE",
    "PageError",
    "SessionCookieMiddleware",
    "Visitor",
    "checked_form",
    "force_from_path",
    "month_parameter",
    "replace_session",
    "require_role",
    "run_both",
    "run_db",
    "run_records",
    "visitor",
]

SESSION_COOKIE = "forcestat_session"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
T = TypeVar("T")


class PageError(Exception):
    """An expected failure shown to the visitor as a page with this status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True)
class Visitor:
    """Who is asking: their session (always present) and the signed-in user, if any."""

    session: Session
    user: User | None

    def can(self, role: Role) -> bool:
        return (
            self.user is not None
            and not self.user.must_change_password
            and self.user.role.allows(role)
        )

    @property
    def sees_drafts(self) -> bool:
        return self.can(Role.VIEWER)


class SessionCookieMiddleware:
    """Puts the visitor's ``Session`` in ``scope['forcestat.session']`` and sets the
    cookie when it is new or was replaced by ``replace_session``."""

    def __init__(self, app: ASGIApp, signer: SessionSigner) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        for name, value in scope["headers"]:
            if name == b"cookie":
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is treated as no cookie
                    cookie = SimpleCookie()
        morsel = cookie.get(SESSION_COOKIE)
        session = self.signer.loads(morsel.value if morsel else None)
        scope["forcestat.session_changed"] = session is None
        scope["forcestat.session"] = session or new_session()
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["forcestat.session_changed"]:
                headers = MutableHeaders(scope=message)
                value = self.signer.dumps(scope["forcestat.session"])
                flags = f"Path=/; Max-Age={self.signer.max_age_seconds}; HttpOnly; SameSite=Lax"
                headers.append(
                    "set-cookie", f"{SESSION_COOKIE}={value}; {flags}{'; Secure' if secure else ''}"
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def replace_session(request: Request, session: Session) -> None:
    """Start a new session (a sign-in or sign-out): the response sets its cookie."""
    request.scope["forcestat.session"] = session
    request.scope["forcestat.session_changed"] = True


async def run_db(request: Request, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run ``work`` on a cursor of the newest store snapshot, in a worker thread. A
    snapshot published while it runs is used by the next request, not this one."""
    snapshots: SnapshotReader = request.app.state.snapshots

    def call() -> T:
        with snapshots.connection() as (_, cursor):
            return work(cursor)

    return await run_in_threadpool(call)


def _with_records(request: Request, work: Callable[[sqlite3.Connection], T]) -> T:
    records = open_records(request.app.state.settings.store)
    try:
        return work(records)
    finally:
        records.close()


async def run_records(request: Request, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``work`` on a connection to the dashboard's records, in a worker thread."""
    return await run_in_threadpool(_with_records, request, work)


async def run_both(
    request: Request,
    work: Callable[[duckdb.DuckDBPyConnection, sqlite3.Connection, tuple[object, ...]], T],
) -> T:
    """Run ``work`` on a snapshot cursor and the records, with the version of both
    (snapshot, recorded rebases) that a page built from them is cached under."""
    snapshots: SnapshotReader = request.app.state.snapshots

    def call() -> T:
        with snapshots.connection() as (version, cursor):
            return _with_records(
                request, lambda records: work(cursor, records, (version, rebases_version(records)))
            )

    return await run_in_threadpool(call)


async def visitor(request: Request) -> Visitor:
    """The session and, when signed in as an active user whose session the server still
    holds, the user. A session ended on the server (signed out, deactivated, removed,
    password changed or reset, expired) is replaced by a new anonymous one."""
    session: Session = request.scope["forcestat.session"]
    if session.token is None:
        return Visitor(session, None)
    token = session.token

    def look_up(records: sqlite3.Connection) -> User | None:
        live = session_for(records, token)
        if live is None:
            return None
        user = get_user(records, live.user_id)
        return user if user is not None and user.active else None

    user = await run_records(request, look_up)
    if user is None:
        session = new_session()
        replace_session(request, session)
    return Visitor(session, user)


def require_role(who: Visitor, role: Role) -> User:
    """The signed-in user, if their role allows ``role``; otherwise a 403 page."""
    if who.user is None:
        raise PageError(
            403, "Sign in to continue", "You need to sign in to do this. Sign in and try again."
        )
    if who.user.must_change_password:
        raise PageError(
            403,
            "Choose a new password first",
            "Your password was reset by an administrator. Choose a new one on the "
            "'Change your password' page, then try again.",
        )
    if not who.user.role.allows(role):
        raise PageError(
            403,
            "You cannot do this",
            f"This needs the {role.value} role; you are signed in as a {who.user.role.value}. "
            "Ask an administrator if you need it.",
        )
    return who.user


async def checked_form(request: Request, who: Visitor) -> dict[str, str]:
    """The posted form's text fields, refused (403) unless it carries the session's
    CSRF token."""
    form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_matches(who.session, fields.pop("csrf_token", None)):
        raise PageError(
            403,
            "This form could not be accepted",
            "The form was not sent from this site, or your session changed since it was "
            "opened. Go back, reload the page and try again.",
        )
    return fields


def force_from_path(slug: str) -> Force:
    """The force named by a URL slug such as ``west-midlands``; otherwise a 404 page."""
    force = force_by_slug(slug)
    if force is None:
        raise PageError(
            404,
            "Force not found",
            f"There is no force {slug!r}. Forces are named by their police.uk name in "
            "lower case with hyphens, for example west-midlands or city-of-london.",
        )
    return force


def month_parameter(request: Request, name: str = "period") -> dt.date | None:
    """The month in the query parameter ``name`` (``YYYY-MM``), None when absent;
    anything else is a 400 page naming the accepted form."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return None
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise PageError(
            400,
            "Period not recognised",
            f"The {name} must be a month in the form YYYY-MM, for example 2021-06.",
        )
    return dt.date(int(match.group(1)), int(match.group(2)), 1)
