"""Reports: the published statements and scorecards, to download.

``/reports`` lists the files in the configured reports folder (HTML, PDF, CSV, XLSX,
ODS) and in its sub-folders one level down, where 'forcestat report' and 'forcestat
demo' write each report with its tables (``out/city-of-london-2021-06/report.html``);
files in its ``drafts/`` sub-folder are listed for signed-in users only.
``/reports/{name}``, ``/reports/{folder}/{name}`` and the same under
``/reports/drafts/`` send one file: only a file in the listing is served, so no path can
reach outside the folder. HTML and PDF open in the browser (HTML sandboxed: no script
runs in it); tables download.
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
_INLINE = {".html", ".pdf"}
# A report is self-contained HTML with its styles and fonts inline; nothing in it may
# run, load from elsewhere, or reach this site's cookies (a sandbox has its own origin).
_REPORT_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox"
)


@dataclass(frozen=True)
class ReportFile:
    """One file; ``folder`` is the sub-folder it is in ('' at the top)."""

    name: str
    href: str
    size_bytes: int
    modified: dt.datetime
    draft: bool
    folder: str = ""

    @property
    def opens_in_browser(self) -> bool:
        return Path(self.name).suffix.lower() in _INLINE

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

    @property
    def groups(self) -> tuple[tuple[str, tuple[ReportFile, ...]], ...]:
        """The reports by sub-folder (a report with its tables), newest first."""
        grouped: dict[tuple[bool, str], list[ReportFile]] = {}
        for report in self.reports:
            grouped.setdefault((report.draft, report.folder), []).append(report)
        return tuple(
            (folder + (" (draft)" if draft else ""), tuple(sorted(files, key=_reading_order)))
            for (draft, folder), files in grouped.items()
        )


def _reading_order(report: ReportFile) -> tuple[int, str]:
    """The report first, then its tables: HTML, PDF, XLSX, ODS, CSV, the rest."""
    order = (".html", ".pdf", ".xlsx", ".ods", ".csv")
    suffix = Path(report.name).suffix.lower()
    return (order.index(suffix) if suffix in order else len(order), report.name)


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _files(folder: Path, draft: bool) -> list[ReportFile]:
    """Report files in ``folder`` and its sub-folders one level down."""
    if not folder.is_dir():
        return []
    found = []
    top = f"/reports/{DRAFTS}" if draft else "/reports"
    subs = sorted(
        sub.name
        for sub in folder.iterdir()
        if sub.is_dir() and _visible(sub) and not (sub.name == DRAFTS and not draft)
    )
    places = [(folder, ""), *((folder / name, name) for name in subs)]
    for place, sub in places:
        for path in place.iterdir():
            if path.is_file() and path.suffix.lower() in REPORT_SUFFIXES and _visible(path):
                stat = path.stat()
                href = f"{top}/{sub}/{path.name}" if sub else f"{top}/{path.name}"
                found.append(
                    ReportFile(
                        path.name,
                        href,
                        stat.st_size,
                        dt.datetime.fromtimestamp(stat.st_mtime),
                        draft,
                        sub,
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
    return sorted(found, key=lambda r: (r.modified, r.folder, r.name), reverse=True)


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


def _send(request: Request, who: Visitor, folder_name: str, name: str, draft: bool) -> Response:
    folder: Path | None = request.app.state.settings.reports
    for report in list_reports(folder, include_drafts=who.sees_drafts):
        if report.name == name and report.draft == draft and report.folder == folder_name:
            assert folder is not None
            path = (folder / DRAFTS) if draft else folder
            path = (path / folder_name / name) if folder_name else (path / name)
            if report.opens_in_browser:
                response = FileResponse(path, filename=name, content_disposition_type="inline")
                if path.suffix.lower() == ".html":
                    response.headers["content-security-policy"] = _REPORT_POLICY
                return response
            return FileResponse(path, filename=name)
    shown = f"{folder_name}/{name}" if folder_name else name
    raise PageError(
        404, "Report not found", f"There is no published report named {shown!r}. See /reports."
    )


async def report_file(request: Request) -> Response:
    who = await visitor(request)
    params = request.path_params
    return _send(request, who, params.get("folder", ""), params["name"], draft=False)


async def draft_file(request: Request) -> Response:
    who = await visitor(request)
    params = request.path_params
    return _send(request, who, params.get("folder", ""), params["name"], draft=True)


routes = [
    Route("/reports", reports),
    Route("/reports/drafts/{name}", draft_file),
    Route("/reports/drafts/{folder}/{name}", draft_file),
    Route("/reports/{name}", report_file),
    Route("/reports/{folder}/{name}", report_file),
]
