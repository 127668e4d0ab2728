"""The statement's "Police and Crime Plan delivery" section, from the milestone tracker.

Only published entries count (a published report never shows a draft). Reviews are
judged overdue as at the last day of the report's period, never the day the report is
written, so the same store gives the same words; each entry's status is the latest its
lead has recorded.

Example:
    >>> delivery = plan_delivery(con, dt.date(2021, 6, 30))  # doctest: +SKIP
    >>> delivery.summary[0]  # doctest: +SKIP
    'The Police and Crime Plan tracker holds 4 published entries ...'
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from forcestat.report.context import CellValue, Column, ColumnKind, DataTable, PlanDelivery
from forcestat.report.narrative import join_names
from forcestat.store.milestones import (
    Kind,
    Milestone,
    Status,
    has_tracker,
    list_milestones,
    tracker_summary,
)
from forcestat.store.plan import plan_tree

__all__ = ["STATUS_ORDER", "long_date", "plan_delivery"]

# The order statuses are read out in: progress first, what is finished last.
STATUS_ORDER = (
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
    Status.NOT_STARTED,
    Status.COMPLETE,
)
_KIND_PLURALS = {Kind.OBJECTIVE: "objectives", Kind.DELIVERABLE: "deliverables"}


def long_date(day: dt.date) -> str:
    """'30 June 2021'."""
    return f"{day.day} {day:%B %Y}"


def _entries(n: int) -> str:
    return f"{n} published {'entry' if n == 1 else 'entries'}"


def _kinds(entries: list[Milestone]) -> str:
    parts = []
    for kind in Kind:
        n = sum(1 for m in entries if m.kind is kind)
        if n:
            word = kind.value if n == 1 else _KIND_PLURALS.get(kind, kind.value + "s")
            parts.append(f"{n} {word}")
    return join_names(parts)


def _attention_sentence(overdue: int, past_due: int, as_at: dt.date) -> str:
    if not overdue and not past_due:
        return (
            f"At {long_date(as_at)} no review was overdue and no entry had passed its "
            "due date unfinished."
        )
    parts = []
    if overdue:
        parts.append(
            f"{overdue} {'entry was' if overdue == 1 else 'entries were'} overdue for review"
        )
    if past_due:
        parts.append(
            f"{past_due} {'entry had' if past_due == 1 else 'entries had'} passed "
            f"{'its' if past_due == 1 else 'their'} due date unfinished"
        )
    return f"At {long_date(as_at)}, {join_names(parts)}; they are listed below."


def plan_delivery(con: sqlite3.Connection, as_at: dt.date) -> PlanDelivery | None:
    """The tracker's published entries by status and those needing attention as at
    ``as_at``; None when the store holds no published entry (or no tracker)."""
    if not has_tracker(con):
        return None
    summary = tracker_summary(con, as_at, include_drafts=False)
    if summary.total == 0:
        return None
    entries = list_milestones(con, include_drafts=False)
    counts = dict(summary.by_status)
    statuses = [f"{counts[s]} {s.label.lower()}" for s in STATUS_ORDER if counts.get(s, 0) > 0]
    paragraphs = (
        f"The Police and Crime Plan tracker holds {_entries(summary.total)} "
        f"({_kinds(entries)}): {join_names(statuses)}. Each status is the latest its lead "
        "has recorded.",
        _attention_sentence(len(summary.reviews_overdue), len(summary.past_due_date), as_at),
    )
    by_status = DataTable(
        "plan_delivery",
        "Police and Crime Plan delivery: published entries by status",
        (
            Column("status", "Status", ColumnKind.TEXT, row_header=True),
            Column("entries", "Entries", ColumnKind.COUNT),
        ),
        (*((s.label, counts.get(s, 0)) for s in STATUS_ORDER), ("All entries", summary.total)),
    )
    overdue_ids = {m.milestone_id for m in summary.reviews_overdue}
    past_ids = {m.milestone_id for m in summary.past_due_date}
    listed = [m for m in entries if m.milestone_id in overdue_ids | past_ids]
    attention = None
    if listed:
        attention = DataTable(
            "plan_delivery_attention",
            f"Police and Crime Plan delivery: entries needing attention at {long_date(as_at)}",
            (
                Column("entry", "Entry", ColumnKind.TEXT, row_header=True),
                Column("kind", "Type", ColumnKind.TEXT),
                Column("lead", "Lead", ColumnKind.TEXT),
                Column("status", "Status", ColumnKind.TEXT),
                Column("review_due", "Review due", ColumnKind.TEXT),
                Column("due_date", "Due date", ColumnKind.TEXT),
                Column("why", "Why listed", ColumnKind.TEXT),
            ),
            tuple(
                (
                    m.title,
                    m.kind.label,
                    m.lead,
                    m.status.label,
                    long_date(m.review_due),
                    long_date(m.due_date) if m.due_date is not None else "None set",
                    "; ".join(
                        why
                        for why, flagged in (
                            ("Review overdue", m.milestone_id in overdue_ids),
                            ("Past its due date", m.milestone_id in past_ids),
                        )
                        if flagged
                    ),
                )
                for m in listed
            ),
        )
    return PlanDelivery(
        as_at=as_at,
        total=summary.total,
        summary=paragraphs,
        by_status=by_status,
        attention=attention,
        progress=_progress(entries),
    )


def _progress(entries: list[Milestone]) -> DataTable | None:
    """Each published objective and deliverable with the milestones under it by status:
    what has been delivered, not only how many entries there are."""
    rows: list[tuple[CellValue, ...]] = []
    for node in (n for root in plan_tree(entries) for n in root.walk()):
        if node.entry.kind is Kind.MILESTONE:
            continue
        counts = dict(node.counts)
        rows.append(
            (
                node.entry.title,
                node.entry.kind.label,
                node.entry.lead,
                f"{node.complete} of {node.milestones}" if node.milestones else "None",
                *(counts.get(s, 0) for s in STATUS_ORDER if s is not Status.COMPLETE),
            )
        )
    if not rows:
        return None
    return DataTable(
        "plan_progress",
        "Police and Crime Plan delivery: progress of each objective and deliverable "
        "(milestones under it by status)",
        (
            Column("entry", "Objective or deliverable", ColumnKind.TEXT, row_header=True),
            Column("kind", "Type", ColumnKind.TEXT),
            Column("lead", "Lead", ColumnKind.TEXT),
            Column("complete", "Milestones complete", ColumnKind.TEXT),
            *(
                Column(s.value, s.label, ColumnKind.COUNT)
                for s in STATUS_ORDER
                if s is not Status.COMPLETE
            ),
        ),
        tuple(rows),
    )
