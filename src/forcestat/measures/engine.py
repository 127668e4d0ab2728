"""The measure engine: a catalogue entry compiled to SQL, evaluated into one tidy table.

For each measure, one SQL statement over the store counts the measure's rows for every
force and every reporting window asked for (the periods and their baselines) at once.
``forcestat.measures.sql.compile_sql`` writes it; ``MeasureTable.sql`` keeps every
statement run, which is what ``forcestat measures --show-sql`` prints. Python then adds
what SQL does not know: population, intervals, the test against baseline, rank and
comparator mean.

The tidy table (``forcestat.measures.table``: one row per measure, area and period) is
the contract with every output. Deliberate choices, each stated in the row where it
applies:

- A window with a missing month (police.uk) or quarter (Home Office) is *incomplete*:
  its value is left empty and the missing months listed, never summed as zero.
- A period a source cannot answer (part of a Home Office quarter) and a period outside
  the loaded data come back as rows with ``not_available`` saying why.
- Force measures count police force area rows only (``csp_name IS NULL``); police.uk
  crime measures never count anti-social behaviour incidents.
- A rate is per resident for the window, with the population for the year the window
  starts in (or the latest earlier one); a pooled window of several years is per
  resident per year, each year with its own population.
- Rank is among the territorial forces with a value, 1 the lowest, ties sharing the
  lower rank. Rates rank forces whose population the store holds; where the area
  lookup leaves LSOAs without a force, the affected forces' rates are overstated and
  the row says so.
- The comparator mean is the unweighted mean of the group's values, the area itself
  left out, and is empty unless every member has a value.
- Across a classification change the baseline is counted on the old codes where a
  mapping exists, else left out; either way ``like_for_like`` is False and no verdict on
  chance is given.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import duckdb

from forcestat.forces import TERRITORIAL_FORCES, find_force
from forcestat.measures.catalogue import Catalogue, Kind, Measure, Source
from forcestat.measures.classification import (
    RecordingChange,
    WindowComparison,
    compare_windows,
)
from forcestat.measures.denominators import ForcePopulations, unassigned_lsoas
from forcestat.measures.local import LOCAL_SOURCES, local_measure_rows
from forcestat.measures.periods import (
    Period,
    PeriodError,
    named_period,
    period_ending,
    previous_year,
    unanswerable_reason,
)
from forcestat.measures.published import published_counts, published_latest_month
from forcestat.measures.reasons import as_sentence
from forcestat.measures.sql import (
    GRANULARITY,
    SeriesCount,
    compile_sql,
    latest_month,
    measure_crossings,
    missing_months,
    publication_units,
    run_sql,
)
from forcestat.measures.stats import (
    CONFIDENCE,
    SIGNIFICANCE,
    poisson_change_test,
    proportion_change_interval,
)
from forcestat.measures.table import TIDY_COLUMNS, MeasureRow, MeasureTable

__all__ = ["SIGNIFICANCE", "TIDY_COLUMNS", "MeasureRow", "MeasureTable", "evaluate"]


_TERRITORIAL = frozenset(f.name for f in TERRITORIAL_FORCES)

_SOURCE_NAME = {
    Source.HOME_OFFICE: "Home Office recorded crime",
    Source.POLICEUK_CRIMES: "police.uk street-level crime",
    Source.POLICEUK_STOP_SEARCH: "police.uk stop and search",
    Source.PUBLISHED_TABLES: "ONS police force area data tables",
}


@dataclass(frozen=True)
class _Figure:
    """A measure's value for one area and window, or why there is none."""

    value: float | None = None
    numerator: int | None = None
    denominator: float | None = None
    missing: tuple[dt.date, ...] = ()
    population_year: int | None = None
    population_note: str = ""
    reason: str | None = None


