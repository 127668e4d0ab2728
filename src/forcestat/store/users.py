"""Who may sign in to the dashboard: users, their roles and their passwords.

- Passwords are hashed with argon2id (``argon2-cffi`` defaults: the parameters and the
  salt are stored inside the hash, so they can be raised later without a migration).
- The role is read from the store on every request, so a demoted or deactivated user
  loses access at once.
- Every change to a user is written to the audit log in the same transaction.

Roles, lowest first: viewer (sees drafts), editor (edits milestones), admin (manages
users). Anonymous visitors see published pages only.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forcestat.errors import ForcestatError
from forcestat.store.audit import record_change
from forcestat.store.database import transaction

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AuthError",
    "Role",
    "User",
    "add_user",
    "authenticate",
    "get_user",
    "hash_password",
    "list_users",
    "set_user_active",
    "set_user_role",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
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
    return User(int(row[0]), str(row[1]), Role(row[2]), bool(row[3]), row[4])


_USER_COLUMNS = "user_id, email, role, active, created_at"


def get_user(con: duckdb.DuckDBPyConnection, user_id: int) -> User | None:
    """The user with this id, if any."""
    row = con.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE user_id = ?", [user_id]).fetchone()
    return _user(row) if row else None


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    """Every user, by email."""
    rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY email").fetchall()
    return [_user(r) for r in rows]


def _check_new_user(email: str, password: str) -> None:
    if not _EMAIL.match(email):
        raise AuthError(f"{email!r} is not an email address; give one such as name@opcc.example")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"the password is {len(password)} characters long; use at least "
            f"{MIN_PASSWORD_LENGTH} (a few unrelated words make a strong one)"
        )


def add_user(
    con: duckdb.DuckDBPyConnection, email: str, password: str, role: Role, *, actor: str
) -> User:
    """Create an active user, audited as ``actor``. Refuses a duplicate email, a
    malformed email or a short password, saying which."""
    email = email.strip().lower()
    _check_new_user(email, password)
    password_hash = hash_password(password)
    with transaction(con):
        taken = con.execute("SELECT count(*) FROM users WHERE email = ?", [email]).fetchone()
        if taken and taken[0]:
            raise AuthError(f"a user {email} already exists; choose another email")
        row = con.execute(
            "INSERT INTO users VALUES (nextval('user_id_seq'), ?, ?, ?, true, now()::TIMESTAMP) "
            f"RETURNING {_USER_COLUMNS}",
            [email, password_hash, role.value],
        ).fetchone()
        assert row is not None
        user = _user(row)
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
    con: duckdb.DuckDBPyConnection, user_id: int, column: str, value: Any, action: str, actor: str
) -> User:
    with transaction(con):
        before = get_user(con, user_id)
        if before is None:
            raise AuthError(f"there is no user {user_id}")
        # column is one of two names fixed by the callers below, never user input.
        con.execute(f"UPDATE users SET {column} = ? WHERE user_id = ?", [value, user_id])
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


def set_user_role(con: duckdb.DuckDBPyConnection, user_id: int, role: Role, *, actor: str) -> User:
    """Give a user another role, audited."""
    return _change_user(con, user_id, "role", role.value, "user.role", actor)


def set_user_active(
    con: duckdb.DuckDBPyConnection, user_id: int, active: bool, *, actor: str
) -> User:
    """Let a user sign in again, or stop them (their session ends at its next request)."""
    return _change_user(
        con, user_id, "active", active, "user.activate" if active else "user.deactivate", actor
    )


def authenticate(con: duckdb.DuckDBPyConnection, email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Takes the same time
    whether or not the email is known."""
    row = con.execute(
        f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE email = ?",
        [email.strip().lower()],
    ).fetchone()
    if row is None:
        verify_password(_UNKNOWN_USER_HASH, password)
        return None
    if not verify_password(str(row[5]), password):
        return None
    user = _user(row[:5])
    return user if user.active else None
