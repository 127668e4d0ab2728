"""The process behaviour chart: Vega-Lite specification, offline SVG, text alternative."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from forcestat.spc.chart import SpcChart, spc_chart
from forcestat.spc.palette import POINT_STYLES, TARGET_LINE
from forcestat.spc.xmr import ChartType, LaneyRule, PointType, Polarity, Rebase, SpcOptions, run_spc

SVG = "{http://www.w3.org/2000/svg}"


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1) for i in range(n)]


# 1,080 / 1,120 alternating from April 2022 and a high November 2024 (1,300): mean
# 1,105.6, limits 999.2 to 1,212.0, so November 2024 is the one special-cause point and a
# concern when lower is better. The latest month, December 2024, is 1,120: common cause.
VALUES = [1080, 1120] * 15 + [1080, 1300, 1120]


@pytest.fixture(scope="module")
def chart() -> SpcChart:
    result = run_spc(months_from(2022, 4, 33), VALUES, SpcOptions(Polarity.LOWER, target=1000))
    return spc_chart(result, title="Residential burglary, West Midlands", show_two_sigma=True)


@pytest.fixture(scope="module")
def svg(chart: SpcChart) -> ET.Element:
    return ET.fromstring(chart.to_svg())


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_parses_and_carries_the_title(svg: ET.Element) -> None:
    assert svg.tag == f"{SVG}svg"
    assert "Residential burglary, West Midlands" in texts(svg)
    assert "Target 1,000" in texts(svg)


def test_svg_marks_the_special_cause_point(svg: ET.Element) -> None:
    concern = POINT_STYLES[PointType.CONCERN].colour.lower()
    common = POINT_STYLES[PointType.COMMON_CAUSE].colour.lower()
    points = [p for p in svg.iter(f"{SVG}path") if p.get("aria-roledescription") == "point"]
    assert len(points) == 33
    fills = [(p.get("fill") or "").lower() for p in points]
    assert (fills.count(concern), fills.count(common)) == (1, 32)
    (marked,) = [p for p in points if (p.get("fill") or "").lower() == concern]
    label = marked.get("aria-label") or ""
    assert "Nov 2024" in label and "Special cause: concern" in label
    assert "rules: outside_limits" in label
    assert "Special cause: concern" in texts(svg)  # the legend names the marker


def test_spec_layers_limits_target_and_shapes(chart: SpcChart) -> None:
    spec = json.loads(chart.to_json())
    layers = spec["layer"]
    fields = [layer["encoding"]["y"]["field"] for layer in layers if "y" in layer["encoding"]]
    assert {"mean", "lpl", "upl", "lower_two_sigma", "upper_two_sigma", "value"} <= set(fields)
    assert "target" in fields
    points = next(layer for layer in layers if layer["mark"]["type"] == "point")
    shapes = points["encoding"]["shape"]["scale"]
    colours = points["encoding"]["color"]["scale"]
    # Shape as well as colour tells improvement from concern.
    assert dict(zip(shapes["domain"], shapes["range"], strict=True)) == {
        "Common cause": "circle",
        "Special cause: concern": "square",
    }
    assert (
        dict(zip(colours["domain"], colours["range"], strict=True))["Special cause: concern"]
        == POINT_STYLES[PointType.CONCERN].colour
    )
    target = next(
        layer for layer in layers if layer["encoding"].get("y", {}).get("field") == "target"
    )
    assert target["mark"]["color"] == TARGET_LINE.colour
    assert spec["description"] == chart.text_alternative
    # Data travel inside the spec: nothing to fetch.
    assert "url" not in json.dumps(spec.get("data", {})) and "datasets" in spec


def test_text_alternative(chart: SpcChart) -> None:
    alt_text = chart.text_alternative
    assert alt_text.startswith("Process behaviour chart: Residential burglary, West Midlands.")
    assert "April 2022 to December 2024 (33 months)" in alt_text
    assert "The latest month, December 2024, at 1,120, shows common cause variation." in alt_text
    assert "1 of 33 months show special cause variation." in alt_text
    assert "The target is 1,000." in alt_text


def test_rebase_line_and_reason() -> None:
    values = [5, 6] * 6 + [20, 22] * 6
    rebase = Rebase(
        dt.date(2022, 1, 1), "new recording rules", "A. Analyst", dt.datetime(2024, 5, 1)
    )
    result = run_spc(months_from(2021, 1, 24), values, SpcOptions(rebases=(rebase,)))
    chart = spc_chart(result, title="Vehicle crime")
    spec = chart.spec
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    (rule,) = [r for r in rules if r["encoding"].get("x")]
    (values_,) = [v for k, v in spec["datasets"].items() if k == rule["data"]["name"]]
    assert values_[0]["month"] == "2022-01-01"
    assert "Limits are recalculated from January 2022." in chart.text_alternative
    root = ET.fromstring(chart.to_svg())
    assert "Limits recalculated" in texts(root)


def test_svg_is_the_same_every_time(chart: SpcChart) -> None:
    assert chart.to_svg() == chart.to_svg()


def test_limits_in_words_say_a_lower_limit_below_zero_plainly() -> None:
    # The golden series 1,2,1,2,10,1,...: unscreened limits -3.06 to 6.95. A count cannot
    # be negative, so the text gives the upper limit and says the lower is below zero.
    golden = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    counts = run_spc(months_from(2023, 1, 18), golden, SpcOptions(screen_moving_ranges=False))
    alt_text = spc_chart(counts, title="Counts").text_alternative
    assert "with an upper process limit of 6.95 (the lower limit is below zero)." in alt_text
    # The same series less 5 has negative values: both limits, with true minus signs.
    # Screened: mean 35/18 - 5 = -3.056, limits -3.056 -/+ 2.66 = -5.72 to -0.396.
    shifted = run_spc(months_from(2023, 1, 18), [v - 5 for v in golden])
    alt_text = spc_chart(shifted, title="Net change").text_alternative
    assert "with process limits of \u22125.72 to \u22120.396." in alt_text


def test_a_p_chart_draws_each_months_limits_as_steps() -> None:
    # Montgomery's dyed cloth as a u-chart: rolls of 10, 8 and 13 units have limits
    # 2.5550, 2.6886 and 2.4159 (tests/spc/test_attributes.py works them out).
    defects = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
    units = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]
    options = SpcOptions(chart=ChartType.U, laney=LaneyRule.NEVER)
    result = run_spc(months_from(2023, 1, 10), defects, options, denominators=units)
    spec = json.loads(spc_chart(result, title="Dyed cloth", y_title="Defects a unit").to_json())
    lines = [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == "line" and layer["encoding"]["y"]["field"] in ("lpl", "upl")
    ]
    assert len(lines) == 2 and all(line["mark"]["interpolate"] == "step" for line in lines)
    (data,) = spec["datasets"].values()
    assert [round(row["upl"], 4) for row in data[:3]] == [2.555, 2.6886, 2.4159]
    assert [row["denominator"] for row in data[:3]] == [10, 8, 13]
    alternative = spc_chart(result, title="Dyed cloth").text_alternative
    assert "process limits of 0.411 to 2.44 in the latest month" in alternative
    # An XmR chart's limits are flat in each segment and drawn as plain lines.
    flat = json.loads(spc_chart(run_spc(months_from(2023, 1, 3), [1, 2, 3]), title="x").to_json())
    assert all("interpolate" not in layer["mark"] for layer in flat["layer"])