def _figure(
    measure: Measure,
    window: Period,
    count: SeriesCount | None,
    populations: ForcePopulations,
    area: str,
    published: tuple[dt.date, ...],
) -> _Figure:
    if count is None:  # nothing loaded: every month is missing
        missing = window.months
    else:
        granularity = GRANULARITY[measure.source]
        missing = tuple(missing_months(window, granularity, count.units, published))
    if count is None or len(missing) == window.month_count:
        why = f"no {_SOURCE_NAME[measure.source]} data loaded for {area} in the {window.label}"
        if measure.source is Source.HOME_OFFICE:
            why = (
                f"the Home Office tables loaded hold no rows of these offences for {area} "
                f"in the {window.label}"
            )
        return _Figure(missing=missing, reason=why)
    if missing:
        if len(missing) > 6:
            shown = f"between {missing[0]:%Y-%m} and {missing[-1]:%Y-%m}"
        else:
            shown = ", ".join(f"{m:%Y-%m}" for m in missing)
        why = (
            f"incomplete: {len(missing)} of {window.month_count} months of the {window.label} "
            f"have no data loaded ({shown}); a total would be understated"
        )
        return _Figure(missing=missing, reason=why)
    if measure.kind is Kind.PROPORTION:
        if count.trials <= 0:
            return _Figure(reason=f"nothing to take a proportion of in the {window.label}")
        return _Figure(count.numerator / count.trials, count.numerator, float(count.trials))
    if measure.kind is Kind.COUNT:
        return _Figure(float(count.numerator), count.numerator)
    residents = populations.residents(area, window)
    if residents is None:
        why = f"no population for {area} for {window.first_month.year} or earlier"
        return _Figure(numerator=count.numerator, reason=why)
    persons, population = residents
    rate = count.numerator / persons * measure.unit.per
    return _Figure(rate, count.numerator, persons, (), population.population_year, population.note)


class _Figures:
    """One measure's figures by window and area, each worked out once.

    A window is often both one period and another period's baseline (the previous year,
    or the same fixed baseline for every period), so figures are kept for the measure.
    """

    def __init__(
        self,
        measure: Measure,
        counts: Mapping[tuple[Period, str], SeriesCount],
        populations: ForcePopulations,
    ) -> None:
        self.measure = measure
        self.populations = populations
        self.counts: dict[Period, dict[str, SeriesCount]] = {}
        for (window, area), count in counts.items():
            self.counts.setdefault(window, {})[area] = count
        self.figures: dict[Period, dict[str, _Figure]] = {}
        self.labels: dict[tuple[dt.date, ...], tuple[str, ...]] = {}
        # from published figures (forcestat.measures.published): why a force has no
        # figure as published, and which published group a count came from
        self.unavailable: dict[tuple[Period, str], str] = {}
        self.notes: dict[tuple[Period, str], str] = {}

    def of(self, window: Period) -> Callable[[str], _Figure]:
        """The figure for ``area`` in ``window``, as a function of ``area``."""
        counts = self.counts.get(window, {})
        figures = self.figures.setdefault(window, {})
        measure, populations = self.measure, self.populations
        published = publication_units(window, GRANULARITY[measure.source])

        def figure(area: str) -> _Figure:
            found = figures.get(area)
            if found is None:
                count = counts.get(area)
                why = self.unavailable.get((window, area))
                if count is None and why is not None:
                    found = _Figure(reason=f"not available as published: {why}")
                else:
                    found = _figure(measure, window, count, populations, area, published)
                figures[area] = found
            return found

        return figure

    def month_labels(self, months: tuple[dt.date, ...]) -> tuple[str, ...]:
        """The months as 'YYYY-MM'. Whole windows go missing together (every force
        without data, every window before the data begin), so the same runs recur."""
        found = self.labels.get(months)
        if found is None:
            found = self.labels[months] = tuple(m.isoformat()[:7] for m in months)
        return found


def _beyond_chance(measure: Measure, now: _Figure, then: _Figure, p: Period, b: Period) -> bool:
    assert now.numerator is not None and then.numerator is not None
    if measure.kind is Kind.PROPORTION:
        assert now.denominator is not None and then.denominator is not None
        low, high = proportion_change_interval(
            now.numerator, int(now.denominator), then.numerator, int(then.denominator), CONFIDENCE
        )
        return low > 0 or high < 0
    if measure.kind is Kind.RATE:
        assert now.denominator is not None and then.denominator is not None
        exposure, baseline_exposure = now.denominator, then.denominator
    else:
        exposure, baseline_exposure = p.month_count, b.month_count
    p_value = poisson_change_test(now.numerator, exposure, then.numerator, baseline_exposure)
    return p_value < SIGNIFICANCE


def _columns(measure: Measure, period: Period | None) -> dict[str, object]:
    """Every tidy column of a row of ``measure`` for ``period``, before the area's values."""
    base: dict[str, object] = dict.fromkeys(TIDY_COLUMNS)
    base.update(
        measure=measure.id,
        title=measure.title,
        area="",
        period=period.label if period else "",
        period_start=period.period_start if period else None,
        period_end=period.period_end if period else None,
        unit=measure.unit.value,
        complete=False,
        missing_months=(),
        like_for_like=True,
        note=measure.note,
    )
    return base


