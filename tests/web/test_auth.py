"""Passwords, users, sessions and the sign-in throttle, against values worked by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from forcestat.store.audit import audit_entries
from forcestat.store.records import open_records
from forcestat.store.sessions import SignInThrottle
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
from forcestat.web.auth import Session, SessionSigner, csrf_matches


def test_a_password_hash_is_argon2id_and_verifies_only_the_password() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert "a long enough password" not in hashed
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a long enough passwore")
    assert not verify_password("not a hash", "anything")


def test_users_are_added_audited_and_authenticated(records: sqlite3.Connection) -> None:
    user = add_user(records, " Analyst@OPCC.example ", "twelve chars!", Role.EDITOR, actor="cli")
    assert user.email == "analyst@opcc.example"
    assert authenticate(records, "analyst@opcc.example", "twelve chars!") == user
    assert authenticate(records, "ANALYST@opcc.example", "twelve chars!") == user
    assert authenticate(records, "analyst@opcc.example", "wrong password") is None
    assert authenticate(records, "nobody@opcc.example", "twelve chars!") is None
    (entry,) = audit_entries(records, entity="user")
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
    records: sqlite3.Connection, email: str, password: str, message: str
) -> None:
    with pytest.raises(AuthError, match=message):
        add_user(records, email, password, Role.VIEWER, actor="cli")


def test_a_duplicate_email_is_refused_and_nothing_is_audited(
    records: sqlite3.Connection,
) -> None:
    add_user(records, "a@b.example", "twelve chars!", Role.VIEWER, actor="cli")
    with pytest.raises(AuthError, match="already exists"):
        add_user(records, "A@b.example", "twelve chars!!", Role.ADMIN, actor="cli")
    assert len(audit_entries(records, entity="user")) == 1


def test_role_and_deactivation_changes_are_audited_before_and_after(
    records: sqlite3.Connection,
) -> None:
    user = add_user(records, "a@b.example", "twelve chars!", Role.VIEWER, actor="cli")
    set_user_role(records, user.user_id, Role.EDITOR, actor="admin@b.example")
    set_user_active(records, user.user_id, False, actor="admin@b.example")
    assert authenticate(records, "a@b.example", "twelve chars!") is None
    deactivated, promoted, _ = audit_entries(records, entity="user", entity_id=user.user_id)
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
    value = signer.dumps(Session("server token", "csrf"))
    assert signer.loads(value) == Session("server token", "csrf")
    # Change the signature's first character: every bit of it counts (the last
    # character of base64 carries padding bits, so changing it may change nothing).
    payload, _, signature = value.rpartition(".")
    first = "B" if signature[0] == "A" else "A"
    assert signer.loads(f"{payload}.{first}{signature[1:]}") is None
    # The payload altered ('{"t":"server' made '{"t":"terver') is refused too.
    assert value.startswith("eyJ0Ijoic2VydmVy")
    assert signer.loads("eyJ0IjoidGVydmVy" + value[len("eyJ0Ijoic2VydmVy") :]) is None
    assert SessionSigner("key two", 3600).loads(value) is None
    assert signer.loads("") is None


def test_csrf_tokens_must_match_exactly() -> None:
    session = Session(None, "abc")
    assert csrf_matches(session, "abc")
    assert not csrf_matches(session, "abd")
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, None)


def test_the_throttle_locks_an_account_for_a_doubling_delay(records: sqlite3.Connection) -> None:
    # free_attempts 3, base 5 s: failures 1-3 cost nothing; the 4th locks for 5 s, the
    # 5th for 10 s, the 6th for 20 s; the cap (here 30 s) stops the doubling.
    throttle = SignInThrottle(base_delay_seconds=5, max_delay_seconds=30)
    delays = [
        throttle.record_failure(records, "a@b.example", "10.0.0.1", now=100.0) for _ in range(7)
    ]
    assert delays == [0, 0, 0, 5, 10, 20, 30]
    assert throttle.retry_after(records, "a@b.example", "10.0.0.2", now=110.0) == 20
    assert throttle.retry_after(records, "A@B.example", "10.0.0.2", now=130.0) == 0
    # Another account from the same address is not locked by these (7 < 10 per address).
    assert throttle.retry_after(records, "c@d.example", "10.0.0.1", now=100.0) == 0
    throttle.record_success(records, "a@b.example", "10.0.0.1")
    assert throttle.retry_after(records, "a@b.example", "10.0.0.1", now=100.0) == 0


def test_the_throttle_locks_an_address_trying_many_accounts(records: sqlite3.Connection) -> None:
    throttle = SignInThrottle(base_delay_seconds=5)
    for i in range(11):  # 11 accounts, one failure each: the 11th passes the address's 10
        throttle.record_failure(records, f"user{i}@b.example", "10.0.0.9", now=0.0)
    assert throttle.retry_after(records, "someone@b.example", "10.0.0.9", now=1.0) == 4
    assert throttle.retry_after(records, "someone@b.example", "10.0.0.8", now=1.0) == 0


def test_the_throttle_survives_a_restart_and_is_shared_between_processes(
    tmp_path: Path,
) -> None:
    # Two connections stand for two server processes, or one before and after a restart.
    throttle = SignInThrottle(base_delay_seconds=5)
    first = open_records(tmp_path / "s.duckdb")
    for _ in range(4):
        throttle.record_failure(first, "a@b.example", "10.0.0.1", now=1000.0)
    first.close()
    second = open_records(tmp_path / "s.duckdb")
    assert throttle.retry_after(second, "a@b.example", "10.0.0.7", now=1001.0) == 4
    second.close()
