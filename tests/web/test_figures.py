"""The dashboard's words for a change: a proportion's in percentage points."""

from __future__ import annotations

from forcestat.measures.catalogue import load_catalogue
from forcestat.measures.table import TIDY_COLUMNS, MeasureRow
from forcestat.web.figures import change_of


def _row(**values: object) -> MeasureRow:
    base: dict[str, object] = dict.fromkeys(TIDY_COLUMNS)
    base.update(missing_months=(), complete=True, like_for_like=True, note="")
    base.update(values)
    return MeasureRow.from_columns(base)


def test_a_proportion_changes_in_percentage_points() -> None:
    measure = load_catalogue().get("victim_satisfaction_published")  # polarity higher
    # 42.745% against 47.110%: down 4.4 points, beyond chance, worse for 'higher'
    row = _row(
        change=-0.04365,
        change_points=-4.365,
        change_beyond_chance=True,
        baseline_period="12 months to December 2019",
    )
    change = change_of(measure, row)
    assert change is not None
    assert (change.signed, change.words, change.judgement) == (
        "-4.4 pp",
        "4.4 percentage points lower than the 12 months to December 2019",
        "Worse",
    )
