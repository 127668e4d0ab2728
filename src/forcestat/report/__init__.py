"""The quarterly statement and the KPI scorecard: HTML, PDF and spreadsheet exports.

``build.build_report`` assembles a typed ``context.ReportContext`` from the store;
``html``, ``pdf`` and ``exports`` render it; ``write_report`` does all of it and
writes the files.

May import: the shared modules, ``forcestat.measures``, ``forcestat.spc``,
``forcestat.store`` and ``forcestat.sources``. It holds no SQL: it asks the measures
engine and the store's query functions.
"""

from __future__ import annotations

from forcestat.report.errors import ReportError
from forcestat.report.writer import ReportFiles, write_report

__all__ = ["ReportError", "ReportFiles", "write_report"]
