"""Recorded rebases of process behaviour charts: who decided, when and why.

A rebase recalculates a measure's limits from a month where the process changed (a new
crime recording standard, a new team, a pandemic). forcestat suggests rebases where it
finds a sustained shift but never applies one by itself: an analyst records it here, and
every chart of that measure and force (the ``spc`` command, the report, the dashboard)
then draws it with its reason. A rebase is withdrawn, never deleted: the row keeps who
withdrew it and why, and each change goes to the audit log in the same transaction.

Example:
    >>> record_rebase(con, measure_id="burglary_policeuk", area="City of London Police",
    ...     month=dt.date(2020, 4, 1), reason="First national lockdown",
    ...     recorded_by="analyst@opcc.example")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

from forcestat.errors import ForcestatError
from forcestat.spc.xmr import Rebase
from forcestat.store.audit import record_change
from forcestat.store.records import records_transaction as transaction
from forcestat.store.records import utc_now

__all__ = [
    "MAX_REASON_LENGTH",
    "RebaseError",
    "RebaseRecord",
    "active_rebases",
    "rebase_records",
    "rebases_version",
    "record_rebase",
    "withdraw_rebase",
]

# Long enough for a sentence with a reference to a board paper; short enough for a chart.
MAX_REASON_LENGTH = 300


class RebaseError(ForcestatError):
    """A rebase that cannot be recorded or withdrawn as asked."""


@dataclass(frozen=True)
class RebaseRecord:
    """One recorded rebase; ``withdrawn_at`` is None while it applies."""

    rebase_id: int
    measure_id: str
    area: str
    month: dt.date
    reason: str
    recorded_by: str
    recorded_at: dt.datetime
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def as_rebase(self) -> Rebase:
        """The rebase as the SPC engine takes it."""
        return Rebase(self.month, self.reason, self.recorded_by, self.recorded_at)


_COLUMNS = (
    "rebase_id, measure_id, area, month, reason, recorded_by, recorded_at, "
    "withdrawn_by, withdrawn_at, withdrawn_reason"
)


def _record(row: tuple[Any, ...]) -> RebaseRecord:
    return RebaseRecord(*row)


def _text(value: str, what: str, limit: int) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise RebaseError(f"a rebase needs {what}")
    if len(cleaned) > limit:
        raise RebaseError(f"{what} is {len(cleaned)} characters; at most {limit} are kept")
    return cleaned


def rebase_records(
    con: sqlite3.Connection,
    *,
    measure_id: str | None = None,
    area: str | None = None,
    include_withdrawn: bool = False,
) -> list[RebaseRecord]:
    """Recorded rebases, by measure, area and month, optionally of one measure or area."""
    sql = f"SELECT {_COLUMNS} FROM spc_rebases WHERE 1 = 1"
    params: list[Any] = []
    if measure_id is not None:
        sql += " AND measure_id = ?"
        params.append(measure_id)
    if area is not None:
        sql += " AND area = ?"
        params.append(area)
    if not include_withdrawn:
        sql += " AND withdrawn_at IS NULL"
    sql += " ORDER BY measure_id, area, month, rebase_id"
    return [_record(row) for row in con.execute(sql, params).fetchall()]


def active_rebases(con: sqlite3.Connection, measure_id: str, area: str) -> tuple[Rebase, ...]:
    """The rebases that apply to the measure's chart for the area, in month order."""
    return tuple(r.as_rebase() for r in rebase_records(con, measure_id=measure_id, area=area))


def record_rebase(
    con: sqlite3.Connection,
    *,
    measure_id: str,
    area: str,
    month: dt.date,
    reason: str,
    recorded_by: str,
) -> RebaseRecord:
    """Record that the measure's limits for ``area`` are recalculated from ``month``.

    The caller checks that the measure and area exist; this refuses an empty or overlong
    reason or name, a month that is not a first of month, and a second active rebase of
    the same measure, area and month.
    """
    reason = _text(reason, "a reason", MAX_REASON_LENGTH)
    recorded_by = _text(recorded_by, "the name of who records it", 200)
    if month.day != 1:
        raise RebaseError(f"a rebase starts at a month, not on {month.isoformat()}")
    existing = [
        r for r in rebase_records(con, measure_id=measure_id, area=area) if r.month == month
    ]
    if existing:
        raise RebaseError(
            f"{measure_id} for {area} is already rebased from {month:%Y-%m} "
            f"(rebase {existing[0].rebase_id}); withdraw it first to change its reason"
        )
    with transaction(con):
        cursor = con.execute(
            "INSERT INTO spc_rebases (measure_id, area, month, reason, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [measure_id, area, month, reason, recorded_by, utc_now()],
        )
        row = con.execute(
            f"SELECT {_COLUMNS} FROM spc_rebases WHERE rebase_id = ?", [cursor.lastrowid]
        ).fetchone()
        assert row is not None
        record = _record(row)
        record_change(
            con,
            actor=recorded_by,
            action="spc_rebase.record",
            entity="spc_rebase",
            entity_id=record.rebase_id,
            before=None,
            after=asdict(record),
        )
    return record


def withdraw_rebase(
    con: sqlite3.Connection, rebase_id: int, *, withdrawn_by: str, reason: str
) -> RebaseRecord:
    """Stop applying a recorded rebase, keeping it with who withdrew it and why."""
    reason = _text(reason, "a reason", MAX_REASON_LENGTH)
    withdrawn_by = _text(withdrawn_by, "the name of who withdraws it", 200)
    found = con.execute(
        f"SELECT {_COLUMNS} FROM spc_rebases WHERE rebase_id = ?", [rebase_id]
    ).fetchone()
    if found is None:
        raise RebaseError(f"there is no rebase {rebase_id}; 'forcestat rebase list' shows them")
    before = _record(found)
    if not before.active:
        raise RebaseError(
            f"rebase {rebase_id} was already withdrawn by {before.withdrawn_by} "
            f"on {before.withdrawn_at:%Y-%m-%d}"
        )
    with transaction(con):
        con.execute(
            "UPDATE spc_rebases SET withdrawn_by = ?, withdrawn_at = ?, "
            "withdrawn_reason = ? WHERE rebase_id = ?",
            [withdrawn_by, utc_now(), reason, rebase_id],
        )
        row = con.execute(
            f"SELECT {_COLUMNS} FROM spc_rebases WHERE rebase_id = ?", [rebase_id]
        ).fetchone()
        assert row is not None
        after = _record(row)
        record_change(
            con,
            actor=withdrawn_by,
            action="spc_rebase.withdraw",
            entity="spc_rebase",
            entity_id=rebase_id,
            before=asdict(before),
            after=asdict(after),
        )
    return after


def rebases_version(con: sqlite3.Connection) -> tuple[int, int]:
    """Changes whenever a rebase is recorded or withdrawn (each redraws a chart): the
    latest rebase id and the number withdrawn."""
    row = con.execute(
        "SELECT coalesce(max(rebase_id), 0), count(withdrawn_at) FROM spc_rebases"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)
