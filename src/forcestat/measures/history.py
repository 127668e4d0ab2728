"""A measure's long-run history: every published rolling year for a force.

The Home Office rolling totals give each force's rolling 12 months at every quarter end
from 2007 (year ends from 2003), and the ONS editions carry the series on. For a
measure answered by published offence groups (``forcestat.measures.published``), the
history is the sum of its groups at each period end where all of them are published.
Rolling totals overlap (each quarter is in four of them), so the history is shown as
published, never charted as independent points with process limits.

``extreme_since`` says "the lowest 12-month total since ..." only when the loaded
history supports it: the value is the lowest (or highest) of at least two years of
published periods before it.

``history_chart`` draws the history as a long-run line (``forcestat.spc.long_run``), for
the measure page and the statement alike, once at least ``MIN_CHARTED_PERIODS`` rolling
years up to the period shown are loaded (``charted_history``).
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

import duckdb

from forcestat.measures.catalogue import Measure
from forcestat.measures.published import published_group, straddling_years
from forcestat.spc.long_run import LongRunChart, long_run_chart
from forcestat.store.force_figures import rolling_year_history

__all__ = [
    "MIN_CHARTED_PERIODS",
    "HistoryPoint",
    "charted_history",
    "extreme_since",
    "history_chart",
    "history_title",
    "published_history",
    "published_series",
]

# Periods a value must be lower (higher) than before "lowest (highest) since" is said:
# two years of quarter ends.
MIN_PERIODS_BEFORE = 8
# Rolling years a long-run chart needs: fewer say too little of the long run to chart
# (the table lists them).
MIN_CHARTED_PERIODS = 8


@dataclass(frozen=True)
class HistoryPoint:
    period_end: dt.date  # first day of the last month of the rolling year
    value: float
    source: str


def published_history(
    con: duckdb.DuckDBPyConnection, measure: Measure, force: str
) -> tuple[HistoryPoint, ...]:
    """Every rolling year published for the measure's offence groups for ``force``,
    oldest first; empty when no published group answers the measure."""
    group = published_group(measure)
    if group is None or not group.series:
        return ()
    by_series = [
        {end: (value, source) for end, value, source in rolling_year_history(con, force, s)}
        for s in group.series
    ]
    common = set(by_series[0]).intersection(*by_series[1:])
    # years that straddle a reclassification hold part of a year of the new group
    common -= {end for end, who in straddling_years(con, group, sorted(common)) if who == force}
    points = []
    for end in sorted(common):
        values = [found[end][0] for found in by_series]
        if any(v is None for v in values):
            continue
        sources = sorted({found[end][1] for found in by_series})
        points.append(
            HistoryPoint(end, float(sum(v for v in values if v is not None)), "+".join(sources))
        )
    return tuple(points)


def _label(end: dt.date) -> str:
    return f"the 12 months to {end:%B %Y}"


def extreme_since(history: tuple[HistoryPoint, ...], period_end: dt.date) -> str | None:
    """'the lowest 12-month total since the 12 months to March 2014' (or highest, or
    'in the history loaded, from ...'), or None when the value is neither, or the
    history before it is too short to say.

    Example:
        >>> pts = tuple(HistoryPoint(dt.date(2010 + i // 4, 3 * (i % 4) + 3, 1), v, "x")
        ...             for i, v in enumerate([9, 12, 11, 13, 12, 14, 13, 12, 11, 10]))
        >>> extreme_since(pts, dt.date(2012, 6, 1))
        'the lowest 12-month total since the 12 months to March 2010'
    """
    before = [p for p in history if p.period_end < period_end]
    now = next((p for p in history if p.period_end == period_end), None)
    if now is None or len(before) < MIN_PERIODS_BEFORE:
        return None
    for word, beats in (("lowest", operator.lt), ("highest", operator.gt)):
        recent = before[-MIN_PERIODS_BEFORE:]
        if not all(beats(now.value, p.value) for p in recent):
            continue
        earlier = [p for p in before if not beats(now.value, p.value)]
        if earlier:
            return f"the {word} 12-month total since {_label(earlier[-1].period_end)}"
        return (
            f"the {word} 12-month total in the history loaded, from {_label(before[0].period_end)}"
        )
    return None


def published_series(measure: Measure) -> tuple[str, ...]:
    """The published offence groups whose sum is the measure's history (empty: none)."""
    group = published_group(measure)
    return () if group is None else tuple(group.series)


def history_title(measure: Measure, force: str) -> str:
    """The chart's title, naming the published groups charted (which may stand in for
    the measure's own offences): 'Robbery, West Midlands: 12-month totals as published'."""
    series = published_series(measure) or (measure.title,)
    names = [series[0], *(s[:1].lower() + s[1:] for s in series[1:])]
    groups = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{groups}, {force}: 12-month totals as published"


def charted_history(
    history: tuple[HistoryPoint, ...], period_end: dt.date | None
) -> tuple[HistoryPoint, ...]:
    """The rolling years a long-run chart of the period ending ``period_end`` draws
    (those ending by then; all of them for None), or () when fewer than
    ``MIN_CHARTED_PERIODS`` are loaded."""
    shown = tuple(p for p in history if period_end is None or p.period_end <= period_end)
    return shown if len(shown) >= MIN_CHARTED_PERIODS else ()


def history_chart(points: tuple[HistoryPoint, ...], title: str) -> LongRunChart:
    """The long-run line chart of ``points`` (oldest first), with their sources in the
    tooltips. Raises ``SpcError`` for no points."""
    return long_run_chart(
        [p.period_end for p in points],
        [p.value for p in points],
        title=title,
        sources=[p.source for p in points],
    )
