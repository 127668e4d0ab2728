"""Table downloads read back the same in every format."""

from __future__ import annotations

import io
from pathlib import Path

from python_calamine import CalamineWorkbook

from forcestat.web.downloads import DownloadTable, table_bytes

TABLE = DownloadTable(
    "areas",
    ("code", "name", "crimes", "rate"),
    (("E01000001", "City of London 001A", 158, 107.85), ("E01000002", 'Café, "quoted"', 0, None)),
)


def test_csv_quotes_what_needs_quoting() -> None:
    text = table_bytes(TABLE, "csv").decode("utf-8")
    assert text.splitlines() == [
        "code,name,crimes,rate",
        "E01000001,City of London 001A,158,107.85",
        'E01000002,"Café, ""quoted""",0,',
    ]


def test_spreadsheets_keep_numbers_as_numbers(tmp_path: Path) -> None:
    for fmt in ("xlsx", "ods"):
        path = tmp_path / f"t.{fmt}"
        path.write_bytes(table_bytes(TABLE, fmt))
        book = CalamineWorkbook.from_path(str(path))
        assert book.sheet_names == ["areas"]
        rows = book.get_sheet_by_name("areas").to_python()
        assert rows[0] == ["code", "name", "crimes", "rate"]
        assert rows[1] == ["E01000001", "City of London 001A", 158, 107.85]
        assert rows[2][:3] == ["E01000002", 'Café, "quoted"', 0]
        assert rows[2][3] in ("", None)
    assert io.BytesIO(table_bytes(TABLE, "xlsx")).read(2) == b"PK"


# A milestone title, a lead or an area name a spreadsheet would run as a formula.
HOSTILE = DownloadTable(
    "milestones",
    ("title", "lead", "change"),
    (
        ('=HYPERLINK("http://evil.example","Open")', "+cmd|' /C calc'!A0", -3.5),
        ("@SUM(A1:A9)", "-1+1", -12),
        ("\t=1+1", "\r=2+2", 0.25),
        ("-7", "Plain lead", None),
    ),
)


def test_csv_quotes_formula_like_text_and_keeps_negative_numbers() -> None:
    import csv

    rows = list(csv.reader(io.StringIO(table_bytes(HOSTILE, "csv").decode("utf-8"), newline="")))
    assert rows == [
        ["title", "lead", "change"],
        ['\'=HYPERLINK("http://evil.example","Open")', "'+cmd|' /C calc'!A0", "-3.5"],
        ["'@SUM(A1:A9)", "'-1+1", "-12"],
        ["'\t=1+1", "'\r=2+2", "0.25"],
        ["-7", "Plain lead", ""],  # "-7" is a number written as text: left as it is
    ]


def test_spreadsheets_store_formula_like_text_as_text(tmp_path: Path) -> None:
    import openpyxl
    from odf.opendocument import load
    from odf.table import TableCell

    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(table_bytes(HOSTILE, "xlsx"))
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    first = [(c.value, c.data_type, c.quotePrefix) for c in sheet[2]]
    assert first == [
        ('=HYPERLINK("http://evil.example","Open")', "s", True),
        ("+cmd|' /C calc'!A0", "s", True),
        (-3.5, "n", False),
    ]
    assert [c.value for c in sheet[3]] == ["@SUM(A1:A9)", "-1+1", -12]

    ods = tmp_path / "t.ods"
    ods.write_bytes(table_bytes(HOSTILE, "ods"))
    cells = load(str(ods)).getElementsByType(TableCell)
    kinds = [(cell.getAttribute("valuetype"), cell.getAttribute("formula")) for cell in cells]
    assert kinds[3:6] == [("string", None), ("string", None), ("float", None)]
    assert kinds[6:9] == [("string", None), ("string", None), ("float", None)]
