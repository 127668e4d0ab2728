"""Reading the tracker's forms: a milestone's fields and a dated progress update.

Each function returns the parsed values, or None and a message per field at fault
(keyed by the form's field names) that the page shows beside the field and in the
error summary.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from forcestat.store.milestones import (
    MAX_TEXT,
    Kind,
    MilestoneFields,
    ReviewFrequency,
    Status,
)
from forcestat.store.plan_terms import parse_uk_date

__all__ = ["parse_milestone_form", "parse_update_form"]

_MEASURE_ID = re.compile(r"^[a-z0-9_\-]{1,80}$")


def _text(form: Mapping[str, str], name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _choice(
    form: Mapping[str, str], name: str, enum: type[StrEnum], problems: dict[str, str]
) -> Any:
    value = _text(form, name)
    try:
        return enum(value)
    except ValueError:
        problems[name] = f"Choose one of: {', '.join(m.value for m in enum)}"
        return None


def _date(value: str, name: str, problems: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_uk_date(value)
    except ValueError:
        problems[name] = f"Enter a real date as 31/03/2025 or 2025-03-31 (got {value!r})"
        return None


def parse_milestone_form(
    form: Mapping[str, str],
) -> tuple[MilestoneFields | None, dict[str, str]]:
    """Validate a submitted milestone form. Returns the fields, or None and a message
    for each field at fault (keyed by field name, as the form shows them)."""
    problems: dict[str, str] = {}
    title, lead = _text(form, "title"), _text(form, "lead")
    description = _text(form, "description")
    if not title:
        problems["title"] = "Enter a title"
    if not lead:
        problems["lead"] = "Enter the lead: the person or team accountable"
    for name, value in (("title", title), ("lead", lead), ("description", description)):
        if len(value) > MAX_TEXT:
            problems[name] = f"Shorten this to {MAX_TEXT:,} characters or fewer"
    kind = _choice(form, "kind", Kind, problems)
    frequency = _choice(form, "review_frequency", ReviewFrequency, problems)
    status = _choice(form, "status", Status, problems)
    due_date = _date(_text(form, "due_date"), "due_date", problems)
    start_date = _date(_text(form, "start_date"), "start_date", problems)
    if start_date and due_date and start_date > due_date:
        problems["start_date"] = "The start date must be on or before the due date"
    parent_text = _text(form, "parent_id")
    parent_id = None
    if parent_text:
        if parent_text.isdigit():
            parent_id = int(parent_text)
        else:
            problems["parent_id"] = "Choose the objective or deliverable from the list"
    measure_id = _text(form, "measure_id") or None
    if measure_id and not _MEASURE_ID.match(measure_id):
        problems["measure_id"] = (
            "Enter a measure id as in the catalogue: lower-case letters, digits, - and _"
        )
    target = _text(form, "target") or None
    if target and len(target) > 200:
        problems["target"] = "Shorten the target to 200 characters or fewer"
    if problems:
        return None, problems
    fields = MilestoneFields(
        kind=kind,
        parent_id=parent_id,
        title=title,
        description=description,
        lead=lead,
        review_frequency=frequency,
        due_date=due_date,
        measure_id=measure_id,
        target=target,
        status=status,
        published=_text(form, "published") == "yes",
        start_date=start_date,
    )
    return fields, {}


def parse_update_form(
    form: Mapping[str, str], today: dt.date
) -> tuple[tuple[dt.date, Status, str] | None, dict[str, str]]:
    """Validate a progress update: its date (not in the future), status and note."""
    problems: dict[str, str] = {}
    update_date = _date(_text(form, "update_date"), "update_date", problems)
    if update_date is None and "update_date" not in problems:
        problems["update_date"] = "Enter the date the progress is reported as at"
    elif update_date is not None and update_date > today:
        problems["update_date"] = "The date cannot be in the future"
    status = _choice(form, "status", Status, problems)
    note = _text(form, "note")
    if not note:
        problems["note"] = "Describe the progress made"
    elif len(note) > MAX_TEXT:
        problems["note"] = f"Shorten this to {MAX_TEXT:,} characters or fewer"
    if problems or update_date is None:
        return None, problems
    return (update_date, status, note), {}
