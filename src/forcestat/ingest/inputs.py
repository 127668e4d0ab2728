"""Finding the files to load: a file, a .csv.gz, a workbook, a police.uk .zip or a folder.

Each loadable file is hashed (sha256 of its bytes as published) and measured (physical
lines, when it is text) in one streaming pass. A zip member is extracted to a private
temporary folder first, so every later step reads an ordinary file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from forcestat.errors import IngestError

__all__ = [
    "LOADABLE_KINDS",
    "LOADABLE_SUFFIXES",
    "SPREADSHEET_SUFFIXES",
    "SourceFile",
    "discover",
    "open_text",
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
    with path.open("rb") as fh:
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


@contextmanager
def discover(target: str | Path) -> Iterator[list[SourceFile]]:
    """Every loadable file under ``target``, in a stable (sorted) order.

    Zip members are extracted to a temporary folder that lives as long as the context.
    Files of other kinds inside a folder are passed over; a single file given by name
    must be loadable. Files are measured on a few threads at once; when several are
    bad, the first in order is the one reported, as if they were measured in turn.
    """
    target = Path(target)
    if not target.exists():
        raise IngestError(f"{target}: no such file or folder")
    if target.is_file() and not (_is_loadable(target.name) or target.name.lower().endswith(".zip")):
        kinds = f"{', '.join(LOADABLE_KINDS[:-1])} or {LOADABLE_KINDS[-1]}"
        raise IngestError(f"{target}: not a file forcestat loads (expected {kinds})")
    with tempfile.TemporaryDirectory(prefix="forcestat-") as tmp:
        pending: list[Future[SourceFile]] = []
        stopped: IngestError | None = None
        pool = ThreadPoolExecutor(max_workers=_MEASURE_THREADS, thread_name_prefix="forcestat")
        try:
            try:
                for path, display in _candidates(target, Path(tmp)):
                    pending.append(pool.submit(measure, path, display))
            except IngestError as exc:
                stopped = exc  # raised after any earlier file's own error
            found = [f.result() for f in pending]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if stopped is not None:
            raise stopped
        yield found


def _candidates(target: Path, tmp: Path) -> Iterator[tuple[Path, str]]:
    """(where to read it, how the user knows it) for each loadable file, in order."""
    paths = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
    for path in paths:
        lower = path.name.lower()
        if lower.endswith(".zip"):
            yield from _extract_zip(path, tmp)
        elif _is_loadable(lower):
            yield path, str(path)


def _extract_zip(path: Path, tmp: Path) -> Iterator[tuple[Path, str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc})") from exc
    with archive:
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir() and _is_loadable(m.filename)),
            key=lambda m: m.filename,
        )
        for i, member in enumerate(members):
            # Never trust member names as paths: extract under a numbered name.
            dest = tmp / f"{path.stem}-{i:06d}-{Path(member.filename).name}"
            try:
                with archive.open(member) as src, dest.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise IngestError(f"{path}!{member.filename}: cannot extract ({exc})") from exc
            yield dest, f"{path}!{member.filename}"


def open_text(source: SourceFile) -> Iterator[str]:
    """Yield the lines of a text source, decoded as UTF-8 (a BOM is dropped).

    A byte sequence that is not UTF-8 is an IngestError naming the line.
    """
    opener = gzip.open if source.is_gzip else open
    with opener(source.local, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
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
