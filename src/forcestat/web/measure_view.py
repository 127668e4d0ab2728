"""What the overview and measure pages show, from the measures engine and SPC.

The one place the dashboard meets the engine: ``forcestat.measures.evaluate`` gives the
tidy rows (value, baseline, change, rank, comparator mean, interval); the monthly series
behind a police.uk measure comes from ``forcestat.measures.series`` and is charted by
``forcestat.measures.charting`` with the rebases recorded for it, as in the report and
the ``spc`` command. Home Office measures are quarterly, so they have no monthly chart.

Views are cached per measure, force and period for as long as the store's loaded files
and recorded rebases stay the same (a new ingest or rebase changes every key).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import duckdb

from forcestat.forces import TERRITORIAL_FORCES, Force, find_force
from forcestat.measures.catalogue import Catalogue, Kind, Measure, Source
from forcestat.measures.charting import chart_measure
from forcestat.measures.engine import MeasureRow, evaluate
from forcestat.measures.history import (
    HistoryPoint,
    charted_history,
    extreme_since,
    history_chart,
    history_title,
    published_history,
)
from forcestat.measures.series import (
    Series,
    measure_series,
    monthly_series,
    monthly_source,
    series_axis_title,
)
from forcestat.spc.chart import SpcChart, spc_chart
from forcestat.spc.long_run import LongRunChart
from forcestat.spc.rules import PointType
from forcestat.spc.xmr import SpcError, SpcResult
from forcestat.store.rebases import RebaseRecord, rebase_records

T = TypeVar("T")

__all__ = [
    "ForceValue",
    "MeasureView",
    "ViewCache",
    "build_measure_view",
    "latest_variation",
    "scorecard_rows",
]


@dataclass(frozen=True)
class ForceValue:
    """One force's value in the ranking; ``in_group``: in the comparator group."""

    force: Force
    value: float
    rank: int
    in_group: bool
    is_this_force: bool


@dataclass(frozen=True)
class MeasureView:
    """A measure for one force and period.

    row: the engine's tidy row for the force; ranking: every territorial force with a
    value, lowest first; monthly: the SPC series (the latest run of months with no
    gap); spc/chart/reading: its process behaviour chart and sentences, None and a
    ``no_chart_reason`` when there is none; rebases: the recorded rebases drawn on it.
    """

    measure: Measure
    force: Force
    row: MeasureRow
    ranking: tuple[ForceValue, ...]
    group: tuple[str, ...]
    monthly: Series | None
    spc: SpcResult | None
    chart: SpcChart | None
    reading: tuple[str, ...]
    no_chart_reason: str | None
    rebases: tuple[RebaseRecord, ...] = ()
    # every published rolling year of the measure's offence groups, oldest first, and
    # "the lowest 12-month total since ..." when the history supports it
    history: tuple[HistoryPoint, ...] = ()
    history_sentence: str | None = None
    # the long-run chart of the rolling years up to the period shown, when there are
    # enough of them (forcestat.measures.history.charted_history)
    history_chart: LongRunChart | None = None


def scorecard_rows(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    force: Force,
    period_end: dt.date | None,
    group: Sequence[str],
    local_settings: Mapping[str, object] | None = None,
) -> tuple[MeasureRow, ...]:
    """Every catalogue measure for the force, for the period ending ``period_end``
    (None: each measure's latest period); ``local_settings`` as ``evaluate`` takes them."""
    table = evaluate(
        con,
        catalogue,
        areas=[force.name],
        period_ends=None if period_end is None else [period_end],
        most_similar_forces={force.name: tuple(group)},
        local_settings=local_settings,
    )
    return tuple(r for r in table.rows if r.area == force.name)


def _ranking(
    rows: Sequence[MeasureRow], force: Force, group: Sequence[str]
) -> tuple[ForceValue, ...]:
    territorial = {f.name: f for f in TERRITORIAL_FORCES}
    valued = sorted(
        (
            (r.value, territorial[r.area])
            for r in rows
            if r.area in territorial and r.value is not None
        ),
        key=lambda pair: (pair[0], pair[1].name),
    )
    ranked: list[ForceValue] = []
    for value, f in valued:
        # Ties share the lower rank, as the engine ranks them.
        rank = next((fv.rank for fv in ranked if fv.value == value), len(ranked) + 1)
        ranked.append(ForceValue(f, value, rank, f.name in group, f.name == force.name))
    return tuple(ranked)


def latest_variation(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    measures: Sequence[Measure],
    force: Force,
    rows: Sequence[MeasureRow],
    local_settings: Mapping[str, object] | None = None,
) -> dict[str, PointType]:
    """The variation of the latest month of each monthly measure's chart, by measure id,
    charted exactly as its measure page charts it (the same series and rebases). A
    measure without a chart is left out."""
    by_id = {m.id: m for m in measures if monthly_source(m)}
    last_months: dict[dt.date, list[Measure]] = {}
    for row in rows:
        if row.measure in by_id and row.period_end is not None and row.value is not None:
            last = dt.date(row.period_end.year, row.period_end.month, 1)
            last_months.setdefault(last, []).append(by_id[row.measure])
    recorded: dict[str, list[RebaseRecord]] = {}
    for record in rebase_records(records, area=force.name):
        recorded.setdefault(record.measure_id, []).append(record)
    found: dict[str, PointType] = {}
    for last, shown in last_months.items():
        for measure_id, series in measure_series(
            con, shown, force.name, last, local_settings
        ).items():
            measure = by_id[measure_id]
            rebases = [r.as_rebase() for r in recorded.get(measure_id, [])]
            try:
                charted = chart_measure(measure, series, rebases, name=measure.title)
            except SpcError:
                continue  # too short a series for a chart, as its page says
            found[measure_id] = charted.spc.variation
    return found


