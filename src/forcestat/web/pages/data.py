"""Data: what the store holds, from which files, the gaps, and the rejected rows.

``/data`` reuses ``forcestat.store.status.store_status`` (as 'forcestat status' prints it),
with the files loaded and the first rejected rows, each with its file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.store.status import StoreStatus, store_status
from forcestat.web.http import run_db, visitor
from forcestat.web.rendering import render

__all__ = ["DataPage", "LoadedFile", "RejectedRow", "routes"]

REJECTS_SHOWN = 100


@dataclass(frozen=True)
class LoadedFile:
    ingest_id: int
    file_name: str
    part: str
    layout: str
    rows_loaded: int
    rows_rejected: int
    loaded_at: dt.datetime
    sha256: str


@dataclass(frozen=True)
class RejectedRow:
    file_name: str
    line_no: int
    reason: str
    raw_line: str


@dataclass(frozen=True)
class DataPage:
    """status: rows per source, monthly coverage and gaps; files: every load, latest
    first; rejects: the first ``REJECTS_SHOWN`` rejected rows of ``rejects_total``."""

    title: str
    status: StoreStatus
    files: tuple[LoadedFile, ...]
    rejects: tuple[RejectedRow, ...]
    rejects_total: int


def build_data_page(con: duckdb.DuckDBPyConnection) -> DataPage:
    """What is loaded, for the data page."""
    files = tuple(
        LoadedFile(*row)
        for row in con.execute(
            "SELECT ingest_id, file_name, part, layout, rows_loaded, rows_rejected, loaded_at, "
            "sha256 FROM ingest_log ORDER BY ingest_id DESC"
        ).fetchall()
    )
    rejects = tuple(
        RejectedRow(*row)
        for row in con.execute(
            "SELECT l.file_name, r.line_no, r.reason, r.raw_line FROM rejects r "
            "JOIN ingest_log l USING (ingest_id) ORDER BY r.ingest_id, r.line_no LIMIT ?",
            [REJECTS_SHOWN],
        ).fetchall()
    )
    total = con.execute("SELECT count(*) FROM rejects").fetchone()
    return DataPage("Data loaded", store_status(con), files, rejects, int(total[0]) if total else 0)


async def data(request: Request) -> Response:
    who = await visitor(request)
    page = await run_db(request, build_data_page)
    return render(request, who, "data.html", page)


routes = [Route("/data", data)]
