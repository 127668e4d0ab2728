"""The Police and Crime Plan's file layouts (TOML, CSV, XLSX/ODS), read and written.

A Plan file holds the tree: objectives, the deliverables under each and the milestones
under each deliverable. A register file holds recommendations (HMICFRS inspections, the
Police and Crime Panel, audit). Each layout is one table of named columns; the TOML
layout names the same keys, one ``[[objective]]``, ``[[deliverable]]``,
``[[milestone]]`` or ``[[recommendation]]`` table per entry. This module reads a file into
rows of text, each with where it came from (file and line or row), and writes rows back
in the same layout; what the values mean is checked in ``forcestat.store.plan``.

Example:
    >>> plan = read_plan_file(Path("plan.csv"))  # doctest: +SKIP
    >>> plan.kind, plan.rows[0].values["id"]  # doctest: +SKIP
    ('plan', 'O1')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from forcestat.cells import looks_like_formula
from forcestat.errors import IngestError

__all__ = [
    "PLAN_COLUMNS",
    "PLAN_LEVELS",
    "REGISTER_COLUMNS",
    "FileKind",
    "PlanFile",
    "PlanFileError",
    "PlanFormat",
    "SourceRow",
    "format_of",
    "read_plan_file",
    "write_plan_file",
]


class PlanFileError(IngestError):
    """A Plan or register file cannot be read (or written) as one of its layouts."""


class FileKind(StrEnum):
    PLAN = "plan"
    REGISTER = "register"


class PlanFormat(StrEnum):
    TOML = "toml"
    CSV = "csv"
    XLSX = "xlsx"
    ODS = "ods"


# The columns of each layout, in the order they are written. 'parent' is the id of the
# objective a deliverable serves or the deliverable a milestone belongs to.
PLAN_COLUMNS = (
    "type",
    "id",
    "parent",
    "title",
    "description",
    "lead",
    "review",
    "start",
    "due",
    "measure",
    "target",
    "status",
    "visibility",
)
REGISTER_COLUMNS = (
    "register",
    "id",
    "title",
    "source",
    "date",
    "owner",
    "due",
    "status",
    "note",
    "visibility",
)
_REQUIRED = {FileKind.PLAN: ("type", "id", "title"), FileKind.REGISTER: ("register", "id")}
_COLUMNS = {FileKind.PLAN: PLAN_COLUMNS, FileKind.REGISTER: REGISTER_COLUMNS}
# The TOML tables of a Plan, and the key naming each level's parent.
PLAN_LEVELS = {"objective": None, "deliverable": "objective", "milestone": "deliverable"}
_SHEET_NAMES = {FileKind.PLAN: "Plan", FileKind.REGISTER: "Register"}


@dataclass(frozen=True)
class SourceRow:
    """One entry as text by column name; ``where`` is 'plan.csv line 4' or the like."""

    where: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class PlanFile:
    path: Path
    kind: FileKind
    rows: tuple[SourceRow, ...]


def format_of(path: Path) -> PlanFormat:
    """The layout a file's name says it is in."""
    suffix = path.suffix.lower().lstrip(".")
    try:
        return PlanFormat(suffix)
    except ValueError:
        raise PlanFileError(
            f"{path}: a Plan or register file is .toml, .csv, .xlsx or .ods (got .{suffix})"
        ) from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _kind_of_header(path: Path, where: str, header: Sequence[str]) -> FileKind:
    names = set(header)
    for kind in FileKind:
        if set(_REQUIRED[kind]) <= names:
            return kind
    raise PlanFileError(
        f"{path} {where}: the header names neither a Plan ({', '.join(PLAN_COLUMNS)}) nor a "
        f"register ({', '.join(REGISTER_COLUMNS)}); got {', '.join(header) or 'nothing'}"
    )


