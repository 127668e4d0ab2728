"""The data tables of the report, built from measure results as plain rows.

Every table here is shown on the page and exported as it stands (CSV, XLSX, ODS), so
values stay unrounded; proportions are held as percentages (87.5, not 0.875) so that a
spreadsheet reader sees the number the page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import duckdb

from forcestat.measures.catalogue import Measure, Source
from forcestat.measures.classification import crossings
from forcestat.measures.comparators import ForceComparison
from forcestat.measures.denominators import Population, force_populations
from forcestat.measures.engine import MeasureRow
from forcestat.months import month_label
from forcestat.report.context import (
    CellValue,
    Column,
    ColumnKind,
    DataTable,
    Gap,
    MeasureFigure,
    ScorecardRow,
    SeriesChart,
)
from forcestat.report.figures import format_shown, unit_label
from forcestat.report.narrative import capitalised, join_names
from forcestat.sources import LAYOUTS
from forcestat.spc.xmr import AssuranceType, PointType
from forcestat.store.provenance import SourceFileUsed

__all__ = [
    "ASSURANCE_WORDS",
    "VARIATION_WORDS",
    "assurance_words",
    "classification_breaks",
    "comparison_table",
    "definitions_table",
    "not_measured_table",
    "population_years",
    "populations_used",
    "scorecard_table",
    "section_table",
    "settings_table",
    "sheet_slug",
    "sources_table",
    "target_words",
    "variation_words",
]

VARIATION_WORDS = {
    PointType.COMMON_CAUSE: "Common cause variation",
    PointType.IMPROVEMENT: "Special cause: improving",
    PointType.CONCERN: "Special cause: concerning",
    PointType.NEUTRAL_HIGH: "Special cause: high",
    PointType.NEUTRAL_LOW: "Special cause: low",
}
ASSURANCE_WORDS = {
    AssuranceType.CONSISTENT_PASS: "Will consistently meet the target",
    AssuranceType.CONSISTENT_FAIL: "Will consistently miss the target",
    AssuranceType.INCONSISTENT: "May meet or miss the target",
}

_FILLER_WORDS = {"reduce", "improve", "tackle", "disrupt", "and", "other", "among", "the", "of"}
_SOURCE_WORDS = {
    "home_office": "Home Office recorded crime (quarterly)",
    "policeuk_crimes": "police.uk street-level crime (monthly)",
    "policeuk_stop_search": "police.uk stop and search (monthly)",
    "population": "population",
    "survey": "victim survey (local extract)",
    "indicator": "local indicator (local extract)",
    "policeuk_outcomes": "police.uk crimes and outcomes (monthly)",
}


def sheet_slug(text: str) -> str:
    """A CSV file and sheet name: lower case, underscores, at most 31 characters, the
    words that open every priority ('reduce', 'tackle') dropped."""
    words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in _FILLER_WORDS]
    return "_".join(words)[:31].rstrip("_") or "table"


def _unit_words(measure_unit: str, source: str) -> str:
    if measure_unit == "count":
        if source == "indicator":
            return "count"
        return "searches" if source == "policeuk_stop_search" else "offences"
    if measure_unit == "proportion":
        return "%"
    return unit_label(measure_unit)


def _shown(value: float | None, unit: str) -> float | None:
    """A value as a table holds it: proportions as percentages."""
    if value is None:
        return None
    return value * 100 if unit == "proportion" else value


def _chance(beyond: bool | None, like_for_like: bool) -> str:
    if not like_for_like:
        return "Not tested (not like for like)"
    return {True: "Yes", False: "No", None: "Not tested"}[beyond]


def _interval(low: float | None, high: float | None, unit: str) -> str | None:
    if low is None or high is None:
        return None
    shown_low, shown_high = _shown(low, unit), _shown(high, unit)
    assert shown_low is not None and shown_high is not None
    return f"{format_shown(shown_low, unit)} to {format_shown(shown_high, unit)}"


def section_table(priority: str, figures: Sequence[MeasureFigure]) -> DataTable:
    """One row per measure of the priority with a figure: value, interval, baseline and
    previous year, with the changes. The page writes the interval as one column ('29
    to 56'); the exports carry its two ends, and whether the change on the previous year
    is beyond chance (the page's paragraph says it)."""
    first = figures[0]
    columns: tuple[Column, ...] = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("unit", "Unit", ColumnKind.TEXT),
        Column("value", first.period_label, ColumnKind.VALUE),
        Column("interval", "95% interval", ColumnKind.RANGE, export=False),
        Column("interval_low", "95% interval: lower", ColumnKind.VALUE, page=False),
        Column("interval_high", "95% interval: upper", ColumnKind.VALUE, page=False),
        Column("baseline_value", f"Baseline: {first.baseline_label or 'none'}", ColumnKind.VALUE),
        Column("change_pct", "Change on baseline", ColumnKind.CHANGE_PERCENT),
        Column("beyond_chance", "Change beyond chance?", ColumnKind.TEXT),
        Column("previous_value", f"Previous year: {first.previous_label}", ColumnKind.VALUE),
        Column("previous_change_pct", "Change on previous year", ColumnKind.CHANGE_PERCENT),
        Column(
            "previous_beyond_chance",
            "Change on previous year beyond chance?",
            ColumnKind.TEXT,
            page=False,
        ),
    )
    rows: tuple[tuple[CellValue, ...], ...] = tuple(
        (
            f.title,
            _unit_words(f.unit, f.source),
            _shown(f.value, f.unit),
            _interval(f.interval_low, f.interval_high, f.unit),
            _shown(f.interval_low, f.unit),
            _shown(f.interval_high, f.unit),
            _shown(f.baseline_value, f.unit),
            f.change_pct,
            _chance(f.change_beyond_chance, f.like_for_like)
            if f.baseline_value is not None
            else "No baseline loaded",
            _shown(f.previous_value, f.unit),
            f.previous_change_pct,
            _chance(f.previous_beyond_chance, True)
            if f.previous_value is not None
            else "No previous year loaded",
        )
        for f in figures
    )
    notes = tuple(f"{f.title}: {f.note}" for f in figures)
    if any(f.unit == "proportion" for f in figures):
        # A proportion's changes are in percentage points, never relative (its
        # 'Change on baseline' is empty); the points are rounded as its values are.
        columns += (
            Column("change_points", "Change on baseline (percentage points)", ColumnKind.VALUE),
            Column(
                "previous_change_points",
                "Change on previous year (percentage points)",
                ColumnKind.VALUE,
            ),
        )
        rows = tuple(
            (*row, f.change_points, f.previous_change_points)
            for row, f in zip(rows, figures, strict=True)
        )
    return DataTable(
        sheet_slug(priority),
        f"{priority}: figures",
        columns,
        rows,
        notes,
        row_units=tuple(f.unit for f in figures),
    )


# Why the City of London's rates per resident mislead, said wherever they are compared.
CITY_OF_LONDON_NOTE = (
    "The City of London has fewer than 10,000 residents but several hundred thousand "
    "workers and visitors each day, so its rates per resident overstate the risk to any "
    "one person there."
)


def comparison_table(
    priority: str,
    measures: Sequence[Measure],
    row_of: dict[tuple[str, str], MeasureRow],
    force: str,
    group: tuple[str, ...],
    also: tuple[str, ...],
    comparisons: Mapping[str, ForceComparison],
) -> tuple[DataTable | None, str | None]:
    """The force beside its most similar forces (and those shown with them), their
    combined figure (or mean), England and Wales and the force's rank in words; or why
    there is no comparison. Only rates and proportions are compared: forces differ in
    size, so counts are never set against other forces."""
    compared = [m for m in measures if m.comparator != "none" and m.kind.value != "count"]
    if not compared:
        if any(m.comparator != "none" for m in measures):
            return None, (
                "No comparison with other forces: this priority's figures here are counts, "
                "and forces differ in size, so only rates are compared"
            )
        return None, None
    areas = [force, *group, *also]
    columns = (
        Column("force", "Force", ColumnKind.TEXT, row_header=True),
        Column("group", "Group", ColumnKind.TEXT),
        *(Column(m.id, m.title, ColumnKind.VALUE, unit=m.unit.value) for m in compared),
    )
    role = {force: "This force", **{a: "Most similar" for a in group}}
    rows: list[tuple[CellValue, ...]] = [
        (
            area,
            role.get(area, "Shown for reference"),
            *(_shown(row_of[(m.id, area)].value, m.unit.value) for m in compared),
        )
        for area in areas
    ]
    units: list[str | None] = [None] * len(rows)
    own = [comparisons[m.id] for m in compared]
    if group:
        method = own[0].group_method.value
        label = (
            "Most similar forces combined"
            if method == "combined"
            else "Mean of the most similar forces"
        )
        rows.append((label, "Most similar", *(_shown(c.group_value, c.unit) for c in own)))
        units.append(None)
    rows.append(
        ("England and Wales", "All forces", *(_shown(c.national_value, c.unit) for c in own))
    )
    units.append(None)
    if any(c.rank_words for c in own):
        rows.append((f"Rank of {force}", "All forces", *(c.rank_words for c in own)))
        units.append(None)
    notes = []
    if group and own[0].group_method.value == "combined":
        notes.append(
            "The most similar forces' figure is their offences over their residents "
            "together, as HMICFRS shows a group."
        )
    notes.append(
        "England and Wales: every force's offences over the residents of the forces "
        "whose population is loaded."
    )
    lacking = sorted({f for c in own for f in c.without_value})
    if lacking:
        notes.append(
            f"{join_names(lacking)} {'has' if len(lacking) == 1 else 'have'} no population "
            "loaded, so no rate: they are left out of the ranks and the England and Wales "
            "rate."
        )
    if "City of London" in areas:
        notes.append(CITY_OF_LONDON_NOTE)
    caption = f"{priority}: {force}, its most similar forces and England and Wales"
    table = DataTable(
        sheet_slug(priority)[:26] + "_peers",
        caption,
        columns,
        tuple(rows),
        tuple(notes),
        row_units=tuple(units),
    )
    return table, None


def monthly_table(charts: Sequence[SeriesChart]) -> DataTable | None:
    """The monthly values behind every chart of the report, with the centre line and
    process limits that apply to each month, in chart order: the numbers a reader needs
    to redraw or check a chart."""
    if not charts:
        return None
    columns = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("month", "Month", ColumnKind.TEXT),
        Column("value", "Value", ColumnKind.VALUE),
        Column("mean", "Centre line", ColumnKind.VALUE),
        Column("lower_limit", "Lower process limit", ColumnKind.VALUE),
        Column("upper_limit", "Upper process limit", ColumnKind.VALUE),
        Column("point", "Point", ColumnKind.TEXT),
    )
    rows = tuple(
        (
            chart.measure_id,
            f"{p.month:%Y-%m}",
            p.value,
            p.mean,
            p.lpl,
            p.upl,
            p.point_type.value,
        )
        for chart in charts
        for p in chart.spc.points
    )
    return DataTable(
        "monthly_values",
        "The monthly values behind each chart, with its centre line and process limits",
        columns,
        rows,
        (
            "A lower process limit below zero is drawn at zero on the chart: no month can "
            "be below zero.",
        ),
    )


