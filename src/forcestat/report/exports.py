"""Every table of the report as CSV, XLSX and ODS, byte-identical from the same report.

Each workbook follows the GOV.UK guidance for releasing statistics in spreadsheets: a
cover sheet (title, source, period, policing body, forcestat version and settings), a
contents sheet, then one table per sheet with its title in cell A1, its notes above it
and no merged cells or blank rows inside it. ODS is the government's standard format
for published statistical tables; XLSX is there for those who need it.

Values are exported unrounded. Workbooks are zip files whose entries carry the time
they were written; here every entry gets one fixed time (the report's period end), a
fixed order and fixed document dates, so two runs give the same bytes. CSV files are
UTF-8, one per table, with ``cover.csv`` beside them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from forcestat.cells import csv_cell, looks_like_formula
from forcestat.months import next_month
from forcestat.report.context import CellValue, Column, ColumnKind, DataTable, ReportContext
from forcestat.sources import LAYOUTS

__all__ = [
    "ExportSheet",
    "cover_rows",
    "csv_files",
    "export_sheets",
    "ods_bytes",
    "xlsx_bytes",
]


@dataclass(frozen=True)
class ExportSheet:
    """One sheet (or CSV file) of an export: its name, title, notes and table."""

    name: str
    title: str
    notes: tuple[str, ...]
    header: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    # Each cell's unit (as DataTable.unit_of gives it), for number formats; may be empty.
    units: tuple[tuple[str | None, ...], ...] = ()


def _header(column: Column) -> str:
    if column.kind in (ColumnKind.PERCENT, ColumnKind.CHANGE_PERCENT):
        return f"{column.label} (%)"
    return column.label


def _publishers(context: ReportContext) -> str:
    """The published layouts of the files used, by their titles, in the order used."""
    titles = {layout.name: layout.title for layout in LAYOUTS}
    found: list[str] = []
    for layout in context.methods.sources.column("layout"):
        title = titles.get(str(layout), str(layout))
        if title not in found:
            found.append(title)
    return "; ".join(found) or "no files loaded"


def _status(context: ReportContext) -> str:
    stamp = context.publication
    if stamp is None:
        return "Draft: not signed off for publication"
    return (
        f"Published {stamp.published_on.isoformat()}, version {stamp.version}, signed off "
        f"by {stamp.signed_off_by}"
    )


def cover_rows(context: ReportContext) -> tuple[tuple[str, str], ...]:
    """The cover sheet: what the tables are, where they come from, and how they were made."""
    files = len(context.methods.sources.rows)
    return (
        ("Title", f"{context.title}: {context.force}"),
        ("Policing body", context.policing_body),
        ("Force", context.force),
        ("Period", context.period_label),
        ("Status", _status(context)),
        ("Baseline", context.baseline_label),
        ("Previous year", context.previous_label),
        (
            "Source",
            f"{_publishers(context)} ({files} files, listed with their SHA-256 "
            "checksums in the sources table)",
        ),
        ("Produced with", f"forcestat {context.forcestat_version}"),
        ("Settings file", context.config_file or "none (standard settings)"),
        ("Settings file SHA-256", context.config_sha256 or ""),
        (
            "Values",
            "Unrounded; the statement rounds them when it shows them. "
            "Empty cells: the loaded data cannot give the value.",
        ),
        ("Licence", " ".join(context.branding.wording.licence)),
    )


def export_sheets(context: ReportContext) -> tuple[ExportSheet, ...]:
    """The cover, the contents and every table of the report, in reading order."""
    tables = context.tables
    cover = ExportSheet(
        "cover",
        f"{context.title}: {context.force}, {context.period_label}",
        (),
        ("Item", "Detail"),
        (ColumnKind.TEXT, ColumnKind.TEXT),
        cover_rows(context),
    )
    contents = ExportSheet(
        "contents",
        "Contents",
        (),
        ("Sheet", "Table"),
        (ColumnKind.TEXT, ColumnKind.TEXT),
        tuple((t.slug, t.caption) for t in tables),
    )
    return (cover, contents, *(_sheet(t) for t in tables))


def _sheet(table: DataTable) -> ExportSheet:
    """The table's exported columns (an interval as its two ends, not as words)."""
    kept = [(i, c) for i, c in enumerate(table.columns) if c.export]
    return ExportSheet(
        table.slug,
        table.caption,
        ("This worksheet contains one table.", *table.notes),
        tuple(_header(c) for _, c in kept),
        tuple(c.kind for _, c in kept),
        tuple(tuple(row[i] for i, _ in kept) for row in table.rows),
        tuple(tuple(table.unit_of(r, c) for _, c in kept) for r in range(len(table.rows))),
    )


