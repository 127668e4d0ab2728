"""Breakdowns of local figures: each group with its interval and a test against the rest,
and an indicator's published history period by period.

- ``survey_breakdown``: the victim survey's proportion satisfied by offence group, area,
  or domestic abuse against the rest, for one force and period. Each group is tested
  against every other response pooled (two-proportion z-test at 5%).
- ``indicator_breakdown``: an indicator's breakdown values for one published period
  (counts, or proportions tested each against the rest).
- ``indicator_history``: an indicator's published periods in order (a year table), with
  a proportion's change on the period before in percentage points and its test.

The store keeps every true figure; small counts are withheld only where the report,
its exports and the dashboard show them (``withheld``, the ``small_count_threshold``
setting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.measures.local_sql import DEFAULT_SATISFIED
from forcestat.measures.periods import Period
from forcestat.measures.stats import (
    CONFIDENCE,
    SIGNIFICANCE,
    poisson_interval,
    two_proportion_z_test,
    wilson_interval,
)

__all__ = [
    "SURVEY_BREAKDOWNS",
    "GroupFigure",
    "HistoryFigure",
    "indicator_breakdown",
    "indicator_history",
    "indicators_by_local_area",
    "indicators_held",
    "survey_breakdown",
    "withheld",
]

# What a survey response can be broken down by, and the column that holds it.
SURVEY_BREAKDOWNS = {
    "offence_group": "offence_group",
    "area": "area",
    "domestic_abuse": "CASE WHEN domestic_abuse THEN 'Domestic abuse' ELSE 'Other victims' END",
}


@dataclass(frozen=True)
class GroupFigure:
    """One group of a breakdown: its count (or proportion) with a 95% interval, and,
    for a proportion, the rest's proportion and whether the two differ beyond chance."""

    group: str
    numerator: int | None
    denominator: int | None
    value: float | None
    interval_low: float | None
    interval_high: float | None
    rest_value: float | None = None
    p_value: float | None = None
    beyond_chance: bool | None = None


@dataclass(frozen=True)
class HistoryFigure:
    """One published period of an indicator (one breakdown value), with a proportion's
    change in percentage points on the period listed before it and its test."""

    period: str
    period_type: str
    first_month: dt.date
    breakdown_value: str
    numerator: int | None
    denominator: int | None
    value: float | None  # the proportion, the count, or the published mean
    interval_low: float | None
    interval_high: float | None
    change_points: float | None = None
    beyond_chance: bool | None = None


def withheld(count: int | None, threshold: int) -> bool:
    """Whether a public output shows ``count`` as 'fewer than threshold': counts from 1
    to threshold - 1. A zero is shown: it identifies no one."""
    return count is not None and 0 < count < threshold


def _against_rest(groups: Sequence[tuple[str, int, int]]) -> list[GroupFigure]:
    total_x = sum(x for _, x, _ in groups)
    total_n = sum(n for _, _, n in groups)
    found = []
    for name, x, n in groups:
        low, high = wilson_interval(x, n, CONFIDENCE) if n else (None, None)
        rest_x, rest_n = total_x - x, total_n - n
        rest = rest_x / rest_n if rest_n else None
        p_value = None
        if n and rest_n:
            _, p_value = two_proportion_z_test(x, n, rest_x, rest_n)
        found.append(
            GroupFigure(
                name,
                x,
                n,
                x / n if n else None,
                low,
                high,
                rest,
                p_value,
                None if p_value is None else p_value < SIGNIFICANCE,
            )
        )
    return found


def survey_breakdown(
    con: duckdb.DuckDBPyConnection,
    force: str,
    period: Period,
    by: str,
    satisfied: Sequence[str] = DEFAULT_SATISFIED,
) -> tuple[GroupFigure, ...]:
    """The proportion satisfied in each group of ``by`` (see ``SURVEY_BREAKDOWNS``) for
    the force's responses in ``period``, largest group first."""
    column = SURVEY_BREAKDOWNS[by]
    answers = ", ".join("'" + a.replace("'", "''") + "'" for a in satisfied)
    rows = con.execute(
        f"SELECT {column} AS grp, count(*) FILTER (WHERE satisfaction IN ({answers})), count(*) "
        "FROM survey_responses WHERE force_name = ? AND month BETWEEN ? AND ? "
        "GROUP BY grp ORDER BY count(*) DESC, grp",
        [force, period.first_month, period.last_month],
    ).fetchall()
    return tuple(_against_rest([(str(g), int(x), int(n)) for g, x, n in rows]))


