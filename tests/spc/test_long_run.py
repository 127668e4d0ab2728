"""The long-run chart of published rolling totals: data as given, words worked by hand,
no process limits, safe inline SVG."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from forcestat.spc.long_run import (
    long_run_caption,
    long_run_chart,
    long_run_text_alternative,
    whole,
)
from forcestat.spc.model import SpcError
from forcestat.spc.palette import LATEST_POINT, LONG_RUN_LINE

# Year ends March 2005 and March 2006, then quarter ends March 2007 to March 2008.
ENDS = [
    dt.date(2005, 3, 1),
    dt.date(2006, 3, 1),
    dt.date(2007, 3, 1),
    dt.date(2007, 6, 1),
    dt.date(2007, 9, 1),
    dt.date(2007, 12, 1),
    dt.date(2008, 3, 1),
]
TOTALS = [1200.0, 1350.0, 1350.0, 990.0, 1010.0, 1100.0, 1045.0]


def layer_rows(spec: dict[str, Any], mark: str) -> list[list[dict[str, Any]]]:
    """The data rows of every layer drawn with ``mark``, resolved from the spec's
    named datasets where Altair moved them."""
    found = []
    for layer in spec["layer"]:
        kind = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        if kind != mark:
            continue
        data = layer.get("data", spec.get("data"))
        found.append(data["values"] if "values" in data else spec["datasets"][data["name"]])
    return found


def test_the_text_alternative_gives_span_first_last_highest_and_lowest() -> None:
    # First 1,200 (March 2005), last 1,045 (March 2008); highest 1,350, first reached
    # in March 2006; lowest 990 in June 2007.
    assert long_run_text_alternative(ENDS, TOTALS, "Robbery, Anyshire") == (
        "Line chart: Robbery, Anyshire. 7 rolling 12-month totals, from 1,200 in the 12 "
        "months to March 2005 to 1,045 in the 12 months to March 2008. Highest: 1,350 in "
        "the 12 months to March 2006. Lowest: 990 in the 12 months to June 2007. No "
        "process limits: the totals overlap."
    )


def test_the_caption_says_what_a_point_is_and_why_there_are_no_limits() -> None:
    why = (
        " Totals a quarter apart overlap by nine months, so neighbouring points are not "
        "independent: the series is shown as published, without process limits."
    )
    assert long_run_caption(ENDS) == (
        "Each point is a 12-month total as published: at each year end from March 2005, "
        "then at each quarter end from March 2007." + why
    )
    assert long_run_caption(ENDS[2:]) == (
        "Each point is a 12-month total as published at a quarter end." + why
    )
    # September and December 2007 left out: two quarter ends with no total.
    gappy = [*ENDS[2:4], ENDS[6]]
    assert long_run_caption(gappy) == (
        "Each point is a 12-month total as published at a quarter end. 2 later quarter "
        "ends have no total loaded; the line joins the totals either side." + why
    )


def test_the_chart_draws_the_totals_as_given_and_no_process_limits() -> None:
    chart = long_run_chart(ENDS, TOTALS, title="Robbery, Anyshire", sources=["a"] * 7)
    (line,) = layer_rows(chart.spec, "line")
    assert [(r["period_end"], r["total"]) for r in line] == [
        (e.isoformat(), t) for e, t in zip(ENDS, TOTALS, strict=True)
    ]
    # The latest point alone is marked, and labelled with its value.
    points = layer_rows(chart.spec, "point")
    assert [len(rows) for rows in points] == [7, 1]
    assert points[1][0]["period_end"] == "2008-03-01"
    (label,) = layer_rows(chart.spec, "text")
    assert label[0]["label"] == "1,045"
    text = chart.to_json()
    for limit_word in ("lpl", "upl", "mean", "two_sigma"):
        assert limit_word not in text
    assert LONG_RUN_LINE.colour in text and LATEST_POINT.colour in text
    assert chart.spec["description"] == chart.text_alternative
    assert chart.caption == long_run_caption(ENDS)


def test_the_inline_svg_is_titled_described_and_escaped() -> None:
    title = 'Robbery <b>"A&B"</b>'
    chart = long_run_chart(ENDS, TOTALS, title=title)
    svg = chart.to_inline_svg("history-3")
    assert svg.startswith("<svg") and "<?xml" not in svg
    opening = svg[: svg.index(">") + 1]
    assert 'role="img"' in opening
    assert 'aria-labelledby="history-3-title history-3-desc"' in opening
    assert not re.search(r'\s(width|height)="', opening)  # the page sizes it
    assert '<title id="history-3-title">Robbery &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;' in svg
    assert "<b>" not in svg
    # Nothing the dashboard's Content Security Policy would block.
    assert "style=" not in svg and "<script" not in svg


def test_whole_prints_published_totals_in_full() -> None:
    assert whole(8755.0) == "8,755"
    assert whole(1087.0) == "1,087"  # never to three significant figures


@pytest.mark.parametrize(
    ("ends", "totals", "message"),
    [
        ([], [], "at least one"),
        (ENDS, TOTALS[:-1], "7 period ends but 6 totals"),
        ([ENDS[1], ENDS[0]], [1.0, 2.0], "in order"),
        ([ENDS[0], ENDS[0]], [1.0, 2.0], "each once"),
    ],
)
def test_bad_series_are_refused(ends: list[dt.date], totals: list[float], message: str) -> None:
    with pytest.raises(SpcError, match=message):
        long_run_chart(ends, totals, title="x")
