"""The published statements: which were signed off, by whom, when, and where they are.

The record is a small JSON file, ``publications.json``, in the published folder itself
(the folder the dashboard serves), so the folder and its list travel together and the
dashboard reads it without opening the store. Each publication has its own sub-folder
and a version: publishing a period again adds a new version, and the older ones stay
listed as superseded. The sign-off is also written to the store's audit log by the
caller (``forcestat.store.audit.record_change``).

Example:
    >>> add_publication(Path("published"), publication)  # doctest: +SKIP
    >>> [p.version for p in publications(Path("published"))]  # doctest: +SKIP
    [2, 1]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forcestat.errors import ForcestatError

__all__ = [
    "MANIFEST",
    "Publication",
    "add_publication",
    "next_version",
    "publication_folder",
    "publications",
]

MANIFEST = "publications.json"


@dataclass(frozen=True)
class Publication:
    """One signed-off statement. ``folder`` is its sub-folder of the published folder;
    ``files`` the files in it the dashboard offers, report first. ``superseded`` is
    worked out on reading: a later version of the same force and period exists."""

    force: str
    period_end: dt.date
    period_label: str  # '12 months to June 2021'
    title: str
    version: int
    published_on: dt.date
    signed_off_by: str
    signed_off_at: dt.datetime
    folder: str
    files: tuple[str, ...]
    superseded: bool = False


def publication_folder(slug: str, period_end: dt.date, version: int) -> str:
    """The sub-folder of one version: 'city-of-london-2021-06-v2'."""
    return f"{slug}-{period_end:%Y-%m}-v{version}"


def _read(folder: Path) -> list[dict[str, Any]]:
    path = folder / MANIFEST
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ForcestatError(
            f"{path}: cannot read the list of published statements ({exc}); restore it "
            "from a backup"
        ) from exc
    if not isinstance(data, list):
        raise ForcestatError(f"{path}: not a list of published statements")
    return data


def _publication(entry: dict[str, Any]) -> Publication:
    return Publication(
        force=entry["force"],
        period_end=dt.date.fromisoformat(entry["period_end"]),
        period_label=entry["period_label"],
        title=entry["title"],
        version=int(entry["version"]),
        published_on=dt.date.fromisoformat(entry["published_on"]),
        signed_off_by=entry["signed_off_by"],
        signed_off_at=dt.datetime.fromisoformat(entry["signed_off_at"]),
        folder=entry["folder"],
        files=tuple(entry["files"]),
    )


def publications(folder: Path | None) -> list[Publication]:
    """Every published statement in ``folder``, newest period first, then newest
    version; older versions of a period are marked superseded."""
    if folder is None:
        return []
    found = [_publication(entry) for entry in _read(folder)]
    latest: dict[tuple[str, dt.date], int] = {}
    for p in found:
        key = (p.force, p.period_end)
        latest[key] = max(latest.get(key, 0), p.version)
    marked = [
        dataclasses.replace(p, superseded=p.version < latest[(p.force, p.period_end)])
        for p in found
    ]
    return sorted(marked, key=lambda p: (p.period_end, p.force, p.version), reverse=True)


def next_version(folder: Path, force: str, period_end: dt.date) -> int:
    """The version a new publication of ``force`` and ``period_end`` takes."""
    versions = [
        p.version for p in publications(folder) if (p.force, p.period_end) == (force, period_end)
    ]
    return max(versions, default=0) + 1


def add_publication(folder: Path, publication: Publication) -> None:
    """Add ``publication`` to the folder's list (written whole, never half)."""
    entries = _read(folder)
    entry = {
        field.name: getattr(publication, field.name)
        for field in dataclasses.fields(Publication)
        if field.name != "superseded"
    }
    entry["files"] = list(publication.files)
    entries.append(entry)
    text = json.dumps(entries, indent=2, default=str, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, folder / MANIFEST)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
