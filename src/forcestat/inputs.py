"""Finding the files to load: a file, a .csv.gz, a police.uk .zip archive or a folder.

Each loadable file is hashed (sha256 of its bytes as published) and measured (physical
lines, when it is text) in one streaming pass. A zip member is extracted to a private
temporary folder first, so every later step reads an ordinary file.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from forcestat.errors import IngestError

__all__ = [
    "LOADABLE_SUFFIXES",
    "SourceFile",
    "discover",
    "open_text",
]

_CHUNK = 1 << 20
SPREADSHEET_SUFFIXES = (".ods", ".xlsx")
LOADABLE_SUFFIXES = (".csv", ".csv.gz", *SPREADSHEET_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    """One file ready to load.

    ``display`` is how the user knows it (``archive.zip!2019-06/...csv`` for a zip
    member); ``local`` is where it can be read now. ``lines`` counts physical lines of
    the decompressed text (None for spreadsheets).
    """

    display: str
    local: Path
    name: str
    sha256: str
    size: int
    lines: int | None

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
    newlines = 0
    last = b""
    name = Path(display.split("!")[-1]).name
    gz = name.lower().endswith(".gz")
    text = not name.lower().endswith(SPREADSHEET_SUFFIXES)
    inflater = zlib.decompressobj(wbits=31) if gz else None
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
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
    if inflater is not None and not inflater.eof:
        raise IngestError(f"{display}: gzip file is truncated (ends before its data does)")
    if size == 0:
        raise IngestError(f"{display}: file is empty")
    lines = None
    if text:
        lines = newlines + (1 if last not in (b"\n", b"") else 0)
    return SourceFile(display, path, name, digest.hexdigest(), size, lines)


@contextmanager
def discover(target: str | Path) -> Iterator[list[SourceFile]]:
    """Every loadable file under ``target``, in a stable (sorted) order.

    Zip members are extracted to a temporary folder that lives as long as the context.
    Files of other kinds inside a folder are passed over; a single file given by name
    must be loadable.
    """
    target = Path(target)
    if not target.exists():
        raise IngestError(f"{target}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="forcestat-") as tmp:
        found: list[SourceFile] = []
        if target.is_dir():
            for path in sorted(p for p in target.rglob("*") if p.is_file()):
                found.extend(_expand(path, Path(tmp)))
        else:
            if not (_is_loadable(target.name) or target.name.lower().endswith(".zip")):
                raise IngestError(
                    f"{target}: not a file forcestat loads "
                    "(expected .csv, .csv.gz, .zip, .ods or .xlsx)"
                )
            found.extend(_expand(target, Path(tmp)))
        yield found


def _expand(path: Path, tmp: Path) -> list[SourceFile]:
    lower = path.name.lower()
    if lower.endswith(".zip"):
        return _extract_zip(path, tmp)
    if _is_loadable(lower):
        return [measure(path, str(path))]
    return []


def _extract_zip(path: Path, tmp: Path) -> list[SourceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a readable zip archive ({exc})") from exc
    out: list[SourceFile] = []
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
            out.append(measure(dest, f"{path}!{member.filename}"))
    return out


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
