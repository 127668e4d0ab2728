"""Accounts over HTTP: a session ended on the server (sign-out, deactivation, reset) stops
a copied cookie at once; a reset password must be changed at the next sign-in; a user
changes their own password, with the rules' messages on the page."""

from __future__ import annotations

import html
import re

from tests.web.conftest import ADMIN, Client, Site

from forcestat.store.records import records_connection
from forcestat.store.users import Role, add_user

PASSWORD = "a fresh test password"


def _new_user(site: Site, email: str, role: Role = Role.EDITOR) -> int:
    with records_connection(site.store) as records:
        return add_user(records, email, PASSWORD, role, actor="test").user_id


def _signed_in(client: Client) -> bool:
    return "Sign out" in client.get("/").body


def _sign_out(client: Client) -> None:
    token = client.csrf_token("/")
    assert client.post("/sign-out", {"csrf_token": token}).status == 303


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(site: Site) -> None:
    _new_user(site, "leaver@opcc.example")
    client = Client(site.url)
    assert client.sign_in("leaver@opcc.example", PASSWORD).status == 303
    copied = Client(site.url, cookies=dict(client.cookies))
    assert _signed_in(copied)
    editor_page = copied.get("/milestones/new")
    assert editor_page.status == 200
    _sign_out(client)
    # The copy still carries a validly signed cookie, but the server ended its session.
    replay = copied.get("/milestones/new")
    assert replay.status == 403
    assert "Sign in to continue" in replay.body
    assert not _signed_in(copied)


def test_deactivation_ends_a_session_at_once(site: Site) -> None:
    user_id = _new_user(site, "moved@opcc.example")
    user = Client(site.url)
    assert user.sign_in("moved@opcc.example", PASSWORD).status == 303
    assert _signed_in(user)
    admin = Client(site.url)
    admin.sign_in(*ADMIN)
    token = admin.csrf_token("/users")
    done = admin.post(f"/users/{user_id}", {"csrf_token": token, "action": "deactivate"})
    assert done.status == 303
    assert not _signed_in(user)


def test_a_reset_password_must_be_changed_before_anything_else(site: Site) -> None:
    user_id = _new_user(site, "forgetful@opcc.example")
    admin = Client(site.url)
    admin.sign_in(*ADMIN)
    token = admin.csrf_token("/users")
    shown = admin.post(f"/users/{user_id}", {"csrf_token": token, "action": "reset"})
    assert shown.status == 200
    found = re.search(r"reset to ([0-9a-f-]{27}) \.", html.unescape(shown.body))
    assert found, "the temporary password is shown once to the admin"
    temporary = found.group(1)

    user = Client(site.url)
    assert user.sign_in("forgetful@opcc.example", PASSWORD).status == 401
    signed = user.sign_in("forgetful@opcc.example", temporary)
    assert (signed.status, signed.headers["location"]) == (303, "/account/password")
    blocked = user.get("/milestones/new")
    assert blocked.status == 403 and "Choose a new password first" in blocked.body

    form = {
        "csrf_token": user.csrf_token("/account/password"),
        "current_password": temporary,
        "new_password": "aaaaaaaaaaaa",
        "confirm_password": "aaaaaaaaaaaa",
    }
    weak = user.post("/account/password", form)
    assert weak.status == 400
    assert (
        "The password is one character or a short pattern repeated, so it is easily guessed; "
        "choose another (a few unrelated words make a strong one)"
    ) in html.unescape(weak.body)
    form |= {"new_password": "purple elephant rain", "confirm_password": "purple elephant rain"}
    changed = user.post("/account/password", form)
    assert changed.status == 200 and "Your password is changed" in changed.body
    assert user.get("/milestones/new").status == 200


def test_changing_a_password_signs_out_every_other_session(site: Site) -> None:
    _new_user(site, "careful@opcc.example")
    here, there = Client(site.url), Client(site.url)
    here.sign_in("careful@opcc.example", PASSWORD)
    there.sign_in("careful@opcc.example", PASSWORD)
    form = {
        "csrf_token": here.csrf_token("/account/password"),
        "current_password": PASSWORD,
        "new_password": "purple elephant rain",
        "confirm_password": "purple elephant rain",
    }
    assert here.post("/account/password", form).status == 200
    assert _signed_in(here)
    assert not _signed_in(there)


def test_a_password_longer_than_allowed_is_refused_at_sign_in_with_the_limit(
    site: Site,
) -> None:
    client = Client(site.url)
    response = client.sign_in("nobody-long@opcc.example", "x" * 257)
    assert response.status == 401
    assert "Passwords are at most 256 characters." in response.body
