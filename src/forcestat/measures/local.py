"""Measures of local figures: indicators, victim survey responses and police.uk outcomes.

These sources publish figures for periods of their own (a month, a calendar quarter, a
financial or calendar year), so a reporting window is answered from the published
periods that tile it exactly: the coarsest that covers every month of the window (a
published year is the publisher's own total; months summed to a year only when no year
row is loaded), never part of a published period. A window no published periods tile
comes back with the reason.

Each source's figures come from one SQL statement (``forcestat.measures.local_sql``)
giving, for each area and published period: numerator, denominator and (for a mean)
value. This module turns them into rows of the tidy table:

- A proportion's change is in percentage points (``change_points``), never a relative
  change; whether it is beyond chance is the pooled two-proportion z-test at 5%.
- A count's change is tested as the police.uk counts are (exact Poisson, months as
  exposure); a mean's change is stated in its unit with no test, since the spread of
  the items it averages is not published.
- ``target_value`` is a standard: met when the value is at or beyond it in the
  direction the polarity calls better.
- Across a recording or definition change (``classification.RECORDING_CHANGES`` and the
  plan file's own) the baseline is still shown, but ``like_for_like`` is False, the note
  says why, and no verdict on chance is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from forcestat.measures.catalogue import Kind, Measure, Source
from forcestat.measures.classification import (
    RecordingChange,
    compare_recording,
    recording_changes_for,
)
from forcestat.measures.denominators import ForcePopulations
from forcestat.measures.local_sql import (
    OutcomeLag,
    PublishedFigure,
    latest_local_month,
    local_figures,
    outcome_lag,
)
from forcestat.measures.periods import Period, PeriodError, period_ending, previous_year
from forcestat.measures.reasons import as_sentence
from forcestat.measures.stats import (
    SIGNIFICANCE,
    poisson_change_test,
    two_proportion_z_test,
)
from forcestat.measures.table import TIDY_COLUMNS, MeasureRow

__all__ = [
    "LOCAL_SOURCES",
    "SIGNIFICANCE",
    "WindowFigure",
    "local_measure_rows",
    "window_figure",
]

LOCAL_SOURCES = frozenset({Source.INDICATOR, Source.SURVEY, Source.POLICEUK_OUTCOMES})
# Coarsest first: a published year is preferred to the months or quarters inside it.
_GRAINS = ("year", "financial_year", "quarter", "month")


@dataclass(frozen=True)
class WindowFigure:
    """A measure's figure for one area and window, or why there is none."""

    value: float | None = None
    numerator: int | None = None
    denominator: float | None = None
    missing: tuple[dt.date, ...] = ()
    population_year: int | None = None
    reason: str | None = None


def _subject(measure: Measure) -> str:
    if measure.source is Source.INDICATOR:
        return f"indicator {measure.filter.indicator} figures"
    if measure.source is Source.SURVEY:
        return "victim survey responses"
    return "police.uk crimes and outcomes"


def _tiling(
    figures: Sequence[PublishedFigure], window: Period
) -> tuple[list[PublishedFigure], tuple[dt.date, ...]]:
    """The published figures that tile ``window`` (coarsest grain first), and the months
    left uncovered (empty when they tile it)."""
    wanted = set(window.months)
    best: tuple[list[PublishedFigure], set[dt.date]] = ([], set())
    for grain in _GRAINS:
        inside = [
            f
            for f in figures
            if f.period_type == grain
            and f.first_month >= window.first_month
            and f.last_month <= window.last_month
        ]
        covered = {m for f in inside for m in f.months}
        if covered >= wanted:
            return inside, ()
        if len(covered) > len(best[1]):
            best = (inside, covered)
    return best[0], tuple(sorted(wanted - best[1]))


