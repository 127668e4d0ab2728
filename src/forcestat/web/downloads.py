"""A table as a download: CSV, XLSX (openpyxl) or ODS (odfpy).

Every page table that has a download goes through ``table_download``: the same header
and rows in each format, numbers kept as numbers in the spreadsheets, text always text
(formula-like text quoted in CSV: see ``forcestat.cells``), and a file name that says
what the table is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.responses import Response

from forcestat.cells import csv_cell, looks_like_formula

__all__ = ["FORMATS", "DownloadTable", "download_response", "table_bytes"]

Cell = str | int | float | None

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class DownloadTable:
    """A table to download: ``name`` becomes the file and sheet name."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _csv(table: DownloadTable) -> bytes:
    out = io.StringIO()
    # RFC 4180 line ends: Python's csv module quotes a field holding a carriage return
    # only when the line end has one, and an unquoted one would split the row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(label) for label in table.header])
    writer.writerows(["" if c is None else csv_cell(c) for c in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def _xlsx(table: DownloadTable) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    for r, row in enumerate((table.header, *table.rows), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                # Text is text: openpyxl would store text beginning '=' as a formula.
                cell.data_type = "s"
                cell.quotePrefix = looks_like_formula(value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods(table: DownloadTable) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = Table(name=table.name[:31])
    for row in (table.header, *table.rows):
        tr = TableRow()
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=f"{value}"))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text="" if value is None else str(value)))
            tr.addElement(cell)
        sheet.addElement(tr)
    doc.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def table_bytes(table: DownloadTable, file_format: str) -> bytes:
    """The table in ``file_format`` (one of ``FORMATS``)."""
    writers = {"csv": _csv, "xlsx": _xlsx, "ods": _ods}
    return writers[file_format](table)


def download_response(table: DownloadTable, file_format: str, file_stem: str) -> Response:
    """An attachment response carrying the table; ``file_stem`` is made safe for a
    file name (letters, digits, - and _)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", file_stem).strip("-") or "table"
    return Response(
        table_bytes(table, file_format),
        media_type=FORMATS[file_format],
        headers={"content-disposition": f'attachment; filename="{stem}.{file_format}"'},
    )


def rows_of(values: Sequence[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    """Rows as the tuples ``DownloadTable`` holds."""
    return tuple(tuple(v) for v in values)
