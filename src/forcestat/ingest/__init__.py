"""Loading files into the store: all of a file or none of it, with every reject kept.

Owns: finding the files to load (``inputs``, ``spreadsheets``), staging and checking
their rows (``staging``), writing them with their ``ingest_log`` row (``load``,
``record``, ``batch``, ``readahead``), and fetching the published files (``download``,
``transfer``).
May import: the shared modules, ``forcestat.sources`` (what each layout looks like) and
``forcestat.store``. Never ``measures``, ``spc``, ``report``, ``web`` or ``cli``.

Example:
    >>> results = ingest_path(con, Path("downloads/"))  # doctest: +SKIP
"""

from __future__ import annotations

from forcestat.ingest.load import LoadResult, Reject, ingest_path, load_source

__all__ = ["LoadResult", "Reject", "ingest_path", "load_source"]