def target_words(row: ScorecardRow) -> str:
    """'No target set', or the target's label and whether it is met."""
    if row.target_label is None:
        return "No target set"
    met = {True: "met", False: "not met", None: "not yet known"}[row.meets_target]
    return f"{capitalised(row.target_label)}: {met}"


def variation_words(row: ScorecardRow) -> str:
    """The variation icon's words, or why there is none."""
    if row.variation is not None:
        return VARIATION_WORDS[row.variation]
    return "No monthly chart"


def assurance_words(row: ScorecardRow) -> str:
    """The assurance icon's words, or why there is none."""
    if row.assurance is not None:
        return ASSURANCE_WORDS[row.assurance]
    if row.target is None:
        return "No target set"
    if row.variation is None:
        return "No monthly chart"
    return "Target not charted"


def scorecard_table(rows: Sequence[ScorecardRow]) -> DataTable:
    """The scorecard as a table (its icons as words, its sparklines as their span)."""
    columns: tuple[Column, ...] = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("priority", "Priority", ColumnKind.TEXT),
        Column("latest", "Latest", ColumnKind.VALUE),
        Column("baseline", "Baseline", ColumnKind.TEXT),
        Column("baseline_value", "Baseline value", ColumnKind.VALUE),
        Column("change_pct", "Change on baseline", ColumnKind.CHANGE_PERCENT),
        Column("target_value", "Target", ColumnKind.VALUE),
        Column("target", "Target and whether met", ColumnKind.TEXT),
        Column("variation", "Variation", ColumnKind.TEXT),
        Column("assurance", "Assurance", ColumnKind.TEXT),
        Column("series", "Series", ColumnKind.TEXT),
    )
    body: tuple[tuple[CellValue, ...], ...] = tuple(
        (
            r.title,
            r.priority,
            _shown(r.latest, r.unit),
            r.baseline_label or "None",
            _shown(r.baseline_value, r.unit),
            r.change_pct,
            _shown(r.target, r.unit),
            target_words(r),
            variation_words(r),
            assurance_words(r),
            _series_words(r),
        )
        for r in rows
    )
    if any(r.unit == "proportion" for r in rows):
        # A proportion's change is in percentage points (its relative change is empty).
        columns += (
            Column("change_points", "Change on baseline (percentage points)", ColumnKind.VALUE),
        )
        body = tuple((*cells, r.change_points) for cells, r in zip(body, rows, strict=True))
    return DataTable(
        "scorecard",
        "Scorecard: one row per measure",
        columns,
        body,
        row_units=tuple(r.unit for r in rows),
    )


