"""What the store keeps of each load: its ``ingest_log`` row and what it replaced.

A file's hash and part (the sheet, for a spreadsheet) say whether it is already loaded.
Once a file's rows are in, the rows of earlier files that it republishes (the same
force and month, or whatever the layout's ``replace_key`` names) are deleted, and the
file is logged with its counts. ``LoadResult`` is what the caller is told.

Internal to ``forcestat.ingest.load``, which re-exports ``LoadResult``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from forcestat import __version__
from forcestat.ingest.inputs import SourceFile
from forcestat.ingest.staging import Reject
from forcestat.sources.layout import Layout

__all__ = [
    "QUOTED_REJECTS",
    "SHRINK_REFUSED",
    "LoadResult",
    "already_loaded",
    "next_ingest_id",
    "record",
]

# How many reject lines an error message or summary quotes before saying "and N more".
QUOTED_REJECTS = 5
# A republished file holding fewer rows of a month than it replaces, by more than this
# share, is refused unless the user says --replace (a 20-row file silently replacing
# 628 rows was found in use).
SHRINK_REFUSED = 0.1
# A republished file naming at most this many keys (force-months) deletes by naming them,
# which lets DuckDB skip row groups by their min/max; more keys are matched by a join.
_NAMED_KEYS = 32


@dataclass
class LoadResult:
    """What happened to one file (or one sheet of a spreadsheet)."""

    display: str
    status: str  # 'loaded' or 'already_loaded'
    layout: str = ""
    part: str = ""
    ingest_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_replaced: int = 0
    replaced_ingest_ids: list[int] = field(default_factory=list)
    first_rejects: list[Reject] = field(default_factory=list)
    staged_by: str = ""  # 'duckdb' or 'python': how rows were read (for diagnostics)
    error: str = ""  # why a file failed (status 'failed'), when loading kept going
    # The forces the file's rows name (police.uk monthly files), as published.
    forces: tuple[str, ...] = ()
    # Republished keys (force and month) this file holds fewer rows of than it replaced,
    # by more than SHRINK_REFUSED: (key as words, rows replaced, rows now), first few.
    shrunk: list[tuple[str, int, int]] = field(default_factory=list)


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str, part: str) -> int | None:
    """The ingest id of this file (or sheet) when it is loaded already."""
    row = con.execute(
        "SELECT ingest_id FROM ingest_log WHERE sha256 = ? AND part = ?", [sha256, part]
    ).fetchone()
    return int(row[0]) if row else None


def next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall, not fetchone: an unfinished result would block registering Arrow data.
    return int(
        con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchall()[0][0]
    )


def record(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    part: str,
    ingest_id: int,
    rows_read: int,
    rows_loaded: int,
    rows_skipped: int,
    rejects: list[Reject],
    staged_by: str,
) -> LoadResult:
    """Replace what the file republishes and log it, once its rows are in."""
    replaced, replaced_ids, forces, shrunk = _replace(con, layout, ingest_id)
    result = LoadResult(
        display=f"{source.display}!{part}" if part else source.display,
        status="loaded",
        layout=layout.name,
        part=part,
        ingest_id=ingest_id,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_rejected=rows_read - rows_loaded,
        rows_skipped=rows_skipped,
        rows_replaced=replaced,
        replaced_ingest_ids=replaced_ids,
        first_rejects=rejects[:QUOTED_REJECTS],
        staged_by=staged_by,
        forces=forces,
        shrunk=shrunk,
    )
    con.execute(
        "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
        [
            ingest_id,
            source.display,
            source.name,
            source.sha256,
            part,
            layout.name,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.rows_skipped,
            replaced,
            replaced_ids,
            __version__,
        ],
    )
    return result


def _replace(
    con: duckdb.DuckDBPyConnection, layout: Layout, ingest_id: int
) -> tuple[int, list[int], tuple[str, ...], list[tuple[str, int, int]]]:
    """Delete rows of earlier files that this file republishes (same force and month, or
    whatever the layout's replace_key names); return how many and from which ingests,
    the forces the file names, and the keys it shrinks by more than SHRINK_REFUSED."""
    if not layout.replace_key:
        return 0, [], (), []
    keys = ", ".join(layout.replace_key)
    found = con.execute(
        f"SELECT DISTINCT {keys} FROM {layout.table} WHERE ingest_id = ? LIMIT ?",
        [ingest_id, _NAMED_KEYS + 1],
    ).fetchall()
    if not found:
        return 0, [], (), []
    forces: tuple[str, ...] = ()
    if layout.replace_key[0] in ("reported_by", "force"):
        forces = tuple(sorted({str(k[0]) for k in found if k[0] is not None}))
    if len(found) <= _NAMED_KEYS:
        # Named as constants, the keys filter the scan itself: a store of many months
        # reads only the row groups whose min/max could hold this file's months.
        named, values = [], []
        for key in found:
            parts = []
            for column, value in zip(layout.replace_key, key, strict=True):
                if value is None:
                    parts.append(f"{column} IS NULL")
                else:
                    parts.append(f"{column} = ?")
                    values.append(value)
            named.append("(" + " AND ".join(parts) + ")")
        where = f"({' OR '.join(named)})"
    else:
        con.execute(
            f"CREATE TEMP TABLE _fs_keys AS SELECT DISTINCT {keys} FROM {layout.table} "
            "WHERE ingest_id = ?",
            [ingest_id],
        )
        match = " AND ".join(
            f"{layout.table}.{k} IS NOT DISTINCT FROM k.{k}" for k in layout.replace_key
        )
        where = f"EXISTS (SELECT 1 FROM _fs_keys k WHERE {match})"
        values = []
    shrunk = [
        (", ".join(_key_text(v) for v in row[:-2]), int(row[-2]), int(row[-1]))
        for row in con.execute(
            f"SELECT {keys}, count(*) FILTER (WHERE ingest_id <> ?) AS was, "
            "count(*) FILTER (WHERE ingest_id = ?) AS now "
            f"FROM {layout.table} WHERE {where} GROUP BY ALL "
            "HAVING was > 0 AND now < was * (1 - ?) ORDER BY ALL LIMIT 3",
            [ingest_id, ingest_id, *values, SHRINK_REFUSED],
        ).fetchall()
    ]
    deleted = con.execute(
        f"DELETE FROM {layout.table} WHERE ingest_id <> ? AND {where} RETURNING ingest_id",
        [ingest_id, *values],
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS temp._fs_keys")
    ids = sorted({int(r[0]) for r in deleted})
    return len(deleted), ids, forces, shrunk


def _key_text(value: object) -> str:
    return value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)
