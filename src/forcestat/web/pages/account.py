"""A signed-in user's own account: changing their password.

``GET /account/password`` shows the form; ``POST`` checks the current password (or the
temporary one an admin set) and the new one against the password rules, saves it,
ends every other session of the user (a cookie copied elsewhere stops working) and
starts a new one here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.store.sessions import start_session
from forcestat.store.users import MIN_PASSWORD_LENGTH, AuthError, change_password
from forcestat.web.auth import new_session
from forcestat.web.http import PageError, checked_form, replace_session, run_records, visitor
from forcestat.web.rendering import render

__all__ = ["PasswordPage", "routes"]


@dataclass(frozen=True)
class PasswordPage:
    """problem: why the last attempt was refused; done: it was changed; must_change:
    an admin reset the password and a new one is needed before anything else."""

    title: str
    min_length: int
    problem: str | None = None
    done: bool = False
    must_change: bool = False


def _signed_in(who_user: object) -> None:
    if who_user is None:
        raise PageError(
            403, "Sign in to continue", "You need to sign in to do this. Sign in and try again."
        )


async def password_form(request: Request) -> Response:
    who = await visitor(request)
    _signed_in(who.user)
    assert who.user is not None
    page = PasswordPage(
        "Change your password", MIN_PASSWORD_LENGTH, must_change=who.user.must_change_password
    )
    return render(request, who, "account_password.html", page)


async def change(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    _signed_in(who.user)
    user = who.user
    assert user is not None
    current, new, again = (
        form.get("current_password", ""),
        form.get("new_password", ""),
        form.get("confirm_password", ""),
    )
    hours = request.app.state.settings.session_hours

    def save(records: sqlite3.Connection) -> tuple[str, str]:
        if new != again:
            raise AuthError("the new password and its confirmation differ; type both again")
        change_password(records, user.user_id, current, new, actor=user.email)
        return start_session(records, user.user_id, hours)

    try:
        token, csrf = await run_records(request, save)
    except AuthError as exc:
        page = PasswordPage(
            "Change your password",
            MIN_PASSWORD_LENGTH,
            problem=str(exc)[0].upper() + str(exc)[1:],
            must_change=user.must_change_password,
        )
        return render(request, who, "account_password.html", page, status_code=400)
    replace_session(request, new_session(token, csrf))
    who = await visitor(request)
    page = PasswordPage("Change your password", MIN_PASSWORD_LENGTH, done=True)
    return render(request, who, "account_password.html", page)


routes = [
    Route("/account/password", password_form, methods=["GET"]),
    Route("/account/password", change, methods=["POST"]),
]
