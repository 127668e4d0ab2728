"""The local tables every output shows: victim satisfaction (the published survey
figures by year, the response rate, and the record-level survey by domestic abuse, offence
group and area, each group tested against the rest) and every other local indicator's
published history as a table of periods.

The report, its exports, the dashboard and its downloads all take their tables from
``local_tables``, so they show the same figures and withhold the same cells. Small
counts are withheld here, in what the public reads: a cell counting fewer than the
``small_count_threshold`` setting reads 'fewer than 5', and a group's percentage and
interval are withheld with it (they would give the count back). The store keeps the
true figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.measures.breakdowns import (
    GroupFigure,
    HistoryFigure,
    indicator_history,
    indicators_by_local_area,
    indicators_held,
    survey_breakdown,
    withheld,
)
from forcestat.measures.classification import recording_changes_for
from forcestat.measures.local_sql import DEFAULT_SATISFIED
from forcestat.measures.periods import Period

__all__ = [
    "RESPONSE_INDICATOR",
    "SATISFACTION_INDICATOR",
    "LocalCell",
    "LocalColumn",
    "LocalTable",
    "LocalTables",
    "fewer_than",
    "latest_local_month",
    "local_tables",
    "points_clause",
]

SATISFACTION_INDICATOR = "victim_satisfaction"
RESPONSE_INDICATOR = "victim_survey_response"
_BY = (
    ("domestic_abuse", "Victim satisfaction: domestic abuse victims against the rest"),
    ("offence_group", "Victim satisfaction by offence group"),
    ("area", "Victim satisfaction by local authority"),
)
# Words dropped from a table's file and sheet name, as the report's own tables drop them.
_FILLER_WORDS = {"reduce", "improve", "tackle", "disrupt", "and", "other", "among", "the", "of"}

LocalCell = str | int | float | None


@dataclass(frozen=True)
class LocalColumn:
    """One column: ``kind`` is how its numbers are shown ('text', 'count', 'percent',
    or 'range', an interval written out); ``page`` and ``export`` say where it appears
    (an interval is one column on a page, two numbers in a download)."""

    key: str
    label: str
    kind: str
    row_header: bool = False
    page: bool = True
    export: bool = True


@dataclass(frozen=True)
class LocalTable:
    """A local table as every output shows it, small counts already withheld.
    ``slug`` names its CSV file and spreadsheet sheet (at most 31 characters)."""

    slug: str
    caption: str
    columns: tuple[LocalColumn, ...]
    rows: tuple[tuple[LocalCell, ...], ...]
    notes: tuple[str, ...] = ()

    def column(self, key: str) -> tuple[LocalCell, ...]:
        """Every value of the column named ``key``, in row order."""
        index = [c.key for c in self.columns].index(key)
        return tuple(row[index] for row in self.rows)


@dataclass(frozen=True)
class LocalTables:
    """The satisfaction tables, the other local indicators' tables, and the published
    satisfaction and response-rate histories behind the satisfaction paragraphs."""

    satisfaction: tuple[LocalTable, ...]
    local: tuple[LocalTable, ...]
    satisfaction_years: tuple[HistoryFigure, ...]
    responses: tuple[HistoryFigure, ...]


def fewer_than(threshold: int) -> str:
    """What a withheld count reads: 'fewer than 5'."""
    return f"fewer than {threshold}"


def points_clause(change_points: float) -> str:
    """A proportion's change: 'down 4.4 percentage points', 'up 1 percentage point',
    'no change'. Never a relative change."""
    if round(change_points, 1) == 0:
        return "no change"
    size = f"{abs(change_points):.1f}".removesuffix(".0")
    unit = "percentage point" if size == "1" else "percentage points"
    return f"{'down' if change_points < 0 else 'up'} {size} {unit}"


def _slug(text: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in _FILLER_WORDS]
    return "_".join(words)[:31].rstrip("_") or "table"


def _chance_words(beyond: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not tested"}[beyond]


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _interval_text(low: float | None, high: float | None) -> str | None:
    if low is None or high is None:
        return None
    return f"{100 * low:.1f} to {100 * high:.1f}"


_PROPORTION_COLUMNS = (
    LocalColumn("satisfied", "Satisfied", "count"),
    LocalColumn("responses", "Responses", "count"),
    LocalColumn("percent", "Satisfied (%)", "percent"),
    LocalColumn("interval", "95% interval (%)", "range", export=False),
    LocalColumn("interval_low", "95% interval: lower (%)", "percent", page=False),
    LocalColumn("interval_high", "95% interval: upper (%)", "percent", page=False),
)


def _proportion_cells(
    x: int | None, n: int | None, f: GroupFigure | HistoryFigure, threshold: int
) -> tuple[LocalCell, ...]:
    if (
        withheld(x, threshold)
        or withheld(n, threshold)
        or (x is not None and n is not None and withheld(n - x, threshold))
    ):
        return (
            fewer_than(threshold) if withheld(x, threshold) else x,
            fewer_than(threshold) if withheld(n, threshold) else n,
            "withheld",
            "withheld",
            None,
            None,
        )
    return (
        x,
        n,
        _percent(f.value),
        _interval_text(f.interval_low, f.interval_high),
        _percent(f.interval_low),
        _percent(f.interval_high),
    )


def _satisfaction_by_year(history: Sequence[HistoryFigure], threshold: int) -> LocalTable:
    columns = (
        LocalColumn("period", "Year", "text", row_header=True),
        *_PROPORTION_COLUMNS,
        LocalColumn("change_points", "Change on the year before (percentage points)", "text"),
        LocalColumn("beyond_chance", "Change beyond chance?", "text"),
    )
    rows = []
    for h in history:
        change = None if h.change_points is None else points_clause(h.change_points)
        rows.append(
            (
                h.period,
                *_proportion_cells(h.numerator, h.denominator, h, threshold),
                change,
                None if h.change_points is None else _chance_words(h.beyond_chance),
            )
        )
    return LocalTable(
        "satisfaction_by_year",
        "Victims satisfied with the overall service, published survey figures by year",
        columns,
        tuple(rows),
        (
            "Intervals are Wilson 95% intervals; a change is beyond chance when a "
            "two-proportion z-test gives p below 0.05.",
        ),
    )


def _response_rate(history: Sequence[HistoryFigure]) -> LocalTable:
    columns = (
        LocalColumn("period", "Year", "text", row_header=True),
        LocalColumn("completed", "Completed surveys", "count"),
        LocalColumn("invited", "Invitations sent", "count"),
        LocalColumn("rate", "Response rate (%)", "percent"),
    )
    rows = tuple((h.period, h.numerator, h.denominator, _percent(h.value)) for h in history)
    return LocalTable("survey_response_rate", "Victim survey response rate", columns, rows)


def _breakdown_table(
    slug: str, caption: str, groups: Sequence[GroupFigure], threshold: int
) -> LocalTable:
    columns = (
        LocalColumn("group", "Group", "text", row_header=True),
        *_PROPORTION_COLUMNS,
        LocalColumn("rest", "Everyone else (%)", "percent"),
        LocalColumn("beyond_chance", "Differs from everyone else beyond chance?", "text"),
    )
    rows = []
    for g in groups:
        cells = _proportion_cells(g.numerator, g.denominator, g, threshold)
        hidden = cells[2] == "withheld"
        rows.append(
            (
                g.group,
                *cells,
                _percent(g.rest_value),
                "withheld" if hidden else _chance_words(g.beyond_chance),
            )
        )
    notes: tuple[str, ...] = (
        "Each group is tested against every other response pooled (two-proportion z-test, "
        "p below 0.05).",
    )
    if threshold:
        notes += (
            f"Counts below {threshold} are shown as '{fewer_than(threshold)}', with the "
            "group's percentage withheld.",
        )
    return LocalTable(slug, caption, columns, tuple(rows), notes)


def _title(indicator: str) -> str:
    return indicator.replace("_", " ").capitalize()


def _history_table(
    indicator: str, breakdown: str, history: Sequence[HistoryFigure], note: str, threshold: int
) -> LocalTable:
    """Rows: the breakdown's values (or the total); columns: the published periods."""
    periods = sorted({(h.first_month, h.period) for h in history})
    labels = [p for _, p in periods]
    values: dict[str, dict[str, HistoryFigure]] = {}
    for h in history:
        values.setdefault(h.breakdown_value or "Total", {})[h.period] = h
    # A proportion gives numerator and denominator; a mean gives a value (its
    # denominator, if any, counts the items averaged).
    proportion = all(h.denominator and h.numerator is not None for h in history)
    columns = (
        LocalColumn(
            "group", breakdown.replace("_", " ").capitalize() or "Figure", "text", row_header=True
        ),
        *(
            LocalColumn(
                re.sub(r"[^a-z0-9]+", "_", p.lower()), p, "percent" if proportion else "count"
            )
            for p in labels
        ),
    )
    rows = []
    for group, by_period in values.items():
        cells: list[LocalCell] = [group]
        for p in labels:
            found = by_period.get(p)
            if found is None:
                cells.append(None)
            elif proportion:
                cells.append(_percent(found.value))
            elif found.numerator is not None and withheld(found.numerator, threshold):
                cells.append(fewer_than(threshold))
            else:
                cells.append(found.numerator if found.numerator is not None else found.value)
        rows.append(tuple(cells))
    notes = [note] if note else []
    for change in recording_changes_for({indicator}):
        notes.append(f"Not like for like across {change.effective:%B %Y}: {change.description}.")
    if threshold and not proportion:
        notes.append(f"Counts below {threshold} are shown as '{fewer_than(threshold)}'.")
    name = _title(indicator) + (f" by {breakdown.replace('_', ' ')}" if breakdown else "")
    return LocalTable(_slug(f"{indicator} {breakdown}"), name, columns, tuple(rows), tuple(notes))


