"""Loading a whole Plan into the tracker: every problem at once, nothing stored while
any remains, re-loads changing entries in place with their audit entries, targets read
in the catalogue's terms, and the tracker written back as rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from forcestat.sources.plan_files import read_plan_file
from forcestat.store.audit import audit_entries
from forcestat.store.milestones import (
    Kind,
    MilestoneFields,
    PublicationError,
    ReviewFrequency,
    Status,
    create_milestone,
    list_milestones,
    update_milestone,
)
from forcestat.store.plan import PlanLoadError, Target, load_plan, parse_target, plan_rows

KNOWN = {"burglary_policeuk", "victim_satisfaction"}
HEADER = "type,id,parent,title,lead,review,start,due,measure,target,status,visibility\n"
GOOD = (
    HEADER
    + "objective,O1,,Fewer victims,PCC,6 monthly,01/04/2024,31/03/2025,,,,published\n"
    + "deliverable,D1,O1,Burglary,Chief Constable,quarterly,,31/03/2025,,,,published\n"
    + "milestone,M1,D1,Burglary down 8%,Head of Neighbourhoods,quarterly,01/04/2024,"
    + "31/03/2025,burglary_policeuk,-8% on the previous year,,published\n"
    + "milestone,M2,D1,Target hardening,Crime Prevention,monthly,,2024-12-31,,,on track,draft\n"
)


def _file(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_a_plan_loads_whole_with_uk_dates_and_parents(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    summary = load_plan(
        records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="analyst"
    )
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    by_ref = {m.plan_ref: m for m in list_milestones(records, include_drafts=True)}
    m1 = by_ref["M1"]
    assert m1.kind is Kind.MILESTONE and m1.parent_id == by_ref["D1"].milestone_id
    assert by_ref["D1"].parent_id == by_ref["O1"].milestone_id
    assert m1.start_date == dt.date(2024, 4, 1) and m1.due_date == dt.date(2025, 3, 31)
    assert by_ref["O1"].review_frequency is ReviewFrequency.SIX_MONTHLY
    assert m1.status is Status.NOT_STARTED and by_ref["M2"].status is Status.ON_TRACK
    assert not by_ref["M2"].published and m1.published
    assert len(audit_entries(records, entity="milestone")) == 4


def test_every_problem_is_listed_at_once_and_nothing_is_stored(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    bad = (
        HEADER
        + "objective,O1,,Fewer victims,PCC,,,,,,,draft\n"  # line 2
        + "deliverable,D1,O1,Burglary,CC,,,,,,,published\n"  # 3: published under draft
        + "milestone,M1,,No parent,CC,,,,,,,draft\n"  # 4: no deliverable
        + "milestone,M2,D1,Bad date,CC,,,31/02/2025,,,,draft\n"  # 5: no 31 February
        + "milestone,M2,D1,Again,CC,,,,,,,draft\n"  # 6: duplicate id
        + "milestone,M3,D1,Unknown,CC,,,,knife_crime,,,draft\n"  # 7: unknown measure
        + "milestone,M4,O1,Under objective,CC,,,,,,,draft\n"  # 8: parent of wrong level
        + "milestone,M5,D1,Target,CC,fortnightly,,,burglary_policeuk,lots fewer,,draft\n"
    )
    with pytest.raises(PlanLoadError) as caught:
        load_plan(records, read_plan_file(_file(tmp_path, bad)), known_measures=KNOWN, actor="a")
    message = str(caught.value)
    assert "8 problems, nothing loaded" in message
    for expected in (
        "plan.csv line 3: 'D1' is published under the draft objective 'O1'",
        "plan.csv line 4: a milestone needs the id of its deliverable",
        "plan.csv line 5: due date '31/02/2025' is not a day of the calendar",
        "plan.csv line 6: duplicate id 'M2' (first at plan.csv line 5)",
        "plan.csv line 7: unknown measure id 'knife_crime'",
        "plan.csv line 8: a milestone sits under a deliverable, but 'O1' is an objective",
        "plan.csv line 9: review frequency 'fortnightly' is not one of",
        "plan.csv line 9: target 'lots fewer' is neither a change",
    ):
        assert expected in message
    assert list_milestones(records, include_drafts=True) == []
    assert audit_entries(records) == []


def test_a_reload_updates_in_place_and_audits_each_change(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    load_plan(records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="a")
    ids_before = {m.plan_ref: m.milestone_id for m in list_milestones(records, include_drafts=True)}
    edited = GOOD.replace("Target hardening,Crime Prevention", "Target hardening,Crime Team")
    summary = load_plan(
        records, read_plan_file(_file(tmp_path, edited)), known_measures=KNOWN, actor="b"
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 3)
    after = {m.plan_ref: m for m in list_milestones(records, include_drafts=True)}
    assert {ref: m.milestone_id for ref, m in after.items()} == ids_before
    assert after["M2"].lead == "Crime Team"
    latest = audit_entries(records, entity="milestone", limit=1)[0]
    assert latest.actor == "b" and latest.action == "milestone.update"
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("lead", "Crime Prevention", "Crime Team")
    ]


def test_a_reload_without_statuses_keeps_the_statuses_editors_set(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    load_plan(records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="a")
    m1 = next(m for m in list_milestones(records, include_drafts=True) if m.plan_ref == "M1")
    fields = MilestoneFields(**{**m1.record(), "status": Status.AT_RISK})
    update_milestone(records, m1.milestone_id, fields, actor="editor")
    again = load_plan(
        records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="a"
    )
    assert again.unchanged == 4
    m1 = next(m for m in list_milestones(records, include_drafts=True) if m.plan_ref == "M1")
    assert m1.status is Status.AT_RISK


def test_an_objective_turning_draft_takes_its_children_first(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    load_plan(records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="a")
    drafts = GOOD.replace(",published\n", ",draft\n")
    summary = load_plan(
        records, read_plan_file(_file(tmp_path, drafts)), known_measures=KNOWN, actor="a"
    )
    assert summary.updated == 3
    assert not any(m.published for m in list_milestones(records, include_drafts=True))


def test_publishing_under_a_draft_is_refused_at_save_with_the_reason(
    records: sqlite3.Connection,
) -> None:
    def fields(kind: Kind, parent: int | None, published: bool) -> MilestoneFields:
        return MilestoneFields(
            kind, parent, "t", "", "lead", ReviewFrequency.QUARTERLY, None, None, None,
            Status.NOT_STARTED, published,
        )  # fmt: skip

    draft = create_milestone(records, fields(Kind.OBJECTIVE, None, False), actor="e")
    with pytest.raises(PublicationError, match="cannot sit under the draft objective 't'"):
        create_milestone(records, fields(Kind.DELIVERABLE, draft.milestone_id, True), actor="e")
    public = create_milestone(records, fields(Kind.OBJECTIVE, None, True), actor="e")
    create_milestone(records, fields(Kind.DELIVERABLE, public.milestone_id, True), actor="e")
    with pytest.raises(PublicationError, match="cannot be a draft while 1 published entry"):
        update_milestone(
            records, public.milestone_id, fields(Kind.OBJECTIVE, None, False), actor="e"
        )


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("-8% on the 12 months to June 2019", Target(-8.0, "year ending June 2019")),
        ("-8% on year ending june 2019", Target(-8.0, "year ending June 2019")),
        ("-5% on the previous year", Target(-5.0, "previous_year")),
        ("+2.5%", Target(2.5)),
        ("0.88", Target(level=0.88)),
        ("88%", Target(level=0.88)),
        ("0.88 proportion", Target(level=0.88)),
    ],
)
def test_targets_are_read_in_the_catalogues_terms(text: str, target: Target) -> None:
    assert parse_target(text) == target


def test_the_tracker_is_written_back_as_the_rows_it_was_loaded_from(
    tmp_path: Path, records: sqlite3.Connection
) -> None:
    load_plan(records, read_plan_file(_file(tmp_path, GOOD)), known_measures=KNOWN, actor="a")
    rows = plan_rows(records)
    assert [r["id"] for r in rows] == ["O1", "D1", "M1", "M2"]
    assert rows[2] | {} == {
        "type": "milestone", "id": "M1", "parent": "D1", "title": "Burglary down 8%",
        "description": "", "lead": "Head of Neighbourhoods", "review": "quarterly",
        "start": "2024-04-01", "due": "2025-03-31", "measure": "burglary_policeuk",
        "target": "-8% on the previous year", "status": "not started", "visibility": "published",
    }  # fmt: skip
    assert rows[0]["review"] == "6 monthly"
