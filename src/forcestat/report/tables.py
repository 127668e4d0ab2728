"""The data tables of the report, built from measure results as plain rows.

Every table here is shown on the page and exported as it stands (CSV, XLSX, ODS), so
values stay unrounded; proportions are held as percentages (87.5, not 0.875) so that a
spreadsheet reader sees the number the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb

from forcestat.catalogue import Measure, Source
from forcestat.classification import crossings
from forcestat.denominators import force_populations
from forcestat.measures import MeasureRow
from forcestat.periods import month_label
from forcestat.report.context import (
    CellValue,
    Column,
    ColumnKind,
    DataTable,
    Gap,
    MeasureFigure,
    ScorecardRow,
)
from forcestat.report.figures import unit_label
from forcestat.report.provenance import SourceFileUsed
from forcestat.spc import AssuranceType, PointType

__all__ = [
    "ASSURANCE_WORDS",
    "VARIATION_WORDS",
    "classification_breaks",
    "comparison_table",
    "definitions_table",
    "not_measured_table",
    "population_years",
    "scorecard_table",
    "section_table",
    "settings_table",
    "sheet_slug",
    "sources_table",
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
}


def sheet_slug(text: str) -> str:
    """A CSV file and sheet name: lower case, underscores, at most 31 characters, the
    words that open every priority ('reduce', 'tackle') dropped."""
    words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in _FILLER_WORDS]
    return "_".join(words)[:31].rstrip("_") or "table"


def _unit_words(measure_unit: str, source: str) -> str:
    if measure_unit == "count":
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


def section_table(priority: str, figures: Sequence[MeasureFigure]) -> DataTable:
    """One row per measure of the priority with a figure: value, interval, baseline and
    previous year, with the changes."""
    first = figures[0]
    columns = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("unit", "Unit", ColumnKind.TEXT),
        Column("value", first.period_label, ColumnKind.VALUE),
        Column("interval_low", "95% interval: lower", ColumnKind.VALUE),
        Column("interval_high", "95% interval: upper", ColumnKind.VALUE),
        Column("baseline_value", f"Baseline: {first.baseline_label or 'none'}", ColumnKind.VALUE),
        Column("change_pct", "Change on baseline", ColumnKind.CHANGE_PERCENT),
        Column("beyond_chance", "Change beyond chance?", ColumnKind.TEXT),
        Column("previous_value", f"Previous year: {first.previous_label}", ColumnKind.VALUE),
        Column("previous_change_pct", "Change on previous year", ColumnKind.CHANGE_PERCENT),
    )
    rows = tuple(
        (
            f.title,
            _unit_words(f.unit, f.source),
            _shown(f.value, f.unit),
            _shown(f.interval_low, f.unit),
            _shown(f.interval_high, f.unit),
            _shown(f.baseline_value, f.unit),
            f.change_pct,
            _chance(f.change_beyond_chance, f.like_for_like)
            if f.baseline_value is not None
            else "No baseline loaded",
            _shown(f.previous_value, f.unit),
            f.previous_change_pct,
        )
        for f in figures
    )
    notes = tuple(f"{f.title}: {f.note}" for f in figures)
    return DataTable(sheet_slug(priority), f"{priority}: figures", columns, rows, notes)


def comparison_table(
    priority: str,
    measures: Sequence[Measure],
    row_of: dict[tuple[str, str], MeasureRow],
    force: str,
    group: tuple[str, ...],
    also: tuple[str, ...],
) -> tuple[DataTable | None, str | None]:
    """The force beside its most similar forces (and those shown with them), with the
    group mean and the force's rank; or why there is no comparison."""
    compared = [m for m in measures if m.comparator != "none"]
    if not compared:
        return None, None
    if not group and not also:
        return None, (
            f"No most similar forces are set for {force}: the most_similar_forces setting "
            "in forcestat.toml names the configured force's group"
        )
    rates = [m for m in compared if m.kind.value != "count"]
    compared = rates or compared
    areas = [force, *group, *also]
    if all(row_of[(m.id, a)].value is None for m in compared for a in areas[1:]):
        return None, (
            f"The loaded data hold no figures for {', '.join(areas[1:])} in this period, so "
            "there is no comparison"
        )
    columns = (
        Column("force", "Force", ColumnKind.TEXT, row_header=True),
        Column("group", "Group", ColumnKind.TEXT),
        *(Column(m.id, m.title, ColumnKind.VALUE) for m in compared),
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
    own = [row_of[(m.id, force)] for m in compared]
    if group:
        rows.append(
            (
                "Mean of the most similar forces",
                "Most similar",
                *(_shown(r.comparator_mean, r.unit) for r in own),
            )
        )
    if any(r.rank is not None for r in own):
        rows.append((f"Rank of {force} (1 = the lowest)", "All forces", *(r.rank for r in own)))
    ranked = sorted({r.rank_of for r in own if r.rank_of is not None})
    notes = (
        [f"Ranks are among the {' or '.join(map(str, ranked))} forces with a figure."]
        if ranked
        else []
    )
    caption = f"{priority}: {force} and its most similar forces"
    return DataTable(
        sheet_slug(priority)[:26] + "_peers", caption, columns, tuple(rows), tuple(notes)
    ), None


def scorecard_table(rows: Sequence[ScorecardRow]) -> DataTable:
    """The scorecard as a table (its icons as words, its sparklines as their span)."""
    columns = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("priority", "Priority", ColumnKind.TEXT),
        Column("latest", "Latest", ColumnKind.VALUE),
        Column("against", "Compared with", ColumnKind.TEXT),
        Column("against_value", "Value compared with", ColumnKind.VALUE),
        Column("change_pct", "Change", ColumnKind.CHANGE_PERCENT),
        Column("variation", "Variation", ColumnKind.TEXT),
        Column("assurance", "Assurance", ColumnKind.TEXT),
        Column("series", "Series", ColumnKind.TEXT),
    )
    body = tuple(
        (
            r.title,
            r.priority,
            _shown(r.latest, r.unit),
            r.against_label,
            _shown(r.against_value, r.unit),
            r.change_pct,
            VARIATION_WORDS[r.variation] if r.variation else "No chart",
            ASSURANCE_WORDS[r.assurance] if r.assurance else "No target charted",
            _series_words(r),
        )
        for r in rows
    )
    return DataTable("scorecard", "Scorecard: one row per measure", columns, body)


