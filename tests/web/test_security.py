"""Security over real HTTP: escaping, CSRF, roles, hostile URLs, sign-in throttling,
session cookie flags, and an audit log that no code path can change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.web.conftest import EDITOR, FORCE, THROTTLED, VIEWER, Client, Site

SOURCE = Path(__file__).resolve().parents[2] / "src" / "forcestat"


def _update(client: Client, site: Site, note: str, token: str | None) -> int:
    form = {"update_date": "2024-01-15", "status": "on_track", "note": note}
    if token is not None:
        form["csrf_token"] = token
    return client.post(f"/milestones/{site.published_milestone}/updates", form).status


def test_an_update_containing_a_script_is_shown_escaped(client: Client, site: Site) -> None:
    assert client.sign_in(*EDITOR).status == 303
    token = client.csrf_token(f"/milestones/{site.published_milestone}")
    note = "<script>alert('x')</script> & done"
    assert _update(client, site, note, token) == 303
    body = Client(site.url).get(f"/milestones/{site.published_milestone}").body
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; done" in body


def test_a_form_without_its_csrf_token_is_refused(client: Client, site: Site) -> None:
    assert client.sign_in(*EDITOR).status == 303
    assert _update(client, site, "no token", None) == 403
    assert _update(client, site, "wrong token", "forged-token") == 403
    updates = client.get(f"/milestones/{site.published_milestone}").body
    assert "no token" not in updates and "wrong token" not in updates


def test_sign_in_itself_needs_the_csrf_token(client: Client) -> None:
    response = client.post("/sign-in", {"email": EDITOR[0], "password": EDITOR[1]})
    assert response.status == 403
    assert "set-cookie" not in response.headers or "forcestat_session" in client.cookies


def test_an_anonymous_post_is_refused(client: Client, site: Site) -> None:
    # A real anonymous session with a valid token: refused for want of a role.
    token = client.csrf_token("/sign-in")
    assert _update(client, site, "anonymous", token) == 403
    form = {
        "csrf_token": token,
        "kind": "milestone",
        "title": "x",
        "lead": "y",
        "review_frequency": "quarterly",
        "status": "on_track",
    }
    assert client.post("/milestones", form).status == 403
    assert (
        client.post(
            "/users",
            {"csrf_token": token, "email": "a@b.example", "role": "admin", "password": "p" * 20},
        ).status
        == 403
    )


def test_a_viewer_cannot_edit_or_manage_users(client: Client, site: Site) -> None:
    assert client.sign_in(*VIEWER).status == 303
    token = client.csrf_token(f"/milestones/{site.draft_milestone}")
    assert _update(client, site, "viewer", token) == 403
    assert client.get("/users").status == 403
    # ... but sees drafts, which an anonymous visitor does not.
    assert client.get(f"/milestones/{site.draft_milestone}").status == 200
    assert Client(site.url).get(f"/milestones/{site.draft_milestone}").status == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/forces/{FORCE}'%20OR%201=1--/areas", 404),
        (f"/forces/{FORCE}/areas/E09000001'%20OR%20'1'='1", 404),
        (f"/forces/{FORCE}/areas/E09000001/x';DROP%20TABLE%20crimes;--", 404),
        (f"/forces/{FORCE}/areas?period=2021-06';DROP%20TABLE%20crimes;--", 400),
        (f"/forces/{FORCE}/areas?period=2021-06&format=csv%22%3B", 400),
        ("/milestones/1%20OR%201=1", 404),
        ("/audit?entity=milestone%27--", 403),
        ("/reports/..%2F..%2Fetc%2Fpasswd", 404),
    ],
)
def test_sql_metacharacters_in_urls_give_404_or_400(client: Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status == status
    assert "Traceback" not in response.body
    # The tables are still there: the areas page still answers.
    assert client.get(f"/forces/{FORCE}/areas?period=2021-06").status == 200


def test_a_bad_period_names_the_accepted_form(client: Client) -> None:
    response = client.get(f"/forces/{FORCE}/areas?period=June%202021")
    assert response.status == 400
    assert "YYYY-MM" in response.body


def test_an_unknown_force_says_how_forces_are_named(client: Client) -> None:
    response = client.get("/forces/gotham/areas")
    assert response.status == 404
    assert "west-midlands" in response.body


def test_repeated_wrong_passwords_are_slowed_down(site: Site) -> None:
    # Three failures are free; the fourth locks the account for 5 s, so the fifth
    # attempt is refused with 429 and a Retry-After, without checking the password.
    client = Client(site.url)
    statuses = [client.sign_in(THROTTLED[0], "not the password").status for _ in range(4)]
    fifth = client.sign_in(THROTTLED[0], "not the password")
    assert statuses == [401, 401, 401, 401]
    assert fifth.status == 429
    assert int(fifth.headers["retry-after"]) >= 1
    # While locked, even the right password is not accepted.
    assert client.sign_in(*THROTTLED).status == 429


def test_the_session_cookie_is_httponly_and_samesite(site: Site) -> None:
    client = Client(site.url)
    response = client.get("/sign-in")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on localhost; set behind https
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_behind_an_https_proxy_the_cookie_is_secure(site: Site) -> None:
    # uvicorn trusts X-Forwarded-Proto from 127.0.0.1, as from a local reverse proxy.
    response = Client(site.url).request("GET", "/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in response.headers["set-cookie"]


def test_a_tampered_session_cookie_is_not_a_sign_in(client: Client) -> None:
    assert client.sign_in(*EDITOR).status == 303
    value = client.cookies["forcestat_session"]
    client.cookies["forcestat_session"] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert "Signed in as" not in client.get("/milestones").body


def test_no_code_updates_or_deletes_audit_rows() -> None:
    offending = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if re.search(r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+audit_log", path.read_text("utf-8"), re.I)
    ]
    assert offending == []
