"""Suggested statuses for Plan milestones linked to measures, against figures worked out
by hand: 24 months of City of London burglaries on police.uk, alternating 10 and 12."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import duckdb
import pytest

from conftest import STREET_HEADER, street_row, write_csv
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import load_catalogue
from forcestat.measures.plan_status import suggest_statuses, suggested_status
from forcestat.spc.xmr import AssuranceType
from forcestat.store.milestones import (
    Kind,
    MilestoneFields,
    ReviewFrequency,
    Status,
    create_milestone,
)

PASS, FAIL, MAYBE = (
    AssuranceType.CONSISTENT_PASS,
    AssuranceType.CONSISTENT_FAIL,
    AssuranceType.INCONSISTENT,
)


@pytest.mark.parametrize(
    ("met", "assurance", "status"),
    [
        (True, PASS, Status.ON_TRACK),
        (True, MAYBE, Status.ON_TRACK),
        (True, FAIL, Status.AT_RISK),
        (True, None, Status.ON_TRACK),
        (False, PASS, Status.AT_RISK),
        (False, MAYBE, Status.AT_RISK),
        (False, FAIL, Status.OFF_TRACK),
        (False, None, Status.OFF_TRACK),
        (None, MAYBE, Status.AT_RISK),
        (None, None, None),
    ],
)
def test_the_suggestion_table(
    met: bool | None, assurance: AssuranceType | None, status: Status | None
) -> None:
    assert suggested_status(met, assurance) == status


def test_after_the_due_date_a_met_target_is_complete() -> None:
    due, after = dt.date(2025, 3, 31), dt.date(2025, 4, 1)
    assert suggested_status(True, MAYBE, due_date=due, as_at=after) is Status.COMPLETE
    assert suggested_status(False, PASS, due_date=due, as_at=after) is Status.OFF_TRACK
    assert suggested_status(False, PASS, due_date=due, as_at=due) is Status.AT_RISK


def _milestone(records: sqlite3.Connection, title: str, target: str) -> int:
    fields = MilestoneFields(
        Kind.MILESTONE, None, title, "", "Head of Neighbourhoods", ReviewFrequency.QUARTERLY,
        dt.date(2024, 3, 31), "burglary_policeuk", target, Status.NOT_STARTED, False,
    )  # fmt: skip
    return create_milestone(records, fields, actor="t").milestone_id


def test_suggestions_from_hand_worked_burglary_figures(
    records: sqlite3.Connection, store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # (records first: they are made before the store is opened for writing)
    # January 2022 to December 2023: 10 burglaries in odd months, 12 in even ones.
    lines = [STREET_HEADER]
    n = 0
    for year in (2022, 2023):
        for month in range(1, 13):
            for _ in range(10 if month % 2 else 12):
                n += 1
                lines.append(street_row(f"id{n}", f"{year}-{month:02d}"))
    [result] = ingest_path(store, write_csv(tmp_path / "street.csv", lines))
    assert result.rows_rejected == 0
    # Each 12 months holds 6 x 10 + 6 x 12 = 132. The monthly chart: mean 11, every moving
    # range 2, so the process limits are 11 +/- 2.66 x 2 = 5.68 to 16.32. Lower is better.
    # target          12-month target        met?         monthly target  assurance
    # -10%            132 x 0.9 = 118.8      132 > 118.8  9.9             inconsistent
    # +30%            132 x 1.3 = 171.6      yes          14.3            inconsistent
    # +50%            132 x 1.5 = 198        yes          16.5 > 16.32    pass
    # -50%            132 x 0.5 = 66         no           5.5 < 5.68      fail
    # level 140       140                    yes          11.67           inconsistent
    cases = {
        "-10% on the previous year": (118.8, False, MAYBE, Status.AT_RISK),
        "+30% on the previous year": (171.6, True, MAYBE, Status.ON_TRACK),
        "+50% on the previous year": (198.0, True, PASS, Status.ON_TRACK),
        "-50% on the previous year": (66.0, False, FAIL, Status.OFF_TRACK),
        "140": (140.0, True, MAYBE, Status.ON_TRACK),
    }
    ids = {_milestone(records, target, target): target for target in cases}
    from forcestat.store.milestones import list_milestones

    found = suggest_statuses(
        store,
        records,
        load_catalogue(),
        list_milestones(records, include_drafts=True),
        "City of London",
    )
    assert set(found) == set(ids)
    for milestone_id, target in ids.items():
        expected_target, met, assurance, status = cases[target]
        suggestion = found[milestone_id]
        assert suggestion.row is not None
        assert suggestion.row.value == 132
        assert suggestion.row.period == "12 months to December 2023"
        assert suggestion.row.target == pytest.approx(expected_target)
        assert suggestion.row.meets_target is met
        assert suggestion.chart is not None
        limits = suggestion.chart.spc.segments[-1].limits
        assert (limits.lpl, limits.upl) == (pytest.approx(5.68), pytest.approx(16.32))
        assert suggestion.assurance is assurance
        assert suggestion.status is status, target
    at_risk = next(s for i, s in found.items() if ids[i].startswith("-10%"))
    # The milestones are due 31 March 2024: the 12 months to December 2023 fall before it.
    assert at_risk.basis == (
        "Burglary (police.uk proxy, monthly): 132 in the 12 months to December 2023, against "
        "a target of 119 (not met); the monthly chart shows the target may or may not be "
        "met: suggests at risk."
    )
