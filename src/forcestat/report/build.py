"""Assemble the report context from the store: measures, series, SPC and provenance.

One pass, in the direction of the pipeline: the measure engine evaluates the catalogue
for the force, its comparators and the period (and once more against the previous
year); each measure's monthly run is charted by ``forcestat.measures.charting``, as on
the dashboard; the ingest log names the files behind it all. Nothing here draws: charts are drawn by the renderers.

Example:
    >>> context = build_report(con, load_config(), period_end=dt.date(2021, 6, 1),
    ...                        force="City of London")  # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import duckdb

from forcestat import __version__
from forcestat.config import SETTINGS, Config
from forcestat.forces import TERRITORIAL_FORCES, find_force
from forcestat.forces import policing_body as policing_body_of
from forcestat.measures.catalogue import Catalogue, Kind, Measure, Source, load_catalogue
from forcestat.measures.charting import chart_measure
from forcestat.measures.comparators import ForceComparison, GroupFigure, compare_forces
from forcestat.measures.engine import MeasureRow, evaluate
from forcestat.measures.periods import PeriodKind, previous_year, rolling_12_months
from forcestat.measures.series import (
    MIN_CHART_MONTHS,
    measure_series,
    monthly_source,
    series_axis_title,
)
from forcestat.measures.sql import store_offence_codes
from forcestat.report import tables
from forcestat.report.branding import Branding, Wording, fill_placeholders, load_branding
from forcestat.report.commentary import SUMMARY, commentary_folder, load_commentary
from forcestat.report.context import (
    BoardPaper,
    MeasureFigure,
    Methods,
    ReportContext,
    ScorecardRow,
    Series,
    SeriesChart,
)
from forcestat.report.errors import ReportError
from forcestat.report.history_charts import history_charts
from forcestat.report.local_tables import local_content
from forcestat.report.narrative import count_noun, proxy_note, short_title
from forcestat.report.plan_delivery import plan_delivery
from forcestat.report.reading import latest_reading
from forcestat.report.sections import (
    build_section,
    comparison_notes,
    report_gaps,
    with_local_content,
)
from forcestat.spc.xmr import Polarity, Rebase, SpcError, SpcOptions
from forcestat.store.provenance import sources_used
from forcestat.store.rebases import active_rebases
from forcestat.store.records import records_beside

__all__ = ["build_report", "national_priorities"]

_TABLES_READ = {
    Source.HOME_OFFICE: ("offence_counts",),
    Source.POLICEUK_CRIMES: ("crimes",),
    Source.POLICEUK_STOP_SEARCH: ("stop_search",),
    Source.INDICATOR: ("indicators",),
    Source.SURVEY: ("survey_responses",),
    Source.POLICEUK_OUTCOMES: ("crimes", "outcomes"),
}


def national_priorities() -> tuple[str, ...]:
    """The priorities of the national catalogue, in its order: one section each."""
    seen: dict[str, None] = {}
    for measure in load_catalogue().measures:
        seen.setdefault(measure.priority, None)
    return tuple(seen)


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _is_proxy(measure: Measure) -> bool:
    return "proxy" in measure.title.lower() or measure.note.lower().startswith("proxy")


def _target_label(measure: Measure, row: MeasureRow, baseline: str | None = None) -> str | None:
    """The target in words; ``baseline`` names what it is set against (default: the
    row's baseline period)."""
    if row.target is None:
        return None
    if measure.target_change_pct is not None:
        size = abs(measure.target_change_pct)
        direction = "fewer" if measure.target_change_pct < 0 else "more"
        return f"{size:g}% {direction} than the {baseline or row.baseline_period or 'baseline'}"
    return "set in the plan"


def _figure(
    measure: Measure,
    row: MeasureRow,
    previous: MeasureRow | None,
    group: tuple[str, ...],
    comparison: ForceComparison,
) -> MeasureFigure:
    own_baseline_is_previous = measure.baseline == "previous_year"
    prev = row if own_baseline_is_previous else previous
    # Forces are compared by rate only: a count keeps its England and Wales total.
    compares = comparison.compares_forces
    return MeasureFigure(
        measure_id=measure.id,
        title=measure.title,
        priority=measure.priority,
        source=measure.source.value,
        unit=measure.unit.value,
        polarity=measure.polarity.value,
        period_label=row.period,
        value=row.value,
        numerator=row.numerator,
        interval_low=row.interval_low,
        interval_high=row.interval_high,
        baseline_label=None if own_baseline_is_previous else row.baseline_period,
        baseline_value=None if own_baseline_is_previous else row.baseline_value,
        change_pct=None if own_baseline_is_previous else row.change_pct,
        change_beyond_chance=None if own_baseline_is_previous else row.change_beyond_chance,
        like_for_like=row.like_for_like,
        previous_label=prev.baseline_period if prev is not None else None,
        previous_value=prev.baseline_value if prev is not None else None,
        previous_change_pct=prev.change_pct if prev is not None else None,
        previous_beyond_chance=prev.change_beyond_chance if prev is not None else None,
        target=row.target,
        target_label=_target_label(measure, row),
        meets_target=row.meets_target,
        comparator_mean=comparison.group_value if compares else None,
        comparator_forces=group if compares and comparison.group_value is not None else (),
        rank=comparison.rank,
        rank_of=comparison.rank_of,
        population_year=row.population_year,
        proxy=_is_proxy(measure),
        note=measure.note,
        not_available=row.not_available if row.value is None else None,
        change_points=None if own_baseline_is_previous else row.change_points,
        previous_change_points=prev.change_points if prev is not None else None,
        national_value=comparison.national_value,
        group_method=comparison.group_method.value,
        rank_words=comparison.rank_words,
    )


def _chart(
    measure: Measure, row: MeasureRow, series: Series | None, rebases: tuple[Rebase, ...]
) -> tuple[SeriesChart | None, str | None]:
    """The SPC chart of a measure's monthly run, or why there is none. Recorded rebases
    inside the run split its limits; earlier ones fall before the chart and are left out."""
    if series is None or series.grain != "monthly":
        if series is not None:
            n = len(series.values)
            return None, (
                f"the Home Office tables give {n} quarterly figure{'s' if n != 1 else ''}, "
                f"and a chart needs at least {MIN_CHART_MONTHS} consecutive months, as "
                "police.uk publishes them"
            )
        what = "monthly" if monthly_source(measure) else "quarterly"
        return None, f"no {what} series is loaded up to the period end"
    if len(series.values) < MIN_CHART_MONTHS:
        return None, (
            f"only {len(series.values)} consecutive months are loaded, and a chart needs "
            f"at least {MIN_CHART_MONTHS}"
        )
    target = None
    # A 12-month count target is charted as the monthly count that would meet it.
    twelve_months = measure.period is PeriodKind.ROLLING_12_MONTHS and measure.pool_years == 1
    if row.target is not None and measure.kind is Kind.COUNT and twelve_months:
        target = row.target / 12
    # A standard for a proportion (90% of calls) is charted in per cent, as the series is.
    if measure.target_value is not None and measure.kind is Kind.PROPORTION:
        target = 100 * measure.target_value
    options = SpcOptions(polarity=Polarity(measure.polarity.value), target=target)
    name = short_title(measure.title)
    # 'The number of drug offences has averaged ...': the sentences take a singular name.
    subject = (
        f"The number of {count_noun(measure.title, measure.source.value)}"
        if measure.kind is Kind.COUNT
        else name
    )
    try:
        charted = chart_measure(measure, series, rebases, name=subject, options=options)
    except SpcError as exc:
        return None, str(exc)
    result = charted.spc
    reading = (*latest_reading(result, charted.sentences), *charted.left_out)
    if target is not None:
        reading = (*reading, "The monthly target is the 12-month target divided by 12.")
    y_title = series_axis_title(measure)
    return SeriesChart(measure.id, f"{name}, by month", y_title, result, reading), None


def _areas(force: str, config: Config) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if force != config.force:
        return force, (), ()
    group = tuple(f for f in config.most_similar_forces if f != force)
    also = tuple(f for f in config.also_show if f != force and f not in group)
    return force, group, also


def _fill(branding: Branding, values: dict[str, str]) -> Branding:
    filled = {
        f.name: tuple(fill_placeholders(p, values) for p in getattr(branding.wording, f.name))
        for f in dataclasses.fields(Wording)
    }
    return dataclasses.replace(branding, wording=Wording(**filled))


def _last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def build_report(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    period_end: dt.date,
    force: str | None = None,
    catalogue: Catalogue | None = None,
    branding: Branding | None = None,
    records: sqlite3.Connection | None = None,
) -> ReportContext:
    """The report for ``force`` (default: the configured force) over the 12 months to
    ``period_end``, from the store ``con`` and the records (Plan tracker, recorded
    rebases) beside it, or ``records`` when given.

    Raises ReportError when the store holds nothing for the force in the period.
    """
    own = records is None
    kept = records_beside(con) if records is None else records
    try:
        return _build(con, kept, config, period_end, force, catalogue, branding)
    finally:
        if own:
            kept.close()


def _build(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    config: Config,
    period_end: dt.date,
    force: str | None,
    catalogue: Catalogue | None,
    branding: Branding | None,
) -> ReportContext:
    force, group, also = _areas(find_force(force or config.force).name, config)
    catalogue = catalogue or load_catalogue(
        config.plan,
        extra_offence_codes=store_offence_codes(con),
        national_baseline=config.baseline_period_end,
    )
    measures = tuple(m for m in catalogue.measures)
    period = rolling_12_months(period_end)
    baseline = rolling_12_months(_month(config.baseline_period_end))
    previous = previous_year(period)
    groups = {force: list(group)} if group else None
    areas = [force, *group, *also]
    local_settings = {"satisfied_answers": config.satisfied_answers}
    # Every force too: England and Wales, the group's combined figure and the ranks.
    everyone = list(dict.fromkeys([*areas, *(f.name for f in TERRITORIAL_FORCES)]))
    main = evaluate(
        con,
        catalogue,
        areas=everyone,
        period_ends=[period_end],
        most_similar_forces=groups,
        local_settings=local_settings,
    )
    row_of = {(r.measure, r.area): r for r in main.rows}
    method = GroupFigure(config.group_figure)
    comparisons = {
        m.id: compare_forces({a: row_of[(m.id, a)] for a in everyone}, m, force, group, method)
        for m in measures
    }
    against_previous = [
        dataclasses.replace(m, baseline="previous_year")
        for m in measures
        if m.baseline != "previous_year"
    ]
    previous_rows = evaluate(
        con,
        against_previous,
        areas=[force],
        period_ends=[period_end],
        recording_changes=catalogue.recording_changes,
        local_settings=local_settings,
    )
    previous_of = {r.measure: r for r in previous_rows.rows}
    figures = {
        m.id: _figure(m, row_of[(m.id, force)], previous_of.get(m.id), group, comparisons[m.id])
        for m in measures
    }
    local = local_content(
        con,
        force,
        period,
        threshold=config.small_count_threshold,
        satisfied=config.satisfied_answers,
    )
    if all(f.value is None for f in figures.values()) and not (
        local.satisfaction_tables or local.local_tables
    ):
        raise ReportError(
            f"the store holds no data for {force} in the {period.label}: load its police.uk "
            "or Home Office files ('forcestat ingest'), or choose another --period "
            "('forcestat status' lists what is loaded)"
        )
    shown = [m for m in measures if figures[m.id].value is not None]
    series = measure_series(con, shown, force, period_end, local_settings)
    charts: dict[str, SeriesChart] = {}
    chart_gaps: dict[str, str] = {}
    for m in shown:
        rebases = active_rebases(records, m.id, force)
        chart, why = _chart(m, row_of[(m.id, force)], series.get(m.id), rebases)
        if chart is not None:
            charts[m.id] = chart
        elif why is not None:
            chart_gaps[m.id] = why
    # The configured body oversees the configured force; another force's report names
    # that force's own body, never the configured one.
    policing_body = config.policing_body if force == config.force else _own_body(force)
    if branding is None:
        branding = load_branding(config.report_style, policing_body=policing_body)
    branding = _fill(
        branding,
        {
            "policing_body": branding.name,
            "force": force,
            "period": period.label,
            "baseline": baseline.label,
        },
    )
    notes = comparison_notes(
        [figures[m.id] for m in shown],
        force=force,
        configured_force=config.force,
        has_comparators=bool(group or also),
        period=period,
        baseline=baseline,
        previous=previous,
    )
    sections = tuple(
        build_section(
            priority,
            measures,
            figures,
            charts,
            chart_gaps,
            row_of,
            force=force,
            group=group,
            also=also,
            said_once=notes,
            comparisons=comparisons,
        )
        for priority in national_priorities()
    )
    sections = with_local_content(sections, local)
    # The texts are the configured body's words about its own force.
    commentary = load_commentary(
        commentary_folder(config.commentary, period_end) if force == config.force else None,
        figures,
        {s.anchor: s.title for s in sections},
        force_author=find_force(force).policeuk_name,
        body_author=branding.name,
        labels=(period.label, baseline.label, previous.label),
    )
    sections = tuple(
        dataclasses.replace(s, commentary=commentary.texts.get(s.anchor, ())) for s in sections
    )
    long_run = history_charts(con, measures, figures, force, period_end)
    sections = tuple(
        dataclasses.replace(s, history_charts=long_run.get(s.title, ())) for s in sections
    )
    not_measured = report_gaps(measures, figures, chart_gaps)
    scorecard = tuple(
        _scorecard_row(m, figures[m.id], row_of[(m.id, force)], series.get(m.id), charts.get(m.id))
        for m in shown
    )
    any_rate = any(m.kind is Kind.RATE for m in shown)
    used_tables = sorted(
        {t for m in shown for t in _TABLES_READ.get(m.source, ())}
        | ({"areas", "population"} if any_rate else set())
        | ({"indicators"} if local.local_tables or local.satisfaction_paragraphs else set())
        | ({"survey_responses"} if local.satisfaction_tables else set())
    )
    years = [period.first_month.year, baseline.first_month.year, previous.first_month.year]
    first_months = [baseline.first_month, previous.first_month]
    first_months += [s.months[0] for m_id, s in series.items() if s.months]
    methods = Methods(
        sources=tables.sources_table(
            sources_used(
                con,
                areas,
                used_tables,
                last_month=period_end,
                populations=tables.populations_used(con, areas, years) if any_rate else None,
            )
        ),
        definitions=tables.definitions_table(measures),
        settings=tables.settings_table(_settings(config, catalogue, branding)),
        proxies=tuple(
            proxy_note(f.title, f.note) for f in figures.values() if f.proxy and f.value is not None
        ),
        classification_breaks=tables.classification_breaks(
            shown, min(first_months), period.last_month
        ),
        population_years=tables.population_years(con, areas, period.first_month.year, any_rate),
    )
    return ReportContext(
        title=" ".join(branding.wording.title),
        force=force,
        policing_body=branding.name,
        period_end=period_end,
        period_label=period.label,
        baseline_label=baseline.label,
        previous_label=previous.label,
        comparison_notes=notes.sentences,
        forcestat_version=__version__,
        config_file=config.source.name if config.source is not None else None,
        config_sha256=_file_sha256(config.source) if config.source is not None else None,
        branding=branding,
        sections=sections,
        plan_delivery=plan_delivery(records, _last_day(period_end)),
        not_measured=not_measured,
        scorecard=scorecard,
        scorecard_table=tables.scorecard_table(scorecard),
        not_measured_table=tables.not_measured_table(not_measured),
        methods=methods,
        settings_note=_settings_note(force, config),
        board_paper=_board_paper(config) if force == config.force else None,
        statutory_statement=_statutory_statement(config, force, branding.name),
        summary_commentary=commentary.texts.get(SUMMARY, ()),
        commentary_warnings=commentary.warnings,
        monthly=tables.monthly_table([c for s in sections for c in s.charts]),
    )


# The Elected Local Policing Bodies (Specified Information) Order 2011 (SI 2011/3050),
# as amended by the 2021 order (SI 2021/1245), asks English bodies for this statement.
STANDARD_STATUTORY_STATEMENT = (
    "The {policing_body} publishes this statement under the Elected Local Policing Bodies "
    "(Specified Information) Order 2011, as amended in 2021, which requires a statement "
    "on the contribution of {force_service} to achieving improvements against the "
    "Government's national priorities for policing."
)


def _statutory_statement(config: Config, force: str, body: str) -> str | None:
    text = config.statutory_statement
    found = find_force(force)
    if text == "standard":
        # The Order binds elected local policing bodies in England: commissioners, the
        # mayors and MOPAC; not the City of London's Police Authority Board.
        body_of = policing_body_of(found.name) if found.territorial else None
        bound = (
            body_of is not None
            and body_of.country == "England"
            and body_of.kind != "police_authority_board"
        )
        text = STANDARD_STATUTORY_STATEMENT if bound else ""
    if not text:
        return None
    return (
        text.replace("{policing_body}", body)
        .replace("{force_service}", found.policeuk_name)
        .replace("{force}", force)
    )


def _board_paper(config: Config) -> BoardPaper | None:
    if not config.paper_meeting:
        return None
    return BoardPaper(
        meeting=config.paper_meeting,
        date=dt.date.fromisoformat(config.paper_date) if config.paper_date else None,
        item=config.paper_item,
        purpose=config.paper_purpose,
        asked_to=config.paper_asked_to,
        authors=config.paper_authors,
        contact=config.paper_contact,
    )


def _own_body(force: str) -> str:
    found = find_force(force)
    return policing_body_of(found.name).name if found.territorial else f"{force} police force area"


def _month(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def _settings_note(force: str, config: Config) -> str | None:
    if force == config.force:
        return None
    return (
        f"This report is for {force}. The settings file is made for {config.force}: its "
        "force, most similar forces, forces shown for reference and policing body "
        f"belong to {config.force} and are not used in this report."
    )


def _settings(config: Config, catalogue: Catalogue, branding: Branding) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for setting in SETTINGS:
        value = getattr(config, setting.name, None)
        if isinstance(value, tuple):
            text = ", ".join(value) or "(none)"
        elif value is None or value == "":
            text = "(none)"
        elif hasattr(value, "name") and not isinstance(value, str):
            text = value.name  # a file: its name, not where it sits on this machine
        else:
            text = str(value)
        values.append((setting.name, text))
    values.append(("measure catalogue", ", ".join(p.name for p in catalogue.files)))
    values.append(("report style", branding.source.name if branding.source else "standard"))
    return values


def _scorecard_row(
    measure: Measure,
    figure: MeasureFigure,
    row: MeasureRow,
    series: Series | None,
    chart: SeriesChart | None,
) -> ScorecardRow:
    return ScorecardRow(
        measure_id=measure.id,
        title=measure.title,
        priority=measure.priority,
        unit=measure.unit.value,
        polarity=measure.polarity.value,
        latest=figure.value,
        baseline_label=row.baseline_period,
        baseline_value=row.baseline_value,
        change_pct=row.change_pct,
        target=row.target,
        # The scorecard has a baseline column, so its target says 'the baseline'.
        target_label=_target_label(measure, row, baseline="baseline"),
        meets_target=row.meets_target,
        variation=chart.spc.variation if chart is not None else None,
        assurance=chart.spc.assurance if chart is not None else None,
        series=series,
        not_available=figure.not_available,
        change_points=row.change_points,
    )
