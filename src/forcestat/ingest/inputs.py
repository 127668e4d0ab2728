"""Finding the files to load: a file, a .csv.gz, a workbook, a police.uk .zip or a folder.

Each loadable file is hashed (sha256 of its bytes as published) and measured (physical
lines, when it is text) in one streaming pass. A zip member is extracted to a private
temporary folder first, so every later step reads an ordinary file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import stat
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from forcestat.errors import DiskFullError, IngestError
from forcestat.ingest.archives import ArchiveLimits, extract_zip, human_size
from forcestat.ingest.workspace import load_workspace

__all__ = [
    "LOADABLE_KINDS",
    "LOADABLE_SUFFIXES",
    "MAX_HEADER_BYTES",
    "MAX_LINE_BYTES",
    "SPREADSHEET_SUFFIXES",
    "Discovered",
    "SourceFile",
    "Unloadable",
    "discover",
    "disk_full_message",
    "open_text",
    "read_header",
]

_CHUNK = 1 << 20
# Hashing and inflating release the GIL, so a few files are measured at once.
_MEASURE_THREADS = min(4, os.cpu_count() or 1)
# Workbooks calamine reads: OpenDocument, Excel 2007 on, and Excel 97-2003 (ONS published
# its mid-year estimates as .xls up to mid-2021).
# A workbook gzipped as a whole (.xlsx.gz) is read once inflated.
SPREADSHEET_SUFFIXES = (".ods", ".xlsx", ".xls", ".ods.gz", ".xlsx.gz", ".xls.gz")
LOADABLE_SUFFIXES = (".csv", ".csv.gz", *SPREADSHEET_SUFFIXES)
# What a user may name, as messages list it: loadable files and the archives that hold them.
LOADABLE_KINDS = (".csv", ".csv.gz", ".zip", *SPREADSHEET_SUFFIXES)
# The longest header forcestat reads: published headers are under 1 KiB; a longer first
# line is not a data file (and is never read whole into memory).
MAX_HEADER_BYTES = 128 * 1024
# The longest line forcestat reads: published rows are under a few KiB.
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """One file ready to load.

    ``display`` is how the user knows it (``archive.zip!2019-06/...csv`` for a zip
    member); ``local`` is where it can be read now. ``lines`` counts physical lines of
    the decompressed text and ``text_size`` its bytes (both None for spreadsheets).
    """

    display: str
    local: Path
    name: str
    sha256: str
    size: int
    lines: int | None
    text_size: int | None = None

    @property
    def is_spreadsheet(self) -> bool:
        return self.name.lower().endswith(SPREADSHEET_SUFFIXES)

    @property
    def is_gzip(self) -> bool:
        return self.name.lower().endswith(".gz")


def _is_loadable(name: str) -> bool:
    return name.lower().endswith(LOADABLE_SUFFIXES)


@contextmanager
def _open_ordinary(path: Path, display: str) -> Iterator[BinaryIO]:
    """Open for reading, never blocking (a FIFO opens at once with O_NONBLOCK), and only
    an ordinary file: anything else is closed again unread."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise IngestError(f"{display}: cannot be read ({exc.strerror})") from exc
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((k for test, k in _KINDS if test(mode)), "not an ordinary file")
        raise IngestError(_not_ordinary_reason(path, kind).replace(str(path), display, 1))
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        try:
            yield fh
        except OSError as exc:
            raise IngestError(f"{display}: cannot be read ({exc.strerror})") from exc


def measure(path: Path, display: str) -> SourceFile:
    """Hash ``path`` and count its lines; a truncated or corrupt gzip is an IngestError."""
    digest = hashlib.sha256()
    size = 0
    text_size = 0
    newlines = 0
    last = b""
    name = Path(display.split("!")[-1]).name
    gz = name.lower().endswith(".gz")
    text = not name.lower().endswith(SPREADSHEET_SUFFIXES)
    # A gzipped workbook is inflated when it is read (calamine reports any damage then).
    inflater = zlib.decompressobj(wbits=31) if gz and text else None
    with _open_ordinary(path, display) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if not text:
                continue
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk)
                    # A gzip file may hold several members back to back.
                    while inflater.eof and inflater.unused_data:
                        rest = inflater.unused_data
                        inflater = zlib.decompressobj(wbits=31)
                        chunk += inflater.decompress(rest)
                except zlib.error as exc:
                    raise IngestError(f"{display}: not a valid gzip file ({exc})") from exc
            if chunk:
                text_size += len(chunk)
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
    if inflater is not None and not inflater.eof:
        raise IngestError(f"{display}: gzip file is truncated (ends before its data does)")
    if size == 0:
        raise IngestError(f"{display}: file is empty")
    if not text:
        return SourceFile(display, path, name, digest.hexdigest(), size, None)
    lines = newlines + (1 if last not in (b"\n", b"") else 0)
    return SourceFile(display, path, name, digest.hexdigest(), size, lines, text_size)


@dataclass(frozen=True)
class Unloadable:
    """A file found but not loadable (unreadable, corrupt, not an ordinary file, an
    archive refused): how the user knows it and the one-line reason."""

    display: str
    reason: str


@dataclass(frozen=True)
class Discovered:
    """What ``discover`` found: the files ready to load and those that are not, each in
    the order of their names."""

    sources: list[SourceFile]
    unloadable: list[Unloadable]


