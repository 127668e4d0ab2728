"""The typed report context: everything the templates and the exports read.

``build.py`` fills it from measure results and SPC results; ``html.py``, ``pdf.py`` and
``exports.py`` only read it. Numbers are kept unrounded here and rounded when shown
(``figures.py``), so an export carries the full value and the page a readable one.

The tree::

    ReportContext
      branding: Branding                         name, logo, colours, fixed wording
      sections: PrioritySection ...              one per national priority
        figures: MeasureFigure ...               headline value, changes, comparison
        charts: SeriesChart ...                  an SPC result with its reading
        history_charts: HistoryChart ...         published rolling years, long run
        comparison, table: DataTable             the data tables of the section
      plan_delivery: PlanDelivery | None         the Plan tracker's published entries
      not_measured: Gap ...                      what the loaded data cannot answer
      scorecard: ScorecardRow ...                one row per measure
      methods: Methods                           sources, definitions, proxies, breaks
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from markupsafe import Markup

from forcestat.measures.comparators import ForceComparison, FunnelPoint
from forcestat.measures.history import HistoryPoint
from forcestat.measures.series import Series
from forcestat.report.branding import Branding
from forcestat.spc.xmr import AssuranceType, PointType, SpcResult

__all__ = [
    "BoardPaper",
    "CellValue",
    "Column",
    "ColumnKind",
    "CommentaryText",
    "ComparisonChart",
    "DataTable",
    "Gap",
    "HistoryChart",
    "MeasureFigure",
    "Methods",
    "PlanDelivery",
    "PrioritySection",
    "PublicationStamp",
    "ReportContext",
    "ScorecardRow",
    "Series",
    "SeriesChart",
]

CellValue = str | int | float | None


class ColumnKind(StrEnum):
    """How a column's values are shown (and typed in spreadsheets)."""

    TEXT = "text"
    COUNT = "count"  # whole numbers, thousands separated
    VALUE = "value"  # a measure's value in its unit (see MeasureFigure.unit)
    PERCENT = "percent"  # a percentage, e.g. 27.4 for 27.4%
    CHANGE_PERCENT = "change_percent"  # a signed percentage change
    RANK = "rank"
    RANGE = "range"  # an interval written out ('29 to 56'), shown on the page only


@dataclass(frozen=True)
class Column:
    """One column of a data table. ``key`` names it in tests; ``row_header`` marks the
    column whose cells name their row. ``unit`` (a catalogue unit) says how a VALUE
    column's numbers are rounded on the page when every row shares it. ``page`` and
    ``export`` say where the column appears: an interval is one column on the page
    ('29 to 56') and two numbers in the exports."""

    key: str
    label: str
    kind: ColumnKind
    row_header: bool = False
    unit: str | None = None
    page: bool = True
    export: bool = True


@dataclass(frozen=True)
class DataTable:
    """A table of the report, exported as it stands. ``slug`` names its CSV file and
    its spreadsheet sheet (at most 31 characters, letters, digits and underscores)."""

    slug: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    notes: tuple[str, ...] = ()
    # The unit of each row's VALUE cells, where rows differ ('count' beside a rate);
    # 'rank' for a row of ranks. Empty: the columns' own units.
    row_units: tuple[str | None, ...] = ()

    def column(self, key: str) -> tuple[CellValue, ...]:
        """Every value of the column named ``key``, in row order."""
        index = [c.key for c in self.columns].index(key)
        return tuple(row[index] for row in self.rows)

    def unit_of(self, row_index: int, column: Column) -> str | None:
        """The unit a cell's number is rounded in: its row's, else its column's."""
        if self.row_units and self.row_units[row_index] is not None:
            return self.row_units[row_index]
        return column.unit

    @property
    def page_columns(self) -> tuple[tuple[int, Column], ...]:
        """(index, column) of the columns the page shows."""
        return tuple((i, c) for i, c in enumerate(self.columns) if c.page)