def local_tables(
    con: duckdb.DuckDBPyConnection,
    force: str,
    period: Period,
    *,
    threshold: int = 5,
    satisfied: Sequence[str] = DEFAULT_SATISFIED,
) -> LocalTables:
    """The satisfaction and local indicator tables for ``force`` over ``period``
    (published figures up to its end; survey responses within it). ``satisfied``: the
    answers counted as satisfied (the ``satisfied_answers`` setting)."""
    satisfaction: list[LocalTable] = []
    years = indicator_history(con, SATISFACTION_INDICATOR, force, last_month=period.last_month)
    if years:
        satisfaction.append(_satisfaction_by_year(years, threshold))
    responses = indicator_history(con, RESPONSE_INDICATOR, force, last_month=period.last_month)
    if responses:
        satisfaction.append(_response_rate(responses))
    for by, caption in _BY:
        groups = survey_breakdown(con, force, period, by, tuple(satisfied))
        if groups:
            satisfaction.append(
                _breakdown_table(
                    f"satisfaction_{by}", f"{caption}, {period.label}", groups, threshold
                )
            )
    local: list[LocalTable] = []
    for indicator, breakdown, note in indicators_held(con, force):
        if indicator in (SATISFACTION_INDICATOR, RESPONSE_INDICATOR):
            continue
        history = indicator_history(
            con, indicator, force, breakdown=breakdown or None, last_month=period.last_month
        )
        if history:
            local.append(_history_table(indicator, breakdown, history, note, threshold))
    # Indicators published for the local authorities within the force: areas by period.
    by_area = indicators_by_local_area(con, force, period.last_month)
    for indicator, history in by_area.items():
        local.append(_history_table(indicator, "local_authority", history, "", threshold))
    return LocalTables(tuple(satisfaction), tuple(local), tuple(years), tuple(responses))


def latest_local_month(con: duckdb.DuckDBPyConnection, force: str) -> dt.date | None:
    """The latest month the force's local data reach (survey responses, or the last
    month of a published indicator period); None when none is loaded."""
    row = con.execute(
        "SELECT greatest("
        "(SELECT max(month) FROM survey_responses WHERE force_name = ?), "
        "(SELECT max(last_month) FROM indicators WHERE force_name = ?))",
        [force, force],
    ).fetchone()
    found = row[0] if row else None
    return None if found is None else dt.date(found.year, found.month, 1)