def _row(measure: Measure, area: str, period: Period | None, **values: object) -> MeasureRow:
    base = _columns(measure, period)
    base["area"] = area
    base.update(values)
    return MeasureRow.from_columns(base)


def _rows_without_value(
    measure: Measure, period: Period | None, areas: Sequence[str], why: str | None
) -> list[MeasureRow]:
    """A row for each area saying why there is no value."""
    base = _columns(measure, period)
    base["not_available"] = why
    return [MeasureRow.from_columns({**base, "area": area}) for area in areas]


def evaluate(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue | Sequence[Measure],
    *,
    areas: Sequence[str] | None = None,
    period_ends: Sequence[dt.date] | None = None,
    most_similar_forces: Mapping[str, Sequence[str]] | None = None,
    recording_changes: Sequence[RecordingChange] = (),
    local_settings: Mapping[str, object] | None = None,
) -> MeasureTable:
    """Evaluate measures for areas and periods into the tidy table.

    ``areas``: forces in any spelling (None: every force the source has data for).
    ``period_ends``: last months of the periods (None: the latest the source holds).
    ``most_similar_forces``: each force's comparator group, for measures whose
    comparator is 'most_similar_forces'. ``recording_changes``: the plan file's own
    (a Catalogue brings its own). ``local_settings``: settings of the local sources
    (``satisfied_answers``), see ``forcestat.measures.local_sql``.

    Example:
        >>> table = evaluate(con, load_catalogue(), areas=["West Midlands"])  # doctest: +SKIP
    """
    measures = catalogue.measures if isinstance(catalogue, Catalogue) else tuple(catalogue)
    if isinstance(catalogue, Catalogue):
        recording_changes = (*catalogue.recording_changes, *recording_changes)
    wanted = None if areas is None else [find_force(a).name for a in areas]
    groups = {
        find_force(k).name: tuple(find_force(f).name for f in v)
        for k, v in (most_similar_forces or {}).items()
    }
    context = _Context(
        con,
        ForcePopulations(con),
        unassigned_lsoas(con),
        groups,
        tuple(recording_changes),
        local_settings or {},
    )
    rows: list[MeasureRow] = []
    statements: list[tuple[str, str]] = []
    for measure in measures:
        found_rows, sql = _evaluate_measure(context, measure, wanted, period_ends)
        rows.extend(found_rows)
        if sql:
            statements.append((measure.id, sql))
    return MeasureTable(tuple(rows), tuple(statements))


@dataclass(frozen=True)
class _Context:
    con: duckdb.DuckDBPyConnection
    populations: ForcePopulations
    unassigned_lsoas: int
    groups: Mapping[str, tuple[str, ...]]
    recording_changes: tuple[RecordingChange, ...] = ()
    local_settings: Mapping[str, object] = dataclasses.field(default_factory=dict)


def _windows(measure: Measure, end: dt.date) -> tuple[Period, Period | None]:
    period = period_ending(measure.period, end)
    months = 12 * measure.pool_years
    if measure.pool_years > 1:
        period = period.extended_back(months)
    if measure.baseline == "none":
        return period, None
    if measure.baseline == "previous_year":
        return period, previous_year(period)
    baseline = named_period(measure.baseline)
    return period, baseline.extended_back(months) if measure.pool_years > 1 else baseline


