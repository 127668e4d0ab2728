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
