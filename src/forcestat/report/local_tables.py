"""The report's local content: victim satisfaction (the published survey figures by year,
the response rate, and the record-level survey by group, area and domestic abuse) and
every other local indicator's published history as a table of periods.

Small counts are withheld here, in what the public reads: a cell counting fewer than the
``small_count_threshold`` setting reads 'fewer than 5', and a group's percentage and
interval are withheld with it (they would give the count back). The store keeps the
true figures.
"""

from __future__ import annotations

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
from forcestat.measures.periods import Period
from forcestat.report.context import CellValue, Column, ColumnKind, DataTable
from forcestat.report.figures import format_count, format_percent
from forcestat.report.narrative import points_clause
from forcestat.report.tables import sheet_slug

__all__ = [
    "LOCAL_SECTION",
    "SATISFACTION_INDICATOR",
    "SATISFACTION_PRIORITY",
    "LocalContent",
    "local_content",
]

SATISFACTION_PRIORITY = "Improve satisfaction among victims"
LOCAL_SECTION = "Local measures"
SATISFACTION_INDICATOR = "victim_satisfaction"
RESPONSE_INDICATOR = "victim_survey_response"
_BY = (
    ("domestic_abuse", "Victim satisfaction: domestic abuse victims against the rest"),
    ("offence_group", "Victim satisfaction by offence group"),
    ("area", "Victim satisfaction by local authority"),
)


@dataclass(frozen=True)
class LocalContent:
    """Paragraphs and tables for the satisfaction section and the local section."""

    satisfaction_paragraphs: tuple[str, ...]
    satisfaction_tables: tuple[DataTable, ...]
    local_tables: tuple[DataTable, ...]


def _fewer(threshold: int) -> str:
    return f"fewer than {threshold}"


