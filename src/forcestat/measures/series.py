"""Each measure's run of months (or quarters): what its chart and sparkline draw.

The one place a series is made, for the ``spc`` command, the report and the dashboard
alike. The measure engine evaluates the same catalogue entry over one-month windows
(police.uk) or financial quarters (Home Office), so a series counts exactly what the
headline counts. A chart needs an unbroken monthly run: the months up to the period
end, back to the first gap or ``CHART_MONTHS``, whichever is nearer. A proportion is
charted as a percentage; a rate as the month's rate over the same residents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from forcestat.forces import find_force
from forcestat.measures.catalogue import Kind, Measure, Source
from forcestat.measures.engine import MeasureRow, evaluate
from forcestat.measures.local import LOCAL_SOURCES
from forcestat.measures.local_sql import latest_local_month, local_figures
from forcestat.measures.periods import PeriodKind
from forcestat.measures.sql import latest_month
from forcestat.months import add_months

__all__ = [
    "CHART_MONTHS",
    "MIN_CHART_MONTHS",
    "SPARKLINE_QUARTERS",
    "Series",
    "measure_series",
    "monthly_series",
    "monthly_source",
    "series_axis_title",
]

# Five years of months: enough for limits and rules, few enough to read on a page.
CHART_MONTHS = 60
# A process behaviour chart with fewer points has no stable limits to judge by.
MIN_CHART_MONTHS = 12
SPARKLINE_QUARTERS = 20


@dataclass(frozen=True)
class Series:
    """A measure's values by month (or quarter), each named by its first month.

    A proportion's or rate's series also carries each month's ``numerators`` (successes,
    offences) and ``denominators`` (trials, residents), for its p or u chart; None for
    a count, or when a month lacks them.
    """

    months: tuple[dt.date, ...]
    values: tuple[float, ...]
    grain: str  # 'monthly' or 'quarterly'
    numerators: tuple[float, ...] | None = None
    denominators: tuple[float, ...] | None = None


def monthly_source(measure: Measure) -> bool:
    """Whether the measure's source publishes by month (police.uk; the local sources,
    whose monthly figures, where loaded, make a monthly series) rather than quarter."""
    return measure.source in (Source.POLICEUK_CRIMES, Source.POLICEUK_STOP_SEARCH) or (
        measure.source in LOCAL_SOURCES
    )


def _per_window(measure: Measure, kind: PeriodKind) -> Measure:
    return dataclasses.replace(
        measure,
        period=kind,
        baseline="none",
        pool_years=1,
        target_change_pct=None,
        target_value=None,
        comparator="none",
    )


def _charted(row: MeasureRow) -> float | None:
    if row.value is None or row.unit != "proportion":
        return row.value
    return 100 * row.value


def series_axis_title(measure: Measure) -> str:
    """The y-axis title of the measure's monthly chart."""
    if measure.kind is Kind.PROPORTION:
        return "Per cent"
    if measure.kind is Kind.RATE:
        return f"Rate per {measure.unit.per:,} residents, a month"
    if measure.kind is Kind.MEAN:
        return f"Mean ({measure.unit.value}), a month"
    if measure.source is Source.INDICATOR:
        return "Count a month"
    if measure.source is Source.POLICEUK_STOP_SEARCH:
        return "Searches a month"
    return "Offences a month"


def _trailing_run(rows: Sequence[MeasureRow], starts: Sequence[dt.date]) -> Series | None:
    """The values of the unbroken run of windows that ends with the last of ``starts``
    (each window named by its first month)."""
    row_at = {r.period_start: r for r in rows if r.period_start is not None}
    months: list[dt.date] = []
    values: list[float] = []
    sizes: list[tuple[float, float] | None] = []
    for start in reversed(starts):
        row = row_at.get(start)
        value = None if row is None else _charted(row)
        if row is None or value is None:
            break
        months.append(start)
        values.append(value)
        ratio = row.unit != "count" and row.numerator is not None and row.denominator
        sizes.append((float(row.numerator or 0), float(row.denominator or 0)) if ratio else None)
    if not months:
        return None
    numerators = denominators = None
    if all(size is not None for size in sizes):
        numerators = tuple(size[0] for size in reversed(sizes) if size is not None)
        denominators = tuple(size[1] for size in reversed(sizes) if size is not None)
    return Series(tuple(reversed(months)), tuple(reversed(values)), "", numerators, denominators)


def measure_series(
    con: duckdb.DuckDBPyConnection,
    measures: Sequence[Measure],
    force: str,
    period_end: dt.date,
    local_settings: Mapping[str, object] | None = None,
) -> dict[str, Series]:
    """The series of each measure that has one, by measure id. ``local_settings``: the
    local sources' settings (``satisfied_answers``), as ``evaluate`` takes them.

    Monthly sources give up to ``CHART_MONTHS`` months; the Home Office tables give up
    to ``SPARKLINE_QUARTERS`` quarters, and only when ``period_end`` ends a quarter.
    """
    found: dict[str, Series] = {}
    monthly = [_per_window(m, PeriodKind.MONTH) for m in measures if monthly_source(m)]
    if monthly:
        months = [add_months(period_end, -k) for k in range(CHART_MONTHS - 1, -1, -1)]
        table = evaluate(
            con, monthly, areas=[force], period_ends=months, local_settings=local_settings
        )
        for measure in monthly:
            rows = [r for r in table.rows if r.measure == measure.id]
            run = _trailing_run(rows, months)
            if run is not None:
                found[measure.id] = dataclasses.replace(run, grain="monthly")
    quarterly = [
        _per_window(m, PeriodKind.QUARTER)
        for m in measures
        if m.source is Source.HOME_OFFICE and m.pool_years == 1
    ]
    if quarterly and period_end.month % 3 == 0:
        ends = [add_months(period_end, -3 * k) for k in range(SPARKLINE_QUARTERS - 1, -1, -1)]
        table = evaluate(con, quarterly, areas=[force], period_ends=ends)
        starts = [add_months(e, -2) for e in ends]
        for measure in quarterly:
            rows = [r for r in table.rows if r.measure == measure.id]
            run = _trailing_run(rows, starts)
            if run is not None:
                found[measure.id] = dataclasses.replace(run, grain="quarterly")
    return found


def monthly_series(
    con: duckdb.DuckDBPyConnection,
    measure: Measure,
    area: str,
    last_month: dt.date | None = None,
    local_settings: Mapping[str, object] | None = None,
) -> Series | None:
    """The measure's monthly series for the force ``area`` (any of its names), up to ``last_month`` (default: the
    latest month its source holds for the area); None for a quarterly source or when
    that month has no value.

    Example:
        >>> monthly_series(con, catalogue.measure("burglary_policeuk"),
        ...     "City of London Police")  # doctest: +SKIP
        Series(months=(datetime.date(2017, 1, 1), ...), values=(3.0, ...), grain='monthly')
    """
    if not monthly_source(measure):
        return None
    area = find_force(area).name
    if last_month is None and measure.source in LOCAL_SOURCES:
        published, _ = local_figures(con, measure, [area], local_settings)
        last_month = latest_local_month(published, [area])
    last = last_month or latest_month(con, measure, [area])
    if last is None:
        return None
    return measure_series(con, [measure], area, last.replace(day=1), local_settings).get(measure.id)
