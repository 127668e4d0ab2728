"""Reading ODS and XLSX workbooks (the Home Office publishes its tables as ODS).

Each sheet becomes rows of text cells. Numbers are written back as the text a reader
sees (3 not 3.0), so an offence code or a count reads the same as in a CSV.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from forcestat.errors import IngestError
from forcestat.ingest.inputs import SourceFile

__all__ = ["SheetRows", "cell_text", "read_sheets"]


@dataclass
class SheetRows:
    """The cells of one sheet; ``header_index`` is set once a header row is found."""

    name: str
    cells: list[list[str]]
    header_index: int = 0
    _width: int = field(default=0)
    # A table reshaped from a wide sheet (header first): each row's sheet row number and
    # its cell reference, so a reject names the published cell.
    row_numbers: list[int] | None = None
    raw: list[str] | None = None

    def numbered_rows(self) -> Iterator[tuple[int, list[str], str]]:
        """Rows below the header as (spreadsheet row number, cells, cells joined)."""
        for index in range(self.header_index + 1, len(self.cells)):
            cells = self.cells[index]
            if not any(c.strip() for c in cells):
                continue  # blank rows separate notes from data; they are not data
            if self.row_numbers is not None and self.raw is not None:
                at = index - self.header_index - 1
                yield self.row_numbers[at], cells, self.raw[at]
                continue
            yield index + 1, cells, ",".join(cells)


def cell_text(value: object) -> str:
    """A cell as the text a reader of the sheet sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_sheets(source: SourceFile, header_search_rows: list[int]) -> list[SheetRows]:
    """Every sheet of the workbook as text cells."""
    from python_calamine import CalamineWorkbook

    try:
        if source.is_gzip:
            with gzip.open(source.local, "rb") as fh:
                workbook = CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
        else:
            workbook = CalamineWorkbook.from_path(str(source.local))
        sheets = []
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(SheetRows(name, [[cell_text(v) for v in row] for row in rows]))
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise IngestError(f"{source.display}: cannot read as a spreadsheet ({exc})") from exc
    return sheets
