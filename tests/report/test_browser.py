"""The HTML report in a real browser (Debian Chromium through Playwright): it opens from
disk with no console error and no request leaving the file, its scorecard sorts, and
with scripts off every number is still there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Rendered


@pytest.fixture(scope="module")
def report_file(city_of_london: Rendered, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "report.html"
    path.write_text(city_of_london.html, encoding="utf-8")
    return path


def _open(
    browser: Any, path: Path, *, scripts: bool = True
) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(java_script_enabled=scripts)
    context.set_default_timeout(15_000)
    requests: list[str] = []
    problems: list[str] = []
    own = path.as_uri()

    def guard(route: Any) -> None:
        url = route.request.url
        requests.append(url)
        if url == own or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(own, wait_until="load")
    return context, page, requests, problems


def test_report_opens_offline_with_no_errors(chromium: Any, report_file: Path) -> None:
    context, page, requests, problems = _open(chromium, report_file)
    try:
        assert problems == []
        assert {url for url in requests if not url.startswith("data:")} == {report_file.as_uri()}
        # The embedded typeface is the one in use.
        assert page.evaluate("document.fonts.check('12px \"Report Sans\"')")
        assert page.locator("figure.chart svg").count() >= 5
    finally:
        context.close()


def test_scorecard_sorts_by_a_column(chromium: Any, report_file: Path) -> None:
    context, page, _, problems = _open(chromium, report_file)
    try:
        table = page.locator("#table-scorecard")
        changes = table.locator("tbody td.change_percent")
        before = [
            float(v) for v in changes.evaluate_all("cells => cells.map(c => c.dataset.sortValue)")
        ]
        table.locator("thead th", has_text="Change").locator("button").click()
        after = [
            float(v) for v in changes.evaluate_all("cells => cells.map(c => c.dataset.sortValue)")
        ]
        assert after == sorted(before)
        assert (
            table.locator("thead th", has_text="Change").get_attribute("aria-sort") == "ascending"
        )
        table.locator("thead th", has_text="Change").locator("button").click()
        again = [
            float(v) for v in changes.evaluate_all("cells => cells.map(c => c.dataset.sortValue)")
        ]
        assert again == sorted(before, reverse=True)
        assert problems == []
    finally:
        context.close()


def test_numbers_read_with_scripts_off(
    chromium: Any, report_file: Path, city_of_london: Rendered
) -> None:
    context, page, _, problems = _open(chromium, report_file, scripts=False)
    try:
        rows = page.locator("#table-scorecard tbody tr")
        assert rows.count() == len(city_of_london.context.scorecard)
        text = page.locator("#table-scorecard").inner_text()
        for row in city_of_london.context.scorecard:
            assert row.title in text
        assert page.locator("#table-scorecard thead button").count() == 0
        assert problems == []
    finally:
        context.close()
