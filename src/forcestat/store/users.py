"""Who may sign in to the dashboard: users, their roles and their passwords.

- Passwords are hashed with argon2id (``argon2-cffi`` defaults: the parameters and the
  salt are stored inside the hash, so they can be raised later without a migration).
- The role is read from the store on every request, so a demoted or deactivated user
  loses access at once.
- Every change to a user is written to the audit log in the same transaction; removing
  a user deletes the account and keeps its audit entries.
- Passwords follow the NCSC's guidance: at least ``MIN_PASSWORD_LENGTH`` characters, at
  most ``MAX_PASSWORD_LENGTH`` (the same limit at creation and at sign-in), not one of
  the most common passwords (``common_passwords.txt.gz``, shipped with the package) and
  not one character or short pattern repeated; no rules on kinds of character.
- Deactivating, removing, or changing or resetting a password ends the user's sessions.

Roles, lowest first: viewer (sees drafts), editor (edits milestones), admin (manages
users). Anonymous visitors see published pages only.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import secrets
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forcestat.errors import ForcestatError
from forcestat.store.audit import record_change
from forcestat.store.records import records_transaction as transaction
from forcestat.store.records import utc_now
from forcestat.store.sessions import end_user_sessions

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "AuthError",
    "Role",
    "User",
    "add_user",
    "authenticate",
    "change_password",
    "check_password",
    "find_user",
    "get_user",
    "hash_password",
    "list_users",
    "remove_user",
    "reset_password",
    "set_user_active",
    "set_user_role",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase or password manager; short enough that hashing a
# submitted password costs a bounded time. The same limit applies at sign-in.
MAX_PASSWORD_LENGTH = 256
_COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt.gz")
# Characters people add to the end of a common password to pass a length rule.
_TRAILING = "0123456789!?.*#$@ "
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
# Checked against when the account does not exist, so an unknown email costs the same
# time as a wrong password and the response does not tell which it was.
_UNKNOWN_USER_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class AuthError(ForcestatError):
    """A user cannot be created or changed as asked."""


class Role(StrEnum):
    """What a signed-in user may do; each role may do everything of the roles below it."""

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return (Role.VIEWER, Role.EDITOR, Role.ADMIN).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    role: Role
    active: bool
    created_at: dt.datetime
    must_change_password: bool = False

    def record(self) -> dict[str, Any]:
        """The user as the audit log shows it (never the password hash)."""
        return {"email": self.email, "role": self.role.value, "active": self.active}


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, with its salt and parameters."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), str(row[1]), Role(row[2]), bool(row[3]), row[4], bool(row[5]))


_USER_COLUMNS = "user_id, email, role, active, created_at, must_change_password"


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if not line.startswith("#"))


def _repeats_a_short_pattern(password: str) -> bool:
    """'aaaaaaaaaaaa', 'abcabcabcabc', '121212121212': one run of at most 4 characters
    over and over."""
    return any(
        len(password) % size == 0 and password == password[:size] * (len(password) // size)
        for size in range(1, 5)
    )


def check_password(password: str) -> None:
    """Refuse, saying why, a password too short, too long, among the most common, or one
    character or short pattern repeated. Nothing else: no rules on kinds of character."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"the password is {len(password)} characters long; use at least "
            f"{MIN_PASSWORD_LENGTH} (a few unrelated words make a strong one)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(
            f"the password is {len(password)} characters long; use at most {MAX_PASSWORD_LENGTH}"
        )
    lowered = password.lower()
    common = _common_passwords()
    if lowered in common or lowered.rstrip(_TRAILING) in common:
        raise AuthError(
            "the password is one of the most commonly used passwords, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)"
        )
    if _repeats_a_short_pattern(lowered):
        raise AuthError(
            "the password is one character or a short pattern repeated, so it is easily "
            "guessed; choose another (a few unrelated words make a strong one)"
        )


def get_user(con: sqlite3.Connection, user_id: int) -> User | None:
    """The user with this id, if any."""
    row = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE user_id = ?", [user_id]).fetchone()
    return _user(row) if row else None


def list_users(con: sqlite3.Connection) -> list[User]:
    """Every user, by email."""
    rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY email").fetchall()
    return [_user(r) for r in rows]


def _check_new_user(email: str, password: str) -> None:
    if not _EMAIL.match(email):
        raise AuthError(f"{email!r} is not an email address; give one such as name@opcc.example")
    check_password(password)


def add_user(con: sqlite3.Connection, email: str, password: str, role: Role, *, actor: str) -> User:
    """Create an active user, audited as ``actor``. Refuses a duplicate email, a
    malformed email or a short password, saying which."""
    email = email.strip().lower()
    _check_new_user(email, password)
    password_hash = hash_password(password)
    with transaction(con):
        taken = con.execute("SELECT count(*) FROM users WHERE email = ?", [email]).fetchone()
        if taken and taken[0]:
            raise AuthError(f"a user {email} already exists; choose another email")
        cursor = con.execute(
            "INSERT INTO users (email, password_hash, role, active, created_at) "
            "VALUES (?, ?, ?, 1, ?)",
            [email, password_hash, role.value, utc_now()],
        )
        assert cursor.lastrowid is not None
        user = get_user(con, int(cursor.lastrowid))
        assert user is not None
        record_change(
            con,
            actor=actor,
            action="user.add",
            entity="user",
            entity_id=user.user_id,
            before=None,
            after=user.record(),
        )
    return user


