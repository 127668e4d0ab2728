"""The statement's Police and Crime Plan delivery section, from the milestone tracker:
published entries only, reviews judged as at the end of the report's period."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from forcestat.config import Config
from forcestat.report.build import build_report
from forcestat.report.exports import csv_files
from forcestat.report.html import render_html
from forcestat.store.database import open_store
from forcestat.store.milestones import (
    Kind,
    MilestoneFields,
    ReviewFrequency,
    Status,
    add_progress_update,
    create_milestone,
)
from forcestat.store.records import open_records

from .conftest import Rendered
from .test_statement import html_text


def _fields(title: str, kind: Kind, status: Status, **changes: object) -> MilestoneFields:
    values: dict[str, object] = {
        "kind": kind,
        "parent_id": None,
        "title": title,
        "description": "",
        "lead": "Head of Partnerships",
        "review_frequency": ReviewFrequency.QUARTERLY,
        "due_date": None,
        "measure_id": None,
        "target": None,
        "status": status,
        "published": True,
        **changes,
    }
    return MilestoneFields(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tracked:
    text: str  # the statement as a reader sees it
    csv: dict[str, list[list[str]]]  # the exported tables, by file name


@pytest.fixture(scope="module")
def tracked(
    sample_store: Path, settings: Config, tmp_path_factory: pytest.TempPathFactory
) -> Tracked:
    """The City of London report for the 12 months to June 2021 from a store whose
    tracker holds three published entries and one draft."""
    path = tmp_path_factory.mktemp("tracker") / "store.duckdb"
    shutil.copyfile(sample_store, path)
    records = open_records(path)
    try:
        entries = [
            # Last reviewed 15 January 2021, quarterly: due 15 April 2021, overdue by
            # 30 June 2021.
            (_fields("Launch the CCTV hub", Kind.OBJECTIVE, Status.ON_TRACK), dt.date(2021, 1, 15)),
            # Reviewed 1 May 2021 (next due 1 August 2021: not overdue), but its due date,
            # 31 March 2021, has passed unfinished.
            (
                _fields(
                    "Recruit 20 special constables",
                    Kind.DELIVERABLE,
                    Status.AT_RISK,
                    due_date=dt.date(2021, 3, 31),
                ),
                dt.date(2021, 5, 1),
            ),
            # Complete: never overdue, however old its last review.
            (_fields("Publish the plan", Kind.MILESTONE, Status.COMPLETE), dt.date(2020, 1, 1)),
            # A draft: left out of a published statement.
            (
                _fields("Draft idea", Kind.MILESTONE, Status.OFF_TRACK, published=False),
                dt.date(2019, 1, 1),
            ),
        ]
        for fields, reviewed in entries:
            created = create_milestone(records, fields, actor="editor@opcc.example")
            add_progress_update(
                records,
                created.milestone_id,
                update_date=reviewed,
                status=fields.status,
                note="Reviewed at the board.",
                actor="editor@opcc.example",
            )
        con = open_store(path, read_only=True)
        try:
            # The report finds the records beside the store it reads.
            context = build_report(
                con, settings, period_end=dt.date(2021, 6, 1), force="City of London"
            )
        finally:
            con.close()
    finally:
        records.close()
    assert context.plan_delivery is not None
    exported = {
        name: list(csv.reader(io.StringIO(data.decode("utf-8"))))
        for name, data in csv_files(context).items()
    }
    return Tracked(html_text(render_html(context)), exported)


def test_the_statement_counts_published_entries_by_status(tracked: Tracked) -> None:
    # Three published entries (the draft is left out): one of each kind, and one each
    # on track, at risk and complete.
    assert (
        "The Police and Crime Plan tracker holds 3 published entries (1 objective, "
        "1 deliverable and 1 milestone): 1 on track, 1 at risk and 1 complete."
    ) in tracked.text
    assert "Draft idea" not in tracked.text
    assert "Police and Crime Plan delivery" in tracked.text


def test_reviews_are_judged_at_the_end_of_the_period(tracked: Tracked) -> None:
    assert (
        "At 30 June 2021, 1 entry was overdue for review and 1 entry had passed its due "
        "date unfinished; they are listed below."
    ) in tracked.text
    assert tracked.csv["plan_delivery_attention.csv"] == [
        ["Entry", "Type", "Lead", "Status", "Review due", "Due date", "Why listed"],
        [
            "Launch the CCTV hub",
            "Objective",
            "Head of Partnerships",
            "On track",
            "15 April 2021",
            "None set",
            "Review overdue",
        ],
        [
            "Recruit 20 special constables",
            "Deliverable",
            "Head of Partnerships",
            "At risk",
            "1 August 2021",
            "31 March 2021",
            "Past its due date",
        ],
    ]


def test_the_counts_are_exported(tracked: Tracked) -> None:
    assert tracked.csv["plan_delivery.csv"] == [
        ["Status", "Entries"],
        ["On track", "1"],
        ["At risk", "1"],
        ["Off track", "0"],
        ["Not started", "0"],
        ["Complete", "1"],
        ["All entries", "3"],
    ]


def test_no_section_without_published_entries(city_of_london: Rendered) -> None:
    assert city_of_london.context.plan_delivery is None
    assert "Police and Crime Plan delivery" not in city_of_london.html


def test_the_section_lists_each_objective_and_deliverable_with_its_progress(
    tmp_path: Path,
) -> None:
    from forcestat.report.plan_delivery import plan_delivery

    records = open_records(tmp_path / "s.duckdb")
    try:
        objective = create_milestone(
            records, _fields("Safer streets", Kind.OBJECTIVE, Status.ON_TRACK), actor="e"
        )
        deliverable = create_milestone(
            records,
            _fields(
                "Cut burglary", Kind.DELIVERABLE, Status.ON_TRACK, parent_id=objective.milestone_id
            ),
            actor="e",
        )
        for title, status, published in (
            ("Patrols", Status.COMPLETE, True),
            ("Target hardening", Status.AT_RISK, True),
            ("Draft idea", Status.OFF_TRACK, False),  # a draft: not counted
        ):
            fields = _fields(
                title,
                Kind.MILESTONE,
                status,
                parent_id=deliverable.milestone_id,
                published=published,
            )
            create_milestone(records, fields, actor="e")
        delivery = plan_delivery(records, dt.date(2021, 6, 30))
    finally:
        records.close()
    assert delivery is not None and delivery.progress is not None
    # Two published milestones under the deliverable (and so the objective): one complete,
    # one at risk; columns: on track, at risk, off track, not started.
    assert delivery.progress.rows == (
        ("Safer streets", "Objective", "Head of Partnerships", "1 of 2", 0, 1, 0, 0),
        ("Cut burglary", "Deliverable", "Head of Partnerships", "1 of 2", 0, 1, 0, 0),
    )