def _chance_words(beyond: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not tested"}[beyond]


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _interval_text(low: float | None, high: float | None) -> str | None:
    if low is None or high is None:
        return None
    return f"{100 * low:.1f} to {100 * high:.1f}"


_PROPORTION_COLUMNS = (
    Column("satisfied", "Satisfied", ColumnKind.COUNT),
    Column("responses", "Responses", ColumnKind.COUNT),
    Column("percent", "Satisfied (%)", ColumnKind.PERCENT),
    Column("interval", "95% interval (%)", ColumnKind.RANGE, export=False),
    Column("interval_low", "95% interval: lower (%)", ColumnKind.PERCENT, page=False),
    Column("interval_high", "95% interval: upper (%)", ColumnKind.PERCENT, page=False),
)


def _proportion_cells(
    x: int | None, n: int | None, f: GroupFigure | HistoryFigure, threshold: int
) -> tuple[CellValue, ...]:
    if (
        withheld(x, threshold)
        or withheld(n, threshold)
        or (x is not None and n is not None and withheld(n - x, threshold))
    ):
        return (
            _fewer(threshold) if withheld(x, threshold) else x,
            _fewer(threshold) if withheld(n, threshold) else n,
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


def _satisfaction_by_year(history: Sequence[HistoryFigure], threshold: int) -> DataTable:
    columns = (
        Column("period", "Year", ColumnKind.TEXT, row_header=True),
        *_PROPORTION_COLUMNS,
        Column("change_points", "Change on the year before (percentage points)", ColumnKind.TEXT),
        Column("beyond_chance", "Change beyond chance?", ColumnKind.TEXT),
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
    return DataTable(
        "satisfaction_by_year",
        "Victims satisfied with the overall service, published survey figures by year",
        columns,
        tuple(rows),
        (
            "Intervals are Wilson 95% intervals; a change is beyond chance when a "
            "two-proportion z-test gives p below 0.05.",
        ),
    )


def _response_rate(history: Sequence[HistoryFigure]) -> DataTable:
    columns = (
        Column("period", "Year", ColumnKind.TEXT, row_header=True),
        Column("completed", "Completed surveys", ColumnKind.COUNT),
        Column("invited", "Invitations sent", ColumnKind.COUNT),
        Column("rate", "Response rate (%)", ColumnKind.PERCENT),
    )
    rows = tuple((h.period, h.numerator, h.denominator, _percent(h.value)) for h in history)
    return DataTable("survey_response_rate", "Victim survey response rate", columns, rows)


def _breakdown_table(
    slug: str, caption: str, groups: Sequence[GroupFigure], threshold: int
) -> DataTable:
    columns = (
        Column("group", "Group", ColumnKind.TEXT, row_header=True),
        *_PROPORTION_COLUMNS,
        Column("rest", "Everyone else (%)", ColumnKind.PERCENT),
        Column("beyond_chance", "Differs from everyone else beyond chance?", ColumnKind.TEXT),
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
            f"Counts below {threshold} are shown as '{_fewer(threshold)}', with the "
            "group's percentage withheld.",
        )
    return DataTable(slug, caption, columns, tuple(rows), notes)


def _title(indicator: str) -> str:
    return indicator.replace("_", " ").capitalize()


def _history_table(
    indicator: str, breakdown: str, history: Sequence[HistoryFigure], note: str, threshold: int
) -> DataTable:
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
        Column(
            "group",
            breakdown.replace("_", " ").capitalize() or "Figure",
            ColumnKind.TEXT,
            row_header=True,
        ),
        *(
            Column(
                re.sub(r"[^a-z0-9]+", "_", p.lower()),
                p,
                ColumnKind.PERCENT if proportion else ColumnKind.COUNT,
            )
            for p in labels
        ),
    )
    rows = []
    for group, by_period in values.items():
        cells: list[CellValue] = [group]
        for p in labels:
            found = by_period.get(p)
            if found is None:
                cells.append(None)
            elif proportion:
                cells.append(_percent(found.value))
            elif found.numerator is not None and withheld(found.numerator, threshold):
                cells.append(_fewer(threshold))
            else:
                cells.append(found.numerator if found.numerator is not None else found.value)
        rows.append(tuple(cells))
    notes = [note] if note else []
    for change in recording_changes_for({indicator}):
        notes.append(f"Not like for like across {change.effective:%B %Y}: {change.description}.")
    if threshold and not proportion:
        notes.append(f"Counts below {threshold} are shown as '{_fewer(threshold)}'.")
    name = _title(indicator) + (f" by {breakdown.replace('_', ' ')}" if breakdown else "")
    return DataTable(
        sheet_slug(f"{indicator} {breakdown}"), name, columns, tuple(rows), tuple(notes)
    )


def local_content(
    con: duckdb.DuckDBPyConnection,
    force: str,
    period: Period,
    *,
    threshold: int = 5,
    satisfied: Sequence[str] | None = None,
) -> LocalContent:
    """The local tables and paragraphs for ``force``'s report over ``period`` (published
    figures up to its end)."""
    paragraphs: list[str] = []
    tables: list[DataTable] = []
    years = indicator_history(con, SATISFACTION_INDICATOR, force, last_month=period.last_month)
    if years:
        tables.append(_satisfaction_by_year(years, threshold))
        latest = years[-1]
        if latest.value is not None and latest.interval_low is not None:
            text = (
                f"In {latest.period}, {format_percent(100 * latest.value)} of victims answering "
                f"the survey were satisfied with the overall service ({format_count(latest.numerator or 0)} "
                f"of {format_count(latest.denominator or 0)}; 95% interval "
                f"{format_percent(100 * latest.interval_low)} to "
                f"{format_percent(100 * (latest.interval_high or 0))})"
            )
            before = years[-2] if len(years) > 1 else None
            if latest.change_points is not None and before is not None and before.value is not None:
                text += (
                    f", {points_clause(latest.change_points)} from "
                    f"{format_percent(100 * before.value)} in {before.period}"
                )
                text += (
                    ", a change larger than chance alone would explain"
                    if latest.beyond_chance
                    else ", within what chance alone could explain"
                )
            paragraphs.append(text + ".")
    responses = indicator_history(con, RESPONSE_INDICATOR, force, last_month=period.last_month)
    if responses:
        tables.append(_response_rate(responses))
        r = responses[-1]
        if r.value is not None:
            paragraphs.append(
                f"The survey's response rate in {r.period} was {format_percent(100 * r.value)} "
                f"({format_count(r.numerator or 0)} completed of "
                f"{format_count(r.denominator or 0)} invited)."
            )
    chosen = tuple(satisfied) if satisfied is not None else None
    for by, caption in _BY:
        groups = (
            survey_breakdown(con, force, period, by)
            if chosen is None
            else survey_breakdown(con, force, period, by, chosen)
        )
        if groups:
            tables.append(
                _breakdown_table(
                    f"satisfaction_{by}", f"{caption}, {period.label}", groups, threshold
                )
            )
    local: list[DataTable] = []
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
    return LocalContent(tuple(paragraphs), tuple(tables), tuple(local))
