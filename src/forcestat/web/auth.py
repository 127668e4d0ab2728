"""The dashboard's session cookie and CSRF tokens.

- The cookie is signed (``itsdangerous``) and carries the CSRF token every form must
  echo and, once signed in, the random token of a session the server keeps
  (``forcestat.store.sessions``). The user and their role are read from the records on
  every request, and signing out or being deactivated deletes the server's session, so
  a copied cookie stops working at once.
- A post whose CSRF token does not match the signed cookie is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = [
    "Session",
    "SessionSigner",
    "csrf_matches",
    "new_session",
]


@dataclass(frozen=True)
class Session:
    """What the signed session cookie carries: the server-side session's token (None
    when anonymous) and the CSRF token every form must echo."""

    token: str | None
    csrf_token: str


def new_session(token: str | None = None, csrf_token: str | None = None) -> Session:
    """A session with a fresh CSRF token (a new one at each sign-in and sign-out)."""
    return Session(token, csrf_token or secrets.token_urlsafe(32))


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
        return str(self._serializer.dumps({"t": session.token, "c": session.csrf_token}))

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        token = data.get("t")
        return Session(token if isinstance(token, str) else None, data["c"])
