"""The Plan and register file layouts: each format read into the same rows, written back
and read again unchanged, and files that are not a layout refused with where and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from forcestat.sources.plan_files import (
    FileKind,
    PlanFileError,
    PlanFormat,
    read_plan_file,
    write_plan_file,
)

ROWS = [
    {"type": "objective", "id": "O1", "title": "Fewer victims", "lead": "PCC"},
    {"type": "deliverable", "id": "D1", "parent": "O1", "title": "Burglary", "lead": "CC"},
    {
        "type": "milestone",
        "id": "M1",
        "parent": "D1",
        "title": 'Burglary down, "by 8%", on, the year',
        "lead": "Head of Neighbourhoods",
        "due": "31/03/2025",
        "measure": "burglary_policeuk",
        "target": "-8% on the previous year",
        "description": '=HYPERLINK("http://x")\nsecond line',
        "visibility": "published",
    },
]


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_every_format_writes_and_reads_back_the_same_rows(tmp_path: Path, fmt: PlanFormat) -> None:
    path = tmp_path / f"plan.{fmt.value}"
    write_plan_file(path, FileKind.PLAN, ROWS)
    read = read_plan_file(path)
    assert read.kind is FileKind.PLAN
    got = [{k: v for k, v in r.values.items() if v} for r in read.rows]
    assert got == [{k: v for k, v in r.items() if v} for r in ROWS]


def test_a_csv_cell_a_spreadsheet_would_run_is_written_with_an_apostrophe(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_plan_file(path, FileKind.PLAN, ROWS)
    text = path.read_text("utf-8")
    assert "'-8% on the previous year" in text and "'=HYPERLINK" in text


def test_csv_rows_name_their_line_with_quoted_line_breaks_counted(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        'type,id,title,lead,description\nobjective,O1,A,PCC,"two\nlines"\nobjective,O2,B,PCC,\n',
        "utf-8",
    )
    rows = read_plan_file(path).rows
    # The header is line 1; O1 spans lines 2 and 3; O2 starts on line 4.
    assert [r.where for r in rows] == ["plan.csv line 2", "plan.csv line 4"]


def test_toml_entries_name_the_line_of_their_table(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        '[[objective]]\nid = "O1"\ntitle = "A"\nlead = "PCC"\n\n'
        '[[deliverable]]\nid = "D1"\nobjective = "O1"\ntitle = "B"\nlead = "CC"\n'
        "due = 2025-03-31\n",
        "utf-8",
    )
    rows = read_plan_file(path).rows
    assert [r.where for r in rows] == ["plan.toml line 1", "plan.toml line 6"]
    # A TOML date is read as its ISO text; the deliverable's objective as its parent.
    assert rows[1].values["due"] == "2025-03-31" and rows[1].values["parent"] == "O1"


def test_a_register_file_is_recognised_by_its_header(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("register,id,title,owner\nhmicfrs,R1,Crime data,Registrar\n", "utf-8")
    assert read_plan_file(path).kind is FileKind.REGISTER


def test_files_that_are_no_layout_are_refused_with_what_to_do(tmp_path: Path) -> None:
    other = tmp_path / "plan.csv"
    other.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(PlanFileError, match=r"plan.csv line 1: the header names neither"):
        read_plan_file(other)
    extra = tmp_path / "extra.csv"
    extra.write_text("type,id,title,colour\n", "utf-8")
    with pytest.raises(PlanFileError, match="unknown column.s. colour"):
        read_plan_file(extra)
    with pytest.raises(PlanFileError, match=r"\.toml, \.csv, \.xlsx or \.ods \(got \.txt\)"):
        read_plan_file(_touch(tmp_path / "p.txt"))
    toml = tmp_path / "p.toml"
    toml.write_text('[[measure]]\nid = "x"\n', "utf-8")
    with pytest.raises(PlanFileError, match="found measure"):
        read_plan_file(toml)


def _touch(path: Path) -> Path:
    path.write_text("", "utf-8")
    return path


def test_a_workbook_typed_by_hand_reads_date_cells_and_finds_the_plan_sheet(
    tmp_path: Path,
) -> None:
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active["A1"] = "Read me first"
    sheet = workbook.create_sheet("Plan")
    sheet.append(["Type", "ID", "Title", "Lead", "Due", "Start"])
    sheet.append(["objective", "O1", "Fewer victims", "PCC", dt.datetime(2025, 3, 31), "1/4/2024"])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    [row] = read_plan_file(path).rows
    assert row.where == "plan.xlsx sheet 'Plan' row 2"
    assert row.values["due"] == "2025-03-31" and row.values["start"] == "1/4/2024"
