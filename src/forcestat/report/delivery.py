"""The end-of-year delivery report: the whole Police and Crime Plan, objective by objective.

For a financial year ('2024/25': April 2024 to March 2025) it walks the tracker's
published tree: a summary of milestone statuses by objective first, then each objective
with its deliverables and their milestones, each milestone with its status (the latest
its lead recorded), the lead's latest note, and, where it is linked to a measure, the
figure for the 12 months to the year's end (or ``figures_to``), the milestone's target,
whether it is met, the status the data suggest and the monthly chart. Drafts are never
shown. It is written as HTML and PDF in the statement's style
(``forcestat.report.html``, ``forcestat.report.pdf``).

Example:
    >>> report = build_delivery_report(con, records, config, year="2024/25")  # doctest: +SKIP
    >>> Path("delivery.html").write_text(render_delivery_html(report))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import duckdb

from forcestat import __version__
from forcestat.config import Config
from forcestat.forces import find_force
from forcestat.measures.catalogue import Catalogue, load_catalogue
from forcestat.measures.catalogue import Kind as MeasureKind
from forcestat.measures.plan_status import StatusSuggestion, suggest_statuses
from forcestat.measures.series import series_axis_title
from forcestat.measures.sql import store_offence_codes
from forcestat.report.branding import Branding, load_branding
from forcestat.report.context import SeriesChart
from forcestat.report.errors import ReportError
from forcestat.report.figures import format_value
from forcestat.report.plan_delivery import STATUS_ORDER, long_date
from forcestat.store.milestones import Kind, ProgressUpdate, Status, latest_notes, list_milestones
from forcestat.store.plan import PlanNode, plan_tree
from forcestat.store.registers import Recommendation, list_recommendations

__all__ = [
    "DeliveryReport",
    "MilestoneDelivery",
    "ObjectiveDelivery",
    "build_delivery_report",
    "financial_year",
    "render_delivery_html",
    "write_delivery_report",
]


def financial_year(text: str) -> tuple[str, dt.date, dt.date]:
    """'2024/25' (or '2024-25', '2024/2025') -> ('2024/25', 1 April 2024, 31 March 2025);
    ReportError otherwise."""
    found = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text)
    if found:
        start = int(found.group(1))
        end = int(found.group(2))
        if end == (start + 1) % 100 or end == start + 1:
            return (
                f"{start}/{(start + 1) % 100:02d}",
                dt.date(start, 4, 1),
                dt.date(start + 1, 3, 31),
            )
    raise ReportError(
        f"year {text!r} is not a financial year such as 2024/25 (April 2024 to March 2025)"
    )


@dataclass(frozen=True)
class MilestoneDelivery:
    """One milestone as the report shows it; ``figure``/``target``/``met`` are text, None
    for a milestone with no linked measure (or no figure)."""

    ref: str
    title: str
    lead: str
    due: str
    status: Status
    note: ProgressUpdate | None
    target_text: str | None
    measure_title: str | None
    figure: str | None
    target: str | None
    met: str | None
    suggested: Status | None
    basis: str | None
    chart: SeriesChart | None


@dataclass(frozen=True)
class DeliverableDelivery:
    ref: str
    title: str
    lead: str
    progress: str
    milestones: tuple[MilestoneDelivery, ...]


@dataclass(frozen=True)
class ObjectiveDelivery:
    ref: str
    title: str
    lead: str
    description: str
    progress: str
    counts: tuple[tuple[Status, int], ...]  # its milestones by status, in STATUS_ORDER
    deliverables: tuple[DeliverableDelivery, ...]


@dataclass(frozen=True)
class DeliveryReport:
    """The whole report; ``objectives`` in Plan order, ``others``: published milestones
    not filed under a published deliverable."""

    title: str
    policing_body: str
    force: str
    year_label: str
    year_start: dt.date
    year_end: dt.date
    figures_to: dt.date  # last month of the 12 months the linked figures cover
    branding: Branding
    forcestat_version: str
    summary: tuple[str, ...]
    statuses: tuple[Status, ...]
    objectives: tuple[ObjectiveDelivery, ...]
    others: tuple[MilestoneDelivery, ...]
    milestone_count: int
    recommendations: tuple[Recommendation, ...] = ()  # published, by register


def _progress(node: PlanNode) -> str:
    if not node.milestones:
        return "No milestones."
    parts = [f"{n} {s.label.lower()}" for s in STATUS_ORDER for t, n in node.counts if t is s and n]
    return f"{node.complete} of {node.milestones} milestones complete ({', '.join(parts)})."


def _chart(suggestion: StatusSuggestion) -> SeriesChart | None:
    charted = suggestion.chart
    if charted is None:
        return None
    reading = charted.sentences
    if suggestion.measure.kind is MeasureKind.COUNT:
        reading = (*reading, "The monthly target is the milestone's 12-month target divided by 12.")
    return SeriesChart(
        suggestion.measure.id,
        f"{suggestion.measure.title}, by month",
        series_axis_title(suggestion.measure),
        charted.spc,
        reading,
    )


def _milestone(
    node: PlanNode,
    notes: dict[int, ProgressUpdate],
    suggestions: dict[int, StatusSuggestion],
    titles: dict[str, str],
) -> MilestoneDelivery:
    m = node.entry
    suggestion = suggestions.get(m.milestone_id)
    row = suggestion.row if suggestion else None
    figure = target = met = None
    if row is not None and row.value is not None:
        figure = f"{format_value(row.value, row.unit)} in the {row.period}"
        if row.target is not None:
            target = format_value(row.target, row.unit)
            met = {True: "Met", False: "Not met", None: "Not judged"}[row.meets_target]
    return MilestoneDelivery(
        ref=m.plan_ref or f"tracker-{m.milestone_id}",
        title=m.title,
        lead=m.lead,
        due=long_date(m.due_date) if m.due_date else "None set",
        status=m.status,
        note=notes.get(m.milestone_id),
        target_text=m.target,
        measure_title=titles.get(m.measure_id) if m.measure_id else None,
        figure=figure,
        target=target,
        met=met,
        suggested=suggestion.status if suggestion else None,
        basis=suggestion.basis if suggestion else None,
        chart=_chart(suggestion) if suggestion else None,
    )


def build_delivery_report(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    config: Config,
    *,
    year: str,
    figures_to: dt.date | None = None,
    force: str | None = None,
    catalogue: Catalogue | None = None,
) -> DeliveryReport:
    """The delivery report of the financial ``year`` for ``force`` (default: the
    configured one), linked figures for the 12 months to ``figures_to`` (default: March
    at the year's end). Raises ReportError when no published milestone is tracked."""
    label, start, end = financial_year(year)
    force_name = find_force(force or config.force).name
    last_month = (figures_to or end).replace(day=1)
    catalogue = catalogue or load_catalogue(
        config.plan,
        extra_offence_codes=store_offence_codes(con),
        national_baseline=config.baseline_period_end,
    )
    entries = list_milestones(records, include_drafts=False)
    milestones = [m for m in entries if m.kind is Kind.MILESTONE]
    if not milestones:
        raise ReportError(
            "the Plan tracker holds no published milestone; load the Plan with "
            "'forcestat plan load FILE' and publish it first"
        )
    suggestions = suggest_statuses(
        con, records, catalogue, milestones, force_name, period_end=last_month
    )
    notes = latest_notes(records)
    titles = {m.id: m.title for m in catalogue.measures}
    objectives = []
    others = []
    for node in plan_tree(entries):
        if node.entry.kind is Kind.MILESTONE:
            others.append(_milestone(node, notes, suggestions, titles))
            continue
        deliverable_nodes = node.children if node.entry.kind is Kind.OBJECTIVE else (node,)
        deliverables = []
        for d in deliverable_nodes:
            if d.entry.kind is Kind.MILESTONE:
                others.append(_milestone(d, notes, suggestions, titles))
                continue
            deliverables.append(
                DeliverableDelivery(
                    d.entry.plan_ref or f"tracker-{d.entry.milestone_id}",
                    d.entry.title,
                    d.entry.lead,
                    _progress(d),
                    tuple(_milestone(c, notes, suggestions, titles) for c in d.children),
                )
            )
        counts = dict(node.counts)
        objectives.append(
            ObjectiveDelivery(
                node.entry.plan_ref or f"tracker-{node.entry.milestone_id}",
                node.entry.title,
                node.entry.lead,
                node.entry.description,
                _progress(node),
                tuple((s, counts.get(s, 0)) for s in STATUS_ORDER),
                tuple(deliverables),
            )
        )
    total = len(milestones)
    done = sum(1 for m in milestones if m.status is Status.COMPLETE)
    linked = sum(1 for s in suggestions.values() if s.row is not None and s.row.value is not None)
    summary = (
        f"The Police and Crime Plan for {label} has {total} published milestones under "
        f"{len(objectives)} objectives; {done} {'is' if done == 1 else 'are'} complete. Each "
        "status is the latest its lead recorded; where a milestone is linked to a measure, "
        "the status the data suggest is shown beside it.",
        f"Figures for linked milestones are for {force_name}, the 12 months to "
        f"{last_month:%B %Y}; {linked} of the {len(suggestions)} linked milestones have one.",
    )
    return DeliveryReport(
        title=f"Police and Crime Plan: delivery report {label}",
        policing_body=config.policing_body,
        force=force_name,
        year_label=label,
        year_start=start,
        year_end=end,
        figures_to=last_month,
        branding=load_branding(config.report_style, policing_body=config.policing_body),
        forcestat_version=__version__,
        summary=summary,
        statuses=STATUS_ORDER,
        objectives=tuple(objectives),
        others=tuple(others),
        milestone_count=total,
        recommendations=tuple(list_recommendations(records, include_drafts=False)),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_delivery_html(report: DeliveryReport) -> str:
    """The report as one self-contained HTML document, in the statement's style."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from forcestat.report.html import draw_chart, stylesheet

    env = Environment(
        loader=PackageLoader("forcestat.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(long_date=long_date, slug=_slug)
    every = [
        *(m for o in report.objectives for d in o.deliverables for m in d.milestones),
        *report.others,
    ]
    charted = [m for m in every if m.chart is not None]
    drawn = {m.ref: draw_chart(m.chart, i) for i, m in enumerate(charted) if m.chart}
    return env.get_template("delivery.html.j2").render(
        report=report, stylesheet=stylesheet(report.branding.colours), drawn=drawn
    )


def write_delivery_report(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    config: Config,
    *,
    year: str,
    out: Path,
    figures_to: dt.date | None = None,
    force: str | None = None,
    pdf: bool = True,
) -> tuple[DeliveryReport, Path, Path | None]:
    """Build the report and write ``out/plan-delivery-<YYYY-YY>.html`` (and ``.pdf``)."""
    from forcestat.report.pdf import render_pdf

    report = build_delivery_report(
        con, records, config, year=year, figures_to=figures_to, force=force
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{out}: cannot create the folder ({exc.strerror})") from exc
    stem = f"plan-delivery-{report.year_label.replace('/', '-')}"
    html = render_delivery_html(report)
    html_path = out / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = None
    if pdf:
        pdf_path = out / f"{stem}.pdf"
        pdf_path.write_bytes(render_pdf(html))
    return report, html_path, pdf_path