def _change_user(
    con: sqlite3.Connection, user_id: int, column: str, value: Any, action: str, actor: str
) -> User:
    with transaction(con):
        before = get_user(con, user_id)
        if before is None:
            raise AuthError(f"there is no user {user_id}")
        # column is one of two names fixed by the callers below, never user input.
        con.execute(f"UPDATE users SET {column} = ? WHERE user_id = ?", [value, user_id])
        if column == "active" and not value:
            end_user_sessions(con, user_id)
        after = get_user(con, user_id)
        assert after is not None
        record_change(
            con,
            actor=actor,
            action=action,
            entity="user",
            entity_id=user_id,
            before=before.record(),
            after=after.record(),
        )
    return after


def set_user_role(con: sqlite3.Connection, user_id: int, role: Role, *, actor: str) -> User:
    """Give a user another role, audited."""
    return _change_user(con, user_id, "role", role.value, "user.role", actor)


def set_user_active(con: sqlite3.Connection, user_id: int, active: bool, *, actor: str) -> User:
    """Let a user sign in again, or stop them (their sessions end at once)."""
    return _change_user(
        con, user_id, "active", active, "user.activate" if active else "user.deactivate", actor
    )


def authenticate(con: sqlite3.Connection, email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes the same time
    whether or not the email is known. A password longer than any that can be set is
    refused without hashing it."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    row = con.execute(
        f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE email = ?",
        [email.strip().lower()],
    ).fetchone()
    if row is None:
        verify_password(_UNKNOWN_USER_HASH, password)
        return None
    if not verify_password(str(row[6]), password):
        return None
    user = _user(row[:6])
    return user if user.active else None


def _set_password(
    con: sqlite3.Connection, user: User, password: str, must_change: bool, action: str, actor: str
) -> User:
    con.execute(
        "UPDATE users SET password_hash = ?, must_change_password = ? WHERE user_id = ?",
        [hash_password(password), must_change, user.user_id],
    )
    end_user_sessions(con, user.user_id)
    after = get_user(con, user.user_id)
    assert after is not None
    record_change(
        con,
        actor=actor,
        action=action,
        entity="user",
        entity_id=user.user_id,
        before={**user.record(), "must_change_password": user.must_change_password},
        after={**after.record(), "must_change_password": after.must_change_password},
    )
    return after


def change_password(
    con: sqlite3.Connection, user_id: int, current: str, new: str, *, actor: str
) -> User:
    """A user sets their own password, giving the current one (or the temporary one an
    admin set). Ends every session of theirs: the caller starts a new one."""
    with transaction(con):
        row = con.execute("SELECT password_hash FROM users WHERE user_id = ?", [user_id]).fetchone()
        user = get_user(con, user_id)
        if row is None or user is None:
            raise AuthError(f"there is no user {user_id}")
        if len(current) > MAX_PASSWORD_LENGTH or not verify_password(str(row[0]), current):
            raise AuthError("the current password is not right; type it again")
        if new == current:
            raise AuthError("the new password is the same as the current one; choose another")
        check_password(new)
        return _set_password(con, user, new, False, "user.password_change", actor)


def reset_password(con: sqlite3.Connection, user_id: int, *, actor: str) -> str:
    """An admin resets a user's password: returns a temporary password that works once,
    to sign in and choose a new one. The user's sessions end."""
    temporary = "-".join(secrets.token_hex(3) for _ in range(4))  # 27 characters
    with transaction(con):
        user = get_user(con, user_id)
        if user is None:
            raise AuthError(f"there is no user {user_id}")
        _set_password(con, user, temporary, True, "user.password_reset", actor)
    return temporary


def remove_user(con: sqlite3.Connection, user_id: int, *, actor: str) -> User:
    """Delete a user's account and end their sessions; the audit log keeps the account
    as it was and every change they made."""
    with transaction(con):
        user = get_user(con, user_id)
        if user is None:
            raise AuthError(f"there is no user {user_id}")
        end_user_sessions(con, user_id)
        con.execute("DELETE FROM users WHERE user_id = ?", [user_id])
        record_change(
            con,
            actor=actor,
            action="user.remove",
            entity="user",
            entity_id=user_id,
            before=user.record(),
            after=None,
        )
    return user


def find_user(con: sqlite3.Connection, email: str) -> User | None:
    """The user with this email, if any."""
    row = con.execute(
        f"SELECT {_USER_COLUMNS} FROM users WHERE email = ?", [email.strip().lower()]
    ).fetchone()
    return _user(row) if row else None