def _table_rows(
    path: Path,
    cells: Sequence[tuple[int, Sequence[str]]],
    label: str,
    *,
    csv_marked: bool = False,
) -> tuple[FileKind, tuple[SourceRow, ...]]:
    """Rows from a table whose first non-blank row is the header; ``cells`` pairs each
    row with its line or row number, ``label`` names them ('line', 'row');
    ``csv_marked`` drops the apostrophe the CSV writer puts before formula-like text."""
    content = [(n, [c.strip() for c in row]) for n, row in cells if any(c.strip() for c in row)]
    if not content:
        raise PlanFileError(f"{path}: the file is empty; see docs/plan.md for the layouts")
    header_at, header_cells = content[0]
    header = [_column_name(c) for c in header_cells]
    kind = _kind_of_header(path, f"{label} {header_at}", header)
    unknown = [h for h in header if h and h not in _COLUMNS[kind]]
    if unknown:
        raise PlanFileError(
            f"{path} {label} {header_at}: unknown column(s) {', '.join(unknown)}; a {kind} "
            f"file has {', '.join(_COLUMNS[kind])}"
        )
    rows = []
    for n, row in content[1:]:
        values = {
            name: (_csv_unmarked(row[i]) if csv_marked else row[i]) if i < len(row) else ""
            for i, name in enumerate(header)
        }
        rows.append(SourceRow(f"{path.name} {label} {n}", values))
    return kind, tuple(rows)


# CSV marking. The shared rule (forcestat.cells) puts one apostrophe before text a
# spreadsheet would run as a formula; here it also looks past apostrophes the text itself
# begins with, so that the reader can drop exactly the one the writer added: "=1" is
# written "'=1", a title that really is "'=1" is written "''=1", and "'quoted'" (which no
# spreadsheet runs) is written as it is. Each reads back as it was.


def _csv_marked(text: str) -> str:
    return "'" + text if looks_like_formula(text.lstrip("'")) else text


def _csv_unmarked(text: str) -> str:
    if text.startswith("'") and looks_like_formula(text[1:].lstrip("'")):
        # Stripped again: a tab or carriage return first is padding to a reader.
        return text[1:].strip()
    return text


def _read_csv(path: Path) -> tuple[FileKind, tuple[SourceRow, ...]]:
    try:
        # newline="": a carriage return inside a quoted cell is kept, not read as a line end.
        with path.open(encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path}: not UTF-8 text ({exc}); save it as CSV UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    cells: list[tuple[int, Sequence[str]]] = []
    start = 1
    for row in reader:
        cells.append((start, row))
        start = reader.line_num + 1
    return _table_rows(path, cells, "line", csv_marked=True)


def _read_sheet(path: Path) -> tuple[FileKind, tuple[SourceRow, ...]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        wanted = [n for n in names if n in _SHEET_NAMES.values()] or names[:1]
        rows = workbook.get_sheet_by_name(wanted[0]).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise PlanFileError(f"{path}: cannot read as a spreadsheet ({exc})") from exc
    cells = [(n, [_text(v) for v in row]) for n, row in enumerate(rows, start=1)]
    return _table_rows(path, cells, f"sheet {wanted[0]!r} row")


def _toml_lines(text: str) -> dict[str, list[int]]:
    """The line of each ``[[table]]`` header, by table name, in file order (tomllib
    does not say where an entry was)."""
    lines: dict[str, list[int]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        found = re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line)
        if found:
            lines.setdefault(found.group(1), []).append(n)
    return lines


def _read_toml(path: Path) -> tuple[FileKind, tuple[SourceRow, ...]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"{path}: not valid TOML ({exc})") from exc
    lines = _toml_lines(text)
    tables = set(data)
    if tables and tables <= {"recommendation"}:
        kind, levels = FileKind.REGISTER, ["recommendation"]
    elif tables and tables <= set(PLAN_LEVELS):
        kind, levels = FileKind.PLAN, list(PLAN_LEVELS)
    else:
        raise PlanFileError(
            f"{path}: a Plan file holds [[objective]], [[deliverable]] and [[milestone]] "
            f"tables and a register file [[recommendation]] tables; found "
            f"{', '.join(sorted(tables)) or 'nothing'}"
        )
    rows = []
    for level in levels:
        entries = data.get(level, [])
        if not isinstance(entries, list):
            raise PlanFileError(f"{path}: write each {level} as a [[{level}]] table")
        for i, entry in enumerate(entries):
            line = lines.get(level, [])[i] if i < len(lines.get(level, [])) else 0
            where = f"{path.name} line {line}"
            values = {_column_name(k): _text(v) for k, v in entry.items()}
            if kind is FileKind.PLAN:
                parent_key = PLAN_LEVELS[level]
                values["type"] = level
                values["parent"] = values.pop(parent_key, "") if parent_key else ""
            allowed = set(_COLUMNS[kind]) | ({"type", "parent"} if kind is FileKind.PLAN else set())
            unknown = sorted(set(values) - allowed)
            if unknown:
                raise PlanFileError(
                    f"{path} line {line}: unknown key(s) {', '.join(unknown)} in [[{level}]]; "
                    "see docs/plan.md for the keys"
                )
            rows.append(SourceRow(where, values))
    return kind, tuple(rows)


def read_plan_file(path: Path) -> PlanFile:
    """Read a Plan or register file in any of its layouts, as text rows."""
    if not path.is_file():
        raise PlanFileError(f"{path}: no such file")
    reader = {
        PlanFormat.TOML: _read_toml,
        PlanFormat.CSV: _read_csv,
        PlanFormat.XLSX: _read_sheet,
        PlanFormat.ODS: _read_sheet,
    }[format_of(path)]
    kind, rows = reader(path)
    return PlanFile(path, kind, rows)


# ---- writing --------------------------------------------------------------------------


_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _toml_string(text: str) -> str:
    # Every control character escaped: TOML refuses them raw in a basic string.
    escaped = "".join(
        _TOML_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else c)
        for c in text
    )
    return f'"{escaped}"'


