"""Data: what the store holds, from which files, the gaps, and the rejected rows.

``/data`` reuses ``forcestat.store.status.store_status`` (as 'forcestat status' prints it),
with the files loaded and the first rejected rows, each with its file and line, from
``forcestat.store.loaded``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.store.loaded import (
    IngestLogEntry,
    RejectedLine,
    loaded_files,
    rejected_lines,
    rejects_total,
)
from forcestat.store.status import StoreStatus, store_status
from forcestat.web.http import run_db, visitor
from forcestat.web.rendering import render

__all__ = ["DataPage", "routes"]

REJECTS_SHOWN = 100


@dataclass(frozen=True)
class DataPage:
    """status: rows per source, monthly coverage and gaps; files: every load, latest
    first; rejects: the first ``REJECTS_SHOWN`` rejected rows of ``rejects_total``."""

    title: str
    status: StoreStatus
    files: tuple[IngestLogEntry, ...]
    rejects: tuple[RejectedLine, ...]
    rejects_total: int


def build_data_page(con: duckdb.DuckDBPyConnection) -> DataPage:
    """What is loaded, for the data page."""
    return DataPage(
        "Data loaded",
        store_status(con),
        loaded_files(con),
        rejected_lines(con, REJECTS_SHOWN),
        rejects_total(con),
    )


async def data(request: Request) -> Response:
    who = await visitor(request)
    page = await run_db(request, build_data_page)
    return render(request, who, "data.html", page)


routes = [Route("/data", data)]
