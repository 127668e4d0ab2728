"""The audit log: who changed what, when, with the record before and after the change.

Append only. This module inserts rows and reads them; no function anywhere in forcestat
updates or deletes an ``audit_log`` row (a test reads the source to keep it so). A
change and its audit entry are written in the caller's transaction, so one is never
stored without the other.

Example:
    >>> record_change(con, actor="analyst@opcc.example", action="milestone.create",
    ...     entity="milestone", entity_id=1, before=None, after={"title": "CCTV"})  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forcestat.store.records import utc_now

__all__ = ["AuditEntry", "FieldChange", "audit_entries", "record_change", "to_json"]


def to_json(record: Mapping[str, Any] | None) -> str | None:
    """A record as JSON text with sorted keys; dates and other values as their text."""
    if record is None:
        return None
    return json.dumps(dict(record), sort_keys=True, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between the record before and after a change."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log. ``before_json``/``after_json`` are None for a record
    that did not exist before (a creation) or after the change."""

    audit_id: int
    changed_at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before_json: str | None
    after_json: str | None

    @property
    def changes(self) -> tuple[FieldChange, ...]:
        """The fields that differ, in name order, each value as text ('' when absent)."""
        before = json.loads(self.before_json) if self.before_json else {}
        after = json.loads(self.after_json) if self.after_json else {}

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        return tuple(
            FieldChange(name, text(before.get(name)), text(after.get(name)))
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        )


def record_change(
    con: sqlite3.Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> int:
    """Append one entry to the audit log and return its id. Call it inside the
    transaction that makes the change."""
    cursor = con.execute(
        "INSERT INTO audit_log (changed_at, actor, action, entity, entity_id, before_json, "
        "after_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [utc_now(), actor, action, entity, str(entity_id), to_json(before), to_json(after)],
    )
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def audit_entries(
    con: sqlite3.Connection,
    *,
    entity: str | None = None,
    entity_id: int | str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The latest entries first, optionally those of one entity or one record of it."""
    sql = "SELECT * FROM audit_log WHERE 1 = 1"
    params: list[Any] = []
    if entity is not None:
        sql += " AND entity = ?"
        params.append(entity)
    if entity_id is not None:
        sql += " AND entity_id = ?"
        params.append(str(entity_id))
    sql += " ORDER BY audit_id DESC LIMIT ?"
    params.append(limit)
    return [AuditEntry(*row) for row in con.execute(sql, params).fetchall()]
