"""In a real browser: a statement published with 'forcestat publish' is listed on the
dashboard with its period and publication date; its draft of another period is not;
the audit log shows who signed it off."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from tests.web.conftest import ADMIN, GOVUK_FRONTEND, _free_port

from forcestat.cli import cli
from forcestat.config import write_default_config
from forcestat.store.records import open_records
from forcestat.store.users import Role, add_user
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings


@pytest.fixture
def published_site(sample_store_path: Path, tmp_path: Path) -> Iterator[str]:
    store = tmp_path / "forcestat.duckdb"
    shutil.copy(sample_store_path, store)
    records = open_records(store)
    add_user(records, *ADMIN, Role.ADMIN, actor="test fixture")
    records.close()
    settings = tmp_path / "forcestat.toml"
    write_default_config(settings, force="City of London")
    common = ["--config", str(settings), "--store", str(store), "--out", str(tmp_path / "out")]
    runner = CliRunner()
    for period in ("2021-06", "2021-12"):  # two drafts ...
        result = runner.invoke(cli, ["report", "--period", period, "--no-pdf", *common])
        assert result.exit_code == 0, result.output
    published = runner.invoke(  # ... one signed off and published
        cli,
        [
            "publish",
            "--period",
            "2021-06",
            "--no-pdf",
            "--signed-off-by",
            "Chief Executive, OPCC",
            "--published",
            str(tmp_path / "published"),
            *common,
        ],
    )
    assert published.exit_code == 0, published.output
    app = create_app(
        WebSettings(
            store=store,
            govuk_frontend=GOVUK_FRONTEND,
            reports=tmp_path / "published",
            force="City of London",
        )
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for startup: at most 20 s
        if server.started:
            break
        time.sleep(0.1)
    assert server.started
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_published_statement_is_listed_with_its_date_and_its_sign_off_audited(
    page: Any, published_site: str
) -> None:
    today = dt.date.today()
    page.goto(f"{published_site}/reports")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert "City of London" in row.locator("th").inner_text()
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == "12 months to June 2021"
    assert cells.nth(1).inner_text() == f"{today.day} {today:%B %Y}"
    assert "Current" in cells.nth(2).inner_text()
    body = page.locator("main").inner_text()
    assert "December 2021" not in body  # the unpublished draft
    assert "city-of-london" not in body  # no folder names
    page.get_by_role("link", name="HTML").click()
    page.wait_for_url("**/reports/city-of-london-2021-06-v1/report.html")

    page.goto(f"{published_site}/sign-in")
    page.get_by_label("Email address").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{published_site}/")
    page.goto(f"{published_site}/audit?entity=statement&id=city-of-london-2021-06")
    entry = page.locator("table tbody tr").first
    text = entry.inner_text()
    assert "Chief Executive, OPCC" in text and "statement.publish" in text