@dataclass(frozen=True)
class MeasureFigure:
    """One measure for the report's force and period, with its comparisons.

    ``unit`` is the catalogue unit ('count', 'rate_per_1000', 'proportion', ...).
    ``value`` is None when the data cannot give it; ``not_available`` says why.
    """

    measure_id: str
    title: str
    priority: str
    source: str  # 'home_office', 'policeuk_crimes', ...
    unit: str
    polarity: str
    period_label: str
    value: float | None
    numerator: int | None
    interval_low: float | None
    interval_high: float | None
    baseline_label: str | None
    baseline_value: float | None
    change_pct: float | None
    change_beyond_chance: bool | None
    like_for_like: bool
    previous_label: str | None
    previous_value: float | None
    previous_change_pct: float | None
    previous_beyond_chance: bool | None
    target: float | None
    target_label: str | None
    meets_target: bool | None
    comparator_mean: float | None
    comparator_forces: tuple[str, ...]
    rank: int | None
    rank_of: int | None
    population_year: int | None
    proxy: bool
    note: str
    not_available: str | None
    # a proportion's changes, in percentage points (change_pct is None for a proportion)
    change_points: float | None = None
    previous_change_points: float | None = None
    national_value: float | None = None  # England and Wales: count, or combined rate
    group_method: str = "combined"  # how comparator_mean is worked out: combined or mean
    rank_words: str | None = None  # '3rd highest of 39 forces'


@dataclass(frozen=True)
class SeriesChart:
    """A process behaviour chart to draw: the SPC result, its titles and its reading."""

    measure_id: str
    title: str
    y_title: str
    spc: SpcResult
    reading: tuple[str, ...]


@dataclass(frozen=True)
class HistoryChart:
    """A long-run chart of the published rolling years behind a measure, up to the
    report's period: ``points`` oldest first; ``sentence`` says the latest total is the
    lowest (highest) since a period, only when the loaded history supports it."""

    measure_id: str
    title: str
    points: tuple[HistoryPoint, ...]
    sentence: str | None


@dataclass(frozen=True)
class PublicationStamp:
    """A signed-off statement's publication: when, which version, signed off by whom."""

    published_on: dt.date
    version: int
    signed_off_by: str


@dataclass(frozen=True)
class BoardPaper:
    """The front matter of the statement as a board paper, from the settings."""

    meeting: str
    date: dt.date | None
    item: str
    purpose: str
    asked_to: str  # follows 'The board is asked to'
    authors: tuple[str, ...]
    contact: str


@dataclass(frozen=True)
class CommentaryText:
    """One commentary text, its placeholders filled: the force's account ('force') or
    the policing body's assessment ('body'). ``html`` is the Markdown rendered with raw
    HTML off, so every character the author wrote is escaped."""

    author: str
    heading: str
    text: str  # the Markdown with its figures filled in
    html: Markup


@dataclass(frozen=True)
class ComparisonChart:
    """A chart of one rate across every force: 'ranked' bars (highest first, the force
    and its group marked) or a 'funnel' plot (rate against population, with Poisson
    limits around the England and Wales rate). ``limits``: the funnel's limits."""

    kind: str
    title: str
    measure_title: str
    comparison: ForceComparison
    limits: tuple[FunnelPoint, ...] = ()


@dataclass(frozen=True)
class Gap:
    """Measures the report could not show (or chart) for one reason, and the reason: a
    clause as it follows 'Homicide: ' in a list (small first letter, no full stop)."""

    measures: tuple[str, ...]  # titles, in catalogue order
    priorities: tuple[str, ...]  # the priorities they serve, in order, each once
    reason: str


@dataclass(frozen=True)
class PrioritySection:
    """One national priority: headline figures, charts, narrative and tables."""

    anchor: str  # the HTML id of the section
    title: str
    figures: tuple[MeasureFigure, ...]  # measures with a value, headline first
    paragraphs: tuple[str, ...]  # one per measure (a count and its rate share one)
    summary: tuple[str, ...]  # the section's lines in the statement's summary
    charts: tuple[SeriesChart, ...]
    chart_gaps: tuple[str, ...]  # why a measure has no chart
    comparison: DataTable | None
    comparison_gap: str | None
    table: DataTable | None
    gaps: tuple[Gap, ...]  # this priority's measures with no figure, one per reason
    # local breakdowns: satisfaction by year, group and area; flags by year (may be empty)
    local_tables: tuple[DataTable, ...] = ()
    local_paragraphs: tuple[str, ...] = ()
    commentary: tuple[CommentaryText, ...] = ()  # the force's account, the body's assessment
    comparison_charts: tuple[ComparisonChart, ...] = ()  # ranked bars and funnel plot
    history_charts: tuple[HistoryChart, ...] = ()  # long-run published rolling years