@contextmanager
def discover(target: str | Path, limits: ArchiveLimits | None = None) -> Iterator[Discovered]:
    """Every loadable file under ``target``, in a stable (sorted) order.

    Zip members are extracted (within ``limits``) to a private temporary folder that
    lives as long as the context (see ``forcestat.ingest.workspace``). Files of other
    kinds inside a folder are passed over; a single file given by name must be loadable.
    A file that cannot be read, is corrupt or is not an ordinary file (a FIFO, a device)
    is listed as unloadable with its reason, never opened, and the others are still
    found. Files are measured on a few threads at once. A full disk stops at once
    (``DiskFullError``).
    """
    target = Path(target)
    if not target.exists():
        if target.is_symlink():
            raise IngestError(f"{target}: a link to nothing ({os.readlink(target)})")
        raise IngestError(f"{target}: no such file or folder")
    if not target.is_dir():
        if not (_is_loadable(target.name) or target.name.lower().endswith(".zip")):
            kinds = f"{', '.join(LOADABLE_KINDS[:-1])} or {LOADABLE_KINDS[-1]}"
            raise IngestError(f"{target}: not a file forcestat loads (expected {kinds})")
        kind = _not_ordinary(target)
        if kind:
            raise IngestError(_not_ordinary_reason(target, kind))
    limits = limits if limits is not None else ArchiveLimits()
    with load_workspace() as tmp:
        found: list[Future[SourceFile] | Unloadable] = []
        pool = ThreadPoolExecutor(max_workers=_MEASURE_THREADS, thread_name_prefix="forcestat")
        try:
            for path, display, problem in _candidates(target, tmp, limits):
                found.append(problem or pool.submit(measure, path, display))
            sources: list[SourceFile] = []
            unloadable: list[Unloadable] = []
            for item in found:
                if isinstance(item, Unloadable):
                    unloadable.append(item)
                    continue
                try:
                    sources.append(item.result())
                except IngestError as exc:
                    unloadable.append(Unloadable(_display_of(exc), str(exc)))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        yield Discovered(sources, unloadable)


def _display_of(exc: IngestError) -> str:
    # Every message here starts with the file as the user knows it.
    return str(exc).split(": ", 1)[0]


def _candidates(
    target: Path, tmp: Path, limits: ArchiveLimits
) -> Iterator[tuple[Path, str, Unloadable | None]]:
    """(where to read it, how the user knows it, why not) for each loadable file."""
    paths = sorted(p for p in target.rglob("*") if not p.is_dir()) if target.is_dir() else [target]
    for path in paths:
        lower = path.name.lower()
        is_zip = lower.endswith(".zip")
        if not (is_zip or _is_loadable(lower)):
            continue
        kind = _not_ordinary(path)
        if kind:
            yield path, str(path), Unloadable(str(path), _not_ordinary_reason(path, kind))
        elif is_zip:
            try:
                for dest, display in extract_zip(path, tmp, _is_loadable, limits):
                    yield dest, display, None
            except IngestError as exc:
                yield path, str(path), Unloadable(str(path), str(exc))
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise DiskFullError(disk_full_message(str(path))) from None
                raise
        else:
            yield path, str(path), None


def disk_full_message(display: str) -> str:
    """The one line a full disk gives, naming the file whose load was given up."""
    return f"no space left on device: nothing from {display} was kept; free space and run again"


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_ordinary(path: Path) -> str:
    """What ``path`` is when it is not an ordinary file (following links), else ''."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a link to nothing" if path.is_symlink() else ""  # unreadable: said later
    if stat.S_ISREG(mode):
        return ""
    return next((kind for test, kind in _KINDS if test(mode)), "not an ordinary file")


def _not_ordinary_reason(path: Path, kind: str) -> str:
    if kind == "a link to nothing":
        return (
            f"{path}: a link to {os.readlink(path)}, which does not exist, so it was not "
            "read; forcestat loads only ordinary files"
        )
    link = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
    return (
        f"{path}: {kind}{link}, not an ordinary file, so it was not read; "
        "forcestat loads only ordinary files"
    )


def read_header(source: SourceFile) -> str:
    """The first line of a text source, decoded, without a BOM: an IngestError when it is
    longer than any published header could be (read no further than that)."""
    opener = gzip.open if source.is_gzip else open
    with opener(source.local, "rb") as fh:
        raw = fh.readline(MAX_HEADER_BYTES + 1)
    if len(raw) > MAX_HEADER_BYTES:
        raise IngestError(
            f"{source.display}: line 1 (the header) is longer than "
            f"{human_size(MAX_HEADER_BYTES)}, and no layout forcestat knows has a header "
            "that long; is this a published data file?"
        )
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{source.display}: line 1 is not UTF-8 text ({exc.reason}); "
            "save the file as UTF-8 and load it again"
        ) from exc
    return line.removeprefix("\ufeff")


def open_text(source: SourceFile) -> Iterator[str]:
    """Yield the lines of a text source, decoded as UTF-8 (a BOM is dropped).

    A byte sequence that is not UTF-8, or a line over ``MAX_LINE_BYTES`` (never read
    whole), is an IngestError naming the line.
    """
    opener = gzip.open if source.is_gzip else open
    with opener(source.local, "rb") as fh:
        number = 0
        while raw := fh.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise IngestError(
                    f"{source.display}: line {number} is longer than "
                    f"{human_size(MAX_LINE_BYTES)}, which no published layout has; nothing "
                    "from the file was loaded: is this a published data file?"
                )
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise IngestError(
                    f"{source.display}: line {number} is not UTF-8 text ({exc.reason}); "
                    "save the file as UTF-8 and load it again"
                ) from exc
            if number == 1:
                line = line.removeprefix("\ufeff")
            yield line
