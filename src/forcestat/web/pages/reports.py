"""Reports: the published statements, each with its publication date, to read or
download.

``/reports`` lists the statements ``forcestat publish`` has signed off into the
configured published folder (its ``publications.json``): force, period, publication
date, version, whether a later version supersedes it, and its files. Nothing else in
the folder is listed or served, so a draft, or any stray file, never reaches the page.
``/reports/{folder}/{name}`` sends one file of a publication: only a file in the list
is served, so no path can reach outside the folder. HTML and PDF open in the browser
(HTML sandboxed: no script runs in it); tables download.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from forcestat.store.publications import Publication, publications
from forcestat.web.http import PageError, visitor
from forcestat.web.rendering import render

__all__ = ["PublishedFile", "PublishedStatement", "ReportsPage", "routes"]

_INLINE = {".html", ".pdf"}
_KINDS = {".html": "HTML", ".pdf": "PDF", ".xlsx": "Excel tables", ".ods": "OpenDocument tables"}
# A report is self-contained HTML with its styles and fonts inline; nothing in it may
# run, load from elsewhere, or reach this site's cookies (a sandbox has its own origin).
_REPORT_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox"
)


@dataclass(frozen=True)
class PublishedFile:
    """One file of a publication, as a link: what it is, not what it is called."""

    kind: str
    href: str
    opens_in_browser: bool


@dataclass(frozen=True)
class PublishedStatement:
    publication: Publication
    files: tuple[PublishedFile, ...]

    @property
    def label(self) -> str:
        p = self.publication
        return f"{p.title}: {p.force}, {p.period_label}"


@dataclass(frozen=True)
class ReportsPage:
    """folder: the configured published folder (None when not set); statements: the
    newest period first, current versions before the ones they supersede."""

    title: str
    folder: Path | None
    statements: tuple[PublishedStatement, ...]


def _statement(publication: Publication) -> PublishedStatement:
    files = tuple(
        PublishedFile(
            _KINDS.get(Path(name).suffix.lower(), Path(name).suffix.lstrip(".").upper()),
            f"/reports/{publication.folder}/{name}",
            Path(name).suffix.lower() in _INLINE,
        )
        for name in publication.files
    )
    return PublishedStatement(publication, files)


async def reports(request: Request) -> Response:
    who = await visitor(request)
    folder: Path | None = request.app.state.settings.reports
    page = ReportsPage("Reports", folder, tuple(_statement(p) for p in publications(folder)))
    return render(request, who, "reports.html", page)


async def report_file(request: Request) -> Response:
    await visitor(request)
    folder_name, name = request.path_params["folder"], request.path_params["name"]
    folder: Path | None = request.app.state.settings.reports
    for publication in publications(folder):
        if publication.folder == folder_name and name in publication.files:
            assert folder is not None
            path = folder / folder_name / name
            if not path.is_file():
                break
            if path.suffix.lower() in _INLINE:
                response = FileResponse(path, filename=name, content_disposition_type="inline")
                if path.suffix.lower() == ".html":
                    response.headers["content-security-policy"] = _REPORT_POLICY
                return response
            return FileResponse(path, filename=name)
    raise PageError(
        404, "Report not found", "There is no published report at this address. See /reports."
    )


routes = [
    Route("/reports", reports),
    Route("/reports/{folder}/{name}", report_file),
]