def _series_words(row: ScorecardRow) -> str:
    if row.series is None:
        return "none"
    n = len(row.series.values)
    first, last = row.series.months[0], row.series.months[-1]
    unit = "months" if row.series.grain == "monthly" else "quarters"
    return f"{n} {unit}, {month_label(first)} to {month_label(last)}"


def not_measured_table(gaps: Sequence[Gap]) -> DataTable:
    """What could not be measured, and why."""
    columns = (
        Column("measure", "Measure", ColumnKind.TEXT, row_header=True),
        Column("priority", "Priority", ColumnKind.TEXT),
        Column("reason", "Why not", ColumnKind.TEXT),
    )
    rows = tuple((g.what, g.priority, g.reason) for g in gaps)
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
    rows = tuple(
        (
            f.file_name + (f" (sheet {f.part})" if f.part else ""),
            f.layout,
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


def classification_breaks(measures: Sequence[Measure]) -> tuple[str, ...]:
    """Each classification change that touches a measure shown, once per measure."""
    found: list[str] = []
    for m in measures:
        scheme = "home_office" if m.source is Source.HOME_OFFICE else "policeuk"
        codes = m.filter.offence_codes or m.filter.crime_types
        for c in crossings(scheme, None if codes is None else frozenset(codes)):
            found.append(f"{m.title}: {c.reason}.")
    return tuple(found)


def population_years(
    con: duckdb.DuckDBPyConnection, areas: Sequence[str], year: int, any_rate: bool
) -> tuple[str, ...]:
    """The population behind each area's rates for ``year`` (the year the period
    starts in), with how it was counted."""
    if not any_rate:
        return ()
    held = force_populations(con, year)
    return tuple(
        f"{area}: {held[area].note}." if area in held else f"{area}: no population held."
        for area in areas
    )
