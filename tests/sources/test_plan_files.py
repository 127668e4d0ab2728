"""The Plan and register file layouts: each format read into the same rows, written back
and read again unchanged, and files that are not a layout refused with where and why."""

from __future__ import annotations

import csv
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


# Titles and leads a spreadsheet could run as a formula, each as a person might type it.
HOSTILE = [
    '=HYPERLINK("http://example.com/x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]
# Apostrophes that are the title's own, which loading must keep.
OWN_APOSTROPHES = ["'=1+1", "''@x", "'quoted' title", "'-3.2"]


def _hostile_rows() -> list[dict[str, str]]:
    texts = HOSTILE + OWN_APOSTROPHES + ["-3.2", "+5.0%"]
    return [
        {"type": "objective", "id": f"O{i}", "title": text, "lead": text}
        for i, text in enumerate(texts)
    ]


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_hostile_and_apostrophe_titles_read_back_as_they_were(
    tmp_path: Path, fmt: PlanFormat
) -> None:
    rows = _hostile_rows()
    path = tmp_path / f"plan.{fmt.value}"
    write_plan_file(path, FileKind.PLAN, rows)
    got = [(r.values["title"], r.values["lead"]) for r in read_plan_file(path).rows]
    # Loading strips the padding round a cell, so a tab or CR first is dropped; every
    # apostrophe the text itself begins with is kept.
    assert got == [(r["title"].strip(), r["lead"].strip()) for r in rows]


def test_hostile_csv_cells_are_text_to_a_csv_reader(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_plan_file(path, FileKind.PLAN, _hostile_rows())
    with path.open(encoding="utf-8", newline="") as file:
        records = list(csv.DictReader(file))
    titles = [r["title"] for r in records]
    # One apostrophe before each formula, worked out by hand.
    assert titles[: len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert [r["lead"] for r in records][: len(HOSTILE)] == ["'" + text for text in HOSTILE]
    # The title's own apostrophe before a formula gets one more; before plain text, none.
    assert titles[len(HOSTILE) :] == ["''=1+1", "'''@x", "'quoted' title", "'-3.2", "-3.2", "+5.0%"]


def test_hostile_xlsx_cells_are_quote_prefixed_text_to_openpyxl(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    write_plan_file(path, FileKind.PLAN, _hostile_rows())
    sheet = load_workbook(path)["Plan"]
    header = [c.value for c in sheet[1]]
    for col in (header.index("title") + 1, header.index("lead") + 1):
        for i, text in enumerate(HOSTILE, start=2):
            cell = sheet.cell(row=i, column=col)
            # 's' is a text cell (a formula is 'f'); the quote prefix keeps it text when edited.
            assert cell.data_type == "s" and cell.quotePrefix
            assert cell.value.replace("\r", "\n") == text.replace("\r", "\n")
        number = sheet.cell(row=2 + len(HOSTILE) + len(OWN_APOSTROPHES), column=col)
        assert number.value == "-3.2" and number.data_type == "s" and not number.quotePrefix


def test_hostile_ods_cells_are_string_cells_without_formulas_to_odfpy(tmp_path: Path) -> None:
    from odf import teletype
    from odf.opendocument import load
    from odf.table import TableCell, TableRow

    path = tmp_path / "plan.ods"
    write_plan_file(path, FileKind.PLAN, _hostile_rows())
    rows = load(str(path)).spreadsheet.getElementsByType(TableRow)
    header = [teletype.extractText(c) for c in rows[0].getElementsByType(TableCell)]
    for i, text in enumerate(HOSTILE, start=1):
        cells = rows[i].getElementsByType(TableCell)
        for col in (header.index("title"), header.index("lead")):
            cell = cells[col]
            assert cell.getAttribute("valuetype") == "string"
            assert cell.getAttribute("formula") is None
            assert teletype.extractText(cell).strip() == text.strip()
