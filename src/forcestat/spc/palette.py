"""The one palette of forcestat charts: colour-blind safe, with shape as well as colour.

Point colours take the *Making Data Count* meanings (blue improving, orange concerning,
purple neutral, grey common cause) in the Okabe-Ito hues, which stay distinct under the
common forms of colour blindness. Every special-cause type also has its own marker
shape, so the chart still reads in greyscale or print.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcestat.spc.xmr import PointType

__all__ = [
    "LATEST_POINT",
    "LONG_RUN_LINE",
    "MEAN_LINE",
    "POINT_STYLES",
    "PROCESS_LIMIT_LINE",
    "REBASE_LINE",
    "TARGET_LINE",
    "TWO_SIGMA_LINE",
    "VALUE_LINE",
    "LineStyle",
    "PointStyle",
]


@dataclass(frozen=True)
class PointStyle:
    """How one point type is drawn: fill colour, Vega-Lite marker shape, legend label."""

    colour: str
    shape: str
    label: str


@dataclass(frozen=True)
class LineStyle:
    """A reference line: colour, dash pattern (empty for solid) and width in pixels."""

    colour: str
    dash: tuple[int, ...]
    width: float


# Okabe-Ito: blue #0072B2, vermillion #D55E00, reddish purple #CC79A7; grey for the rest.
POINT_STYLES: dict[PointType, PointStyle] = {
    PointType.COMMON_CAUSE: PointStyle("#7F7F7F", "circle", "Common cause"),
    PointType.IMPROVEMENT: PointStyle("#0072B2", "diamond", "Special cause: improvement"),
    PointType.CONCERN: PointStyle("#D55E00", "square", "Special cause: concern"),
    PointType.NEUTRAL_HIGH: PointStyle("#CC79A7", "triangle-up", "Special cause: high"),
    PointType.NEUTRAL_LOW: PointStyle("#CC79A7", "triangle-down", "Special cause: low"),
}

VALUE_LINE = LineStyle("#A6A6A6", (), 1.5)
MEAN_LINE = LineStyle("#000000", (), 1.5)
PROCESS_LIMIT_LINE = LineStyle("#595959", (6, 4), 1.25)
TWO_SIGMA_LINE = LineStyle("#A6A6A6", (2, 3), 1.0)
# Bluish green: not confusable with the concern orange, unlike the Excel tool's red.
TARGET_LINE = LineStyle("#009E73", (10, 4), 1.5)
REBASE_LINE = LineStyle("#000000", (3, 3), 1.0)
# The long-run chart of published rolling totals (forcestat.spc.long_run): Okabe-Ito
# blue for the series, and the latest total in black with a shape of its own.
LONG_RUN_LINE = LineStyle("#0072B2", (), 2.0)
LATEST_POINT = PointStyle("#000000", "diamond", "Latest total")
