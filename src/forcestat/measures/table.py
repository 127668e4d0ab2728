"""The tidy measure table: the contract between the measure engine and every output.

One ``MeasureRow`` per measure, area and period, with the columns in ``TIDY_COLUMNS``.
An empty (None) value always comes with the reason, in ``not_available`` (no value at
all) or ``note`` (what the figure counts, proxies, the population used, and why a
baseline, rank or comparator mean is missing). Renderers read this table, never SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields

from forcestat.cells import csv_cell

__all__ = ["TIDY_COLUMNS", "MeasureRow", "MeasureTable"]


@dataclass(frozen=True)
class MeasureRow:
    """One measure for one area and period. Empty (None) values say why in ``not_available``
    or ``note``."""

    measure: str
    title: str
    area: str
    period: str  # label, e.g. '12 months to June 2019'
    period_start: dt.date | None  # None when no period could be drawn
    period_end: dt.date | None  # last day of the period
    value: float | None
    numerator: int | None  # offences, incidents, searches or successes counted
    denominator: float | None  # residents (person-years if pooled) or trials
    unit: str
    baseline_period: str | None
    baseline_value: float | None
    change: float | None
    change_pct: float | None  # relative change; None for a proportion (see change_points)
    change_points: float | None  # a proportion's change in percentage points
    target: float | None
    meets_target: bool | None
    comparator_mean: float | None
    rank: int | None  # among territorial forces, 1 = lowest
    rank_of: int | None  # how many forces were ranked
    interval_low: float | None  # 95% interval: exact Poisson, or Wilson for proportions
    interval_high: float | None
    change_beyond_chance: bool | None
    complete: bool
    missing_months: tuple[str, ...]  # 'YYYY-MM' months of the period with no data loaded
    population_year: int | None
    like_for_like: bool
    not_available: str | None
    note: str

    @classmethod
    def from_columns(cls, values: Mapping[str, object]) -> MeasureRow:
        """A row from a mapping of every one of ``TIDY_COLUMNS`` to its value.

        The same row as ``MeasureRow(**values)``, made without the frozen dataclass's
        field-by-field ``__init__``: the engine makes tens of thousands of rows at a time.
        """
        if values.keys() != _COLUMN_SET:
            wrong = sorted(_COLUMN_SET.symmetric_difference(values))
            raise ValueError(f"a measure row needs exactly the tidy columns; check {wrong}")
        row = object.__new__(cls)
        row.__dict__.update(values)
        return row


TIDY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(MeasureRow))
_COLUMN_SET = frozenset(TIDY_COLUMNS)


@dataclass(frozen=True)
class MeasureTable:
    """The tidy table and the SQL that produced it."""

    rows: tuple[MeasureRow, ...]
    sql: tuple[tuple[str, str], ...]  # (measure id, statement)

    def records(self) -> list[dict[str, object]]:
        """The rows as dictionaries in ``TIDY_COLUMNS`` order."""
        return [{name: getattr(r, name) for name in TIDY_COLUMNS} for r in self.rows]

    def to_csv(self) -> str:
        """The table as CSV: one header line of ``TIDY_COLUMNS``, months joined by spaces."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TIDY_COLUMNS)
        for record in self.records():
            writer.writerow(_csv_value(record[c]) for c in TIDY_COLUMNS)
        return out.getvalue()

    def to_json(self) -> str:
        """The table as a JSON list of objects (dates as YYYY-MM-DD)."""
        return json.dumps(self.records(), default=str, indent=1)


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return csv_cell(" ".join(map(str, value)))
    return csv_cell(value)
