"""The Plan tracker: objectives, deliverables and milestones with progress updates.

- ``/milestones``: the tree (objectives > deliverables > milestones) with progress counts
  at each level, filtered by lead, status or overdue; overdue reviews and passed due
  dates highlighted; each linked milestone with the status its measure suggests (worked
  out once for all of them and kept per version of the data);
- ``/milestones/{id}``: one entry with its progress updates, the status its linked
  measure suggests (and, for editors, the forms to confirm or override it and to add an
  update);
- ``/milestones/new``, ``/milestones/{id}/edit``: the forms for editors.

Anonymous visitors see published entries only; signed-in users see drafts too; posts
need the editor role and the form's CSRF token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forcestat.errors import ForcestatError
from forcestat.measures.catalogue import Catalogue
from forcestat.measures.plan_status import StatusSuggestion, suggest_statuses
from forcestat.store.audit import AuditEntry, audit_entries
from forcestat.store.milestones import (
    Kind,
    Milestone,
    MilestoneError,
    ProgressUpdate,
    PublicationError,
    ReviewFrequency,
    Status,
    TrackerSummary,
    add_progress_update,
    create_milestone,
    get_milestone,
    list_milestones,
    progress_updates,
    tracker_summary,
    update_milestone,
)
from forcestat.store.plan import PlanNode, plan_tree
from forcestat.store.users import Role
from forcestat.web.http import (
    PageError,
    Visitor,
    checked_form,
    require_role,
    run_both,
    run_records,
    visitor,
)
from forcestat.web.measure_view import ViewCache
from forcestat.web.milestone_forms import parse_milestone_form, parse_update_form
from forcestat.web.rendering import render

__all__ = [
    "MilestoneFormPage",
    "MilestonePage",
    "TrackerFilters",
    "TrackerPage",
    "TreeSuggestions",
    "routes",
]

logger = logging.getLogger(__name__)

FIELD_LABELS = {
    "kind": "Type",
    "parent_id": "Part of",
    "title": "Title",
    "description": "Description",
    "lead": "Lead",
    "review_frequency": "Review frequency",
    "start_date": "Start date",
    "due_date": "Due date",
    "published": "Published",
    "measure_id": "Linked measure",
    "target": "Target",
    "status": "Status",
    "update_date": "Date of update",
    "note": "Progress",
}


@dataclass(frozen=True)
class TrackerFilters:
    """What the tree is narrowed to ('' for everything): a lead, a status, and
    ``overdue`` ('yes': only entries whose review is overdue or due date has passed)."""

    lead: str = ""
    status: str = ""
    overdue: str = ""

    @property
    def active(self) -> bool:
        return bool(self.lead or self.status or self.overdue)

    def keeps(self, m: Milestone, today: dt.date) -> bool:
        if self.lead and m.lead != self.lead:
            return False
        if self.status and m.status.value != self.status:
            return False
        return not self.overdue or m.review_overdue(today) or m.past_due_date(today)


@dataclass(frozen=True)
class TrackerPage:
    """entries: visible entries, objectives first; summary: counts and overdue ones;
    tree: the entries the filters keep, as objectives > deliverables > milestones, each
    with the count of milestones under it by status; leads: every lead, for the filter."""

    title: str
    today: dt.date
    entries: tuple[Milestone, ...]
    summary: TrackerSummary
    can_edit: bool
    titles: Mapping[int, str]
    measure_titles: Mapping[str, str] = field(default_factory=dict)
    tree: tuple[PlanNode, ...] = ()
    filters: TrackerFilters = TrackerFilters()
    leads: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = tuple(Status)
    suggestions: Mapping[int, StatusSuggestion] = field(default_factory=dict)


@dataclass(frozen=True)
class TreeSuggestions:
    """What the linked measures suggest for the tree's milestones, by milestone id: the
    value the page cache keeps."""

    by_milestone: Mapping[int, StatusSuggestion]


@dataclass(frozen=True)
class MilestonePage:
    """One entry, its progress updates (latest first) and its audit entries (for
    signed-in users); ``problems``/``values`` refill the update form after a refusal."""

    title: str
    today: dt.date
    milestone: Milestone
    parent: Milestone | None
    children: tuple[Milestone, ...]
    updates: tuple[ProgressUpdate, ...]
    audit: tuple[AuditEntry, ...]
    can_edit: bool
    statuses: tuple[Status, ...]
    problems: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=lambda: FIELD_LABELS)
    measure_title: str | None = None
    measure_href: str | None = None
    suggestion: StatusSuggestion | None = None


@dataclass(frozen=True)
class MilestoneFormPage:
    """The create or edit form: ``values`` as text, ``problems`` by field name;
    ``measures``: (id, title) of the catalogue's measures, for the linked measure;
    ``back``: where Cancel goes."""

    title: str
    action: str
    values: Mapping[str, str]
    problems: Mapping[str, str]
    parents: tuple[tuple[int, str], ...]
    measures: tuple[tuple[str, str], ...] = ()
    back: str = "/milestones"
    kinds: tuple[Kind, ...] = tuple(Kind)
    frequencies: tuple[ReviewFrequency, ...] = tuple(ReviewFrequency)
    statuses: tuple[Status, ...] = tuple(Status)
    labels: Mapping[str, str] = field(default_factory=lambda: FIELD_LABELS)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _measure_titles(request: Request) -> dict[str, str]:
    catalogue: Catalogue = request.app.state.catalogue
    return {m.id: m.title for m in catalogue.measures}


def _measure_choices(request: Request) -> tuple[tuple[str, str], ...]:
    return tuple(_measure_titles(request).items())


def _today() -> dt.date:
    return dt.date.today()


def _id(request: Request) -> int:
    milestone_id: int = request.path_params["milestone_id"]
    return milestone_id


def _not_found(milestone_id: int) -> PageError:
    return PageError(
        404,
        "Tracker entry not found",
        f"There is no published entry {milestone_id} in the Plan tracker. "
        "Drafts are shown only when signed in. See the list at /milestones.",
    )


def _filters(request: Request) -> TrackerFilters:
    params = request.query_params
    status = params.get("status", "")
    return TrackerFilters(
        lead=params.get("lead", "").strip()[:200],
        status=status if status in {s.value for s in Status} else "",
        overdue="yes" if params.get("overdue") == "yes" else "",
    )


async def tracker(request: Request) -> Response:
    who = await visitor(request)
    today = _today()
    filters = _filters(request)

    def build(con: sqlite3.Connection) -> TrackerPage:
        entries = list_milestones(con, include_drafts=who.sees_drafts)
        keep = (lambda m: filters.keeps(m, today)) if filters.active else None
        return TrackerPage(
            "Plan tracker",
            today,
            tuple(entries),
            tracker_summary(con, today, include_drafts=who.sees_drafts),
            who.can(Role.EDITOR),
            {m.milestone_id: m.title for m in entries},
            _measure_titles(request),
            plan_tree(entries, keep),
            filters,
            tuple(sorted({m.lead for m in entries})),
        )

    page = await run_records(request, build)
    page = dataclasses.replace(page, suggestions=await _tree_suggestions(request, page.entries))
    return render(request, who, "milestones/list.html", page)


async def _tree_suggestions(
    request: Request, entries: tuple[Milestone, ...]
) -> Mapping[int, StatusSuggestion]:
    """What the linked measures suggest for the dashboard's own force, for every linked
    milestone the visitor sees, worked out in one go and kept per version of the data
    and per set of links and targets (an edited target is a new key)."""
    catalogue: Catalogue = request.app.state.catalogue
    known = _measure_titles(request)
    linked = [m for m in entries if m.measure_id is not None and m.measure_id in known]
    if not linked:
        return {}
    force = request.app.state.default_force.name
    cache: ViewCache = request.app.state.views
    key = (
        "plan-suggestions",
        force,
        tuple((m.milestone_id, m.measure_id, m.target, m.due_date) for m in linked),
    )

    def work(
        con: duckdb.DuckDBPyConnection, records: sqlite3.Connection, version: tuple[object, ...]
    ) -> TreeSuggestions:
        return cache.fetch(
            version,
            key,
            TreeSuggestions,
            lambda: TreeSuggestions(suggest_statuses(con, records, catalogue, linked, force)),
        )

    try:
        found = await run_both(request, work)
    except ForcestatError as exc:
        # The tree still shows (with its own statuses) when the figures cannot be had.
        logger.warning("no suggested statuses for the tracker: %s", exc)
        return {}
    return found.by_milestone


def _detail(
    con: sqlite3.Connection,
    who: Visitor,
    milestone_id: int,
    problems: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
) -> MilestonePage:
    milestone = get_milestone(con, milestone_id, include_drafts=who.sees_drafts)
    if milestone is None:
        raise _not_found(milestone_id)
    parent = (
        get_milestone(con, milestone.parent_id, include_drafts=who.sees_drafts)
        if milestone.parent_id is not None
        else None
    )
    children = tuple(
        m
        for m in list_milestones(con, include_drafts=who.sees_drafts)
        if m.parent_id == milestone_id
    )
    audit = (
        tuple(audit_entries(con, entity="milestone", entity_id=milestone_id, limit=50))
        if who.sees_drafts
        else ()
    )
    return MilestonePage(
        milestone.title,
        _today(),
        milestone,
        parent,
        children,
        tuple(progress_updates(con, milestone_id)),
        audit,
        who.can(Role.EDITOR),
        tuple(Status),
        problems or {},
        values or {"status": milestone.status.value, "update_date": _today().isoformat()},
    )


def _with_measure(request: Request, page: MilestonePage) -> MilestonePage:
    """The page with its linked measure's title and the link to it, for the dashboard's
    own force (an id no longer in the catalogue is shown as it was entered)."""
    measure_id = page.milestone.measure_id
    titles = _measure_titles(request)
    if measure_id is None or measure_id not in titles:
        return page
    slug = request.app.state.default_force_slug
    return dataclasses.replace(
        page,
        measure_title=titles[measure_id],
        measure_href=f"/forces/{slug}/measures/{measure_id}",
    )


async def _suggestion(request: Request, milestone: Milestone) -> StatusSuggestion | None:
    """What the linked measure suggests for the dashboard's own force, from its latest
    figures; None for an entry with no measure (or one not in the catalogue)."""
    catalogue: Catalogue = request.app.state.catalogue
    if milestone.measure_id is None or milestone.measure_id not in _measure_titles(request):
        return None
    force = request.app.state.default_force.name
    try:
        found = await run_both(
            request,
            lambda con, records, _: suggest_statuses(con, records, catalogue, [milestone], force),
        )
    except ForcestatError as exc:
        # The entry's page still shows (and takes updates) when its figures cannot be had.
        logger.warning("no suggested status for milestone %s: %s", milestone.milestone_id, exc)
        return None
    return found.get(milestone.milestone_id)


async def _full_detail(request: Request, page: MilestonePage) -> MilestonePage:
    page = _with_measure(request, page)
    return dataclasses.replace(page, suggestion=await _suggestion(request, page.milestone))


async def detail(request: Request) -> Response:
    who = await visitor(request)
    milestone_id = _id(request)
    page = await run_records(request, lambda con: _detail(con, who, milestone_id))
    return render(request, who, "milestones/detail.html", await _full_detail(request, page))


async def add_update(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    editor = require_role(who, Role.EDITOR)
    milestone_id = _id(request)
    parsed, problems = parse_update_form(form, _today())
    if parsed is None:
        page = await run_records(
            request, lambda con: _detail(con, who, milestone_id, problems, form)
        )
        page = await _full_detail(request, page)
        return render(request, who, "milestones/detail.html", page, status_code=400)
    update_date, status, note = parsed
    milestone = await run_records(
        request, lambda con: get_milestone(con, milestone_id, include_drafts=True)
    )
    if milestone is None:
        raise _not_found(milestone_id)
    # The suggestion is worked out again here, not taken from the form, and kept beside
    # the editor's decision whether it is confirmed or overridden.
    suggestion = await _suggestion(request, milestone)
    try:
        await run_records(
            request,
            lambda con: add_progress_update(
                con,
                milestone_id,
                update_date=update_date,
                status=status,
                note=note,
                actor=editor.email,
                suggested_status=suggestion.status if suggestion else None,
                suggestion=suggestion.basis if suggestion and suggestion.status else None,
            ),
        )
    except MilestoneError as exc:
        raise _not_found(milestone_id) from exc
    return RedirectResponse(f"/milestones/{milestone_id}#updates", status_code=303)


def _parents(con: sqlite3.Connection, exclude: int | None) -> tuple[tuple[int, str], ...]:
    return tuple(
        (m.milestone_id, f"{m.kind.label}: {m.title}")
        for m in list_milestones(con, include_drafts=True)
        if m.kind is not Kind.MILESTONE and m.milestone_id != exclude
    )


def _values_of(milestone: Milestone) -> dict[str, str]:
    return {
        "kind": milestone.kind.value,
        "parent_id": "" if milestone.parent_id is None else str(milestone.parent_id),
        "title": milestone.title,
        "description": milestone.description,
        "lead": milestone.lead,
        "review_frequency": milestone.review_frequency.value,
        "due_date": milestone.due_date.isoformat() if milestone.due_date else "",
        "start_date": milestone.start_date.isoformat() if milestone.start_date else "",
        "measure_id": milestone.measure_id or "",
        "target": milestone.target or "",
        "status": milestone.status.value,
        "published": "yes" if milestone.published else "",
    }


async def new_form(request: Request) -> Response:
    who = await visitor(request)
    require_role(who, Role.EDITOR)
    parents = await run_records(request, lambda con: _parents(con, None))
    values = {"kind": "milestone", "review_frequency": "quarterly", "status": "not_started"}
    page = MilestoneFormPage(
        "Add to the Plan tracker", "/milestones", values, {}, parents, _measure_choices(request)
    )
    return render(request, who, "milestones/form.html", page)


async def create(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    editor = require_role(who, Role.EDITOR)
    fields, problems = parse_milestone_form(form)
    if fields is not None:
        try:
            created = await run_records(
                request, lambda con: create_milestone(con, fields, actor=editor.email)
            )
        except PublicationError as exc:
            problems = {"published": _sentence(str(exc))}
        except MilestoneError as exc:
            problems = {"parent_id": str(exc)}
        else:
            return RedirectResponse(f"/milestones/{created.milestone_id}", status_code=303)
    parents = await run_records(request, lambda con: _parents(con, None))
    page = MilestoneFormPage(
        "Add to the Plan tracker", "/milestones", form, problems, parents, _measure_choices(request)
    )
    return render(request, who, "milestones/form.html", page, status_code=400)


async def edit_form(request: Request) -> Response:
    who = await visitor(request)
    require_role(who, Role.EDITOR)
    milestone_id = _id(request)
    measures = _measure_choices(request)

    def build(con: sqlite3.Connection) -> MilestoneFormPage:
        milestone = get_milestone(con, milestone_id, include_drafts=True)
        if milestone is None:
            raise _not_found(milestone_id)
        return MilestoneFormPage(
            f"Edit: {milestone.title}",
            f"/milestones/{milestone_id}",
            _values_of(milestone),
            {},
            _parents(con, milestone_id),
            measures,
            f"/milestones/{milestone_id}",
        )

    return render(request, who, "milestones/form.html", await run_records(request, build))


async def update(request: Request) -> Response:
    who = await visitor(request)
    form = await checked_form(request, who)
    editor = require_role(who, Role.EDITOR)
    milestone_id = _id(request)
    fields, problems = parse_milestone_form(form)
    if fields is not None:
        try:
            await run_records(
                request, lambda con: update_milestone(con, milestone_id, fields, actor=editor.email)
            )
        except PublicationError as exc:
            problems = {"published": _sentence(str(exc))}
        except MilestoneError as exc:
            problems = {"parent_id": str(exc)}
        else:
            return RedirectResponse(f"/milestones/{milestone_id}", status_code=303)
    parents = await run_records(request, lambda con: _parents(con, milestone_id))
    page = MilestoneFormPage(
        "Edit the entry",
        f"/milestones/{milestone_id}",
        form,
        problems,
        parents,
        _measure_choices(request),
        f"/milestones/{milestone_id}",
    )
    return render(request, who, "milestones/form.html", page, status_code=400)


routes = [
    Route("/milestones", tracker, methods=["GET"]),
    Route("/milestones", create, methods=["POST"]),
    Route("/milestones/new", new_form, methods=["GET"]),
    Route("/milestones/{milestone_id:int}", detail, methods=["GET"]),
    Route("/milestones/{milestone_id:int}", update, methods=["POST"]),
    Route("/milestones/{milestone_id:int}/edit", edit_form, methods=["GET"]),
    Route("/milestones/{milestone_id:int}/updates", add_update, methods=["POST"]),
]
