"""Sign in and sign out.

``POST /sign-in`` checks the CSRF token, then the throttle: while an account or client
address is locked after repeated failures the answer is 429 with ``Retry-After``, and
the password is not checked. A failed attempt is 401; a successful one starts a new
session (a new CSRF token) and goes back to the page the visitor came from.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forcestat.store.users import authenticate
from forcestat.web.auth import SignInThrottle, new_session
from forcestat.web.http import checked_form, replace_session, run_db, visitor
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
    password = form.get("password", "")[:1024]
    next_path = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    throttle: SignInThrottle = request.app.state.throttle
    wait = throttle.retry_after(email, address, time.monotonic())
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
    user = await run_db(request, lambda con: authenticate(con, email, password))
    if user is None:
        delay = await run_in_threadpool(throttle.record_failure, email, address, time.monotonic())
        problem = "The email or password is not right."
        if delay:
            problem += (
                f" Too many failed attempts: wait {math.ceil(delay)} seconds before trying again."
            )
        page = SignInPage("Sign in", email, next_path, problem)
        return render(request, who, "sign_in.html", page, status_code=401)
    throttle.record_success(email, address)
    replace_session(request, new_session(user.user_id))
    return RedirectResponse(next_path, status_code=303)


async def sign_out(request: Request) -> Response:
    who = await visitor(request)
    await checked_form(request, who)
    replace_session(request, new_session())
    return RedirectResponse("/", status_code=303)


routes = [
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