def window_figure(
    measure: Measure,
    figures: Sequence[PublishedFigure],
    window: Period,
    area: str,
    populations: ForcePopulations | None = None,
) -> WindowFigure:
    """The measure's figure for ``area`` in ``window`` from its published figures."""
    used, missing = _tiling(figures, window)
    subject = _subject(measure)
    if missing:
        if len(missing) == window.month_count:
            overlapping = sorted(
                {
                    f.period
                    for f in figures
                    if f.first_month <= window.last_month and f.last_month >= window.first_month
                }
            )
            if overlapping:
                return WindowFigure(
                    missing=missing,
                    reason=(
                        f"the {subject} loaded for {area} ({', '.join(overlapping)}) "
                        f"do not fit the {window.label}; choose a period they make up"
                    ),
                )
            return WindowFigure(
                missing=missing,
                reason=f"no {subject} loaded for {area} in the {window.label}",
            )
        shown = ", ".join(f"{m:%Y-%m}" for m in missing[:6]) + (", ..." if len(missing) > 6 else "")
        return WindowFigure(
            missing=missing,
            reason=(
                f"incomplete: {len(missing)} of {window.month_count} months of the "
                f"{window.label} have nothing loaded ({shown}) from the {subject}"
            ),
        )
    lacking_numerator = any(f.numerator is None for f in used)
    if measure.kind is Kind.MEAN:
        return _mean(used, window, subject)
    if lacking_numerator:
        return WindowFigure(
            reason=f"the {subject} for the {window.label} give a value, not a count"
        )
    numerator = sum(f.numerator or 0 for f in used)
    if measure.kind is Kind.PROPORTION:
        if any(f.denominator is None for f in used):
            return WindowFigure(
                reason=(
                    f"the {subject} for the {window.label} give no denominator, so "
                    "no proportion can be taken"
                )
            )
        trials = sum(f.denominator or 0 for f in used)
        if trials <= 0:
            return WindowFigure(reason=f"nothing to take a proportion of in the {window.label}")
        return WindowFigure(numerator / trials, numerator, float(trials))
    if measure.kind is Kind.COUNT:
        return WindowFigure(float(numerator), numerator)
    residents = populations.residents(area, window) if populations is not None else None
    if residents is None:
        why = f"no population for {area} for {window.first_month.year} or earlier"
        return WindowFigure(numerator=numerator, reason=why)
    persons, population = residents
    return WindowFigure(
        numerator / persons * measure.unit.per,
        numerator,
        persons,
        population_year=population.population_year,
    )


def _mean(used: Sequence[PublishedFigure], window: Period, subject: str) -> WindowFigure:
    if any(f.value is None for f in used):
        return WindowFigure(reason=f"the {subject} for the {window.label} give no value")
    if len(used) == 1:
        f = used[0]
        return WindowFigure(f.value, None, float(f.denominator) if f.denominator else None)
    if any(not f.denominator for f in used):
        return WindowFigure(
            reason=(
                f"{len(used)} averages make up the {window.label}, and not every one gives "
                "the number of items it is of (denominator), so they cannot be combined"
            )
        )
    items = sum(f.denominator or 0 for f in used)
    total = sum((f.value or 0.0) * (f.denominator or 0) for f in used)
    return WindowFigure(total / items, None, float(items))


def _beyond_chance(
    measure: Measure, now: WindowFigure, then: WindowFigure, period: Period, baseline: Period
) -> bool | None:
    if now.numerator is None or then.numerator is None:
        return None  # a mean: the spread of its items is not published
    if measure.kind is Kind.PROPORTION:
        assert now.denominator is not None and then.denominator is not None
        _, p_value = two_proportion_z_test(
            now.numerator, int(now.denominator), then.numerator, int(then.denominator)
        )
        return p_value < SIGNIFICANCE
    if measure.kind is Kind.RATE:
        assert now.denominator is not None and then.denominator is not None
        exposure, baseline_exposure = now.denominator, then.denominator
    else:
        exposure, baseline_exposure = float(period.month_count), float(baseline.month_count)
    return (
        poisson_change_test(now.numerator, exposure, then.numerator, baseline_exposure)
        < SIGNIFICANCE
    )


def _windows(measure: Measure, end: dt.date) -> tuple[Period, Period | None]:
    from forcestat.measures.periods import named_period

    period = period_ending(measure.period, end)
    if measure.baseline == "none":
        return period, None
    if measure.baseline == "previous_year":
        return period, previous_year(period)
    return period, named_period(measure.baseline)


def measure_recording_changes(
    measure: Measure, extra: Sequence[RecordingChange] = ()
) -> tuple[RecordingChange, ...]:
    """The recording and definition changes that touch ``measure``."""
    keys = {measure.id, measure.source.value}
    if measure.filter.indicator:
        keys.add(measure.filter.indicator)
    return recording_changes_for(keys, extra)


def _lag_note(lag: OutcomeLag, period: Period) -> str:
    """Plainly: outcomes arrive later, how many months back the figure is stable, and
    whether this period is within them."""
    from forcestat.months import add_months

    stable_from = add_months(lag.latest_outcome_month, -lag.stable_months)
    text = (
        f"outcomes arrive after the crime is recorded: in the data loaded, 90% of these "
        f"outcomes arrived within {lag.stable_months} months of recording "
        f"({lag.outcomes:,} crimes), so months from {stable_from:%B %Y} on are understated"
    )
    if period.last_month >= stable_from:
        text += "; this period's figure is understated and will rise"
    return text


