"""Accounts as people expect: NCSC password rules with their exact messages, changing and
resetting a password, removing a user; each ends the user's sessions."""

from __future__ import annotations

import sqlite3

import pytest

from forcestat.store.audit import audit_entries
from forcestat.store.sessions import session_for, start_session
from forcestat.store.users import (
    MAX_PASSWORD_LENGTH,
    AuthError,
    Role,
    add_user,
    authenticate,
    change_password,
    check_password,
    get_user,
    remove_user,
    reset_password,
    set_user_active,
)

GOOD = "correct horse battery"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "eleven char",
            "the password is 11 characters long; use at least 12 (a few unrelated words "
            "make a strong one)",
        ),
        ("x" * 100 + "y" * 157, "the password is 257 characters long; use at most 256"),
        # In the list as published (rank 263 of the 30,000), whatever its case.
        (
            "QWERTY123456",
            "the password is one of the most commonly used passwords, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)",
        ),
        # 'football' (in the list) with digits added to reach the length.
        (
            "football1234",
            "the password is one of the most commonly used passwords, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)",
        ),
        (
            "aaaaaaaaaaaa",
            "the password is one character or a short pattern repeated, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)",
        ),
        (
            "abcabcabcabc",
            "the password is one character or a short pattern repeated, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)",
        ),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(password: str, message: str) -> None:
    with pytest.raises(AuthError) as refused:
        check_password(password)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "password",
    # No rules on kinds of character: lower-case words, or digits and spaces, will do;
    # the longest allowed is allowed.
    [
        "correct horse battery",
        "1 22 333 4444",
        "Ω" * 11 + "ß",
        ("a long passphrase of words " * 10)[:256],
    ],
)
def test_a_password_of_any_characters_within_the_limits_is_accepted(password: str) -> None:
    check_password(password)


def test_the_maximum_length_is_the_same_at_creation_and_sign_in(
    records: sqlite3.Connection,
) -> None:
    longest = ("a long passphrase of words " * 10)[:MAX_PASSWORD_LENGTH]
    assert len(longest) == 256
    add_user(records, "a@b.example", longest, Role.VIEWER, actor="cli")
    assert authenticate(records, "a@b.example", longest) is not None
    with pytest.raises(AuthError, match="use at most 256"):
        add_user(records, "c@b.example", longest + "s", Role.VIEWER, actor="cli")
    # One character more never signs in (nor is it hashed).
    assert authenticate(records, "a@b.example", longest + "s") is None


def test_a_user_changes_their_password_and_their_sessions_end(
    records: sqlite3.Connection,
) -> None:
    user = add_user(records, "a@b.example", GOOD, Role.EDITOR, actor="cli")
    token, _ = start_session(records, user.user_id, hours=8)
    with pytest.raises(AuthError, match="the current password is not right"):
        change_password(records, user.user_id, "wrong password!", "purple elephant rain", actor="a")
    with pytest.raises(AuthError, match="most commonly used"):
        change_password(records, user.user_id, GOOD, "iloveyou1234", actor="a")
    assert session_for(records, token) is not None  # nothing changed yet
    change_password(records, user.user_id, GOOD, "purple elephant rain", actor="a@b.example")
    assert session_for(records, token) is None
    assert authenticate(records, "a@b.example", GOOD) is None
    assert authenticate(records, "a@b.example", "purple elephant rain") is not None
    entry = audit_entries(records, entity="user")[0]
    assert (entry.action, entry.actor) == ("user.password_change", "a@b.example")
    assert "argon2" not in (entry.after_json or "")


def test_a_reset_gives_a_temporary_password_that_must_be_changed(
    records: sqlite3.Connection,
) -> None:
    user = add_user(records, "a@b.example", GOOD, Role.EDITOR, actor="cli")
    token, _ = start_session(records, user.user_id, hours=8)
    temporary = reset_password(records, user.user_id, actor="admin@b.example")
    assert len(temporary) == 27
    assert session_for(records, token) is None
    assert authenticate(records, "a@b.example", GOOD) is None
    signed_in = authenticate(records, "a@b.example", temporary)
    assert signed_in is not None and signed_in.must_change_password
    change_password(records, user.user_id, temporary, "purple elephant rain", actor="a")
    changed = get_user(records, user.user_id)
    assert changed is not None and not changed.must_change_password


def test_deactivating_and_removing_end_sessions_and_removal_is_audited(
    records: sqlite3.Connection,
) -> None:
    user = add_user(records, "a@b.example", GOOD, Role.VIEWER, actor="cli")
    token, _ = start_session(records, user.user_id, hours=8)
    set_user_active(records, user.user_id, False, actor="admin@b.example")
    assert session_for(records, token) is None
    set_user_active(records, user.user_id, True, actor="admin@b.example")
    token, _ = start_session(records, user.user_id, hours=8)
    remove_user(records, user.user_id, actor="admin@b.example")
    assert session_for(records, token) is None
    assert get_user(records, user.user_id) is None
    removal = audit_entries(records, entity="user", entity_id=user.user_id)[0]
    assert (removal.action, removal.after_json) == ("user.remove", None)
    assert '"email": "a@b.example"' in (removal.before_json or "")
    # The email is free again.
    add_user(records, "a@b.example", "purple elephant rain", Role.VIEWER, actor="cli")
