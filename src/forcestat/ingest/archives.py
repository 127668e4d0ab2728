"""Extracting a zip archive's loadable files, within limits.

police.uk publishes its data as zips of CSV files, and a zip is also the classic way to
fill a disk or a machine's memory (a "zip bomb": a gigabyte of zeros packs into a
megabyte). So before anything is extracted the archive's own directory is checked
against ``ArchiveLimits``: how many entries, how much it expands to in total (and
whether the temporary folder has room for it), and how many times any file expands.
Extraction then streams each member to disk in chunks, counting bytes, and stops a
member that grows beyond what the directory said. A refused archive is one clear line
naming the archive, the limit and what to do.

Internal to ``forcestat.ingest``.
"""

from __future__ import annotations

import errno
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from forcestat.errors import IngestError

__all__ = ["ArchiveLimits", "extract_zip", "human_size"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """What one archive may hold.

    members: entries in the archive (the police.uk archive of every force for three
        years holds about 5,000).
    total_bytes: what its loadable files expand to, all together.
    ratio: how many times one file may expand. Published CSV files compress about ten
        times; a file of one repeated byte, a thousand times.
    ratio_from_bytes: files smaller than this are not held to ``ratio`` (a tiny file
        can compress very well and do no harm).
    """

    members: int = 50_000
    total_bytes: int = 100 * 1024**3
    ratio: int = 100
    ratio_from_bytes: int = 1024 * 1024


def human_size(size: int) -> str:
    """``1 GiB``, ``12.3 MiB``, ``512 bytes``."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{size:,} bytes"
            return f"{value:,.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def extract_zip(
    path: Path,
    tmp: Path,
    is_loadable: Callable[[str], bool],
    limits: ArchiveLimits,
) -> Iterator[tuple[Path, str]]:
    """Extract the loadable members of ``path`` into ``tmp``, one at a time, yielding
    (where it now is, ``archive!member`` as the user knows it); IngestError on an archive
    that is unreadable or breaks a limit, before anything of it is extracted."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc})") from exc
    with archive:
        entries = archive.infolist()
        members = sorted(
            (m for m in entries if not m.is_dir() and is_loadable(m.filename)),
            key=lambda m: m.filename,
        )
        _check(path, tmp, entries, members, limits)
        for i, member in enumerate(members):
            # Never trust member names as paths: extract under a numbered name.
            dest = tmp / f"{path.stem}-{i:06d}-{Path(member.filename).name}"
            display = f"{path}!{member.filename}"
            _extract_member(archive, member, dest, display)
            yield dest, display


def _check(
    path: Path,
    tmp: Path,
    entries: list[zipfile.ZipInfo],
    members: list[zipfile.ZipInfo],
    limits: ArchiveLimits,
) -> None:
    if len(entries) > limits.members:
        raise IngestError(
            f"{path}: holds {len(entries):,} entries, more than the {limits.members:,} "
            "forcestat extracts from one archive; nothing was extracted: unzip it yourself "
            "and load the folder"
        )
    for m in members:
        if m.file_size < limits.ratio_from_bytes:
            continue
        ratio = m.file_size / max(m.compress_size, 1)
        if ratio > limits.ratio:
            raise IngestError(
                f"{path}!{m.filename}: would expand {ratio:,.0f} times "
                f"({human_size(m.compress_size)} to {human_size(m.file_size)}), more than "
                f"the {limits.ratio} times of any published data file; nothing was "
                "extracted: a damaged or hostile archive (a zip bomb)?"
            )
    total = sum(m.file_size for m in members)
    if total > limits.total_bytes:
        raise IngestError(
            f"{path}: would expand to {human_size(total)}, more than the "
            f"{human_size(limits.total_bytes)} forcestat extracts from one archive; nothing "
            "was extracted: unzip it yourself and load the folder"
        )
    free = shutil.disk_usage(tmp).free
    if total > free:
        raise IngestError(
            f"{path}: would expand to {human_size(total)} but the temporary folder {tmp.parent} "
            f"has {human_size(free)} free; nothing was extracted: free space there, or set "
            "TMPDIR to a folder with room, and run again"
        )


def _extract_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, display: str
) -> None:
    """Stream one member to ``dest``, never past the size the archive declares."""
    written = 0
    try:
        with archive.open(member) as src, dest.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > member.file_size:
                    raise IngestError(
                        f"{display}: expands beyond the {human_size(member.file_size)} the "
                        "archive declares; not extracted: a damaged or hostile archive?"
                    )
                dst.write(chunk)
    except IngestError:
        dest.unlink(missing_ok=True)
        raise
    except OSError as exc:
        dest.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise  # a full disk: the loader says so, and stops
        raise IngestError(f"{display}: cannot extract ({exc})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        dest.unlink(missing_ok=True)
        raise IngestError(f"{display}: cannot extract ({exc})") from exc
