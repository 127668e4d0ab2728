"""Moving one published file to disk safely, and the checksum manifest that records it.

Every transfer goes to ``NAME.part`` first and is renamed into place only when whole,
so an interrupted run leaves a partial file that the next run continues with an HTTP
``Range`` request. ``MANIFEST.json`` in the output folder records each file's URL,
size, sha256 and download time, so a later run can tell a file that is still as
published from one that was edited or deleted since.

This module knows nothing of publishers: ``forcestat.ingest.download`` decides what to fetch
and where it goes.

Example:
    ``fetch_file("https://host/media/1/table.ods", Path("out/table.ods"))`` returns
    ``("downloaded", size, sha256)`` with ``out/table.ods`` whole, or raises
    DownloadError leaving ``out/table.ods.part`` for the next run to continue.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import SplitResult, urlsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from forcestat import __version__
from forcestat.errors import ForcestatError

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "MANIFEST_NAME",
    "DownloadError",
    "Manifest",
    "ProgressCallback",
    "changed_note",
    "check_http_url",
    "download_progress",
    "fetch_file",
    "file_sha256",
    "verify_downloads",
]

MANIFEST_NAME = "MANIFEST.json"
DEFAULT_TIMEOUT_SECONDS = 60.0
_CHUNK = 1 << 16

# (label, bytes so far, total bytes if known): called as each chunk arrives.
ProgressCallback = Callable[[str, int, int | None], None]


class DownloadError(ForcestatError):
    """A file could not be fetched or unpacked; what was fetched so far is kept."""


def check_http_url(url: str, what: str) -> SplitResult:
    """The parts of ``url``, which must be an http(s) address; ``what`` names it in errors."""
    parts = urlsplit(url)
    # urllib also opens file: and ftp: URLs; a download command should not.
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(
            f"{what} {url!r} is not an http(s) address; give one like https://host/path"
        )
    return parts


# --- the manifest --------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as hex, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Manifest:
    """``MANIFEST.json`` of one output folder.

    ``files`` maps each file (relative to the folder, '/' separators) to its record:
    url, file, bytes, sha256, downloaded_at and any extra fields. ``archives`` maps each
    police.uk archive name to what it was and which force months were looked for in it.
    """

    path: Path
    files: dict[str, dict[str, Any]]
    archives: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """The manifest of ``out``, empty when there is none yet."""
        path = out / MANIFEST_NAME
        if not path.exists():
            return cls(path, {}, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = {str(e["file"]): dict(e) for e in data["files"]}
            archives = {str(e["archive"]): dict(e) for e in data.get("archives", [])}
        except (ValueError, KeyError, TypeError) as exc:
            raise DownloadError(
                f"{path}: not a forcestat download manifest ({exc}); move it aside and run "
                "the download again to rebuild it"
            ) from exc
        return cls(path, files, archives)

    def save(self) -> None:
        """Write the manifest whole, by way of a ``.part`` file renamed into place."""
        data = {
            "files": [self.files[k] for k in sorted(self.files)],
            "archives": [self.archives[k] for k in sorted(self.archives)],
        }
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def state(self, file: str) -> str:
        """'ok', 'unrecorded', 'missing' (recorded, now gone) or 'changed' (bytes differ)."""
        entry = self.files.get(file)
        if entry is None:
            return "unrecorded"
        local = self.path.parent / file
        if not local.is_file():
            return "missing"
        return "ok" if file_sha256(local) == entry["sha256"] else "changed"

    def record(self, file: str, url: str, size: int, sha256: str, **extra: str) -> None:
        """Record ``file`` as fetched now from ``url``; call ``save`` to keep it."""
        self.files[file] = {
            "url": url, "file": file, "bytes": size, "sha256": sha256,
            "downloaded_at": _now(), **extra,
        }  # fmt: skip

    def record_archive(
        self, name: str, url: str, size: int, sha256: str, looked_for: Iterable[str]
    ) -> None:
        """Record archive ``name`` as fetched now, with every key looked for in it so far."""
        self.archives[name] = {
            "archive": name, "url": url, "bytes": size, "sha256": sha256,
            "downloaded_at": _now(), "looked_for": sorted(looked_for),
        }  # fmt: skip


def changed_note(file: str, state: str) -> str:
    """What to tell a user about a recorded ``file`` in ``state`` 'missing' or 'changed'."""
    what = "was deleted" if state == "missing" else "no longer matches its recorded sha256"
    return f"{file} {what} since it was downloaded; fetched again"


def verify_downloads(out: Path) -> list[str]:
    """Every file in ``out``'s manifest that is gone or whose bytes no longer match."""
    manifest = Manifest.load(Path(out))
    problems = []
    for file in sorted(manifest.files):
        state = manifest.state(file)
        if state != "ok":
            what = "is missing" if state == "missing" else "no longer matches its recorded sha256"
            problems.append(f"{Path(out) / file} {what}")
    return problems


