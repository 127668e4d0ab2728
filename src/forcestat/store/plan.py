"""Loading a whole Police and Crime Plan into the tracker, and writing it back out.

A Plan file (``forcestat.sources.plan_files``) is checked whole before anything is
written: every problem (an unknown measure id, a milestone without a deliverable, a bad
date, a duplicate id, a published entry under a draft one ...) is listed at once with
its file and line, and nothing is stored while any remains. A clean file is written in
one transaction: entries are matched to the tracker by their id in the file, so loading
an edited file changes those entries in place, each change in the audit log; entries
the file no longer names are left as they are.

Targets are read in the catalogue's terms: a signed change on a period
('-8% on the year ending June 2019', '-5% on the previous year', or '-5%' on the
measure's own baseline) or a level ('0.88', '88%' for a proportion).

Example:
    >>> summary = load_plan(con, read_plan_file(Path("plan.toml")),  # doctest: +SKIP
    ...     known_measures={"residential_burglary"}, actor="analyst@opcc.example")
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from forcestat.errors import ForcestatError
from forcestat.sources.plan_files import FileKind, PlanFile, SourceRow
from forcestat.store.milestones import (
    MAX_TEXT,
    Kind,
    Milestone,
    MilestoneFields,
    ReviewFrequency,
    Status,
    change_milestone,
    insert_milestone,
    list_milestones,
)
from forcestat.store.plan_terms import parse_review_frequency, parse_uk_date
from forcestat.store.records import records_transaction

__all__ = [
    "PlanLoadError",
    "PlanLoadSummary",
    "PlanNode",
    "Target",
    "load_plan",
    "parse_target",
    "plan_rows",
    "plan_tree",
]


class PlanLoadError(ForcestatError):
    """A Plan file with problems: every one, each with its file and line."""


@dataclass(frozen=True)
class Target:
    """A milestone's target in the catalogue's terms: ``change_pct`` on ``baseline``
    ('previous_year', a named period such as 'year ending June 2019', or None for the
    measure's own), or a ``level`` to reach."""

    change_pct: float | None = None
    baseline: str | None = None
    level: float | None = None


_CHANGE = re.compile(r"^(?P<pct>[+-]\s*\d+(?:\.\d+)?)\s*%(?:\s+on\s+(?:the\s+)?(?P<base>.+))?$")
_LEVEL = re.compile(r"^(?P<value>\d+(?:\.\d+)?)\s*(?P<pct>%)?(?:\s+proportion)?$")
_NAMED = re.compile(
    r"^(?:year ending|12 months to)\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$", re.IGNORECASE
)
_PREVIOUS = {"previous year", "previous_year", "last year", "previous 12 months"}


def parse_target(text: str) -> Target:
    """Read a target; ValueError saying the forms accepted otherwise.

    Example:
        >>> parse_target("-8% on the 12 months to June 2019")
        Target(change_pct=-8.0, baseline='year ending June 2019', level=None)
    """
    value = " ".join(text.strip().split())
    change = _CHANGE.match(value)
    if change:
        pct = float(change.group("pct").replace(" ", ""))
        base = change.group("base")
        if base is None:
            return Target(change_pct=pct)
        if base.lower() in _PREVIOUS:
            return Target(change_pct=pct, baseline="previous_year")
        named = _NAMED.match(base)
        if named:
            month = named.group("month").capitalize()
            return Target(change_pct=pct, baseline=f"year ending {month} {named.group('year')}")
    level = _LEVEL.match(value)
    if level:
        number = float(level.group("value"))
        return Target(level=number / 100 if level.group("pct") else number)
    raise ValueError(
        f"target {text!r} is neither a change ('-8% on the year ending June 2019', "
        "'-5% on the previous year') nor a level ('0.88' or '88%')"
    )


@dataclass(frozen=True)
class PlanLoadSummary:
    created: int
    updated: int
    unchanged: int
    left_alone: int  # tracker entries the file does not name


@dataclass(frozen=True)
class _Entry:
    where: str
    ref: str
    parent_ref: str | None
    fields: MilestoneFields
    status_given: bool


_LEVEL_OF = {
    "objective": Kind.OBJECTIVE,
    "deliverable": Kind.DELIVERABLE,
    "milestone": Kind.MILESTONE,
}
_PARENT_KIND = {Kind.DELIVERABLE: Kind.OBJECTIVE, Kind.MILESTONE: Kind.DELIVERABLE}
_TRACKER_REF = re.compile(r"^tracker-(\d+)$")


def _status(text: str) -> Status:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Status(key)
    except ValueError:
        raise ValueError(
            f"status {text!r} is not one of {', '.join(s.label.lower() for s in Status)}"
        ) from None


def _visibility(text: str) -> bool:
    key = text.strip().lower()
    if key in ("", "draft"):
        return False
    if key == "published":
        return True
    raise ValueError(f"visibility {text!r} is neither draft nor published")


def _entry(row: SourceRow, known_measures: Collection[str], problems: list[str]) -> _Entry | None:
    v = row.values
    bad: list[str] = []

    def get(name: str) -> str:
        return v.get(name, "").strip()

    ref = get("id")
    if not ref:
        bad.append("give the entry an id (such as O1, D1.2, M1.2.3)")
    kind = _LEVEL_OF.get(get("type").lower())
    if kind is None:
        bad.append(f"type {get('type')!r} is not objective, deliverable or milestone")
    title, lead = get("title"), get("lead")
    if not title:
        bad.append("give a title")
    if not lead:
        bad.append("name the lead (the person or team accountable)")
    for name in ("title", "description", "lead"):
        if len(get(name)) > MAX_TEXT:
            bad.append(f"shorten {name} to {MAX_TEXT:,} characters")
    frequency = ReviewFrequency.QUARTERLY
    if get("review"):
        try:
            frequency = parse_review_frequency(get("review"))
        except ValueError as exc:
            bad.append(str(exc))
    dates: dict[str, dt.date | None] = {}
    for name in ("start", "due"):
        dates[name] = None
        if get(name):
            try:
                dates[name] = parse_uk_date(get(name))
            except ValueError as exc:
                bad.append(f"{name} {exc}")
    if dates["start"] and dates["due"] and dates["start"] > dates["due"]:
        bad.append(f"start {dates['start']} is after due {dates['due']}")
    measure = get("measure") or None
    if measure and measure not in known_measures:
        bad.append(
            f"unknown measure id {measure!r}: use an id from the catalogue "
            "(the national measures or the 'plan' setting's file), or leave it blank and "
            "give the target as text"
        )
    target = get("target") or None
    if target and measure:
        try:
            parse_target(target)
        except ValueError as exc:
            bad.append(str(exc))
    if target and len(target) > 200:
        bad.append("shorten the target to 200 characters")
    status = Status.NOT_STARTED
    if get("status"):
        try:
            status = _status(get("status"))
        except ValueError as exc:
            bad.append(str(exc))
    published = False
    try:
        published = _visibility(get("visibility"))
    except ValueError as exc:
        bad.append(str(exc))
    parent = get("parent") or None
    if kind is Kind.OBJECTIVE and parent:
        bad.append(f"an objective sits under nothing (parent {parent!r} given)")
    if kind is Kind.MILESTONE and not parent:
        bad.append("a milestone needs the id of its deliverable in 'parent'")
    if bad or kind is None:
        problems.extend(f"{row.where}: {b}" for b in bad)
        return None
    fields = MilestoneFields(
        kind=kind,
        parent_id=None,
        title=title,
        description=get("description"),
        lead=lead,
        review_frequency=frequency,
        due_date=dates["due"],
        measure_id=measure,
        target=target,
        status=status,
        published=published,
        start_date=dates["start"],
        plan_ref=ref,
    )
    return _Entry(row.where, ref, parent, fields, bool(get("status")))


def _tracker_refs(tracker: list[Milestone]) -> dict[str, Milestone]:
    refs = {}
    for m in tracker:
        refs[m.plan_ref or f"tracker-{m.milestone_id}"] = m
    return refs


def _check_tree(entries: list[_Entry], tracker: dict[str, Milestone], problems: list[str]) -> None:
    """Parents exist and are of the level above; nothing published under a draft."""
    in_file = {e.ref: e for e in entries}
    for entry in entries:
        wanted = _PARENT_KIND.get(entry.fields.kind)
        if entry.parent_ref is None or wanted is None:
            continue
        parent = in_file.get(entry.parent_ref)
        kind, published = (parent.fields.kind, parent.fields.published) if parent else (None, False)
        if parent is None and entry.parent_ref in tracker:
            kind = tracker[entry.parent_ref].kind
            published = tracker[entry.parent_ref].published
        if kind is None:
            problems.append(
                f"{entry.where}: the {entry.fields.kind.value} {entry.ref!r} names parent "
                f"{entry.parent_ref!r}, which is neither in the file nor in the tracker"
            )
        elif kind is not wanted:
            problems.append(
                f"{entry.where}: a {entry.fields.kind.value} sits under a {wanted.value}, but "
                f"{entry.parent_ref!r} is {'an' if kind is Kind.OBJECTIVE else 'a'} {kind.value}"
            )
        elif entry.fields.published and not published:
            problems.append(
                f"{entry.where}: {entry.ref!r} is published under the draft {kind.value} "
                f"{entry.parent_ref!r}; publish the parent too, or make this a draft"
            )
    # A tracker entry the file does not name, published under an entry the file makes draft.
    for ref, m in tracker.items():
        if ref in in_file or not m.published or m.parent_id is None:
            continue
        for entry in entries:
            current = tracker.get(entry.ref)
            if current and current.milestone_id == m.parent_id and not entry.fields.published:
                problems.append(
                    f"{entry.where}: {entry.ref!r} cannot become a draft while the published "
                    f"{m.kind.value} {ref!r} (not in this file) sits under it"
                )


def _same(before: Milestone, fields: MilestoneFields) -> bool:
    now = before.record()
    return all(now[k] == getattr(fields, k) for k in now)


def load_plan(
    con: sqlite3.Connection,
    plan: PlanFile,
    *,
    known_measures: Collection[str],
    actor: str,
) -> PlanLoadSummary:
    """Check the whole Plan file, then create or update its entries in one transaction.
    Raises PlanLoadError listing every problem; nothing is written then."""
    if plan.kind is not FileKind.PLAN:
        raise PlanLoadError(f"{plan.path}: this is a register file; load it as a register")
    problems: list[str] = []
    entries: list[_Entry] = []
    seen: dict[str, str] = {}
    for row in plan.rows:
        entry = _entry(row, known_measures, problems)
        ref = row.values.get("id", "").strip()
        if ref and ref in seen:
            problems.append(f"{row.where}: duplicate id {ref!r} (first at {seen[ref]})")
            continue
        if ref:
            seen[ref] = row.where
        if entry is not None:
            entries.append(entry)
    if not plan.rows:
        problems.append(f"{plan.path}: the file holds no entries")
    with records_transaction(con):
        tracker = _tracker_refs(list_milestones(con, include_drafts=True))
        _check_tree(entries, tracker, problems)
        if problems:
            raise PlanLoadError(
                f"{plan.path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                "nothing loaded:\n  " + "\n  ".join(problems)
            )
        return _apply(con, entries, tracker, actor)


def _apply(
    con: sqlite3.Connection, entries: list[_Entry], tracker: dict[str, Milestone], actor: str
) -> PlanLoadSummary:
    ids = {ref: m.milestone_id for ref, m in tracker.items()}
    created = updated = unchanged = 0

    def fields_of(entry: _Entry) -> MilestoneFields:
        fields = entry.fields
        current = tracker.get(entry.ref)
        parent_id = ids.get(entry.parent_ref) if entry.parent_ref else None
        status = fields.status if entry.status_given or current is None else current.status
        ref = fields.plan_ref
        if _TRACKER_REF.match(entry.ref) and current is not None:
            ref = current.plan_ref  # an entry made in the dashboard keeps having none
        return MilestoneFields(
            **{**fields.__dict__, "parent_id": parent_id, "status": status, "plan_ref": ref}
        )

    order = {Kind.OBJECTIVE: 0, Kind.DELIVERABLE: 1, Kind.MILESTONE: 2}
    # Entries turning draft go first, lowest level first, so no published entry is ever
    # left under a draft one; then the rest from the top down, parents before children.
    to_draft = [
        e
        for e in entries
        if e.ref in tracker
        and tracker[e.ref].published
        and not e.fields.published
        and (e.parent_ref is None or e.parent_ref in tracker)  # a new parent comes later
    ]
    to_draft_refs = {e.ref for e in to_draft}
    rest = [e for e in entries if e.ref not in to_draft_refs]
    to_draft.sort(key=lambda e: -order[e.fields.kind])
    rest.sort(key=lambda e: order[e.fields.kind])
    for entry in [*to_draft, *rest]:
        fields = fields_of(entry)
        current = tracker.get(entry.ref)
        if current is None:
            made = insert_milestone(con, fields, actor=actor)
            ids[entry.ref] = made.milestone_id
            created += 1
        elif _same(current, fields):
            unchanged += 1
        else:
            change_milestone(con, current.milestone_id, fields, actor=actor)
            updated += 1
    named = {e.ref for e in entries}
    return PlanLoadSummary(created, updated, unchanged, sum(1 for r in tracker if r not in named))


def plan_rows(con: sqlite3.Connection) -> list[dict[str, str]]:
    """The tracker as Plan file rows (text by column), objectives first, each followed by
    its deliverables and their milestones; an entry made in the dashboard, with no id
    from a file, is named 'tracker-<number>'."""
    entries = list_milestones(con, include_drafts=True)
    ref = {m.milestone_id: m.plan_ref or f"tracker-{m.milestone_id}" for m in entries}
    children: dict[int | None, list[Milestone]] = {}
    for m in entries:
        children.setdefault(m.parent_id if m.parent_id in ref else None, []).append(m)

    def row(m: Milestone) -> dict[str, str]:
        return {
            "type": m.kind.value,
            "id": ref[m.milestone_id],
            "parent": ref.get(m.parent_id, "") if m.parent_id is not None else "",
            "title": m.title,
            "description": m.description,
            "lead": m.lead,
            "review": m.review_frequency.value.replace("_", " ").replace("six", "6"),
            "start": m.start_date.isoformat() if m.start_date else "",
            "due": m.due_date.isoformat() if m.due_date else "",
            "measure": m.measure_id or "",
            "target": m.target or "",
            "status": m.status.value.replace("_", " "),
            "visibility": "published" if m.published else "draft",
        }

    out: list[dict[str, str]] = []

    def walk(parent: int | None) -> None:
        for m in sorted(children.get(parent, []), key=_tree_key(ref)):
            out.append(row(m))
            walk(m.milestone_id)

    walk(None)
    return out


def _tree_key(ref: Mapping[int, str]) -> Callable[[Milestone], tuple[int, str, int]]:
    order = {Kind.OBJECTIVE: 0, Kind.DELIVERABLE: 1, Kind.MILESTONE: 2}

    def key(m: Milestone) -> tuple[int, str, int]:
        return order[m.kind], _natural(ref[m.milestone_id]), m.milestone_id

    return key


def _natural(text: str) -> str:
    """'M1.10' after 'M1.9': numbers padded so ids sort as people number them."""
    return re.sub(r"\d+", lambda d: d.group().zfill(6), text)


@dataclass(frozen=True)
class PlanNode:
    """An entry of the tree with the entries under it; ``counts``: the milestones at or
    under it (itself, for a milestone) by status, in ``Status`` order."""

    entry: Milestone
    children: tuple[PlanNode, ...]
    counts: tuple[tuple[Status, int], ...]

    @property
    def milestones(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def complete(self) -> int:
        return dict(self.counts).get(Status.COMPLETE, 0)

    def walk(self) -> list[PlanNode]:
        """This node and every node under it, parents first."""
        return [self, *(n for child in self.children for n in child.walk())]


def plan_tree(
    entries: Sequence[Milestone], keep: Callable[[Milestone], bool] | None = None
) -> tuple[PlanNode, ...]:
    """The entries as a tree: objectives (and entries whose parent is not among
    ``entries``) at the top, each followed by what sits under it, in id order. With
    ``keep``, only entries it accepts and the entries above them (to show where they
    sit) are in the tree, and the counts are of the milestones it accepts."""
    by_id = {m.milestone_id: m for m in entries}
    ref = {m.milestone_id: m.plan_ref or f"tracker-{m.milestone_id}" for m in entries}
    children: dict[int | None, list[Milestone]] = {}
    for m in entries:
        children.setdefault(m.parent_id if m.parent_id in by_id else None, []).append(m)

    def build(m: Milestone) -> PlanNode | None:
        under = [
            n
            for c in sorted(children.get(m.milestone_id, []), key=_tree_key(ref))
            if (n := build(c)) is not None
        ]
        accepted = keep is None or keep(m)
        if not accepted and not under:
            return None
        counts = {status: 0 for status in Status}
        if m.kind is Kind.MILESTONE and accepted:
            counts[m.status] += 1
        for n in under:
            for status, k in n.counts:
                counts[status] += k
        return PlanNode(m, tuple(under), tuple(counts.items()))

    roots = sorted(children.get(None, []), key=_tree_key(ref))
    return tuple(n for m in roots if (n := build(m)) is not None)
