"""The statement's priority sections, what it says once for the whole report, and what
it could not measure, grouped so that a reason shared by several measures is said once.

Example:
    >>> notes = comparison_notes(figures, force="West Midlands", ...)  # doctest: +SKIP
    >>> notes.sentences  # doctest: +SKIP
    ('The 12 months to June 2019 baseline ends after this period, so no change on it is given.',)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from forcestat.measures.catalogue import Kind, Measure
from forcestat.measures.comparators import ForceComparison, funnel_limits
from forcestat.measures.engine import MeasureRow
from forcestat.measures.periods import Period
from forcestat.measures.reasons import reason_text
from forcestat.report import tables
from forcestat.report.context import (
    ComparisonChart,
    Gap,
    MeasureFigure,
    PrioritySection,
    SeriesChart,
)
from forcestat.report.local_tables import LOCAL_SECTION, SATISFACTION_PRIORITY, LocalContent
from forcestat.report.narrative import (
    figure_paragraph,
    join_names,
    short_title,
    summary_point,
)

__all__ = [
    "SaidOnce",
    "build_section",
    "comparison_notes",
    "paired_rates",
    "report_gaps",
    "with_local_content",
]


@dataclass(frozen=True)
class SaidOnce:
    """What the introduction says for every measure, so no paragraph repeats it."""

    sentences: tuple[str, ...]
    no_baseline: bool  # no figure has a baseline value
    no_previous: bool  # no figure has a previous-year value


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def comparison_notes(
    figures: Sequence[MeasureFigure],
    *,
    force: str,
    configured_force: str,
    has_comparators: bool,
    period: Period,
    baseline: Period,
    previous: Period,
) -> SaidOnce:
    """Changes the data cannot give for any measure, and comparisons with other forces
    the settings do not ask for: said once, in the introduction."""
    sentences = []
    with_baseline = [f for f in figures if f.baseline_label is not None]
    no_baseline = bool(with_baseline) and all(f.baseline_value is None for f in with_baseline)
    if no_baseline:
        if period.last_month < baseline.last_month and period.first_month < baseline.first_month:
            sentences.append(
                f"The {baseline.label} baseline ends after this period, so no change on it "
                "is given."
            )
        else:
            sentences.append(
                f"The data loaded do not cover the {baseline.label} baseline, so no change "
                "on it is given."
            )
    with_previous = [f for f in figures if f.previous_label is not None]
    no_previous = bool(with_previous) and all(f.previous_value is None for f in with_previous)
    if no_previous:
        sentences.append(
            f"The data loaded do not cover the previous year ({previous.label}), so no "
            "change on it is given."
        )
    if not has_comparators:
        if force != configured_force:
            sentences.append(
                f"{force} is compared with England and Wales and ranked among all forces, "
                "but not with a group of most similar forces: the settings name most "
                f"similar forces only for {configured_force}, the force they are made for."
            )
        else:
            sentences.append(
                f"{force} is compared with England and Wales and ranked among all forces, "
                "but not with a group of most similar forces: the settings name no most "
                "similar forces (the most_similar_forces setting)."
            )
    if force == "City of London":
        sentences.append(tables.CITY_OF_LONDON_NOTE)
    return SaidOnce(tuple(sentences), no_baseline, no_previous)


def paired_rates(measures: Sequence[Measure]) -> dict[str, str]:
    """count measure id -> id of the rate of the same offences over the same period
    (Homicide and Homicide per million residents), so that one paragraph gives both."""
    pairs: dict[str, str] = {}
    for count in measures:
        if count.kind is not Kind.COUNT:
            continue
        for rate in measures:
            if (
                rate.kind is Kind.RATE
                and rate.priority == count.priority
                and rate.source is count.source
                and rate.filter == count.filter
                and rate.period is count.period
                and rate.pool_years == count.pool_years
                and rate.id not in pairs.values()
            ):
                pairs[count.id] = rate.id
                break
    return pairs


def _grouped(items: Sequence[tuple[str, str, str]]) -> tuple[Gap, ...]:
    """(priority, title, reason) -> one Gap per reason, in order of first appearance."""
    measures: dict[str, list[str]] = {}
    priorities: dict[str, list[str]] = {}
    for priority, title, reason in items:
        measures.setdefault(reason, []).append(title)
        seen = priorities.setdefault(reason, [])
        if priority not in seen:
            seen.append(priority)
    return tuple(Gap(tuple(measures[r]), tuple(priorities[r]), r) for r in measures)


def report_gaps(
    measures: Sequence[Measure], figures: dict[str, MeasureFigure], chart_gaps: dict[str, str]
) -> tuple[Gap, ...]:
    """Every measure with no figure, then every measure with no chart, grouped by reason."""
    missing = [
        (m.priority, m.title, reason_text(figures[m.id].not_available or "no reason recorded"))
        for m in measures
        if figures[m.id].value is None
    ]
    uncharted = [
        (m.priority, short_title(m.title), f"no process behaviour chart: {chart_gaps[m.id]}")
        for m in measures
        if m.id in chart_gaps
    ]
    return _grouped(missing) + _grouped(uncharted)


def _comparison_charts(
    measures: Sequence[Measure], comparisons: Mapping[str, ForceComparison]
) -> tuple[ComparisonChart, ...]:
    """The ranked bar chart and the funnel plot of the priority's first rate that
    several forces have (counts are never set against other forces)."""
    for m in measures:
        c = comparisons[m.id]
        if not c.compares_forces or len(c.points) < 2 or c.force_value is None:
            continue
        name = short_title(m.title)
        charts = [ComparisonChart("ranked", f"{name}: every force, highest first", m.title, c)]
        sizes = [p.denominator for p in c.points if p.denominator]
        if m.kind is Kind.RATE and c.national_value and sizes:
            charts.append(
                ComparisonChart(
                    "funnel",
                    f"{name} against population, with Poisson limits",
                    m.title,
                    c,
                    funnel_limits(c.national_value, c.per, sizes),
                )
            )
        return tuple(charts)
    return ()


def build_section(
    priority: str,
    measures: Sequence[Measure],
    figures: dict[str, MeasureFigure],
    charts: dict[str, SeriesChart],
    chart_gaps: dict[str, str],
    row_of: dict[tuple[str, str], MeasureRow],
    *,
    force: str,
    group: tuple[str, ...],
    also: tuple[str, ...],
    said_once: SaidOnce,
    comparisons: Mapping[str, ForceComparison],
) -> PrioritySection:
    """One national priority: its figures, paragraphs, charts, tables and gaps."""
    own = [m for m in measures if m.priority == priority]
    shown_measures = [m for m in own if figures[m.id].value is not None]
    shown = [figures[m.id] for m in shown_measures]
    pairs = paired_rates(shown_measures)
    paragraphs = tuple(
        figure_paragraph(
            figures[m.id],
            force,
            rate=figures[pairs[m.id]] if m.id in pairs else None,
            say_missing_baseline=not said_once.no_baseline,
            say_missing_previous=not said_once.no_previous,
        )
        for m in shown_measures
        if m.id not in pairs.values()
    )
    summary = tuple(
        summary_point(figures[m.id], figures[pairs[m.id]] if m.id in pairs else None)
        for m in shown_measures
        if m.id not in pairs.values()
    )
    comparison, comparison_gap = tables.comparison_table(
        priority, shown_measures, row_of, force, group, also, comparisons
    )
    uncharted: dict[str, list[str]] = {}
    for m in own:
        if m.id in chart_gaps:
            uncharted.setdefault(chart_gaps[m.id], []).append(short_title(m.title))
    return PrioritySection(
        anchor=_anchor(priority),
        title=priority,
        figures=tuple(shown),
        paragraphs=paragraphs,
        summary=summary,
        charts=tuple(charts[m.id] for m in own if m.id in charts),
        chart_gaps=tuple(
            f"No process behaviour chart of {join_names(titles)}: {reason}"
            for reason, titles in uncharted.items()
        ),
        comparison=comparison,
        comparison_gap=comparison_gap,
        comparison_charts=_comparison_charts(shown_measures, comparisons),
        table=tables.section_table(priority, shown) if shown else None,
        gaps=_grouped(
            [
                (priority, m.title, reason_text(figures[m.id].not_available or ""))
                for m in own
                if figures[m.id].value is None
            ]
        ),
    )


def with_local_content(
    sections: Sequence[PrioritySection], local: LocalContent
) -> tuple[PrioritySection, ...]:
    """The sections with the local content in place: the satisfaction tables and
    paragraphs in the satisfaction priority's section, and a section of its own for
    every other local indicator's history (when any is loaded)."""
    found = []
    for section in sections:
        if section.title == SATISFACTION_PRIORITY:
            section = dataclasses.replace(
                section,
                local_paragraphs=local.satisfaction_paragraphs,
                local_tables=local.satisfaction_tables,
            )
        found.append(section)
    if local.local_tables:
        found.append(
            PrioritySection(
                anchor=_anchor(LOCAL_SECTION),
                title=LOCAL_SECTION,
                figures=(),
                paragraphs=(),
                summary=(),
                charts=(),
                chart_gaps=(),
                comparison=None,
                comparison_gap=None,
                table=None,
                gaps=(),
                local_tables=local.local_tables,
                local_paragraphs=(
                    "Figures the policing body holds locally, as published, period by "
                    "period: not Home Office or police.uk statistics.",
                ),
            )
        )
    return tuple(found)
