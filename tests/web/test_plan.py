"""The dashboard reads the Police and Crime Plan's measures, as the report does."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.web.conftest import GOVUK_FRONTEND

from forcestat.measures.catalogue import PLAN_EXAMPLE, CatalogueError
from forcestat.store.database import open_store
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings


def test_the_plan_measures_join_the_national_ones(tmp_path: Path) -> None:
    app = create_app(
        WebSettings(store=tmp_path / "web.duckdb", govuk_frontend=GOVUK_FRONTEND, plan=PLAN_EXAMPLE)
    )
    ids = {m.id for m in app.state.catalogue.measures}
    assert {"stop_search_rate", "stop_search_positive_outcome_rate", "homicide"} <= ids
    app.state.snapshots.close()


def test_a_bad_plan_stops_the_start_and_frees_the_store(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[[measure]]\nid = "x"\n', encoding="utf-8")
    store = tmp_path / "web.duckdb"
    with pytest.raises(CatalogueError, match="plan.toml"):
        create_app(WebSettings(store=store, govuk_frontend=GOVUK_FRONTEND, plan=plan))
    open_store(store).close()  # not left locked
