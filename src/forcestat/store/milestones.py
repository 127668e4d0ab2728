"""The Police and Crime Plan tracker: objectives, deliverables and milestones.

Each entry has a lead, a review frequency (the board reviews some quarterly, some every
six months), an optional due date, measure and target, a status, and dated progress
updates. A review is due one review period after the latest update (or after the entry
was created, before any update); when that date has passed and the entry is not
complete, its review is overdue. Every change is written with its audit entry in one
transaction.

Example:
    >>> fields, problems = parse_milestone_form({"title": "Launch the CCTV hub", ...})  # doctest: +SKIP
    >>> create_milestone(con, fields, actor="editor@opcc.example")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from forcestat.errors import ForcestatError
from forcestat.months import add_months
from forcestat.store.audit import record_change
from forcestat.store.records import records_transaction as transaction
from forcestat.store.records import utc_now

__all__ = [
    "Kind",
    "Milestone",
    "MilestoneError",
    "MilestoneFields",
    "ProgressUpdate",
    "PublicationError",
    "ReviewFrequency",
    "Status",
    "TrackerSummary",
    "add_progress_update",
    "change_milestone",
    "create_milestone",
    "get_milestone",
    "has_tracker",
    "insert_milestone",
    "latest_notes",
    "list_milestones",
    "next_review_due",
    "progress_updates",
    "tracker_summary",
    "update_milestone",
]

MAX_TEXT = 5000


class MilestoneError(ForcestatError):
    """A milestone or progress update cannot be saved as given."""


class Kind(StrEnum):
    OBJECTIVE = "objective"
    DELIVERABLE = "deliverable"
    MILESTONE = "milestone"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ReviewFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "six_monthly": 6, "annual": 12}[self.value]

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def next_review_due(last_reviewed: dt.date, frequency: ReviewFrequency) -> dt.date:
    """The date the next review falls due: one review period after the last."""
    return add_months(last_reviewed, frequency.months)


@dataclass(frozen=True)
class MilestoneFields:
    """What an editor sets on a milestone (validated by ``parse_milestone_form``)."""

    kind: Kind
    parent_id: int | None
    title: str
    description: str
    lead: str
    review_frequency: ReviewFrequency
    due_date: dt.date | None
    measure_id: str | None
    target: str | None
    status: Status
    published: bool
    start_date: dt.date | None = None
    plan_ref: str | None = None  # the entry's id in the Plan file it was loaded from


@dataclass(frozen=True)
class Milestone:
    """A tracked entry with its latest progress update date (None before any)."""

    milestone_id: int
    kind: Kind
    parent_id: int | None
    title: str
    description: str
    lead: str
    review_frequency: ReviewFrequency
    due_date: dt.date | None
    measure_id: str | None
    target: str | None
    status: Status
    published: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    last_update_date: dt.date | None
    start_date: dt.date | None = None
    plan_ref: str | None = None

    @property
    def last_reviewed(self) -> dt.date:
        return self.last_update_date or self.created_at.date()

    @property
    def review_due(self) -> dt.date:
        return next_review_due(self.last_reviewed, self.review_frequency)

    def review_overdue(self, today: dt.date) -> bool:
        """Whether the review date has passed with no update, for an unfinished entry."""
        return self.status is not Status.COMPLETE and self.review_due < today

    def past_due_date(self, today: dt.date) -> bool:
        """Whether the due date has passed and the entry is not complete."""
        return (
            self.status is not Status.COMPLETE
            and self.due_date is not None
            and self.due_date < today
        )

    def record(self) -> dict[str, Any]:
        """The fields an editor sets, as the audit log shows them."""
        fields = asdict(self)
        for name in ("milestone_id", "created_at", "updated_at", "last_update_date"):
            fields.pop(name)
        return fields


@dataclass(frozen=True)
class ProgressUpdate:
    update_id: int
    milestone_id: int
    update_date: dt.date
    status: Status
    note: str
    author: str
    created_at: dt.datetime
    suggested_status: Status | None = None  # what the linked measure's figures suggested
    suggestion: str | None = None  # the figures behind the suggestion, as a sentence

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrackerSummary:
    """Counts for the statement and the tracker page: entries by status, and those
    whose review is overdue or whose due date has passed."""

    total: int
    by_status: tuple[tuple[Status, int], ...]
    reviews_overdue: tuple[Milestone, ...]
    past_due_date: tuple[Milestone, ...]


_SELECT = """
SELECT m.milestone_id, m.kind, m.parent_id, m.title, m.description, m.lead,
       m.review_frequency, m.due_date, m.measure_id, m.target, m.status, m.published,
       m.created_at, m.updated_at,
       (SELECT max(u.update_date) FROM milestone_updates u WHERE u.milestone_id = m.milestone_id),
       m.start_date, m.plan_ref
