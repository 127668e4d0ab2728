"""The store: one DuckDB file, its schema and migrations, and every question asked of it
outside loading and measuring.

Owns: opening the file and migrating it (``database``); what it holds (``status``); the
records editors keep in it (``audit``, ``milestones``, ``rebases``, ``users``); and the read
queries that the report, the dashboard and the command line need (forces and months held,
loaded files and rejects in ``loaded``; areas and drill-down counts in ``drilldown``; the
files a report rests on in ``provenance``). The report and the dashboard ask these
functions, or the measures engine; they never hold SQL text themselves.
May import: the shared modules, ``forcestat.sources`` (layout names) and
``forcestat.spc`` (the rebase a chart draws). Never ``ingest``, ``measures``, ``report``,
``web`` or ``cli``.
"""

from __future__ import annotations

from forcestat.store.database import open_store, transaction

__all__ = ["open_store", "transaction"]