@dataclass(frozen=True)
class ScorecardRow:
    """One measure on the scorecard."""

    measure_id: str
    title: str
    priority: str
    unit: str
    polarity: str  # 'lower', 'higher' or 'neutral': which way is better
    latest: float | None
    baseline_label: str | None  # '12 months to June 2019'
    baseline_value: float | None
    change_pct: float | None  # on the baseline
    target: float | None
    target_label: str | None  # '5% fewer than the baseline', 'set in the plan'
    meets_target: bool | None
    variation: PointType | None
    assurance: AssuranceType | None
    series: Series | None
    not_available: str | None
    change_points: float | None = None  # a proportion's change, in percentage points


@dataclass(frozen=True)
class Methods:
    """The methods appendix: each part is a table so that it is exported too."""

    sources: DataTable
    definitions: DataTable
    settings: DataTable
    proxies: tuple[str, ...]
    classification_breaks: tuple[str, ...]
    population_years: tuple[str, ...]


@dataclass(frozen=True)
class PlanDelivery:
    """The Police and Crime Plan tracker's published entries, as at a fixed date (the
    last day of the report's period, so the same store gives the same words)."""

    as_at: dt.date
    total: int
    summary: tuple[str, ...]  # paragraphs
    by_status: DataTable
    attention: DataTable | None  # entries whose review is overdue or due date passed
    progress: DataTable | None = None  # each objective and deliverable's milestones by status


@dataclass(frozen=True)
class ReportContext:
    """The whole report for one force and period."""

    title: str
    force: str
    policing_body: str
    period_end: dt.date
    period_label: str  # '12 months to June 2021'
    baseline_label: str  # '12 months to June 2019'
    previous_label: str  # '12 months to June 2020'
    comparison_notes: tuple[str, ...]  # said once for the whole report, e.g. no baseline
    forcestat_version: str
    config_file: str | None  # the forcestat.toml read, None for every default
    config_sha256: str | None
    branding: Branding  # wording with its placeholders filled
    sections: tuple[PrioritySection, ...]
    plan_delivery: PlanDelivery | None  # None when the tracker has no published entry
    not_measured: tuple[Gap, ...]  # one per reason, measures named together
    not_measured_table: DataTable
    scorecard: tuple[ScorecardRow, ...]
    scorecard_table: DataTable
    methods: Methods
    settings_note: str | None  # when the report's force is not the configured one
    publication: PublicationStamp | None = None  # None: a draft, marked so on every page
    board_paper: BoardPaper | None = None  # None when no meeting is set
    statutory_statement: str | None = None  # the Specified Information Order sentence
    summary_commentary: tuple[CommentaryText, ...] = ()
    commentary_warnings: tuple[str, ...] = ()  # numbers in the texts matching no figure
    monthly: DataTable | None = None  # the values behind every chart (exports only)

    @property
    def document_date(self) -> dt.date:
        """The date the HTML and PDF carry: the publication date once published; for a
        draft, the period end (so the same inputs give the same bytes)."""
        return self.publication.published_on if self.publication else self.period_end

    @property
    def tables(self) -> tuple[DataTable, ...]:
        """Every table in the report, in reading order (what the exports hold)."""
        found: list[DataTable] = []
        for section in self.sections:
            found += [t for t in (section.table, section.comparison) if t is not None]
            found += section.local_tables
        if self.plan_delivery is not None:
            found.append(self.plan_delivery.by_status)
            if self.plan_delivery.progress is not None:
                found.append(self.plan_delivery.progress)
            if self.plan_delivery.attention is not None:
                found.append(self.plan_delivery.attention)
        found += [self.not_measured_table, self.scorecard_table]
        if self.monthly is not None:
            found.append(self.monthly)
        found += [self.methods.sources, self.methods.definitions, self.methods.settings]
        return tuple(found)