# --- one transfer --------------------------------------------------------------------


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) from ``Content-Range: bytes 100-199/200`` or ``bytes */200``."""
    m = re.fullmatch(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)", (value or "").strip())
    if m is None:
        return None, None
    start = int(m.group(1)) if m.group(1) else None
    return start, (int(m.group(2)) if m.group(2) != "*" else None)


def _http_error(url: str, exc: urllib.error.HTTPError, hint: str) -> DownloadError:
    return DownloadError(f"{url}: the server answered HTTP {exc.code} {exc.reason}; {hint}")


def fetch_file(
    url: str,
    dest: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    on_progress: ProgressCallback | None = None,
    not_found_hint: str = "check the address",
) -> tuple[str, int, str]:
    """Fetch ``url`` to ``dest`` by way of ``dest.part``: (action, bytes, sha256).

    ``action`` is 'downloaded' or 'resumed'. A ``.part`` left by an earlier run is
    continued with ``Range: bytes=N-``; a server that ignores the range (200 rather than
    206) is read from the start again. A body that ends before its Content-Length
    raises DownloadError and keeps the ``.part``. ``not_found_hint`` ends the message
    of a 404 or 410.
    """
    check_http_url(url, "URL")
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    action = "downloaded"
    for _attempt in range(2):  # a second try only after a stale .part is thrown away
        offset = part.stat().st_size if part.exists() else 0
        headers = {"User-Agent": f"forcestat/{__version__}"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=timeout
            )
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and offset:
                # The .part is already whole (a run stopped before renaming it) or is
                # longer than the file now published: keep the first, drop the second.
                if _content_range(exc.headers.get("Content-Range"))[1] == offset:
                    action = "resumed"
                    break
                part.unlink()
                continue
            hint = not_found_hint if exc.code in (404, 410) else "try again later"
            raise _http_error(url, exc, hint) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(
                f"{url}: could not connect ({reason}); check the network or --base-url"
            ) from exc
        with response:
            action = _receive(response, url, part, offset, on_progress)
        break
    size = part.stat().st_size
    sha256 = file_sha256(part)
    os.replace(part, dest)
    return action, size, sha256


def _receive(
    response: Any, url: str, part: Path, offset: int, on_progress: ProgressCallback | None
) -> str:
    length_header = response.headers.get("Content-Length")
    body_length = int(length_header) if length_header and length_header.isdigit() else None
    if response.status == 206:
        start, total = _content_range(response.headers.get("Content-Range"))
        if start != offset:
            raise DownloadError(
                f"{url}: asked for bytes from {offset:,} but the server sent from {start}; "
                f"delete {part} and run again"
            )
        mode, action = "ab", "resumed"
    elif response.status == 200:
        offset, total, mode, action = 0, body_length, "wb", "downloaded"
    else:
        raise DownloadError(f"{url}: unexpected HTTP {response.status}; try again later")
    received, cut = 0, ""
    label = PurePosixPath(urlsplit(url).path).name or url
    with part.open(mode) as fh:
        try:
            while chunk := response.read(_CHUNK):
                fh.write(chunk)
                received += len(chunk)
                if on_progress is not None:
                    on_progress(label, offset + received, total)
        except (http.client.IncompleteRead, TimeoutError, ConnectionError) as exc:
            cut = f" ({type(exc).__name__})"
    if cut or (body_length is not None and received != body_length):
        of = f" of {total:,}" if total is not None else ""
        raise DownloadError(
            f"{url}: the transfer stopped after {offset + received:,}{of} bytes{cut}; "
            f"the partial file {part} is kept: run the same command again to resume"
        )
    return action


# --- progress ------------------------------------------------------------------------


@contextmanager
def download_progress(console: Console) -> Iterator[ProgressCallback]:
    """A progress callback drawing a Rich bar per file, shown only on a terminal."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def on_progress(label: str, done: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(label, total=total)
        progress.update(tasks[label], completed=done, total=total)

    with progress:
        yield on_progress
