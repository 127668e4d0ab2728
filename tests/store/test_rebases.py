"""Recorded rebases: who, when and why; withdrawn, never deleted; every change audited."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from forcestat.spc.rebases import fit_rebases
from forcestat.spc.xmr import Rebase
from forcestat.store.audit import audit_entries
from forcestat.store.rebases import (
    MAX_REASON_LENGTH,
    RebaseError,
    RebaseRecord,
    active_rebases,
    rebase_records,
    record_rebase,
    withdraw_rebase,
)

COL = "City of London"
APRIL_2020 = dt.date(2020, 4, 1)


def record(
    con: sqlite3.Connection, month: dt.date = APRIL_2020, reason: str = "Lockdown"
) -> RebaseRecord:
    return record_rebase(
        con,
        measure_id="burglary_policeuk",
        area=COL,
        month=month,
        reason=reason,
        recorded_by="analyst@opcc.example",
    )


def test_a_recorded_rebase_applies_with_who_when_and_why(records: sqlite3.Connection) -> None:
    before = dt.datetime.now() - dt.timedelta(minutes=1)
    made = record(records, reason="  First national   lockdown ")
    assert made.reason == "First national lockdown"  # spaces tidied, words kept
    assert made.recorded_by == "analyst@opcc.example"
    assert made.recorded_at >= before and made.active
    (applied,) = active_rebases(records, "burglary_policeuk", COL)
    assert (applied.month, applied.reason) == (APRIL_2020, "First national lockdown")
    assert active_rebases(records, "burglary_policeuk", "West Midlands Police") == ()
    assert active_rebases(records, "robbery_policeuk", COL) == ()


def test_rebases_come_back_in_month_order(records: sqlite3.Connection) -> None:
    record(records, dt.date(2021, 1, 1), "Second")
    record(records, APRIL_2020, "First")
    assert [r.reason for r in active_rebases(records, "burglary_policeuk", COL)] == [
        "First",
        "Second",
    ]


def test_the_same_month_twice_is_refused_and_nothing_is_added(
    records: sqlite3.Connection,
) -> None:
    first = record(records)
    with pytest.raises(
        RebaseError, match=f"already rebased from 2020-04 \\(rebase {first.rebase_id}\\)"
    ):
        record(records, reason="again")
    assert len(rebase_records(records, include_withdrawn=True)) == 1


@pytest.mark.parametrize(
    ("month", "reason", "message"),
    [
        (APRIL_2020, "   ", "needs a reason"),
        (APRIL_2020, "x" * (MAX_REASON_LENGTH + 1), f"at most {MAX_REASON_LENGTH}"),
        (dt.date(2020, 4, 15), "Lockdown", "starts at a month"),
    ],
)
def test_bad_rebases_are_refused(
    records: sqlite3.Connection, month: dt.date, reason: str, message: str
) -> None:
    with pytest.raises(RebaseError, match=message):
        record(records, month, reason)
    assert rebase_records(records, include_withdrawn=True) == []
    assert audit_entries(records, entity="spc_rebase") == []


def test_withdrawing_keeps_the_record_and_stops_applying_it(
    records: sqlite3.Connection,
) -> None:
    made = record(records)
    gone = withdraw_rebase(
        records, made.rebase_id, withdrawn_by="lead@opcc.example", reason="Recorded in error"
    )
    assert not gone.active
    assert (gone.withdrawn_by, gone.withdrawn_reason) == ("lead@opcc.example", "Recorded in error")
    assert active_rebases(records, "burglary_policeuk", COL) == ()
    (kept,) = rebase_records(records, include_withdrawn=True)
    assert kept.reason == "Lockdown" and kept.withdrawn_at is not None
    with pytest.raises(RebaseError, match="already withdrawn by lead@opcc.example"):
        withdraw_rebase(records, made.rebase_id, withdrawn_by="x", reason="again")
    with pytest.raises(RebaseError, match="there is no rebase 99"):
        withdraw_rebase(records, 99, withdrawn_by="x", reason="why")
    # Withdrawn, the month is free to record again with a new reason.
    assert record(records, reason="Lockdown, confirmed by the board").active


def test_each_change_is_in_the_audit_log_with_before_and_after(
    records: sqlite3.Connection,
) -> None:
    made = record(records)
    withdraw_rebase(records, made.rebase_id, withdrawn_by="lead@opcc.example", reason="Error")
    withdrawal, creation = audit_entries(records, entity="spc_rebase")
    assert (creation.action, creation.actor, creation.before_json) == (
        "spc_rebase.record",
        "analyst@opcc.example",
        None,
    )
    assert json.loads(creation.after_json or "{}")["month"] == "2020-04-01"
    assert (withdrawal.action, withdrawal.actor) == ("spc_rebase.withdraw", "lead@opcc.example")
    changed = {c.field: (c.before, c.after) for c in withdrawal.changes}
    assert changed["withdrawn_by"] == ("", "lead@opcc.example")
    assert changed["withdrawn_reason"] == ("", "Error")
    assert "reason" not in changed


def _months(first: dt.date, n: int) -> list[dt.date]:
    return [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(n)
    ]


def _rebase(month: dt.date) -> Rebase:
    return Rebase(month, f"from {month:%Y-%m}", "analyst", dt.datetime(2024, 1, 1))


def test_a_chart_draws_the_rebases_inside_it_with_two_months_or_more_each_side() -> None:
    months = _months(dt.date(2020, 1, 1), 12)  # January to December 2020
    before, first, inside, late = (
        _rebase(dt.date(2019, 6, 1)),
        _rebase(dt.date(2020, 1, 1)),
        _rebase(dt.date(2020, 6, 1)),
        _rebase(dt.date(2021, 3, 1)),
    )
    # Before the chart, at its first month, after its end: none concerns it; no note.
    assert fit_rebases([late, inside, first, before], months) == ((inside,), ())


def test_a_rebase_that_would_leave_one_month_is_not_drawn_and_said() -> None:
    months = _months(dt.date(2020, 1, 1), 12)
    # February: one month (January) before it.
    drawn, notes = fit_rebases([_rebase(dt.date(2020, 2, 1))], months)
    assert drawn == ()
    assert notes == (
        "The rebase from February 2020 is not drawn: it would leave fewer than 2 months before it.",
    )
    # December, the chart's last month: one month from it.
    drawn, notes = fit_rebases(
        [_rebase(dt.date(2020, 6, 1)), _rebase(dt.date(2020, 12, 1))], months
    )
    assert [r.month for r in drawn] == [dt.date(2020, 6, 1)]
    assert notes == (
        "The rebase from December 2020 is not drawn: this chart has fewer than 2 months from it.",
    )
    # Two rebases a month apart: the second is left out, the first kept.
    drawn, notes = fit_rebases([_rebase(dt.date(2020, 4, 1)), _rebase(dt.date(2020, 5, 1))], months)
    assert [r.month for r in drawn] == [dt.date(2020, 4, 1)]
    assert len(notes) == 1 and "May 2020" in notes[0]