# ---- CSV ------------------------------------------------------------------------------


def _csv_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def csv_files(context: ReportContext) -> dict[str, bytes]:
    """One CSV per sheet (file name -> UTF-8 bytes): the cover, the contents, the tables.
    Each table's file holds its header and rows only; titles and notes are in the
    cover and contents files."""
    files: dict[str, bytes] = {}
    for sheet in export_sheets(context):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([csv_cell(label) for label in sheet.header])
        writer.writerows([csv_cell(_csv_text(v)) for v in row] for row in sheet.rows)
        files[f"{sheet.name}.csv"] = buffer.getvalue().encode("utf-8")
    return files


# ---- zip normalisation ----------------------------------------------------------------


def _normalised_zip(
    data: bytes,
    when: dt.datetime,
    *,
    stored: Sequence[str] = (),
    rewrite: Callable[[str, bytes], bytes] | None = None,
) -> bytes:
    """The zip ``data`` again with every entry dated ``when``, Unix permissions 0644,
    in the original order, and ``stored`` entries uncompressed (ODS 'mimetype')."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if rewrite is not None:
                content = rewrite(name, content)
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            target.writestr(info, content, compresslevel=6)
    return out.getvalue()


def _document_time(context: ReportContext) -> dt.datetime:
    """The time every workbook carries: midnight at the end of the report's period, or
    on the publication date once published."""
    if context.publication is not None:
        return dt.datetime.combine(context.publication.published_on, dt.time())
    end = context.period_end
    return dt.datetime.combine(next_month(end), dt.time())


# ---- XLSX -----------------------------------------------------------------------------

_XLSX_FORMATS = {
    ColumnKind.COUNT: "#,##0",
    ColumnKind.RANK: "0",
    ColumnKind.PERCENT: "0.0",
    ColumnKind.CHANGE_PERCENT: "+0.0;-0.0;0.0",
    ColumnKind.VALUE: "#,##0.0##",
}
# A VALUE cell shows as its unit is rounded on the page; the cell keeps every digit.
_XLSX_UNIT_FORMATS = {"count": "#,##0", "rank": "0", "proportion": "0.0"}


def _xlsx_format(sheet: ExportSheet, row: int, col: int) -> str | None:
    kind = sheet.kinds[col]
    if kind is ColumnKind.VALUE and sheet.units:
        unit = sheet.units[row][col]
        if unit in _XLSX_UNIT_FORMATS:
            return _XLSX_UNIT_FORMATS[unit]
    return _XLSX_FORMATS.get(kind)


def _xlsx_cell(ws: Any, row: int, col: int, value: CellValue) -> Any:
    """Write one cell: numbers as numbers, text always as text (openpyxl would store
    text beginning '=' as a live formula), formula-like text marked so that a
    spreadsheet keeps it as text when it is edited."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def xlsx_bytes(context: ReportContext) -> bytes:
    """The report's tables as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    when = _document_time(context)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet in export_sheets(context):
        ws = workbook.create_sheet(sheet.name)
        _xlsx_cell(ws, 1, 1, sheet.title).font = Font(bold=True, size=14)
        row = 2
        for note in sheet.notes:
            _xlsx_cell(ws, row, 1, note)
            row += 1
        for col, label in enumerate(sheet.header, start=1):
            _xlsx_cell(ws, row, col, label).font = bold
            width = 60 if sheet.kinds[col - 1] is ColumnKind.TEXT and col > 1 else 24
            ws.column_dimensions[ws.cell(row=row, column=col).column_letter].width = width
        for index, values in enumerate(sheet.rows):
            row += 1
            for col, value in enumerate(values, start=1):
                cell = _xlsx_cell(ws, row, col, value)
                number_format = _xlsx_format(sheet, index, col - 1)
                if isinstance(value, int | float) and number_format is not None:
                    cell.number_format = number_format
    workbook.properties.creator = "forcestat"
    workbook.properties.title = f"{context.title}: {context.force}, {context.period_label}"
    workbook.properties.created = when
    buffer = io.BytesIO()
    workbook.save(buffer)

    def fixed_dates(name: str, content: bytes) -> bytes:
        # openpyxl stamps the save time as the modified date; put the document date back.
        if name != "docProps/core.xml":
            return content
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
        return re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>" + stamp + rb"\g<2>",
            content,
        )

    return _normalised_zip(buffer.getvalue(), when, rewrite=fixed_dates)


# ---- ODS ------------------------------------------------------------------------------


# odfpy declares, on every document, each namespace any document in the process has used
# so far, in first-use order. Setting the list first makes the declarations the same
# whatever ran before.
_ODF_PREFIXES = (
    "office",
    "style",
    "text",
    "table",
    "meta",
    "dc",
    "fo",
    "number",
    "manifest",
    "draw",
    "chart",
    "presentation",
    "svg",
    "xlink",
    "of",
    "loext",
)


def _fix_odf_namespaces() -> None:
    from odf.element import Element
    from odf.namespaces import nsdict

    uri_of = {prefix: uri for uri, prefix in nsdict.items()}
    Element.namespaces.clear()
    Element.namespaces.update({uri_of[p]: p for p in _ODF_PREFIXES if p in uri_of})


def ods_bytes(context: ReportContext) -> bytes:
    """The report's tables as an OpenDocument spreadsheet."""
    from odf import dc, meta
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    when = _document_time(context)
    _fix_odf_namespaces()
    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(dc.Title(text=f"{context.title}: {context.force}, {context.period_label}"))
    doc.meta.addElement(meta.CreationDate(text=when.isoformat()))
    doc.meta.addElement(dc.Date(text=when.isoformat()))
    heading = Style(name="Heading", family="table-cell")
    heading.addElement(TextProperties(fontweight="bold"))
    title = Style(name="Title", family="table-cell")
    title.addElement(TextProperties(fontweight="bold", fontsize="14pt"))
    wide = Style(name="WideColumn", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="6cm"))
    for style in (heading, title, wide):
        doc.automaticstyles.addElement(style)

    def text_cell(text: str, style: Style | None = None) -> TableCell:
        cell = (
            TableCell(valuetype="string", stylename=style)
            if style
            else TableCell(valuetype="string")
        )
        cell.addElement(P(text=text))
        return cell

    for sheet in export_sheets(context):
        table = Table(name=sheet.name)
        table.addElement(TableColumn(numbercolumnsrepeated=len(sheet.header), stylename=wide))
        first = TableRow()
        first.addElement(text_cell(sheet.title, title))
        table.addElement(first)
        for note in sheet.notes:
            line = TableRow()
            line.addElement(text_cell(note))
            table.addElement(line)
        header = TableRow()
        for label in sheet.header:
            header.addElement(text_cell(label, heading))
        table.addElement(header)
        for values in sheet.rows:
            line = TableRow()
            for value in values:
                if value is None:
                    line.addElement(TableCell())
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=repr(float(value)))
                    cell.addElement(P(text=_csv_text(value)))
                    line.addElement(cell)
                else:
                    line.addElement(text_cell(str(value)))
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return _normalised_zip(buffer.getvalue(), when, stored=("mimetype",))
