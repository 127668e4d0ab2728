"""Write the whole report for one force and period: HTML, PDF, XLSX, ODS and CSV files.

Example:
    >>> files = write_report(con, load_config(), period_end=dt.date(2021, 6, 1),
    ...                      force="City of London", out=Path("out"))  # doctest: +SKIP
    >>> files.html  # doctest: +SKIP
    PosixPath('out/city-of-london-2021-06/report.html')
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from forcestat.config import Config
from forcestat.forces import find_force
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.report.errors import ReportError
from forcestat.report.exports import csv_files, ods_bytes, xlsx_bytes
from forcestat.report.html import render_html
from forcestat.report.pdf import render_pdf

__all__ = ["ReportFiles", "report_folder", "write_files", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    """Where each part of the report was written."""

    folder: Path
    html: Path
    pdf: Path | None
    xlsx: Path
    ods: Path
    csv: tuple[Path, ...]
    context: ReportContext


def report_folder(out: Path, force: str, period_end: dt.date) -> Path:
    """The report's own folder under ``out``: '<force slug>-<YYYY-MM>'."""
    return out / f"{find_force(force).slug}-{period_end:%Y-%m}"


def _write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, so a reader never sees half."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_report(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    period_end: dt.date,
    out: Path,
    force: str | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Build the report, a draft, and write every output into ``out/<force>-<YYYY-MM>/``."""
    context = build_report(con, config, period_end=period_end, force=force)
    return write_files(context, report_folder(out, context.force, period_end), pdf=pdf)


def write_files(context: ReportContext, folder: Path, *, pdf: bool = True) -> ReportFiles:
    """Write every output of ``context`` into ``folder``: HTML, PDF, XLSX, ODS, CSV."""
    try:
        (folder / "csv").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{folder}: cannot create the report folder ({exc.strerror})") from exc
    html = render_html(context)
    html_path = _write(folder / "report.html", html.encode("utf-8"))
    pdf_path = _write(folder / "report.pdf", render_pdf(html)) if pdf else None
    xlsx_path = _write(folder / "tables.xlsx", xlsx_bytes(context))
    ods_path = _write(folder / "tables.ods", ods_bytes(context))
    written = tuple(
        _write(folder / "csv" / name, data) for name, data in csv_files(context).items()
    )
    return ReportFiles(folder, html_path, pdf_path, xlsx_path, ods_path, written, context)
