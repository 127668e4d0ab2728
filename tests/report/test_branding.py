"""A policing body restyles its report through a file named in forcestat.toml; whatever
it writes reaches the page as text, never as markup."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from forcestat.config import load_config
from forcestat.errors import ConfigError
from forcestat.report.branding import contrast_ratio, load_branding
from forcestat.report.build import build_report
from forcestat.report.html import render_html
from forcestat.store.database import open_store

# The smallest valid PNG: one transparent pixel.
ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def _project(tmp_path: Path, style: str, *, policing_body: str = "Example PCC") -> Path:
    (tmp_path / "logo.png").write_bytes(ONE_PIXEL_PNG)
    (tmp_path / "brand.toml").write_text(style, encoding="utf-8")
    settings = tmp_path / "forcestat.toml"
    body = policing_body.replace("\\", "\\\\").replace('"', '\\"')
    settings.write_text(
        f'force = "West Midlands"\npolicing_body = "{body}"\nreport_style = "brand.toml"\n',
        encoding="utf-8",
    )
    return settings


def _render(sample_store: Path, settings: Path) -> str:
    config = load_config(settings)
    con = open_store(sample_store, read_only=True)
    try:
        context = build_report(con, config, period_end=dt.date(2018, 3, 1))
    finally:
        con.close()
    return render_html(context)


def test_name_logo_colours_and_wording_come_from_the_style_file(
    sample_store: Path, tmp_path: Path
) -> None:
    settings = _project(
        tmp_path,
        'name = "Office of the Commissioner"\nlogo = "logo.png"\nlogo_alt = "Crest"\n'
        '[colours]\naccent = "#00703c"\n'
        '[wording]\nintroduction = """How {force} did in the {period}.\n\nSecond paragraph."""\n',
    )
    html = _render(sample_store, settings)
    logo = "data:image/png;base64," + base64.b64encode(ONE_PIXEL_PNG).decode("ascii")
    assert f'<img class="logo" src="{logo}" alt="Crest">' in html
    assert "Office of the Commissioner" in html
    assert "--accent: #00703C;" in html
    assert "<p>How West Midlands did in the 12 months to March 2018.</p>" in html
    assert "<p>Second paragraph.</p>" in html


def test_every_problem_in_a_style_file_is_reported_at_once(tmp_path: Path) -> None:
    style = tmp_path / "brand.toml"
    style.write_text(
        'colour = "blue"\nlogo = "missing.png"\n'
        '[colours]\naccent = "red"\ntext = "#FFFF00"\n[wording]\nfootnote = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_branding(style, policing_body="Example PCC")
    message = str(error.value)
    assert message.startswith(str(style))
    assert "unknown key 'colour'" in message
    assert "colours.accent 'red' is not a colour written as #RRGGBB" in message
    assert "colours.text #FFFF00 has a contrast of 1.1:1" in message
    assert "unknown key wording.footnote" in message
    assert "missing.png" in message


def test_contrast_ratio_matches_wcag_examples() -> None:
    # WCAG: black on white is 21:1; #767676 on white is the lightest grey at 4.5:1.
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)


def test_hostile_names_and_wording_are_escaped(sample_store: Path, tmp_path: Path) -> None:
    settings = _project(
        tmp_path,
        f"name = '</style>{HOSTILE}'\n[wording]\nintroduction = '''{HOSTILE}'''\n",
        policing_body=HOSTILE,
    )
    html = _render(sample_store, settings)
    assert len(re.findall(r"<script\b", html)) == 1  # the scorecard's own script only
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x" in html
    assert html.count("</style>") == 1


def test_a_hostile_force_name_is_escaped(sample_store: Path, settings_file: Path) -> None:
    con = open_store(sample_store, read_only=True)
    try:
        context = build_report(con, load_config(settings_file), period_end=dt.date(2018, 3, 1))
    finally:
        con.close()
    html = render_html(dataclasses.replace(context, force=HOSTILE, policing_body=HOSTILE))
    assert len(re.findall(r"<script\b", html)) == 1
    assert "<img src=x" not in html
    assert (
        "<title>Quarterly statement on the National Crime and Policing Measures: &lt;script&gt;"
        in html
    )
