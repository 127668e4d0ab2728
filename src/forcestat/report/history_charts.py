"""The statement's long-run charts: the published rolling years behind its measures.

A measure answered by published offence groups (``forcestat.measures.published``) has
a history of rolling 12-month totals back to 2003 where the Home Office rolling totals
are loaded. The statement charts it in the measure's priority section when at least
``MIN_CHARTED_PERIODS`` of those years, up to the statement's period, are loaded: one
chart per set of groups, so a measure whose groups the section charts already (a rate
of the same offences, a sum of groups charted one by one) adds none. Beside the chart,
"the lowest (highest) 12-month total since ..." only when ``extreme_since`` finds the
history supports it.

Example:
    >>> found = history_charts(con, measures, figures, "West Midlands",
    ...                        dt.date(2019, 12, 1))  # doctest: +SKIP
    >>> found["Reduce neighbourhood crime"][0].title  # doctest: +SKIP
    'Robbery, West Midlands: 12-month totals as published'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb

from forcestat.measures.catalogue import Measure
from forcestat.measures.history import (
    HistoryPoint,
    charted_history,
    extreme_since,
    history_title,
    published_history,
    published_series,
)
from forcestat.months import month_label
from forcestat.report.context import HistoryChart, MeasureFigure
from forcestat.spc.long_run import whole

__all__ = ["history_charts", "history_sentence"]


def history_sentence(history: tuple[HistoryPoint, ...], period_end: dt.date) -> str | None:
    """'The total for the 12 months to December 2019, 32,460, is the lowest 12-month
    total since the 12 months to March 2017.', or None when the history does not
    support saying so."""
    since = extreme_since(history, period_end)
    latest = next((p for p in history if p.period_end == period_end), None)
    if since is None or latest is None:
        return None
    return (
        f"The total for the 12 months to {month_label(period_end)}, {whole(latest.value)}, "
        f"is {since}."
    )


def history_charts(
    con: duckdb.DuckDBPyConnection,
    measures: Sequence[Measure],
    figures: Mapping[str, MeasureFigure],
    force: str,
    period_end: dt.date,
) -> dict[str, tuple[HistoryChart, ...]]:
    """Priority -> the long-run charts of its measures with a figure, in catalogue
    order (a priority with none is left out)."""
    found: dict[str, list[HistoryChart]] = {}
    charted: dict[str, set[str]] = {}
    for measure in measures:
        figure = figures.get(measure.id)
        series = set(published_series(measure))
        if figure is None or figure.value is None or not series:
            continue
        if series <= charted.get(measure.priority, set()):
            continue
        history = published_history(con, measure, force)
        points = charted_history(history, period_end)
        if not points:
            continue
        charted.setdefault(measure.priority, set()).update(series)
        found.setdefault(measure.priority, []).append(
            HistoryChart(
                measure_id=measure.id,
                title=history_title(measure, force),
                points=points,
                sentence=history_sentence(history, period_end),
            )
        )
    return {priority: tuple(charts) for priority, charts in found.items()}
