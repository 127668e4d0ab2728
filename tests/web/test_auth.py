"""Passwords, users, sessions and the sign-in throttle, against values worked by hand."""

from __future__ import annotations

import duckdb
import pytest

from forcestat.store.audit import audit_entries
from forcestat.store.users import (
    AuthError,
    Role,
    add_user,
    authenticate,
    hash_password,
    set_user_active,
    set_user_role,
    verify_password,
)
from forcestat.web.auth import Session, SessionSigner, SignInThrottle, csrf_matches


def test_a_password_hash_is_argon2id_and_verifies_only_the_password() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert "a long enough password" not in hashed
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a long enough passwore")
    assert not verify_password("not a hash", "anything")


def test_users_are_added_audited_and_authenticated(store: duckdb.DuckDBPyConnection) -> None:
    user = add_user(store, " Analyst@OPCC.example ", "twelve chars!", Role.EDITOR, actor="cli")
    assert user.email == "analyst@opcc.example"
    assert authenticate(store, "analyst@opcc.example", "twelve chars!") == user
    assert authenticate(store, "ANALYST@opcc.example", "twelve chars!") == user
    assert authenticate(store, "analyst@opcc.example", "wrong password") is None
    assert authenticate(store, "nobody@opcc.example", "twelve chars!") is None
    (entry,) = audit_entries(store, entity="user")
    assert (entry.actor, entry.action, entry.before_json) == ("cli", "user.add", None)
    assert "password" not in (entry.after_json or "")
    assert "argon2" not in (entry.after_json or "")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "twelve chars!", "not an email address"),
        ("a@b.example", "short", "at least 12"),
    ],
)
def test_a_bad_user_is_refused_with_the_reason(
    store: duckdb.DuckDBPyConnection, email: str, password: str, message: str
) -> None:
    with pytest.raises(AuthError, match=message):
        add_user(store, email, password, Role.VIEWER, actor="cli")


def test_a_duplicate_email_is_refused_and_nothing_is_audited(
    store: duckdb.DuckDBPyConnection,
) -> None:
    add_user(store, "a@b.example", "twelve chars!", Role.VIEWER, actor="cli")
    with pytest.raises(AuthError, match="already exists"):
        add_user(store, "A@b.example", "twelve chars!!", Role.ADMIN, actor="cli")
    assert len(audit_entries(store, entity="user")) == 1


def test_role_and_deactivation_changes_are_audited_before_and_after(
    store: duckdb.DuckDBPyConnection,
) -> None:
    user = add_user(store, "a@b.example", "twelve chars!", Role.VIEWER, actor="cli")
    set_user_role(store, user.user_id, Role.EDITOR, actor="admin@b.example")
    set_user_active(store, user.user_id, False, actor="admin@b.example")
    assert authenticate(store, "a@b.example", "twelve chars!") is None
    deactivated, promoted, _ = audit_entries(store, entity="user", entity_id=user.user_id)
    assert [(c.field, c.before, c.after) for c in promoted.changes] == [
        ("role", "viewer", "editor")
    ]
    assert [(c.field, c.before, c.after) for c in deactivated.changes] == [
        ("active", "True", "False")
    ]


def test_roles_allow_what_the_roles_below_them_allow() -> None:
    assert Role.ADMIN.allows(Role.EDITOR) and Role.ADMIN.allows(Role.VIEWER)
    assert Role.EDITOR.allows(Role.VIEWER) and not Role.EDITOR.allows(Role.ADMIN)
    assert not Role.VIEWER.allows(Role.EDITOR)


def test_a_signed_session_reads_back_and_a_tampered_one_does_not() -> None:
    signer = SessionSigner("key one", max_age_seconds=3600)
    value = signer.dumps(Session(7, "token"))
    assert signer.loads(value) == Session(7, "token")
    # Change the signature's first character: every bit of it counts (the last
    # character of base64 carries padding bits, so changing it may change nothing).
    payload, _, signature = value.rpartition(".")
    first = "B" if signature[0] == "A" else "A"
    assert signer.loads(f"{payload}.{first}{signature[1:]}") is None
    assert signer.loads(value.replace("eyJ1Ijo3", "eyJ1Ijo4", 1)) is None
    assert SessionSigner("key two", 3600).loads(value) is None
    assert signer.loads("") is None


def test_csrf_tokens_must_match_exactly() -> None:
    session = Session(None, "abc")
    assert csrf_matches(session, "abc")
    assert not csrf_matches(session, "abd")
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, None)


def test_the_throttle_locks_an_account_for_a_doubling_delay() -> None:
    # free_attempts 3, base 5 s: failures 1-3 cost nothing; the 4th locks for 5 s, the
    # 5th for 10 s, the 6th for 20 s; the cap (here 30 s) stops the doubling.
    throttle = SignInThrottle(base_delay_seconds=5, max_delay_seconds=30)
    delays = [throttle.record_failure("a@b.example", "10.0.0.1", now=100.0) for _ in range(7)]
    assert delays == [0, 0, 0, 5, 10, 20, 30]
    assert throttle.retry_after("a@b.example", "10.0.0.2", now=110.0) == 20
    assert throttle.retry_after("A@B.example", "10.0.0.2", now=130.0) == 0
    # Another account from the same address is not locked by these (7 < 10 per address).
    assert throttle.retry_after("c@d.example", "10.0.0.1", now=100.0) == 0
    throttle.record_success("a@b.example", "10.0.0.1")
    assert throttle.retry_after("a@b.example", "10.0.0.1", now=100.0) == 0


def test_the_throttle_locks_an_address_trying_many_accounts() -> None:
    throttle = SignInThrottle(base_delay_seconds=5)
    for i in range(11):  # 11 accounts, one failure each: the 11th passes the address's 10
        throttle.record_failure(f"user{i}@b.example", "10.0.0.9", now=0.0)
    assert throttle.retry_after("someone@b.example", "10.0.0.9", now=1.0) == 4
    assert throttle.retry_after("someone@b.example", "10.0.0.8", now=1.0) == 0