def build_measure_view(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    measure: Measure,
    force: Force,
    period_end: dt.date | None,
    group: Sequence[str],
    local_settings: Mapping[str, object] | None = None,
) -> MeasureView:
    """The measure page's content for the force and period."""
    table = evaluate(
        con,
        [measure],
        areas=None,
        period_ends=None if period_end is None else [period_end],
        most_similar_forces={force.name: tuple(group)},
        local_settings=local_settings,
    )
    own = [r for r in table.rows if r.area == force.name]
    if not own:
        # The source holds nothing for this force: ask for its row alone, which says why.
        own = list(
            evaluate(
                con,
                [measure],
                areas=[force.name],
                period_ends=None if period_end is None else [period_end],
                local_settings=local_settings,
            ).rows
        )
    row = own[0]
    monthly: Series | None = None
    spc: SpcResult | None = None
    chart: SpcChart | None = None
    reading: tuple[str, ...] = ()
    reason: str | None = None
    rebases: tuple[RebaseRecord, ...] = ()
    if not monthly_source(measure):
        reason = "This measure comes from quarterly tables, so it has no monthly chart."
    elif row.period_end is None:
        reason = row.not_available or "No period of this measure can be answered from the data."
    else:
        last = dt.date(row.period_end.year, row.period_end.month, 1)
        monthly = monthly_series(con, measure, force.name, last, local_settings)
        recorded = rebase_records(records, measure_id=measure.id, area=force.name)
        try:
            if monthly is None:
                raise SpcError(f"no monthly values are loaded up to {last:%B %Y}")
            # The page shows suggested rebases beside the form that records one.
            charted = chart_measure(
                measure,
                monthly,
                [r.as_rebase() for r in recorded],
                name=measure.title,
                suggest_rebases=False,
            )
        except SpcError as exc:
            reason = f"No chart: {exc}."
        else:
            spc = charted.spc
            by_month = {r.month: r for r in recorded}
            rebases = tuple(by_month[r.month] for r in charted.rebases)
            name = f"{measure.title}, {force.name}"
            chart = spc_chart(spc, title=name, y_title=series_axis_title(measure))
            reading = (*charted.sentences, *charted.left_out)
    history = published_history(con, measure, force.name)
    sentence = None
    shown_end = None
    if row.period_end is not None:
        shown_end = dt.date(row.period_end.year, row.period_end.month, 1)
    if history and shown_end is not None and row.value is not None:
        sentence = extreme_since(history, shown_end)
    long_run = charted_history(history, shown_end)
    return MeasureView(
        history=history,
        history_sentence=sentence,
        history_chart=history_chart(long_run, history_title(measure, force.name))
        if long_run
        else None,
        measure=measure,
        force=force,
        row=row,
        # Counts are never set against other forces (they differ in size): rates only.
        ranking=() if measure.kind is Kind.COUNT else _ranking(table.rows, force, group),
        group=tuple(group),
        monthly=monthly,
        spc=spc,
        chart=chart,
        reading=reading,
        no_chart_reason=reason,
        rebases=rebases,
    )


class ViewCache:
    """Built pages, views and chart SVGs by what they show and the version of the data
    they were built from (the store snapshot and the recorded rebases), least
    recently used dropped first. A new snapshot or record changes the version, so
    nothing stale is served and each page is built once per version: requests that ask
    for a value being built wait for it rather than build it again."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._building: dict[tuple[object, ...], threading.Event] = {}

    def get(self, key: tuple[object, ...]) -> object | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[object, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def fetch(
        self,
        version: tuple[object, ...],
        key: tuple[object, ...],
        kind: type[T],
        build: Callable[[], T],
    ) -> T:
        """The ``kind`` kept under ``key`` for data at ``version``, built and kept when
        there is none (once, however many ask at the same time)."""
        versioned = (*key, version)
        while True:
            found = self.get(versioned)
            if isinstance(found, kind):
                return found
            with self._lock:
                pending = self._building.get(versioned)
                if pending is None:
                    pending = self._building[versioned] = threading.Event()
                    break
            # Another request is building it: wait, then take it (or, if that build
            # failed, try again: the loop builds it here).
            pending.wait(timeout=600)
        try:
            built = build()
            self.put(versioned, built)
            return built
        finally:
            with self._lock:
                self._building.pop(versioned, None)
            pending.set()


def comparator_group(measure: Measure, force: Force, configured: Sequence[str]) -> tuple[str, ...]:
    """The forces a measure compares with: its own list, or the configured group."""
    if isinstance(measure.comparator, tuple):
        return tuple(find_force(f).name for f in measure.comparator if find_force(f) != force)
    return tuple(configured)


def source_title(measure: Measure) -> str:
    """The source in words."""
    return {
        Source.HOME_OFFICE: "Home Office police recorded crime",
        Source.POLICEUK_CRIMES: "police.uk street-level crime",
        Source.POLICEUK_STOP_SEARCH: "police.uk stop and search",
        Source.POPULATION: "ONS population",
        Source.SURVEY: "victim survey",
        Source.PUBLISHED_TABLES: "ONS police force area data tables",
        Source.INDICATOR: "local indicator",
        Source.POLICEUK_OUTCOMES: "police.uk street-level crime and outcomes",
    }[measure.source]
