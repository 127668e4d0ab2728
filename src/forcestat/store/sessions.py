"""Signed-in sessions and the sign-in throttle, kept in the records database.

- A session is a row: the cookie carries a random token and the server keeps only its
  SHA-256, with the user, the CSRF token and when it expires. Signing out, being
  deactivated or removed, and changing or having a password reset delete the rows, so a
  copied cookie stops working at once.
- ``SignInThrottle`` counts failed sign-ins per account and per client address in the
  same database, so a lock-out survives a restart and holds across server processes.

Example:
    >>> token = start_session(records, user_id=1, hours=8)  # doctest: +SKIP
    >>> session_for(records, token)  # doctest: +SKIP
    LiveSession(user_id=1, csrf_token='...')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from forcestat.store.records import records_transaction, utc_now

__all__ = [
    "LiveSession",
    "SignInThrottle",
    "end_session",
    "end_user_sessions",
    "session_for",
    "start_session",
]


@dataclass(frozen=True)
class LiveSession:
    """A signed-in session the server still holds: whose, and its CSRF token."""

    user_id: int
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(con: sqlite3.Connection, user_id: int, hours: float) -> tuple[str, str]:
    """Start a session for ``user_id`` lasting ``hours``; returns the cookie's token and
    the session's CSRF token. Expired sessions of anyone are cleared on the way."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utc_now()
    with records_transaction(con):
        con.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
        con.execute(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [_digest(token), user_id, csrf, now, now + dt.timedelta(hours=hours)],
        )
    return token, csrf


def session_for(con: sqlite3.Connection, token: str) -> LiveSession | None:
    """The live session the token names, or None (ended, expired or never started)."""
    row = con.execute(
        "SELECT user_id, csrf_token FROM sessions WHERE token_sha256 = ? AND expires_at >= ?",
        [_digest(token), utc_now()],
    ).fetchone()
    return LiveSession(int(row[0]), str(row[1])) if row else None


def end_session(con: sqlite3.Connection, token: str) -> None:
    """Sign out: the token no longer names a session."""
    with records_transaction(con):
        con.execute("DELETE FROM sessions WHERE token_sha256 = ?", [_digest(token)])


def end_user_sessions(con: sqlite3.Connection, user_id: int) -> int:
    """End every session of a user (call inside the caller's transaction); returns how
    many were ended."""
    return con.execute("DELETE FROM sessions WHERE user_id = ?", [user_id]).rowcount


@dataclass(frozen=True)
class SignInThrottle:
    """Failed sign-ins per account and per client address, with a growing lock-out.

    The first ``free_attempts`` failures on an account cost nothing; each one after
    locks the account for ``base_delay_seconds`` doubled for every further failure, up
    to ``max_delay_seconds``. Client addresses are counted the same way with a higher
    allowance (an office shares one address). While locked, attempts are refused
    without checking the password. Times are seconds since 1970 (UTC), so a lock-out
    outlives the process that set it.
    """

    free_attempts: int = 3
    free_attempts_per_address: int = 10
    base_delay_seconds: float = 5.0
    max_delay_seconds: float = 900.0

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str]:
        return f"account:{email.strip().lower()}", f"address:{address}"

    def retry_after(self, con: sqlite3.Connection, email: str, address: str, now: float) -> float:
        """Seconds until an attempt for ``email`` from ``address`` is allowed (0: now)."""
        rows = con.execute(
            "SELECT locked_until FROM signin_failures WHERE key IN (?, ?)",
            list(self._keys(email, address)),
        ).fetchall()
        return max([0.0, *(float(r[0]) - now for r in rows)])

    def _delay(self, failures: int, free: int) -> float:
        if failures <= free:
            return 0.0
        return float(
            min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (failures - free - 1))
        )

    def record_failure(
        self, con: sqlite3.Connection, email: str, address: str, now: float
    ) -> float:
        """Count a failure; return the delay now imposed before the next attempt."""
        delays = []
        with records_transaction(con):
            # Each is locked on its own count: one account under attack does not lock
            # out everyone else behind the same address.
            for key, free in zip(
                self._keys(email, address),
                (self.free_attempts, self.free_attempts_per_address),
                strict=True,
            ):
                row = con.execute(
                    "SELECT failures, locked_until FROM signin_failures WHERE key = ?", [key]
                ).fetchone()
                failures = (int(row[0]) if row else 0) + 1
                delay = self._delay(failures, free)
                locked_until = now + delay if delay else (float(row[1]) if row else 0.0)
                con.execute(
                    "INSERT INTO signin_failures (key, failures, locked_until) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                    "locked_until = excluded.locked_until",
                    [key, failures, locked_until],
                )
                delays.append(delay)
        return max(delays)

    def record_success(self, con: sqlite3.Connection, email: str, address: str) -> None:
        """A correct password clears the account's and the address's failures."""
        with records_transaction(con):
            con.execute(
                "DELETE FROM signin_failures WHERE key IN (?, ?)", list(self._keys(email, address))
            )