def _evaluate_measure(
    ctx: _Context, measure: Measure, wanted: list[str] | None, ends: Sequence[dt.date] | None
) -> tuple[list[MeasureRow], str]:
    if measure.source in LOCAL_SOURCES:
        return local_measure_rows(
            ctx.con,
            measure,
            wanted,
            ends,
            populations=ctx.populations,
            recording_changes=ctx.recording_changes,
            settings=ctx.local_settings,
        )
    if measure.source is Source.POPULATION:
        return _population_rows(ctx, measure, wanted, ends), ""
    if ends is None:
        latest = _latest_month(ctx.con, measure, wanted)
        if latest is None:
            where = f" for {', '.join(wanted)}" if wanted else ""
            why = f"no {_SOURCE_NAME[measure.source]} data loaded{where}"
            return _rows_without_value(measure, None, wanted or [], why), ""
        ends = [latest]
    granularity = GRANULARITY[measure.source]
    plans: list[tuple[dt.date, Period | None, Period | None, str | None]] = []
    period: Period | None
    for end in ends:
        try:
            period, baseline = _windows(measure, end)
        except PeriodError as exc:
            plans.append((end, None, None, str(exc)))
            continue
        plans.append((end, period, baseline, unanswerable_reason(period, granularity)))
    windows = sorted(
        {
            w
            for _, p, b, why in plans
            if why is None
            for w in (p, b)
            if w is not None and unanswerable_reason(w, granularity) is None
        },
    )
    counts: dict[tuple[Period, str], SeriesCount] = {}
    sql = ""
    if windows and measure.source is not Source.PUBLISHED_TABLES:
        sql = compile_sql(measure, windows)
        counts = run_sql(ctx.con, sql, windows)
    answer = published_counts(ctx.con, measure, windows, counts)
    counts.update(answer.counts)
    universe = sorted({area for _, area in counts} | {area for _, area in answer.unavailable})
    targets = wanted if wanted is not None else universe
    figures = _Figures(measure, counts, ctx.populations)
    figures.unavailable, figures.notes = answer.unavailable, answer.notes
    found = measure_crossings(measure)
    rows: list[MeasureRow] = []
    for _end, period, baseline, reason in plans:
        if period is None or reason is not None:
            rows.extend(_rows_without_value(measure, period, targets, reason))
            continue
        comparison = compare_windows(found, period, baseline)
        rows.extend(
            _period_rows(ctx, measure, comparison, period, baseline, figures, universe, targets)
        )
    return rows, sql


def _latest_month(
    con: duckdb.DuckDBPyConnection, measure: Measure, wanted: list[str] | None
) -> dt.date | None:
    """The latest month the measure can be answered to: its own table's, or a later
    rolling year of the published group that stands in for it."""
    own = None if measure.source is Source.PUBLISHED_TABLES else latest_month(con, measure, wanted)
    published = published_latest_month(con, measure)
    return max((m for m in (own, published) if m is not None), default=None)


def _period_rows(
    ctx: _Context,
    measure: Measure,
    comparison: WindowComparison,
    period: Period,
    baseline: Period | None,
    figures: _Figures,
    universe: Sequence[str],
    targets: Sequence[str],
) -> list[MeasureRow]:
    granularity = GRANULARITY[measure.source]
    baseline_why = None
    if baseline is not None:
        baseline_why = unanswerable_reason(baseline, granularity) or comparison.baseline_blocked
    now_of = figures.of(period)
    then_of = figures.of(baseline) if baseline is not None and baseline_why is None else None

    ranked: dict[str, float] = {}
    if measure.kind is not Kind.COUNT:
        for area in universe:
            if area in _TERRITORIAL:
                value = now_of(area).value
                if value is not None:
                    ranked[area] = value
    # Rank: 1 + how many ranked forces have a lower value (ties share the lower rank).
    ranked_values = sorted(ranked.values())

    # The notes every row of this period shares, before and after its own.
    lead_notes = [measure.note]
    if measure.source is Source.POLICEUK_CRIMES and "Anti-social behaviour" not in (
        measure.filter.crime_types or ()
    ):
        lead_notes.append("Anti-social behaviour incidents are not counted.")
    window_notes = [as_sentence(n) for n in comparison.notes]
    if baseline_why is not None:
        window_notes.append(as_sentence(baseline_why))
    rank_note = ""
    # Only populations summed through the area lookup are hit by its gaps; force-level
    # estimates (the ONS force tables) are not.
    summed = any("through the area lookup" in now_of(area).population_note for area in ranked)
    if measure.kind is Kind.RATE and ctx.unassigned_lsoas and summed:
        rank_note = (
            f"Ranked among {len(ranked)} forces with a population; "
            f"{ctx.unassigned_lsoas:,} LSOAs in the area lookup name no force, so the "
            "forces they belong to have understated populations and overstated rates."
        )

    base = _columns(measure, period)
    base["baseline_period"] = baseline.label if baseline else None
    base["like_for_like"] = comparison.like_for_like
    rows = []
    for area in targets:
        now = now_of(area)
        then = then_of(area) if then_of is not None else None
        notes = lead_notes.copy()
        said = figures.notes.get((period, area))
        if said:
            notes.append(said)
        then_said = figures.notes.get((baseline, area)) if baseline is not None else None
        if then_said and baseline is not None:
            notes.append(f"Baseline {baseline.label}: {then_said}")
        # One window from offence codes, the other from a proxy group: not like for like.
        mixed = (
            baseline is not None
            and "Proxy:" in (said or then_said or "")
            and ((said is None) != (then_said is None))
        )
        if mixed:
            notes.append(
                "Not like for like: one of the period and the baseline counts the "
                "measure's offence codes, the other the published group standing in."
            )
        if now.population_note:
            notes.append(as_sentence(now.population_note))
        notes.extend(window_notes)
        if then is not None and then.reason is not None:
            notes.append(f"Baseline {baseline.label if baseline else ''}: {then.reason}.")
        rank = None
        if area in ranked:
            rank = 1 + bisect.bisect_left(ranked_values, ranked[area])
            if rank_note:
                notes.append(rank_note)
        mean, mean_note = _comparator_mean(ctx, measure, area, now_of)
        if mean_note:
            notes.append(mean_note)
        base_value = then.value if then is not None else None
        change = change_pct = change_points = None
        if now.value is not None and base_value is not None:
            change = now.value - base_value
            if measure.kind is Kind.PROPORTION:
                change_points = 100 * change  # never a relative change for a proportion
            elif base_value:
                change_pct = change / base_value * 100
        beyond = None
        if change is not None and comparison.like_for_like and not mixed and then and baseline:
            beyond = _beyond_chance(measure, now, then, period, baseline)
        target, meets = measure.target_for(now.value, base_value)
        low, high = measure.interval_for(now.value, now.numerator, now.denominator)
        values = base.copy()
        values.update(
            area=area,
            value=now.value,
            numerator=now.numerator if now.value is not None else None,
            denominator=now.denominator,
            baseline_value=base_value,
            change=change,
            change_pct=change_pct,
            change_points=change_points,
            target=target,
            meets_target=meets,
            comparator_mean=mean,
            rank=rank,
            rank_of=len(ranked) if rank is not None else None,
            interval_low=low,
            interval_high=high,
            change_beyond_chance=beyond,
            complete=not now.missing and now.reason is None,
            missing_months=figures.month_labels(now.missing),
            population_year=now.population_year,
            like_for_like=comparison.like_for_like and not mixed,
            not_available=now.reason,
            note=" ".join(notes),
        )
        rows.append(MeasureRow.from_columns(values))
    return rows