def _blank(measure: Measure, area: str, period: Period | None) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(TIDY_COLUMNS)
    row.update(
        measure=measure.id,
        title=measure.title,
        area=area,
        period=period.label if period else "",
        period_start=period.period_start if period else None,
        period_end=period.period_end if period else None,
        unit=measure.unit.value,
        complete=False,
        missing_months=(),
        like_for_like=True,
        note=measure.note,
    )
    return row


def local_measure_rows(
    con: duckdb.DuckDBPyConnection,
    measure: Measure,
    wanted: Sequence[str] | None,
    ends: Sequence[dt.date] | None,
    *,
    populations: ForcePopulations | None = None,
    recording_changes: Sequence[RecordingChange] = (),
    settings: Mapping[str, object] | None = None,
) -> tuple[list[MeasureRow], str]:
    """The tidy rows of a local measure for the forces ``wanted`` (None: every force
    with figures) and periods ending ``ends`` (None: the latest month with figures),
    and the SQL run."""
    published, sql = local_figures(con, measure, wanted, settings)
    areas = list(wanted) if wanted is not None else sorted(published)
    if ends is None:
        latest = latest_local_month(published, areas)
        if latest is None:
            where = f" for {', '.join(areas)}" if areas else ""
            why = f"no {_subject(measure)} loaded{where}"
            return [
                MeasureRow.from_columns({**_blank(measure, a, None), "not_available": why})
                for a in areas
            ], sql
        ends = [latest]
    changes = measure_recording_changes(measure, recording_changes)
    lag = outcome_lag(con, measure, wanted) if measure.source is Source.POLICEUK_OUTCOMES else None
    rows = []
    for end in ends:
        try:
            period, baseline = _windows(measure, end)
        except PeriodError as exc:
            for area in areas:
                rows.append(
                    MeasureRow.from_columns(
                        {**_blank(measure, area, None), "not_available": str(exc)}
                    )
                )
            continue
        comparison = compare_recording(changes, period, baseline)
        notes = list(comparison.notes)
        if lag is not None:
            notes.append(_lag_note(lag, period))
        elif measure.source is Source.POLICEUK_OUTCOMES:
            notes.append(
                "no outcomes of this kind are loaded, so how late they arrive cannot be "
                "measured; recent months are understated"
            )
        for area in areas:
            rows.append(
                _row(
                    measure,
                    area,
                    period,
                    baseline,
                    published.get(area, ()),
                    comparison.like_for_like,
                    notes,
                    populations,
                )
            )
    return rows, sql


def _row(
    measure: Measure,
    area: str,
    period: Period,
    baseline: Period | None,
    figures: Sequence[PublishedFigure],
    like_for_like: bool,
    change_notes: Sequence[str],
    populations: ForcePopulations | None,
) -> MeasureRow:
    now = window_figure(measure, figures, period, area, populations)
    then = window_figure(measure, figures, baseline, area, populations) if baseline else None
    notes = [measure.note, *(as_sentence(n) for n in change_notes)]
    if then is not None and then.reason is not None and baseline is not None:
        notes.append(f"Baseline {baseline.label}: {then.reason}.")
    base_value = then.value if then is not None else None
    change = change_pct = change_points = None
    if now.value is not None and base_value is not None:
        change = now.value - base_value
        if measure.kind is Kind.PROPORTION:
            change_points = 100 * change  # never a relative change for a proportion
        elif base_value:
            change_pct = change / base_value * 100
    beyond = None
    if change is not None and like_for_like and then is not None and baseline is not None:
        beyond = _beyond_chance(measure, now, then, period, baseline)
        if beyond is None:
            notes.append("No test of chance: the spread of the items averaged is not published.")
    target, meets = measure.target_for(now.value, base_value)
    low, high = measure.interval_for(now.value, now.numerator, now.denominator)
    values = _blank(measure, area, period)
    values.update(
        value=now.value,
        numerator=now.numerator if now.value is not None else None,
        denominator=now.denominator if now.value is not None else None,
        baseline_period=baseline.label if baseline else None,
        baseline_value=base_value,
        change=change,
        change_pct=change_pct,
        change_points=change_points,
        target=target,
        meets_target=meets,
        interval_low=low,
        interval_high=high,
        change_beyond_chance=beyond,
        complete=now.value is not None,
        missing_months=tuple(f"{m:%Y-%m}" for m in now.missing),
        population_year=now.population_year,
        like_for_like=like_for_like,
        not_available=now.reason,
        note=" ".join(notes),
    )
    return MeasureRow.from_columns(values)
