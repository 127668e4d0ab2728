"""Users (admins only): who may sign in, with which role; add, change role, deactivate,
reset a password, remove.

Every change is audited. An admin cannot demote, deactivate or remove their own account,
so a store always keeps at least the admin who is using it. A reset shows the temporary
password once, on the page that made it; the user must choose a new one when they next
sign in. Deactivating, resetting and removing end the user's sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forcestat.store.users import (
    AuthError,
    Role,
    User,
    add_user,
    list_users,
    remove_user,
    reset_password,
    set_user_active,
    set_user_role,
)
from forcestat.web.http import PageError, checked_form, require_role, run_records, visitor
from forcestat.web.rendering import render

__all__ = ["UsersPage", "routes"]


@dataclass(frozen=True)
class UsersPage:
    """users: everyone who may sign in; problem: why the last change was refused;
    email/role: the add form's values after a refusal."""

    title: str
    users: tuple[User, ...]
    roles: tuple[Role, ...]
    problem: str | None = None
    email: str = ""
    role: str = Role.VIEWER.value
    notice: str | None = None


async def users(request: Request) -> Response:
    who = await visitor(request)
    require_role(who, Role.ADMIN)
    found = await run_records(request, list_users)
    return render(request, who, "users.html", UsersPage("Users", tuple(found), tuple(Role)))


async def add(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    admin = require_role(who, Role.ADMIN)
    email, role_text, password = (
        form.get("email", ""),
        form.get("role", ""),
        form.get("password", ""),
    )
    try:
        role = Role(role_text)
        await run_records(
            request, lambda con: add_user(con, email, password, role, actor=admin.email)
        )
    except (AuthError, ValueError) as exc:
        problem = str(exc) if isinstance(exc, AuthError) else "Choose a role"
        found = await run_records(request, list_users)
        page = UsersPage("Users", tuple(found), tuple(Role), problem, email, role_text)
        return render(request, who, "users.html", page, status_code=400)
    return RedirectResponse("/users", status_code=303)


async def change(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    admin = require_role(who, Role.ADMIN)
    user_id: int = request.path_params["user_id"]
    if user_id == admin.user_id:
        raise PageError(
            400, "You cannot change your own account", "Ask another admin to change your role."
        )
    action = form.get("action")
    try:
        if action == "role":
            role = Role(form.get("role", ""))
            await run_records(
                request, lambda con: set_user_role(con, user_id, role, actor=admin.email)
            )
        elif action in ("activate", "deactivate"):
            active = action == "activate"
            await run_records(
                request, lambda con: set_user_active(con, user_id, active, actor=admin.email)
            )
        elif action == "reset":
            temporary = await run_records(
                request, lambda con: reset_password(con, user_id, actor=admin.email)
            )
            found = await run_records(request, list_users)
            email = next((u.email for u in found if u.user_id == user_id), "")
            notice = (
                f"The password of {email} is reset to {temporary} . Give it to them in "
                "person; they choose a new one when they sign in with it."
            )
            page = UsersPage("Users", tuple(found), tuple(Role), notice=notice)
            return render(request, who, "users.html", page)
        elif action == "remove":
            await run_records(request, lambda con: remove_user(con, user_id, actor=admin.email))
        else:
            raise PageError(400, "Change not recognised", "Use the buttons on the users page.")
    except (AuthError, ValueError) as exc:
        raise PageError(400, "The change was not made", str(exc)) from exc
    return RedirectResponse("/users", status_code=303)


routes = [
    Route("/users", users, methods=["GET"]),
    Route("/users", add, methods=["POST"]),
    Route("/users/{user_id:int}", change, methods=["POST"]),
]
