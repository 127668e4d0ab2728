"""Reports: the published statements and scorecards, to download.

``/reports`` lists the files in the configured reports folder (HTML, PDF, CSV, XLSX,
ODS); files in its ``drafts/`` sub-folder are listed for signed-in users only.
``/reports/{name}`` and ``/reports/drafts/{name}`` send one file: only a name in the
listing is served, so no path can reach outside the folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from forcestat.web.http import PageError, Visitor, visitor
from forcestat.web.rendering import render

__all__ = ["ReportFile", "ReportsPage", "list_reports", "routes"]

REPORT_SUFFIXES = {".html", ".pdf", ".csv", ".xlsx", ".ods", ".json", ".svg"}
DRAFTS = "drafts"


@dataclass(frozen=True)
class ReportFile:
    name: str
    href: str
    size_bytes: int
    modified: dt.datetime
    draft: bool

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lstrip(".").upper()

    @property
    def size(self) -> str:
        kib = self.size_bytes / 1024
        return f"{kib:,.0f} KB" if kib < 1024 else f"{kib / 1024:,.1f} MB"


@dataclass(frozen=True)
class ReportsPage:
    """folder: the configured folder (None when not set); reports: newest first."""

    title: str
    folder: Path | None
    reports: tuple[ReportFile, ...]
    shows_drafts: bool


def _files(folder: Path, draft: bool) -> list[ReportFile]:
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if (
            path.is_file()
            and path.suffix.lower() in REPORT_SUFFIXES
            and not path.name.startswith(".")
        ):
            stat = path.stat()
            href = f"/reports/{DRAFTS}/{path.name}" if draft else f"/reports/{path.name}"
            found.append(
                ReportFile(
                    path.name,
                    href,
                    stat.st_size,
                    dt.datetime.fromtimestamp(stat.st_mtime),
                    draft,
                )
            )
    return found


def list_reports(folder: Path | None, *, include_drafts: bool) -> list[ReportFile]:
    """The reports in ``folder`` (and its drafts, if asked), newest first."""
    if folder is None:
        return []
    found = _files(folder, draft=False)
    if include_drafts:
        found += _files(folder / DRAFTS, draft=True)
    return sorted(found, key=lambda r: (r.modified, r.name), reverse=True)


async def reports(request: Request) -> Response:
    who = await visitor(request)
    folder: Path | None = request.app.state.settings.reports
    page = ReportsPage(
        "Reports",
        folder,
        tuple(list_reports(folder, include_drafts=who.sees_drafts)),
        who.sees_drafts,
    )
    return render(request, who, "reports.html", page)


def _send(request: Request, who: Visitor, name: str, draft: bool) -> Response:
    folder: Path | None = request.app.state.settings.reports
    for report in list_reports(folder, include_drafts=who.sees_drafts):
        if report.name == name and report.draft == draft:
            assert folder is not None
            path = (folder / DRAFTS / name) if draft else (folder / name)
            return FileResponse(path, filename=name)
    raise PageError(
        404, "Report not found", f"There is no published report named {name!r}. See /reports."
    )


async def report_file(request: Request) -> Response:
    who = await visitor(request)
    return _send(request, who, request.path_params["name"], draft=False)


async def draft_file(request: Request) -> Response:
    who = await visitor(request)
    return _send(request, who, request.path_params["name"], draft=True)


routes = [
    Route("/reports", reports),
    Route("/reports/drafts/{name}", draft_file),
    Route("/reports/{name}", report_file),
]
