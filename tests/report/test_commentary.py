"""Commentary: placeholders filled from the same run as the tables, checked before the
statement is built (unknown placeholders and contradicting words are errors, stray
numbers warnings), rendered escaped in the HTML and the PDF.

The City of London's police.uk burglary count (12 months to June 2021) and its
baseline (12 months to June 2019) are counted here straight from the sample's monthly
files, so the figures the text must show are known without forcestat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pypdfium2
import pytest

from forcestat.config import Config, load_config, write_default_config
from forcestat.errors import ForcestatError
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.report.html import render_html
from forcestat.report.pdf import render_pdf
from forcestat.store.database import open_store

from .conftest import policeuk_count

SLUG = "city-of-london"
BURGLARY = policeuk_count(SLUG, "2020-07", "2021-06", ["Burglary"])
BURGLARY_BASELINE = policeuk_count(SLUG, "2018-07", "2019-06", ["Burglary"])
SECTION = "reduce-neighbourhood-crime"


def _settings(tmp_path: Path, texts: dict[str, str]) -> Config:
    path = tmp_path / "forcestat.toml"
    write_default_config(path, force="City of London")
    folder = tmp_path / "commentary"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_config(path)


def _build(sample_store: Path, config: Config) -> ReportContext:
    con = open_store(sample_store, read_only=True)
    try:
        return build_report(con, config, period_end=dt.date(2021, 6, 1))
    finally:
        con.close()


def _change_words() -> tuple[str, str, str]:
    """The right word for the burglary change, the wrong one, and the change shown."""
    change = (BURGLARY - BURGLARY_BASELINE) / BURGLARY_BASELINE * 100
    size = f"{abs(change):.0f}%" if round(abs(change), 1) >= 10 else f"{abs(change):.1f}%"
    shown = ("\u2212" if change < 0 else "+") + size
    return ("fell", "rose", shown) if change < 0 else ("rose", "fell", shown)


def test_a_correct_text_renders_with_its_figures_in_html_and_pdf(
    sample_store: Path, tmp_path: Path
) -> None:
    right, _, change = _change_words()
    config = _settings(
        tmp_path,
        {
            f"{SECTION}-force.md": (
                "Burglary {{ burglary_policeuk.change_pct }} "
                f"{right} on the baseline, to **{{{{ burglary_policeuk.value }}}}** offences.\n\n"
                "- We ran *Operation Example* <script>alert(1)</script>\n"
            ),
            f"{SECTION}-body.md": (
                "The board notes {{ burglary_policeuk.baseline_value }} in the baseline year."
            ),
            "summary-body.md": "A summary by the board: {{ burglary_policeuk.value }}.",
        },
    )
    context = _build(sample_store, config)
    assert context.commentary_warnings == ()
    section = next(s for s in context.sections if s.anchor == SECTION)
    assert [t.author for t in section.commentary] == ["force", "body"]
    html = render_html(context)
    count, baseline = f"{BURGLARY:,}", f"{BURGLARY_BASELINE:,}"
    assert f"Burglary {change} {right} on the baseline, to <strong>{count}</strong>" in html
    assert "<em>Operation Example</em> &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert f"The board notes {baseline} in the baseline year." in html
    assert "Account by City of London Police" in html
    assert "Assessment by the City of London Police Authority Board" in html
    pdf = pypdfium2.PdfDocument(io.BytesIO(render_pdf(html)))
    try:
        text = (
            " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            .replace("\r\n", " ")
            .replace("\n", " ")
        )
    finally:
        pdf.close()
    assert f"Burglary {change} {right} on the baseline, to {count} offences." in text
    assert f"A summary by the board: {count}." in text


def test_wrong_direction_unknown_placeholder_and_stray_number(
    sample_store: Path, tmp_path: Path
) -> None:
    _, wrong, change = _change_words()
    config = _settings(
        tmp_path,
        {
            f"{SECTION}-force.md": (
                f"Burglary {wrong} by {{{{ burglary_policeuk.change_pct }}}} this year. "
                "Homicide was {{ homicide.valu }}."
            ),
        },
    )
    with pytest.raises(ForcestatError) as caught:
        _build(sample_store, config)
    message = str(caught.value)
    assert message == (
        f"commentary: '{wrong}' next to {{{{ burglary_policeuk.change_pct }}}} in the "
        f"neighbourhood crime commentary contradicts the change it shows ({change}); "
        "{{ homicide.valu }} in the neighbourhood crime commentary names no field of a "
        "measure (fields: value, numerator, baseline_value, change_pct, previous_value, "
        "previous_change_pct, comparator_mean, national_value, rank, rank_of, rank_words, "
        "target, interval_low, interval_high)"
    )
    # The stray number: a warning, and the statement is still built.
    (tmp_path / "commentary" / f"{SECTION}-force.md").write_text(
        "We recorded 19,018 offences, {{ burglary_policeuk.value }} of them burglaries, "
        "over 12 months since 2019.",
        encoding="utf-8",
    )
    context = _build(sample_store, config)
    assert context.commentary_warnings == (
        "'19,018' in the neighbourhood crime commentary matches no figure of this statement",
    )


def test_unknown_measure_and_file_name_are_errors(sample_store: Path, tmp_path: Path) -> None:
    config = _settings(tmp_path, {"summary-force.md": "{{ knife_crime.value }}"})
    with pytest.raises(
        ForcestatError,
        match=r"\{\{ knife_crime.value \}\} in the summary "
        "commentary names no measure",
    ):
        _build(sample_store, config)
    config = dataclasses.replace(config, commentary=tmp_path / "other")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "burglary.md").write_text("x", encoding="utf-8")
    with pytest.raises(ForcestatError, match="burglary.md: not a commentary file name"):
        _build(sample_store, config)


def test_texts_in_a_period_sub_folder_are_used_for_that_statement_only(
    sample_store: Path, tmp_path: Path
) -> None:
    # The top folder holds a text that could not be filled; the 2021-06 sub-folder holds
    # this quarter's: the statement for June 2021 reads the sub-folder only.
    config = _settings(tmp_path, {f"{SECTION}-force.md": "{{ knife_crime.value }}"})
    quarter = tmp_path / "commentary" / "2021-06"
    quarter.mkdir()
    (quarter / f"{SECTION}-force.md").write_text(
        "{{ burglary_policeuk.value }} burglaries.", encoding="utf-8"
    )
    context = _build(sample_store, config)
    texts = [t for s in context.sections for t in s.commentary]
    assert [str(t.html) for t in texts] == [f"<p>{BURGLARY:,} burglaries.</p>\n"]
