"""Small inline SVG drawings for the scorecard: variation and assurance icons, sparklines.

The icons follow *Making Data Count*: a circle in the meaning's colour (from
``forcestat.spc.palette``) with a letter that carries the meaning without colour: H or L
for a special cause high or low, a flat line for common cause, P, F or ? for a target
that will be met, missed, or may be either. Each drawing has a ``<title>`` and the
scorecard prints the same words beside it, so nothing rests on colour alone.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from forcestat.measures.series import Series
from forcestat.report.tables import ASSURANCE_WORDS, VARIATION_WORDS
from forcestat.spc.palette import POINT_STYLES
from forcestat.spc.xmr import AssuranceType, PointType

__all__ = ["assurance_icon", "sparkline", "variation_icon"]

_ICON_SIZE = 22
_GREY = POINT_STYLES[PointType.COMMON_CAUSE].colour
_ASSURANCE_COLOURS = {
    AssuranceType.CONSISTENT_PASS: POINT_STYLES[PointType.IMPROVEMENT].colour,
    AssuranceType.CONSISTENT_FAIL: POINT_STYLES[PointType.CONCERN].colour,
    AssuranceType.INCONSISTENT: _GREY,
}
_ASSURANCE_LETTERS = {
    AssuranceType.CONSISTENT_PASS: "P",
    AssuranceType.CONSISTENT_FAIL: "F",
    AssuranceType.INCONSISTENT: "?",
}


def _circle(colour: str, inner: str, title: str) -> Markup:
    size = _ICON_SIZE
    return Markup(
        f'<svg class="icon" role="img" width="{size}" height="{size}" viewBox="0 0 22 22" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<circle cx="11" cy="11" r="10" fill="{colour}"/>{inner}</svg>'
    )


def _letter(letter: str) -> str:
    return (
        '<text x="11" y="15.5" text-anchor="middle" font-size="13" font-weight="bold" '
        f'fill="#FFFFFF">{escape(letter)}</text>'
    )


def variation_icon(variation: PointType, polarity: str) -> Markup:
    """The variation icon of a measure's latest month. ``polarity`` ('lower', 'higher',
    'neutral') says whether an improvement is a fall (L) or a rise (H)."""
    title = VARIATION_WORDS[variation]
    colour = POINT_STYLES[variation].colour
    if variation is PointType.COMMON_CAUSE:
        line = '<path d="M5 11h12" stroke="#FFFFFF" stroke-width="2.5" stroke-linecap="round"/>'
        return _circle(colour, line, title)
    if variation in (PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW):
        high = variation is PointType.NEUTRAL_HIGH
    else:
        improving = variation is PointType.IMPROVEMENT
        high = improving == (polarity == "higher")
    return _circle(colour, _letter("H" if high else "L"), title)


def assurance_icon(assurance: AssuranceType) -> Markup:
    """The assurance icon: P (will meet the target), F (will miss it), ? (may do either)."""
    colour = _ASSURANCE_COLOURS[assurance]
    return _circle(colour, _letter(_ASSURANCE_LETTERS[assurance]), ASSURANCE_WORDS[assurance])


def sparkline(series: Series, title: str, *, colour: str = "#505A5F") -> Markup:
    """A small line of the series, the latest point marked, with a ``<title>`` naming its
    span, its range and its latest value."""
    width, height, pad = 96.0, 24.0, 2.5
    values = series.values
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def y(v: float) -> float:
        return height - pad - (v - low) / spread * (height - 2 * pad)

    points = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    last_x, last_y = pad + (len(values) - 1) * step, y(values[-1])
    return Markup(
        f'<svg class="sparkline" role="img" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.25" '
        'stroke-linejoin="round"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.2" fill="#0B0C0C"/></svg>'
    )
