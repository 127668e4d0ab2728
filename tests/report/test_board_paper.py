"""Board-paper front matter and the statutory sentence, from the settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from forcestat.config import load_config, write_default_config
from forcestat.report.build import build_report
from forcestat.report.html import render_html
from forcestat.store.database import open_store

PAPER = """
paper_meeting = "Police and Crime Panel"
paper_date = "2018-05-17"
paper_item = "Item 7"
paper_purpose = "To present the statement."
paper_asked_to = "note the statement & agree to publish it."
paper_authors = ["A. Analyst, Performance Lead", "B. Officer, Chief Executive"]
paper_contact = "performance@opcc.example"
"""


def _html(sample_store: Path, tmp_path: Path, force: str, extra: str) -> str:
    path = tmp_path / "forcestat.toml"
    write_default_config(path, force=force, overwrite=True)
    # The given settings replace the written defaults.
    keys = {line.split("=")[0].strip() for line in extra.splitlines() if "=" in line}
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.split("=")[0].strip() not in keys
    ]
    path.write_text("\n".join(kept) + "\n" + extra, encoding="utf-8")
    con = open_store(sample_store, read_only=True)
    try:
        context = build_report(con, load_config(path), period_end=dt.date(2018, 3, 1))
    finally:
        con.close()
    return render_html(context)


def test_front_matter_and_the_order_sentence_for_an_english_body(
    sample_store: Path, tmp_path: Path
) -> None:
    html = _html(sample_store, tmp_path, "Kent", PAPER)
    assert "<dt>Meeting</dt><dd>Police and Crime Panel</dd>" in html
    assert "<dt>Date</dt><dd>17 May 2018</dd>" in html
    assert "<dt>Item</dt><dd>Item 7</dd>" in html
    assert "<dd>The board is asked to note the statement &amp; agree to publish it.</dd>" in html
    assert "<dt>Authors</dt><dd>A. Analyst, Performance Lead; B. Officer, Chief Executive" in html
    assert "<dt>Contact</dt><dd>performance@opcc.example</dd>" in html
    assert (
        '<p class="statutory">The Kent Police and Crime Commissioner publishes this '
        "statement under the Elected Local Policing Bodies (Specified Information) Order "
        "2011, as amended in 2021, which requires a statement on the contribution of Kent "
        "Police to achieving improvements against the Government&#39;s national priorities "
        "for policing.</p>"
    ) in html


def test_a_welsh_body_has_no_order_sentence_unless_it_writes_one(
    sample_store: Path, tmp_path: Path
) -> None:
    html = _html(sample_store, tmp_path, "Dyfed-Powys", "")
    assert 'class="statutory"' not in html
    assert 'class="board-paper"' not in html
    own = 'statutory_statement = "{policing_body} publishes this for {force}."\n'
    html = _html(sample_store, tmp_path, "Dyfed-Powys", own)
    assert (
        '<p class="statutory">Dyfed-Powys Police and Crime Commissioner publishes this for '
        "Dyfed-Powys.</p>"
    ) in html


def test_the_city_of_londons_board_is_not_bound_by_the_order(
    sample_store: Path, tmp_path: Path
) -> None:
    # Not an elected local policing body: no Order sentence unless it writes its own.
    html = _html(sample_store, tmp_path, "City of London", "")
    assert 'class="statutory"' not in html
