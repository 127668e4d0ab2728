"""A suggested status for each Plan milestone linked to a measure, from the data.

The milestone's target, in the catalogue's terms (``forcestat.store.plan.parse_target``),
replaces the measure's own: '-8% on the previous year' is evaluated as the measure with
that baseline and a -8% target. The engine gives the latest figure and whether it meets
the target; where the measure has a monthly series long enough to chart, the SPC
assurance against the monthly equivalent of the target (a 12-month count target over
12) says whether the process will consistently meet it, consistently fail it, or may do
either. The status suggested from these:

=================  ============  ============  ==============  ==========
target met?        chart: pass   inconsistent  chart: fail     no chart
=================  ============  ============  ==============  ==========
yes                on track      on track      at risk         on track
no                 at risk       at risk       off track       off track
=================  ============  ============  ==============  ==========

and, once the figure's period runs past the milestone's due date, complete (met) or off
track (not met): the due date is judged against the data, not the day it is read.
A suggestion is only that: an editor confirms or overrides it with a note, and both are
kept (``forcestat.store.milestones.add_progress_update``).

Example:
    >>> suggested_status(True, AssuranceType.CONSISTENT_FAIL)
    <Status.AT_RISK: 'at_risk'>
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.measures.catalogue import Catalogue, Kind, Measure
from forcestat.measures.charting import MeasureChart, chart_measure
from forcestat.measures.engine import evaluate
from forcestat.measures.periods import PeriodKind
from forcestat.measures.series import monthly_series
from forcestat.measures.table import MeasureRow
from forcestat.spc.xmr import AssuranceType, Polarity, SpcError, SpcOptions
from forcestat.store.milestones import Milestone, Status
from forcestat.store.plan import Target, parse_target
from forcestat.store.rebases import active_rebases

__all__ = [
    "StatusSuggestion",
    "milestone_measure",
    "suggest_statuses",
    "suggested_status",
]

# At least this many months before a chart's assurance is read (as the report charts).
MIN_CHART_MONTHS = 12

_ASSURANCE_WORDS = {
    AssuranceType.CONSISTENT_PASS: "the monthly chart shows the target consistently met",
    AssuranceType.CONSISTENT_FAIL: "the monthly chart shows the target consistently missed",
    AssuranceType.INCONSISTENT: "the monthly chart shows the target may or may not be met",
}


_BY_ASSURANCE = {
    AssuranceType.CONSISTENT_PASS: Status.ON_TRACK,
    AssuranceType.INCONSISTENT: Status.AT_RISK,
    AssuranceType.CONSISTENT_FAIL: Status.OFF_TRACK,
}


def suggested_status(
    meets_target: bool | None,
    assurance: AssuranceType | None,
    *,
    due_date: dt.date | None = None,
    as_at: dt.date | None = None,
) -> Status | None:
    """The status the figures suggest (the table in the module's docstring); None when
    they say nothing (no figure against a target, and no chart)."""
    if meets_target is None:
        return _BY_ASSURANCE.get(assurance) if assurance else None
    if due_date is not None and as_at is not None and as_at > due_date:
        return Status.COMPLETE if meets_target else Status.OFF_TRACK
    if meets_target:
        return Status.AT_RISK if assurance is AssuranceType.CONSISTENT_FAIL else Status.ON_TRACK
    if assurance is None or assurance is AssuranceType.CONSISTENT_FAIL:
        return Status.OFF_TRACK
    return Status.AT_RISK


def milestone_measure(measure: Measure, target: Target | None) -> Measure:
    """``measure`` with the milestone's target (and the baseline it names) in place of
    its own."""
    if target is None:
        return measure
    if target.level is not None:
        return dataclasses.replace(measure, target_value=target.level, target_change_pct=None)
    return dataclasses.replace(
        measure,
        baseline=target.baseline or measure.baseline,
        target_change_pct=target.change_pct,
        target_value=None,
    )


@dataclass(frozen=True)
class StatusSuggestion:
    """What a linked measure says of a milestone. ``row``: the engine's latest figure
    for the force (None when the measure has none); ``chart``: its monthly chart with
    the target drawn (None without a monthly series of ``MIN_CHART_MONTHS``)."""

    milestone_id: int
    measure: Measure
    row: MeasureRow | None
    chart: MeasureChart | None
    status: Status | None
    basis: str  # the figures behind the suggestion, as a sentence

    @property
    def assurance(self) -> AssuranceType | None:
        return self.chart.spc.assurance if self.chart else None


def _number(value: float, unit: str) -> str:
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "proportion":
        return f"{value * 100:.1f}%"
    return f"{value:,.3g}"


def _basis(row: MeasureRow | None, assurance: AssuranceType | None, status: Status | None) -> str:
    if row is None or row.value is None:
        why = row.not_available if row is not None and row.not_available else "no figure"
        return f"No figure to judge this by ({why})."
    text = f"{row.title}: {_number(row.value, row.unit)} in the {row.period}"
    if row.target is not None:
        verdict = {True: "met", False: "not met", None: "no direction to judge"}
        text += (
            f", against a target of {_number(row.target, row.unit)} ({verdict[row.meets_target]})"
        )
    if assurance is not None:
        text += f"; {_ASSURANCE_WORDS[assurance]}"
    suggestion = f"suggests {status.label.lower()}" if status else "suggests no status"
    return f"{text}: {suggestion}."


def _monthly_chart(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    measure: Measure,
    row: MeasureRow,
    force: str,
) -> MeasureChart | None:
    if row.period_end is None or row.target is None:
        return None
    twelve_months = measure.period is PeriodKind.ROLLING_12_MONTHS and measure.pool_years == 1
    if measure.kind is Kind.COUNT and twelve_months:
        monthly_target = row.target / 12  # the monthly count that would meet the 12-month one
    elif measure.kind is Kind.PROPORTION:
        monthly_target = row.target
    else:
        return None
    series = monthly_series(con, measure, force, row.period_end.replace(day=1))
    if series is None or len(series.values) < MIN_CHART_MONTHS:
        return None
    options = SpcOptions(polarity=Polarity(measure.polarity.value), target=monthly_target)
    try:
        return chart_measure(
            measure,
            series,
            active_rebases(records, measure.id, force),
            name=measure.title,
            options=options,
            suggest_rebases=False,
        )
    except SpcError:
        return None


def suggest_statuses(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    catalogue: Catalogue,
    milestones: Sequence[Milestone],
    force: str,
    *,
    period_end: dt.date | None = None,
) -> dict[int, StatusSuggestion]:
    """A suggestion for each milestone linked to a measure of ``catalogue``, by milestone
    id, from the force's figures for the 12 months (or period) to ``period_end`` (None:
    the latest its source holds)."""
    ids = {m.id for m in catalogue.measures}
    found: dict[int, StatusSuggestion] = {}
    for milestone in milestones:
        if milestone.measure_id is None or milestone.measure_id not in ids:
            continue
        try:
            target = parse_target(milestone.target) if milestone.target else None
        except ValueError:
            target = None  # a target typed as words in the dashboard: the measure's own
        measure = milestone_measure(catalogue.get(milestone.measure_id), target)
        ends = [period_end] if period_end is not None else None
        rows = [r for r in evaluate(con, [measure], areas=[force], period_ends=ends).rows]
        row = rows[-1] if rows else None
        chart = _monthly_chart(con, records, measure, row, force) if row else None
        assurance = chart.spc.assurance if chart else None
        status = suggested_status(
            row.meets_target if row else None,
            assurance,
            due_date=milestone.due_date,
            as_at=row.period_end if row else None,
        )
        found[milestone.milestone_id] = StatusSuggestion(
            milestone.milestone_id, measure, row, chart, status, _basis(row, assurance, status)
        )
    return found
