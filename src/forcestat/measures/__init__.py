"""The measures engine: the catalogue of measures, compiled to SQL over the store and
evaluated into one tidy table.

Owns: the catalogue (``catalogue``), reporting periods (``periods``), classification and
recording changes (``classification``), population denominators (``denominators``), the
SQL (``sql``), evaluation (``engine``) into the tidy table (``table``), each measure's
run of months (``series``) and its chart (``charting``), intervals and tests
(``stats``) and the police.uk against Home Office reconciliation (``reconcile``).
May import: the shared modules, ``forcestat.store`` and ``forcestat.spc``. Never
``ingest``, ``report``, ``web`` or ``cli``.

Example:
    >>> table = evaluate(con, load_catalogue(), areas=["West Midlands"])  # doctest: +SKIP
"""

from __future__ import annotations

from forcestat.measures.catalogue import Catalogue, Measure, load_catalogue
from forcestat.measures.engine import evaluate
from forcestat.measures.table import MeasureRow, MeasureTable

__all__ = ["Catalogue", "Measure", "MeasureRow", "MeasureTable", "evaluate", "load_catalogue"]
