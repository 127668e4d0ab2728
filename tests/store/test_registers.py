"""Registers of recommendations: loaded whole, updated in place by id with audit entries,
written back as rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from forcestat.sources.plan_files import read_plan_file
from forcestat.store.audit import audit_entries
from forcestat.store.registers import (
    Register,
    RegisterError,
    RegisterStatus,
    list_recommendations,
    load_register,
    register_rows,
)

REGISTER = (
    "register,id,title,source,date,owner,due,status,note,visibility\n"
    "hmicfrs,H1,Improve crime data integrity,PEEL 2023,12/10/2023,Force Crime Registrar,"
    "31/03/2025,in progress,Audit booked,published\n"
    "panel,P1,Report 101 waiting times,Panel 14 March 2024,2024-03-14,Head of Contact,"
    "30/06/2024,implemented,,published\n"
)


def test_a_register_loads_and_reloads_in_place(tmp_path: Path, records: sqlite3.Connection) -> None:
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, "utf-8")
    first = load_register(records, read_plan_file(path), actor="analyst")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    h1 = list_recommendations(records)[0]
    assert h1.register is Register.HMICFRS and h1.status is RegisterStatus.IN_PROGRESS
    assert h1.raised_date == dt.date(2023, 10, 12) and h1.due_date == dt.date(2025, 3, 31)
    assert h1.overdue(dt.date(2025, 4, 1)) and not h1.overdue(dt.date(2025, 3, 31))
    path.write_text(REGISTER.replace("in progress,Audit booked", "implemented,Done"), "utf-8")
    again = load_register(records, read_plan_file(path), actor="analyst")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    latest = audit_entries(records, entity="recommendation", limit=1)[0]
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("note", "Audit booked", "Done"),
        ("status", "in_progress", "implemented"),
    ]
    assert register_rows(records)[0]["status"] == "implemented"


def test_every_problem_in_a_register_is_listed(tmp_path: Path, records: sqlite3.Connection) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "register,id,title,owner,due,status\n"
        "ombudsman,X1,A,Owner,,open\n"
        "audit,A1,B,,32/01/2025,parked\n"
        "audit,A1,C,Owner,,\n",
        "utf-8",
    )
    with pytest.raises(RegisterError) as caught:
        load_register(records, read_plan_file(path), actor="a")
    message = str(caught.value)
    assert "5 problems, nothing loaded" in message
    assert "register.csv line 2: register 'ombudsman' is not hmicfrs, panel or audit" in message
    assert "register.csv line 3: give the owner" in message
    assert "register.csv line 3: due date '32/01/2025'" in message
    assert "register.csv line 3: status 'parked'" in message
    assert "register.csv line 4: duplicate id 'A1'" in message
    assert list_recommendations(records) == []
