"""The tracker's store module: whether a store holds the tracker at all (the records
themselves are checked through the dashboard in tests/web/test_milestones.py)."""

from __future__ import annotations

from pathlib import Path

from forcestat.store.database import MIGRATIONS, open_store
from forcestat.store.milestones import has_tracker


def test_a_store_has_the_tracker_from_the_migration_that_adds_it(tmp_path: Path) -> None:
    # Migration 1 holds the loaded tables only; migration 2 adds milestones and updates.
    first_only = open_store(tmp_path / "v1.duckdb", migrations=MIGRATIONS[:1])
    assert not has_tracker(first_only)
    first_only.close()
    latest = open_store(tmp_path / "latest.duckdb")
    assert has_tracker(latest)
    latest.close()