def indicator_breakdown(
    con: duckdb.DuckDBPyConnection, indicator: str, breakdown: str, area: str, period: str
) -> tuple[GroupFigure, ...]:
    """An indicator's values of ``breakdown`` for ``area`` in the published ``period``:
    proportions (each against the rest) when every value gives a denominator, else
    counts with exact Poisson intervals. Largest first."""
    rows = con.execute(
        "SELECT breakdown_value, numerator, denominator FROM indicators "
        "WHERE indicator = ? AND lower(breakdown) = lower(?) AND area = ? AND period = ? "
        "AND numerator IS NOT NULL ORDER BY numerator DESC, breakdown_value",
        [indicator, breakdown, area, period],
    ).fetchall()
    if rows and all(d is not None for _, _, d in rows):
        return tuple(_against_rest([(str(g), int(x), int(d)) for g, x, d in rows]))
    found = []
    for group, x, _ in rows:
        low, high = poisson_interval(int(x), CONFIDENCE)
        found.append(GroupFigure(str(group), int(x), None, float(x), low, high))
    return tuple(found)


def indicator_history(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    area: str,
    *,
    breakdown: str | None = None,
    last_month: dt.date | None = None,
) -> tuple[HistoryFigure, ...]:
    """Every published period of ``indicator`` for ``area`` (the totals, or each value
    of ``breakdown``), in order, up to periods ending by ``last_month``."""
    where = "indicator = ? AND area = ? AND " + (
        "breakdown = ''" if breakdown is None else "lower(breakdown) = lower(?)"
    )
    params: list[object] = [indicator, area]
    if breakdown is not None:
        params.append(breakdown)
    if last_month is not None:
        where += " AND last_month <= ?"
        params.append(last_month)
    rows = con.execute(
        "SELECT period, period_type, first_month, breakdown_value, numerator, denominator, "
        f"value FROM indicators WHERE {where} "
        "ORDER BY breakdown_value, period_type, first_month",
        params,
    ).fetchall()
    found: list[HistoryFigure] = []
    before: HistoryFigure | None = None
    for period, period_type, first, group, x, n, value in rows:
        low = high = None
        shown = value
        if x is not None and n:
            shown = x / n
            low, high = wilson_interval(int(x), int(n), CONFIDENCE)
        elif x is not None:
            shown = float(x)
            low, high = poisson_interval(int(x), CONFIDENCE)
        points = beyond = None
        if (
            before is not None
            and before.breakdown_value == group
            and before.period_type == period_type
            and n
            and before.denominator
            and x is not None
            and before.numerator is not None
        ):
            points = 100 * (x / n - before.numerator / before.denominator)
            _, p_value = two_proportion_z_test(int(x), int(n), before.numerator, before.denominator)
            beyond = p_value < SIGNIFICANCE
        figure = HistoryFigure(
            str(period),
            str(period_type),
            first,
            str(group),
            None if x is None else int(x),
            None if n is None else int(n),
            shown,
            low,
            high,
            points,
            beyond,
        )
        found.append(figure)
        before = figure
    return tuple(found)


def indicators_held(con: duckdb.DuckDBPyConnection, area: str) -> tuple[tuple[str, str, str], ...]:
    """(indicator, breakdown, note) of every indicator the store holds for ``area``, one
    per breakdown ('' for the totals), with the note of its latest row."""
    rows = con.execute(
        "SELECT indicator, breakdown, arg_max(note, last_month) FROM indicators "
        "WHERE area = ? GROUP BY indicator, breakdown ORDER BY indicator, breakdown",
        [area],
    ).fetchall()
    return tuple((str(i), str(b), str(n or "")) for i, b, n in rows)


def indicators_by_local_area(
    con: duckdb.DuckDBPyConnection, force: str, last_month: dt.date | None = None
) -> dict[str, tuple[HistoryFigure, ...]]:
    """Each indicator's totals for the local authorities in ``force``, as a history whose
    ``breakdown_value`` is the area (a table of areas by period)."""
    params: list[object] = [force]
    until = ""
    if last_month is not None:
        until = " AND last_month <= ?"
        params.append(last_month)
    rows = con.execute(
        "SELECT indicator, period, period_type, first_month, area, numerator, denominator, value "
        "FROM indicators WHERE force_name = ? AND area_type = 'local_authority' "
        f"AND breakdown = ''{until} ORDER BY indicator, area, period_type, first_month",
        params,
    ).fetchall()
    found: dict[str, list[HistoryFigure]] = {}
    for indicator, period, period_type, first, area, x, n, value in rows:
        shown, low, high = value, None, None
        if x is not None and n:
            shown = x / n
            low, high = wilson_interval(int(x), int(n), CONFIDENCE)
        elif x is not None:
            shown = float(x)
            low, high = poisson_interval(int(x), CONFIDENCE)
        found.setdefault(str(indicator), []).append(
            HistoryFigure(
                str(period),
                str(period_type),
                first,
                str(area),
                None if x is None else int(x),
                None if n is None else int(n),
                shown,
                low,
                high,
            )
        )
    return {k: tuple(v) for k, v in found.items()}
