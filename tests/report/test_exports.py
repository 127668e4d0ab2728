"""Each export read back (CSV with csv, XLSX with openpyxl, ODS with calamine) holds the
same numbers as the published files give."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

from forcestat import __version__

from .conftest import (
    Rendered,
    Runs,
    census_2011_population,
    home_office_total,
    policeuk_count,
)

HOMICIDE_CODES = ("1/4.1/4.10/4.2", "1", "4.1", "4.2", "4.10")
RESIDENTIAL_BURGLARY_CODES = ("28E", "28F", "28G", "28H", "29A")


def _csv(path: Path) -> list[list[Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [list(row) for row in csv.reader(fh)]


def _xlsx(path: Path, sheet: str) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _ods(path: Path, sheet: str) -> list[list[Any]]:
    return [
        list(row)
        for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    ]


def _row(rows: list[list[Any]], first_cell: str) -> list[Any]:
    return next(row for row in rows if row and row[0] == first_cell)


def _number(value: Any) -> float:
    return float(value)


def test_exports_hold_the_home_office_figures(west_midlands_runs: Runs) -> None:
    folder = west_midlands_runs.first
    homicides = home_office_total("West Midlands", HOMICIDE_CODES)
    burglaries = home_office_total("West Midlands", RESIDENTIAL_BURGLARY_CODES)
    rate = burglaries / census_2011_population("West Midlands") * 1000
    readers = {
        "csv": lambda sheet: _csv(folder / "csv" / f"{sheet}.csv"),
        "xlsx": lambda sheet: _xlsx(folder / "tables.xlsx", sheet),
        "ods": lambda sheet: _ods(folder / "tables.ods", sheet),
    }
    for kind, read in readers.items():
        homicide = read("murder_homicide")
        header = _row(homicide, "Measure")
        value_at = header.index("12 months to March 2018")
        assert _number(_row(homicide, "Homicide")[value_at]) == homicides, kind
        neighbourhood = read("neighbourhood_crime")
        burglary = _row(neighbourhood, "Residential burglary per 1,000 residents")
        # Exported unrounded: equal to the last few digits.
        assert abs(_number(burglary[value_at]) - rate) < 1e-9, kind


def test_workbooks_open_with_a_cover_and_contents(west_midlands_runs: Runs) -> None:
    folder = west_midlands_runs.first
    for kind, rows in (
        ("xlsx", _xlsx(folder / "tables.xlsx", "cover")),
        ("ods", _ods(folder / "tables.ods", "cover")),
        ("csv", _csv(folder / "csv" / "cover.csv")),
    ):
        cover = {row[0]: row[1] for row in rows if row and len(row) > 1}
        assert cover["Period"] == "12 months to March 2018", kind
        assert cover["Policing body"] == "West Midlands Police and Crime Commissioner", kind
        assert cover["Produced with"] == f"forcestat {__version__}", kind
        assert "Home Office police recorded crime" in cover["Source"], kind
    workbook = openpyxl.load_workbook(folder / "tables.xlsx", read_only=True)
    try:
        names = workbook.sheetnames
    finally:
        workbook.close()
    assert names[:2] == ["cover", "contents"]
    contents = _xlsx(folder / "tables.xlsx", "contents")
    assert [row[0] for row in contents[2:]] == names[2:]
    ods_names = CalamineWorkbook.from_path(str(folder / "tables.ods")).sheet_names
    assert ods_names == names


def test_city_of_london_tables_hold_the_street_counts(city_of_london: Rendered) -> None:
    from forcestat.report.exports import csv_files

    files = csv_files(city_of_london.context)
    rows = list(csv.reader(io.StringIO(files["neighbourhood_crime.csv"].decode("utf-8"))))
    header = rows[0]
    burglary = _row(rows, "Burglary (police.uk proxy, monthly)")
    now = policeuk_count("city-of-london", "2020-07", "2021-06", ["Burglary"])
    then = policeuk_count("city-of-london", "2018-07", "2019-06", ["Burglary"])
    before = policeuk_count("city-of-london", "2019-07", "2020-06", ["Burglary"])
    assert int(burglary[header.index("12 months to June 2021")]) == now
    assert int(burglary[header.index("Baseline: 12 months to June 2019")]) == then
    assert int(burglary[header.index("Previous year: 12 months to June 2020")]) == before
    change = float(burglary[header.index("Change on baseline (%)")])
    assert abs(change - (now - then) / then * 100) < 1e-9


def test_the_monthly_values_behind_each_chart_are_exported(city_of_london: Rendered) -> None:
    from forcestat.report.exports import csv_files
    from forcestat.report.html import ZERO_FLOOR_NOTE

    from .conftest import policeuk_count

    files = csv_files(city_of_london.context)
    rows = list(csv.DictReader(io.StringIO(files["monthly_values.csv"].decode("utf-8"))))
    burglary = {r["Month"]: float(r["Value"]) for r in rows if r["Measure"] == "burglary_policeuk"}
    assert len(burglary) >= 24
    for month in ("2021-06", "2020-04", "2019-01"):
        assert burglary[month] == policeuk_count("city-of-london", month, month, ["Burglary"])
    # One of the report's tables, so the XLSX and ODS carry it too.
    assert "monthly_values" in [t.slug for t in city_of_london.context.tables]
    # A count whose lower limit works out below zero is drawn at zero, with a note.
    below = [r for r in rows if float(r["Lower process limit"]) < 0]
    assert below, "the sample has a chart whose lower limit is below zero"
    assert ZERO_FLOOR_NOTE in city_of_london.html


# Text a plan, a milestone lead, a file or an area could carry, each of which a
# spreadsheet would run (or hide) as a formula.
HOSTILE = (
    '=HYPERLINK("http://evil.example","Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
)


def _hostile_context(context: Any) -> Any:
    import dataclasses

    from forcestat.report.context import Column, ColumnKind, DataTable

    table = DataTable(
        slug="hostile",
        caption="=1+1 caption",
        columns=(
            Column("name", "=Name", ColumnKind.TEXT, row_header=True),
            Column("count", "Count", ColumnKind.COUNT),
            Column("change", "Change", ColumnKind.CHANGE_PERCENT),
        ),
        rows=(*((text, 12, -3.5) for text in HOSTILE), ("Plain", -7, None)),
    )
    # The table of measures not measured stands in: any table is exported the same way.
    return dataclasses.replace(context, not_measured_table=table)


def test_formula_like_text_is_quoted_in_csv_and_numbers_stay_numbers(
    city_of_london: Rendered,
) -> None:
    # Found in use: CSV cells beginning =, +, - or @ were written unchanged.
    from forcestat.report.exports import csv_files

    files = csv_files(_hostile_context(city_of_london.context))
    rows = list(csv.reader(io.StringIO(files["hostile.csv"].decode("utf-8"), newline="")))

    assert rows == [
        ["'=Name", "Count", "Change (%)"],
        *[["'" + text, "12", "-3.5"] for text in HOSTILE],
        ["Plain", "-7", ""],
    ]


def test_formula_like_text_is_text_in_xlsx_and_ods(
    city_of_london: Rendered, tmp_path: Path
) -> None:
    # Found in use: XLSX stored text beginning '=' as a live formula.
    from odf.opendocument import load
    from odf.table import TableCell
    from odf.text import P

    from forcestat.report.exports import ods_bytes, xlsx_bytes

    context = _hostile_context(city_of_london.context)
    xlsx = tmp_path / "tables.xlsx"
    xlsx.write_bytes(xlsx_bytes(context))
    ods = tmp_path / "tables.ods"
    ods.write_bytes(ods_bytes(context))

    sheet = openpyxl.load_workbook(xlsx)["hostile"]
    cells = [[c for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(cells) if row[0].value == "=Name")
    assert sheet["A1"].value == "=1+1 caption" and sheet["A1"].data_type == "s"
    body = cells[header_at : header_at + 1 + len(HOSTILE) + 1]
    for row, text in zip(body[1:], HOSTILE, strict=False):
        # (XML reads a carriage return back as a line feed.)
        assert (row[0].value, row[0].data_type, row[0].quotePrefix) == (
            text.replace("\r", "\n"),
            "s",
            True,
        )
        assert (row[1].value, row[1].data_type) == (12, "n")
        assert (row[2].value, row[2].data_type) == (-3.5, "n")  # negative: still a number
    assert (body[-1][0].value, body[-1][0].quotePrefix, body[-1][1].value) == ("Plain", False, -7)
    assert body[0][0].data_type == "s"

    document = load(str(ods))
    found = {}
    for cell in document.getElementsByType(TableCell):
        text = "".join(str(p) for p in cell.getElementsByType(P))
        found.setdefault(text, (cell.getAttribute("valuetype"), cell.getAttribute("formula")))
    for text in (*HOSTILE, "=Name", "=1+1 caption"):
        assert found[text.replace("\r", "\n") if text not in found else text] == ("string", None)
    assert found["-3.5"] == ("float", None)