def _series_words(row: ScorecardRow) -> str:
    if row.series is None:
        return "none"
    n = len(row.series.values)
    first, last = row.series.months[0], row.series.months[-1]
    unit = "months" if row.series.grain == "monthly" else "quarters"
    return f"{n} {unit}, {month_label(first)} to {month_label(last)}"


def not_measured_table(gaps: Sequence[Gap]) -> DataTable:
    """What could not be measured, and why: one row per reason."""
    columns = (
        Column("reason", "Why not", ColumnKind.TEXT, row_header=True),
        Column("measures", "Measures", ColumnKind.TEXT),
        Column("priorities", "Priorities", ColumnKind.TEXT),
    )
    rows = tuple(
        (capitalised(g.reason), "; ".join(g.measures), "; ".join(g.priorities)) for g in gaps
    )
    return DataTable("not_measured", "What could not be measured, and why", columns, rows)


def sources_table(files: Sequence[SourceFileUsed]) -> DataTable:
    """Every published file the figures rest on, with its checksum."""
    columns = (
        Column("file", "File", ColumnKind.TEXT, row_header=True),
        Column("layout", "Layout", ColumnKind.TEXT),
        Column("rows_loaded", "Rows loaded", ColumnKind.COUNT),
        Column("covers", "Covers", ColumnKind.TEXT),
        Column("sha256", "SHA-256", ColumnKind.TEXT),
    )
    titles = {layout.name: layout.title for layout in LAYOUTS}
    rows = tuple(
        (
            f.file_name + (f" (sheet {f.part})" if f.part else ""),
            titles.get(f.layout, f.layout),
            f.rows_loaded,
            _covers(f),
            f.sha256,
        )
        for f in files
    )
    return DataTable("sources", "Source files used", columns, rows)


