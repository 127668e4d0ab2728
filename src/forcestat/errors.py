"""Errors that a user can act on.

Every expected failure raises a ForcestatError whose message names the file, line,
entry or value at fault and says what to do. The CLI prints the message on one line
and exits non-zero, with no stack trace.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DiskFullError",
    "ForcestatError",
    "IngestError",
    "LayoutError",
    "StoreError",
]


class ForcestatError(Exception):
    """Base class of every error forcestat reports to a user."""


class ConfigError(ForcestatError):
    """forcestat.toml is missing, malformed or names something unknown."""


class StoreError(ForcestatError):
    """The DuckDB store cannot be opened, created or upgraded."""


class IngestError(ForcestatError):
    """A file could not be loaded; the store is left exactly as it was."""


class LayoutError(IngestError):
    """A file's header matches none of the published layouts forcestat knows."""


class DiskFullError(IngestError):
    """The disk filled while loading: the file in hand was not kept, and loading stops."""