FROM milestones m
"""


def _milestone(row: tuple[Any, ...]) -> Milestone:
    return Milestone(
        milestone_id=int(row[0]),
        kind=Kind(row[1]),
        parent_id=row[2],
        title=row[3],
        description=row[4],
        lead=row[5],
        review_frequency=ReviewFrequency(row[6]),
        due_date=row[7],
        measure_id=row[8],
        target=row[9],
        status=Status(row[10]),
        published=bool(row[11]),
        created_at=row[12],
        updated_at=row[13],
        # max() of a DATE column comes back as its text
        last_update_date=dt.date.fromisoformat(row[14]) if isinstance(row[14], str) else row[14],
        start_date=row[15],
        plan_ref=row[16],
    )


def has_tracker(con: sqlite3.Connection) -> bool:
    """Whether the records hold the tracker's tables (``milestones`` and
    ``milestone_updates``)."""
    row = con.execute(
        "SELECT count(*) FROM sqlite_master "
        "WHERE type = 'table' AND name IN ('milestones', 'milestone_updates')"
    ).fetchone()
    return row is not None and int(row[0]) == 2


def list_milestones(con: sqlite3.Connection, *, include_drafts: bool) -> list[Milestone]:
    """Every entry (published ones only unless ``include_drafts``), objectives first,
    then by due date and title."""
    where = "" if include_drafts else "WHERE m.published"
    rows = con.execute(
        f"{_SELECT} {where} ORDER BY CASE m.kind WHEN 'objective' THEN 0 "
        "WHEN 'deliverable' THEN 1 ELSE 2 END, m.due_date NULLS LAST, m.title, m.milestone_id"
    ).fetchall()
    return [_milestone(r) for r in rows]


def get_milestone(
    con: sqlite3.Connection, milestone_id: int, *, include_drafts: bool
) -> Milestone | None:
    """One entry, or None when there is none (or it is a draft and drafts are hidden)."""
    row = con.execute(f"{_SELECT} WHERE m.milestone_id = ?", [milestone_id]).fetchone()
    if row is None:
        return None
    milestone = _milestone(row)
    return milestone if (milestone.published or include_drafts) else None


_UPDATE_COLUMNS = (
    "update_id, milestone_id, update_date, status, note, author, created_at, "
    "suggested_status, suggestion"
)


def _progress(r: tuple[Any, ...]) -> ProgressUpdate:
    suggested = Status(r[7]) if r[7] else None
    return ProgressUpdate(r[0], r[1], r[2], Status(r[3]), r[4], r[5], r[6], suggested, r[8])


def progress_updates(con: sqlite3.Connection, milestone_id: int) -> list[ProgressUpdate]:
    """An entry's progress updates, latest first."""
    rows = con.execute(
        f"SELECT {_UPDATE_COLUMNS} FROM milestone_updates WHERE milestone_id = ? "
        "ORDER BY update_date DESC, update_id DESC",
        [milestone_id],
    ).fetchall()
    return [_progress(r) for r in rows]


def latest_notes(con: sqlite3.Connection) -> dict[int, ProgressUpdate]:
    """Each entry's latest progress update, by entry id (entries without one left out)."""
    rows = con.execute(
        f"SELECT {_UPDATE_COLUMNS} FROM milestone_updates ORDER BY update_date, update_id"
    ).fetchall()
    return {int(r[1]): _progress(r) for r in rows}


class PublicationError(MilestoneError):
    """A published entry under a draft one (or the reverse change), which the public
    would see orphaned."""


def _check_parent(con: sqlite3.Connection, fields: MilestoneFields, own_id: int | None) -> None:
    if own_id is not None and not fields.published:
        children = con.execute(
            "SELECT title FROM milestones WHERE parent_id = ? AND published ORDER BY title",
            [own_id],
        ).fetchall()
        if children:
            raise PublicationError(
                f"this entry cannot be a draft while {len(children)} published "
                f"{'entry sits' if len(children) == 1 else 'entries sit'} under it "
                f"({children[0][0]!r}{', ...' if len(children) > 1 else ''}): make those "
                "drafts first, or keep this one published"
            )
    if fields.parent_id is None:
        return
    if fields.parent_id == own_id:
        raise MilestoneError("an entry cannot be its own parent; choose another")
    row = con.execute(
        "SELECT kind, published, title FROM milestones WHERE milestone_id = ?", [fields.parent_id]
    ).fetchone()
    if row is None:
        raise MilestoneError(f"there is no entry {fields.parent_id} to file this under")
    if Kind(row[0]) is Kind.MILESTONE:
        raise MilestoneError("file an entry under an objective or a deliverable, not a milestone")
    if fields.published and not row[1]:
        raise PublicationError(
            f"a published entry cannot sit under the draft {Kind(row[0]).value} {row[2]!r}: "
            "the public would see it without its parent; publish the parent first, or keep "
            "this entry a draft"
        )


def _values(fields: MilestoneFields) -> list[Any]:
    return [
        fields.kind.value,
        fields.parent_id,
        fields.title,
        fields.description,
        fields.lead,
        fields.review_frequency.value,
        fields.due_date,
        fields.measure_id,
        fields.target,
        fields.status.value,
        fields.published,
        fields.start_date,
        fields.plan_ref,
    ]