def _covers(f: SourceFileUsed) -> str:
    if f.first_month is not None and f.last_month is not None:
        if f.first_month == f.last_month:
            return month_label(f.first_month)
        return f"{month_label(f.first_month)} to {month_label(f.last_month)}"
    if f.population_year is not None:
        return str(f.population_year)
    return "lookup"


def _counts(measure: Measure) -> str:
    f = measure.filter
    parts = []
    if f.offence_codes is not None:
        parts.append("offence codes " + ", ".join(f.offence_codes))
    if f.exclude_offence_groups:
        parts.append("all offences except " + ", ".join(f.exclude_offence_groups))
    if f.crime_types is not None:
        parts.append("crime types " + ", ".join(f.crime_types))
    if f.outcomes is not None:
        parts.append("outcomes " + ", ".join(f.outcomes))
    if not parts:
        parts.append("all rows" if measure.source is not Source.POLICEUK_CRIMES else "all crimes")
    return "; ".join(parts)


def definitions_table(measures: Sequence[Measure]) -> DataTable:
    """Every measure's definition, as the catalogue declares it."""
    columns = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("id", "Id", ColumnKind.TEXT),
        Column("source", "Source", ColumnKind.TEXT),
        Column("counts", "Counts", ColumnKind.TEXT),
        Column("unit", "Unit", ColumnKind.TEXT),
        Column("better", "Better when", ColumnKind.TEXT),
        Column("baseline", "Baseline", ColumnKind.TEXT),
        Column("definition", "Definition", ColumnKind.TEXT),
    )
    better = {"lower": "lower", "higher": "higher", "neutral": "neither"}
    rows = tuple(
        (
            m.title,
            m.id,
            _SOURCE_WORDS.get(m.source.value, m.source.value),
            _counts(m),
            _unit_words(m.unit.value, m.source.value),
            better[m.polarity.value],
            m.baseline.replace("_", " "),
            m.note,
        )
        for m in measures
    )
    return DataTable("definitions", "Definitions of the measures", columns, rows)


