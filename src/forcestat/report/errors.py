"""The errors the report raises that a user can act on."""

from __future__ import annotations

from forcestat.errors import ForcestatError

__all__ = ["ReportError"]


class ReportError(ForcestatError):
    """The report cannot be written as asked: a period the data cannot answer, a
    missing font, an output folder that cannot be written."""
