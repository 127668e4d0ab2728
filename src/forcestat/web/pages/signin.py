"""Sign in and sign out.

``POST /sign-in`` checks the CSRF token, then the throttle: while an account or client
address is locked after repeated failures the answer is 429 with ``Retry-After``, and
the password is not checked. A failed attempt is 401; a successful one starts a new
session on the server (a new CSRF token) and goes back to the page the visitor came
from, or to the change password page when an admin reset the password. Signing out
ends the session on the server, so a copy of the cookie no longer signs anyone in.
"""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forcestat.store.sessions import SignInThrottle, end_session, start_session
from forcestat.store.users import MAX_PASSWORD_LENGTH, authenticate
from forcestat.web.auth import new_session
from forcestat.web.http import checked_form, replace_session, run_records, visitor
from forcestat.web.rendering import render

__all__ = ["SignInPage", "routes", "safe_next"]


@dataclass(frozen=True)
class SignInPage:
    """email: as typed (kept after a failure); problem: why the last attempt failed."""

    title: str
    email: str
    next_path: str
    problem: str | None


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


async def sign_in_form(request: Request) -> Response:
    who = await visitor(request)
    page = SignInPage("Sign in", "", safe_next(request.query_params.get("next")), None)
    return render(request, who, "sign_in.html", page)


async def sign_in(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    email = form.get("email", "").strip()[:320]
    # Not cut short: one longer than can be set is refused whole, as at creation.
    password = form.get("password", "")
    next_path = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    throttle: SignInThrottle = request.app.state.throttle
    wait = await run_records(
        request, lambda records: throttle.retry_after(records, email, address, time.time())
    )
    if wait > 0:
        seconds = math.ceil(wait)
        page = SignInPage(
            "Sign in",
            email,
            next_path,
            f"Too many failed attempts. Wait {seconds} seconds, then try again.",
        )
        return render(
            request,
            who,
            "sign_in.html",
            page,
            status_code=429,
            headers={"Retry-After": str(seconds)},
        )
    user = await run_records(request, lambda records: authenticate(records, email, password))
    if user is None:
        delay = await run_records(
            request,
            lambda records: throttle.record_failure(records, email, address, time.time()),
        )
        problem = "The email or password is not right."
        if len(password) > MAX_PASSWORD_LENGTH:
            problem += f" Passwords are at most {MAX_PASSWORD_LENGTH} characters."
        if delay:
            problem += (
                f" Too many failed attempts: wait {math.ceil(delay)} seconds before trying again."
            )
        page = SignInPage("Sign in", email, next_path, problem)
        return render(request, who, "sign_in.html", page, status_code=401)
    hours = request.app.state.settings.session_hours
    user_id = user.user_id

    def begin(records: sqlite3.Connection) -> tuple[str, str]:
        throttle.record_success(records, email, address)
        return start_session(records, user_id, hours)

    token, csrf = await run_records(request, begin)
    replace_session(request, new_session(token, csrf))
    if user.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return RedirectResponse(next_path, status_code=303)


async def sign_out(request: Request) -> Response:
    who = await visitor(request)
    await checked_form(request, who)
    token = who.session.token
    if token is not None:
        await run_records(request, lambda records: end_session(records, token))
    replace_session(request, new_session())
    return RedirectResponse("/", status_code=303)


routes = [
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
