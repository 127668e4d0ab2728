"""The report's local content: victim satisfaction (the published survey figures by year,
the response rate, and the record-level survey by group, area and domestic abuse) and
every other local indicator's published history as a table of periods.

The tables come from ``forcestat.measures.local_tables``, as the dashboard's do, so both
show the same figures and withhold the same small counts ('fewer than 5'); this module
types them as report tables and writes the satisfaction paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.measures.local_sql import DEFAULT_SATISFIED
from forcestat.measures.local_tables import (
    RESPONSE_INDICATOR,
    SATISFACTION_INDICATOR,
    LocalTable,
    local_tables,
    points_clause,
)
from forcestat.measures.periods import Period
from forcestat.report.context import Column, ColumnKind, DataTable
from forcestat.report.figures import format_count, format_percent

__all__ = [
    "LOCAL_SECTION",
    "RESPONSE_INDICATOR",
    "SATISFACTION_INDICATOR",
    "SATISFACTION_PRIORITY",
    "LocalContent",
    "local_content",
]

SATISFACTION_PRIORITY = "Improve satisfaction among victims"
LOCAL_SECTION = "Local measures"


@dataclass(frozen=True)
class LocalContent:
    """Paragraphs and tables for the satisfaction section and the local section."""

    satisfaction_paragraphs: tuple[str, ...]
    satisfaction_tables: tuple[DataTable, ...]
    local_tables: tuple[DataTable, ...]


def _data_table(table: LocalTable) -> DataTable:
    """The report's table of a local table: the same cells, columns typed alike."""
    columns = tuple(
        Column(c.key, c.label, ColumnKind(c.kind), c.row_header, page=c.page, export=c.export)
        for c in table.columns
    )
    return DataTable(table.slug, table.caption, columns, table.rows, table.notes)


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
    found = local_tables(
        con,
        force,
        period,
        threshold=threshold,
        satisfied=DEFAULT_SATISFIED if satisfied is None else tuple(satisfied),
    )
    paragraphs: list[str] = []
    years = found.satisfaction_years
    if years:
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
    if found.responses:
        r = found.responses[-1]
        if r.value is not None:
            paragraphs.append(
                f"The survey's response rate in {r.period} was {format_percent(100 * r.value)} "
                f"({format_count(r.numerator or 0)} completed of "
                f"{format_count(r.denominator or 0)} invited)."
            )
    return LocalContent(
        tuple(paragraphs),
        tuple(_data_table(t) for t in found.satisfaction),
        tuple(_data_table(t) for t in found.local),
    )
