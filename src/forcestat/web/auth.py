"""Signed-in sessions for the dashboard: the session cookie, CSRF and throttling.

- A session is a signed cookie (``itsdangerous``): the user id and a CSRF token, with a
  timestamp checked against the maximum age. Nothing secret is in it; the user and their
  role are read from the store (``forcestat.store.users``) on every request, so a
  demoted or deactivated user loses access at once.
- Every form carries the session's CSRF token; a post whose token does not match the
  signed cookie is refused.
- ``SignInThrottle`` slows repeated failures: after a few failed attempts on an account,
  or from a client address, further attempts are refused for a delay that doubles with
  each failure.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = [
    "Session",
    "SessionSigner",
    "SignInThrottle",
    "csrf_matches",
    "new_session",
]


@dataclass(frozen=True)
class Session:
    """What the signed session cookie carries: the signed-in user (None when anonymous)
    and the CSRF token every form must echo."""

    user_id: int | None
    csrf_token: str


def new_session(user_id: int | None = None) -> Session:
    """A session with a fresh CSRF token (a new one at each sign-in and sign-out)."""
    return Session(user_id, secrets.token_urlsafe(32))


def csrf_matches(session: Session, submitted: str | None) -> bool:
    """Whether a form's token is the session's, compared in constant time."""
    return bool(submitted) and hmac.compare_digest(session.csrf_token, str(submitted))


class SessionSigner:
    """Signs sessions into cookie values and reads them back, refusing any value that
    was altered, signed with another key, or is older than ``max_age_seconds``."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="forcestat-session")
        self.max_age_seconds = max_age_seconds

    def dumps(self, session: Session) -> str:
        return str(self._serializer.dumps({"u": session.user_id, "c": session.csrf_token}))

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user_id = data.get("u")
        return Session(user_id if isinstance(user_id, int) else None, data["c"])


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


@dataclass
class SignInThrottle:
    """Failed sign-ins per account and per client address, with a growing lock-out.

    The first ``free_attempts`` failures on an account cost nothing; each one after
    locks the account for ``base_delay_seconds`` doubled for every further failure, up
    to ``max_delay_seconds``. Client addresses are counted the same way with a higher
    allowance (an office shares one address). While locked, attempts are refused
    without checking the password. State is in memory: one server process.
    """

    free_attempts: int = 3
    free_attempts_per_address: int = 10
    base_delay_seconds: float = 5.0
    max_delay_seconds: float = 900.0
    _accounts: dict[str, _Failures] = field(default_factory=dict)
    _addresses: dict[str, _Failures] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, email: str, address: str, now: float) -> float:
        """Seconds until an attempt for ``email`` from ``address`` is allowed (0: now)."""
        with self._lock:
            waits = [
                f.locked_until - now
                for f in (
                    self._accounts.get(email.strip().lower()),
                    self._addresses.get(address),
                )
                if f is not None
            ]
        return max([0.0, *waits])

    def _delay(self, failures: int, free: int) -> float:
        if failures <= free:
            return 0.0
        return float(
            min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (failures - free - 1))
        )

    def record_failure(self, email: str, address: str, now: float) -> float:
        """Count a failure; return the delay now imposed before the next attempt."""
        with self._lock:
            account = self._accounts.setdefault(email.strip().lower(), _Failures())
            origin = self._addresses.setdefault(address, _Failures())
            account.count += 1
            origin.count += 1
            # Each is locked on its own count: one account under attack does not lock
            # out everyone else behind the same address.
            account_delay = self._delay(account.count, self.free_attempts)
            address_delay = self._delay(origin.count, self.free_attempts_per_address)
            if account_delay:
                account.locked_until = now + account_delay
            if address_delay:
                origin.locked_until = now + address_delay
        return max(account_delay, address_delay)

    def record_success(self, email: str, address: str) -> None:
        """A correct password clears the account's and the address's failures."""
        with self._lock:
            self._accounts.pop(email.strip().lower(), None)
            self._addresses.pop(address, None)