def _comparator_mean(
    ctx: _Context, measure: Measure, area: str, value_of: object
) -> tuple[float | None, str]:
    if measure.comparator == "none":
        return None, ""
    if isinstance(measure.comparator, tuple):
        group = measure.comparator
    else:
        group = ctx.groups.get(area, ())
    group = tuple(g for g in group if g != area)
    if not group:
        return None, ""
    assert callable(value_of)
    values = {g: value_of(g).value for g in group}
    lacking = [g for g, v in values.items() if v is None]
    if lacking:
        return None, f"Comparator mean not available: no value for {', '.join(lacking)}."
    return statistics.fmean(v for v in values.values() if v is not None), (
        f"Comparator mean of {', '.join(group)}."
    )


def _population_rows(
    ctx: _Context, measure: Measure, wanted: list[str] | None, ends: Sequence[dt.date] | None
) -> list[MeasureRow]:
    """A population measure: residents for the year each period starts in."""
    if ends is None:
        row = ctx.con.execute("SELECT max(population_year) FROM population").fetchone()
        ends = [dt.date(row[0], 12, 1)] if row and row[0] is not None else []
    areas = wanted or [f.name for f in TERRITORIAL_FORCES]
    rows = []
    for end in ends:
        period, baseline = _windows(measure, end)
        for area in areas:
            now = ctx.populations.for_year(area, period.first_month.year)
            then = None
            if baseline is not None:
                then = ctx.populations.for_year(area, baseline.first_month.year)
            if now is None:
                why = f"no population for {area} for {period.first_month.year} or earlier"
                rows.append(_row(measure, area, period, not_available=why))
                continue
            base = float(then.persons) if then is not None else None
            change = now.persons - base if base is not None else None
            rows.append(
                _row(
                    measure,
                    area,
                    period,
                    value=float(now.persons),
                    numerator=now.persons,
                    baseline_period=baseline.label if baseline else None,
                    baseline_value=base,
                    change=change,
                    change_pct=change / base * 100 if change is not None and base else None,
                    complete=True,
                    population_year=now.population_year,
                    note=f"{measure.note} {as_sentence(now.note)}",
                )
            )
    return rows
