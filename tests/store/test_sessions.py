"""Server-side sessions: only a hash of the token is kept; ended or expired sessions are
gone."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3

from forcestat.store.sessions import end_session, session_for, start_session


def test_a_session_lives_until_it_ends(records: sqlite3.Connection) -> None:
    token, csrf = start_session(records, user_id=4, hours=8)
    live = session_for(records, token)
    assert live is not None and (live.user_id, live.csrf_token) == (4, csrf)
    # The token itself is not stored: a copy of the file signs no one in.
    (kept,) = records.execute("SELECT token_sha256 FROM sessions").fetchall()
    assert kept == (hashlib.sha256(token.encode()).hexdigest(),)
    assert session_for(records, token + "x") is None
    end_session(records, token)
    assert session_for(records, token) is None


def test_an_expired_session_is_not_live(records: sqlite3.Connection) -> None:
    token, _ = start_session(records, user_id=4, hours=8)
    records.execute("UPDATE sessions SET expires_at = ?", [dt.datetime(2020, 1, 1, 0, 0)])
    assert session_for(records, token) is None