def settings_table(settings: Sequence[tuple[str, str]]) -> DataTable:
    """The settings the report was made with."""
    columns = (
        Column("setting", "Setting", ColumnKind.TEXT, row_header=True),
        Column("value", "Value", ColumnKind.TEXT),
    )
    return DataTable("settings", "Settings used", columns, tuple(settings))


def classification_breaks(
    measures: Sequence[Measure], first_month: dt.date, last_month: dt.date
) -> tuple[str, ...]:
    """Each classification change that touches a measure shown and takes effect inside
    the months the report draws on (``first_month`` to ``last_month``: the earliest of
    the baseline, the previous year and the charts, to the period end), once per
    measure. A change before or after them changes no figure shown."""
    found: list[str] = []
    for m in measures:
        scheme = "home_office" if m.source is Source.HOME_OFFICE else "policeuk"
        codes = m.filter.offence_codes or m.filter.crime_types
        for c in crossings(scheme, None if codes is None else frozenset(codes)):
            if first_month < c.change.effective <= last_month:
                found.append(f"{m.title}: {capitalised(c.reason)}.")
    return tuple(found)


_POPULATION_SOURCES = {"census_2011": "2011 Census", "census_2021": "2021 Census"}


def _population_sentence(area: str, population: Population) -> str:
    source = _POPULATION_SOURCES.get(population.source, population.source.replace("_", " "))
    if str(population.population_year) not in source:
        source += f", {population.population_year}"
    text = f"{area}: {population.persons:,} residents ({source})"
    if population.method == "local_authority":
        text += f", summed over {population.units:,} local authorities through the area lookup"
    elif population.method != "force":
        geography = re.sub(
            r"^LSOA(\d{4})$", r"\1 lower layer super output areas", population.method
        )
        text += (
            f", summed over its {population.units:,} neighbourhoods ({geography}) through "
            "the area lookup"
        )
    # The engine's note may add a caveat after its first clause: keep it.
    _, _, caveat = population.note.partition("; ")
    return f"{text}; {caveat}." if caveat else f"{text}."


def population_years(
    con: duckdb.DuckDBPyConnection, areas: Sequence[str], year: int, any_rate: bool
) -> tuple[str, ...]:
    """The population behind each area's rates for ``year`` (the year the period
    starts in), with how it was counted."""
    if not any_rate:
        return ()
    held = force_populations(con, year)
    return tuple(
        _population_sentence(area, held[area]) if area in held else f"{area}: no population held."
        for area in areas
    )


def populations_used(
    con: duckdb.DuckDBPyConnection, areas: Sequence[str], years: Sequence[int]
) -> frozenset[tuple[str, int]]:
    """(source, population year) of every population the rates of ``areas`` rest on
    for the periods starting in ``years``: which population files the report used."""
    used: set[tuple[str, int]] = set()
    for year in sorted(set(years)):
        held = force_populations(con, year)
        used |= {(held[a].source, held[a].population_year) for a in areas if a in held}
    return frozenset(used)
