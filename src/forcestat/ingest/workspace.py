"""The private temporary folder a load extracts archives into, and cleaning up after
loads that were killed.

A load's folder lives in the system's temporary folder (``TMPDIR``) as
``forcestat-load-*`` and holds a lock file that the load keeps locked while it runs. It
is removed when the load ends, however it ends short of being killed outright: normally,
on an error, on Ctrl+C, or on SIGTERM (which the command line turns into an ordinary
exit). A load killed with SIGKILL, or by a crash, cannot clean up, but the system drops
its lock with the process: the next load finds folders whose lock it can take, and
removes them. A folder whose lock is held belongs to a load still running and is left.

Internal to ``forcestat.ingest``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PREFIX", "load_workspace", "remove_stale_workspaces"]

PREFIX = "forcestat-load-"
_LOCK = ".in-use"


@contextlib.contextmanager
def load_workspace() -> Iterator[Path]:
    """A new private folder for this load, locked while the context lasts, then removed.

    Stale folders of killed loads are removed first.
    """
    remove_stale_workspaces()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        lock = os.open(folder / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield folder
        finally:
            os.close(lock)  # drops the lock
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_workspaces(parent: Path | None = None) -> list[Path]:
    """Remove the folders of loads that are no longer running; return those removed."""
    parent = parent if parent is not None else Path(tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for folder in sorted(parent.glob(PREFIX + "*")):
            if _stale(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def _stale(folder: Path) -> bool:
    """True when no running load holds the folder's lock (or it never had one: a load
    killed between creating its folder and its lock file)."""
    if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
        return False  # never follow links, never touch another user's folders
    try:
        lock = os.open(folder / _LOCK, os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        return not _young(folder)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a load is running in it
    finally:
        os.close(lock)
    return True


def _young(folder: Path) -> bool:
    """A folder without its lock file may be a load that has only just created it."""
    with contextlib.suppress(OSError):
        return time.time() - folder.stat().st_mtime < 60
    return False