def _toml_bytes(kind: FileKind, rows: Sequence[Mapping[str, str]]) -> bytes:
    out = [
        f"# {'Police and Crime Plan' if kind is FileKind.PLAN else 'Register'}: "
        "written by forcestat; see docs/plan.md for the layout.",
        "",
    ]
    for row in rows:
        level = row["type"] if kind is FileKind.PLAN else "recommendation"
        out.append(f"[[{level}]]")
        for column in _COLUMNS[kind]:
            value = row.get(column, "")
            if column == "type" and kind is FileKind.PLAN:
                continue
            if column == "parent":
                parent_key = PLAN_LEVELS.get(level)
                if parent_key and value:
                    out.append(f"{parent_key} = {_toml_string(value)}")
                continue
            if value:
                out.append(f"{column} = {_toml_string(value)}")
        out.append("")
    return "\n".join(out).encode("utf-8")


def _csv_bytes(kind: FileKind, rows: Sequence[Mapping[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    # CRLF line ends (RFC 4180): a cell holding a carriage return is then quoted.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_COLUMNS[kind])
    for row in rows:
        writer.writerow([_csv_marked(row.get(c, "")) for c in _COLUMNS[kind]])
    return buffer.getvalue().encode("utf-8")


def _xlsx_bytes(kind: FileKind, rows: Sequence[Mapping[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _SHEET_NAMES[kind]
    for col, name in enumerate(_COLUMNS[kind], start=1):
        sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, name in enumerate(_COLUMNS[kind], start=1):
            value = row.get(name, "")
            if value:
                cell = sheet.cell(row=r, column=col, value=value)
                # Always a text cell: a value such as '=1+1' is never written as a formula,
                # and marked (quote prefix) so that editing it in a spreadsheet keeps it text.
                cell.data_type = TYPE_STRING
                cell.quotePrefix = looks_like_formula(value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods_bytes(kind: FileKind, rows: Sequence[Mapping[str, str]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=_SHEET_NAMES[kind])

    def line(values: Sequence[str]) -> TableRow:
        row = TableRow()
        for value in values:
            # Text cells only (valuetype string): nothing is read back as a formula.
            cell = TableCell(valuetype="string")
            if value:
                cell.addElement(P(text=value))
            row.addElement(cell)
        return row

    table.addElement(line(_COLUMNS[kind]))
    for row in rows:
        table.addElement(line([row.get(c, "") for c in _COLUMNS[kind]]))
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def write_plan_file(
    path: Path, kind: FileKind, rows: Sequence[Mapping[str, str]], fmt: PlanFormat | None = None
) -> None:
    """Write ``rows`` (text by column name) to ``path`` in the layout its name (or
    ``fmt``) says; reading the file back gives the same rows."""
    fmt = fmt or format_of(path)
    writer = {
        PlanFormat.TOML: _toml_bytes,
        PlanFormat.CSV: _csv_bytes,
        PlanFormat.XLSX: _xlsx_bytes,
        PlanFormat.ODS: _ods_bytes,
    }[fmt]
    path.write_bytes(writer(kind, rows))