def insert_milestone(con: sqlite3.Connection, fields: MilestoneFields, *, actor: str) -> Milestone:
    """Add an entry, audited, inside the caller's transaction."""
    _check_parent(con, fields, None)
    now = utc_now()
    cursor = con.execute(
        "INSERT INTO milestones (kind, parent_id, title, description, lead, "
        "review_frequency, due_date, measure_id, target, status, published, start_date, "
        "plan_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*_values(fields), now, now],
    )
    assert cursor.lastrowid is not None
    created = get_milestone(con, int(cursor.lastrowid), include_drafts=True)
    assert created is not None
    record_change(
        con,
        actor=actor,
        action="milestone.create",
        entity="milestone",
        entity_id=created.milestone_id,
        before=None,
        after=created.record(),
    )
    return created


def change_milestone(
    con: sqlite3.Connection, milestone_id: int, fields: MilestoneFields, *, actor: str
) -> Milestone:
    """Change an entry's fields, audited with the record before and after, inside the
    caller's transaction."""
    before = get_milestone(con, milestone_id, include_drafts=True)
    if before is None:
        raise MilestoneError(f"there is no entry {milestone_id}")
    if fields.plan_ref is None and before.plan_ref is not None:
        # A form that does not show the Plan file's id keeps it.
        fields = replace(fields, plan_ref=before.plan_ref)
    _check_parent(con, fields, milestone_id)
    con.execute(
        "UPDATE milestones SET kind = ?, parent_id = ?, title = ?, description = ?, "
        "lead = ?, review_frequency = ?, due_date = ?, measure_id = ?, target = ?, "
        "status = ?, published = ?, start_date = ?, plan_ref = ?, updated_at = ? "
        "WHERE milestone_id = ?",
        [*_values(fields), utc_now(), milestone_id],
    )
    after = get_milestone(con, milestone_id, include_drafts=True)
    assert after is not None
    record_change(
        con,
        actor=actor,
        action="milestone.update",
        entity="milestone",
        entity_id=milestone_id,
        before=before.record(),
        after=after.record(),
    )
    return after


def create_milestone(con: sqlite3.Connection, fields: MilestoneFields, *, actor: str) -> Milestone:
    """Add an entry to the tracker, audited as ``actor``."""
    with transaction(con):
        return insert_milestone(con, fields, actor=actor)


def update_milestone(
    con: sqlite3.Connection, milestone_id: int, fields: MilestoneFields, *, actor: str
) -> Milestone:
    """Change an entry's fields, audited with the record before and after."""
    with transaction(con):
        return change_milestone(con, milestone_id, fields, actor=actor)


def add_progress_update(
    con: sqlite3.Connection,
    milestone_id: int,
    *,
    update_date: dt.date,
    status: Status,
    note: str,
    actor: str,
    suggested_status: Status | None = None,
    suggestion: str | None = None,
) -> ProgressUpdate:
    """Record dated progress on an entry and set its status to the update's, audited.
    ``suggested_status`` and ``suggestion``: what the linked measure suggested when the
    editor confirmed or overrode it, kept beside the decision."""
    with transaction(con):
        milestone = get_milestone(con, milestone_id, include_drafts=True)
        if milestone is None:
            raise MilestoneError(f"there is no entry {milestone_id}")
        cursor = con.execute(
            "INSERT INTO milestone_updates (milestone_id, update_date, status, note, author, "
            "created_at, suggested_status, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                milestone_id,
                update_date,
                status.value,
                note,
                actor,
                utc_now(),
                suggested_status.value if suggested_status else None,
                suggestion,
            ],
        )
        row = con.execute(
            f"SELECT {_UPDATE_COLUMNS} FROM milestone_updates WHERE update_id = ?",
            [cursor.lastrowid],
        ).fetchone()
        assert row is not None
        update = _progress(row)
        record_change(
            con,
            actor=actor,
            action="milestone.progress",
            entity="milestone",
            entity_id=milestone_id,
            before={"status": milestone.status.value},
            after={
                "status": status.value,
                "update_date": update_date.isoformat(),
                "note": note,
                "update_id": update.update_id,
                **(
                    {"suggested_status": suggested_status.value, "suggestion": suggestion}
                    if suggested_status is not None
                    else {}
                ),
            },
        )
        if status is not milestone.status:
            con.execute(
                "UPDATE milestones SET status = ?, updated_at = ? WHERE milestone_id = ?",
                [status.value, utc_now(), milestone_id],
            )
    return update


def tracker_summary(
    con: sqlite3.Connection, today: dt.date, *, include_drafts: bool = False
) -> TrackerSummary:
    """Entries by status and those needing attention, for the tracker and the statement."""
    entries = list_milestones(con, include_drafts=include_drafts)
    counts = {status: 0 for status in Status}
    for entry in entries:
        counts[entry.status] += 1
    return TrackerSummary(
        total=len(entries),
        by_status=tuple(counts.items()),
        reviews_overdue=tuple(m for m in entries if m.review_overdue(today)),
        past_due_date=tuple(m for m in entries if m.past_due_date(today)),
    )
