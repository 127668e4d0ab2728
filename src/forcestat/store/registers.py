"""Registers of recommendations: HMICFRS inspections, the Police and Crime Panel, audit.

Each recommendation has the register it belongs to, an id in its file, what it asks,
its source (the inspection report, panel meeting or audit), the date it was made, an
owner, a due date, a status and a note. They are loaded from a register file
(``forcestat.sources.plan_files``) whole or not at all, matched by id on a re-load,
each change in the audit log.

Example:
    >>> load_register(con, read_plan_file(Path("register.csv")), actor="analyst")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from forcestat.errors import ForcestatError
from forcestat.sources.plan_files import FileKind, PlanFile, SourceRow
from forcestat.store.audit import record_change
from forcestat.store.milestones import MAX_TEXT
from forcestat.store.plan_terms import parse_uk_date
from forcestat.store.records import records_transaction, utc_now

__all__ = [
    "Recommendation",
    "Register",
    "RegisterError",
    "RegisterLoadSummary",
    "RegisterStatus",
    "list_recommendations",
    "load_register",
    "register_rows",
]


class RegisterError(ForcestatError):
    """A register file with problems: every one, each with its file and line."""


class Register(StrEnum):
    HMICFRS = "hmicfrs"
    PANEL = "panel"
    AUDIT = "audit"

    @property
    def label(self) -> str:
        return {
            "hmicfrs": "HMICFRS inspection",
            "panel": "Police and Crime Panel",
            "audit": "Audit",
        }[self.value]


class RegisterStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Recommendation:
    register: Register
    ref: str
    title: str
    source: str
    raised_date: dt.date | None
    owner: str
    due_date: dt.date | None
    status: RegisterStatus
    note: str
    published: bool

    def overdue(self, today: dt.date) -> bool:
        done = self.status in (RegisterStatus.IMPLEMENTED, RegisterStatus.CLOSED)
        return not done and self.due_date is not None and self.due_date < today


@dataclass(frozen=True)
class RegisterLoadSummary:
    created: int
    updated: int
    unchanged: int
    left_alone: int


_COLUMNS = "register, ref, title, source, raised_date, owner, due_date, status, note, published"


def _register(text: str) -> Register:
    key = text.strip().lower()
    aliases = {
        "police and crime panel": "panel",
        "inspection": "hmicfrs",
        "internal audit": "audit",
    }
    try:
        return Register(aliases.get(key, key))
    except ValueError:
        raise ValueError(f"register {text!r} is not hmicfrs, panel or audit") from None


def _status(text: str) -> RegisterStatus:
    key = text.strip().lower().replace(" ", "_").replace("-", "_") or "open"
    try:
        return RegisterStatus(key)
    except ValueError:
        raise ValueError(
            f"status {text!r} is not one of open, in progress, implemented, closed"
        ) from None


def _recommendation(row: SourceRow, problems: list[str]) -> Recommendation | None:
    def get(name: str) -> str:
        return row.values.get(name, "").strip()

    bad: list[str] = []
    register: Register | None = None
    status = RegisterStatus.OPEN
    try:
        register = _register(get("register"))
    except ValueError as exc:
        bad.append(str(exc))
    try:
        status = _status(get("status"))
    except ValueError as exc:
        bad.append(str(exc))
    for name in ("id", "title", "owner"):
        if not get(name):
            bad.append(f"give the {name}")
    for name in ("title", "source", "note"):
        if len(get(name)) > MAX_TEXT:
            bad.append(f"shorten {name} to {MAX_TEXT:,} characters")
    dates: dict[str, dt.date | None] = {}
    for name in ("date", "due"):
        dates[name] = None
        if get(name):
            try:
                dates[name] = parse_uk_date(get(name))
            except ValueError as exc:
                bad.append(f"{name} {exc}")
    visibility = get("visibility").lower()
    if visibility not in ("", "draft", "published"):
        bad.append(f"visibility {get('visibility')!r} is neither draft nor published")
    if bad or register is None:
        problems.extend(f"{row.where}: {b}" for b in bad)
        return None
    return Recommendation(
        register,
        get("id"),
        get("title"),
        get("source"),
        dates["date"],
        get("owner"),
        dates["due"],
        status,
        get("note"),
        visibility == "published",
    )


def _from_row(r: tuple[Any, ...]) -> Recommendation:
    return Recommendation(
        Register(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], RegisterStatus(r[7]), r[8], bool(r[9])
    )


def list_recommendations(
    con: sqlite3.Connection, *, include_drafts: bool = True
) -> list[Recommendation]:
    """Every recommendation (published ones only unless ``include_drafts``), by register,
    then due date and id."""
    where = "" if include_drafts else "WHERE published"
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM register_items {where} ORDER BY register, due_date NULLS LAST, ref"
    ).fetchall()
    return [_from_row(r) for r in rows]


def _record(item: Recommendation) -> dict[str, Any]:
    record = asdict(item)
    record["register"] = item.register.value
    record["status"] = item.status.value
    return record


def load_register(
    con: sqlite3.Connection, register_file: PlanFile, *, actor: str
) -> RegisterLoadSummary:
    """Check every row, then add or update the recommendations in one transaction;
    RegisterError listing every problem otherwise, with nothing written."""
    if register_file.kind is not FileKind.REGISTER:
        raise RegisterError(f"{register_file.path}: this is a Plan file, not a register")
    problems: list[str] = []
    items: list[Recommendation] = []
    seen: dict[str, str] = {}
    for row in register_file.rows:
        item = _recommendation(row, problems)
        ref = row.values.get("id", "").strip()
        if ref in seen:
            problems.append(f"{row.where}: duplicate id {ref!r} (first at {seen[ref]})")
            continue
        seen[ref] = row.where
        if item is not None:
            items.append(item)
    if problems:
        raise RegisterError(
            f"{register_file.path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
            "nothing loaded:\n  " + "\n  ".join(problems)
        )
    created = updated = unchanged = 0
    with records_transaction(con):
        current = {r.ref: r for r in list_recommendations(con)}
        for item in items:
            before = current.get(item.ref)
            values = [
                item.register.value,
                item.title,
                item.source,
                item.raised_date,
                item.owner,
                item.due_date,
                item.status.value,
                item.note,
                item.published,
            ]
            if before == item:
                unchanged += 1
                continue
            now = utc_now()
            if before is None:
                con.execute(
                    "INSERT INTO register_items (register, title, source, raised_date, owner, "
                    "due_date, status, note, published, ref, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*values, item.ref, now, now],
                )
                created += 1
            else:
                con.execute(
                    "UPDATE register_items SET register = ?, title = ?, source = ?, "
                    "raised_date = ?, owner = ?, due_date = ?, status = ?, note = ?, "
                    "published = ?, updated_at = ? WHERE ref = ?",
                    [*values, now, item.ref],
                )
                updated += 1
            record_change(
                con,
                actor=actor,
                action="recommendation.create" if before is None else "recommendation.update",
                entity="recommendation",
                entity_id=item.ref,
                before=_record(before) if before else None,
                after=_record(item),
            )
    named = {i.ref for i in items}
    return RegisterLoadSummary(
        created, updated, unchanged, sum(1 for r in current if r not in named)
    )


def register_rows(con: sqlite3.Connection) -> list[dict[str, str]]:
    """The registers as register file rows (text by column), drafts included."""

    def day(d: dt.date | None) -> str:
        return d.isoformat() if d else ""

    return [
        {
            "register": r.register.value,
            "id": r.ref,
            "title": r.title,
            "source": r.source,
            "date": day(r.raised_date),
            "owner": r.owner,
            "due": day(r.due_date),
            "status": r.status.value.replace("_", " "),
            "note": r.note,
            "visibility": "published" if r.published else "draft",
        }
        for r in list_recommendations(con)
    ]
