"""The process behaviour chart of a measure: its series, its recorded rebases, the SPC
result and the reading in words.

The one place a measure is charted, for the ``spc`` command, the report and the
dashboard alike, so the three always draw the same limits and say the same things. The
caller brings the series (``forcestat.measures.series``: the report fetches every
measure's at once) and the rebases recorded for the measure and area
(``forcestat.store.rebases``); a recorded rebase that would leave too short a segment is
left out, with a sentence saying why.

Which chart: a count gets an XmR chart; a proportion whose series carries each month's
denominator a p-chart, in per cent; a rate with its residents a u-chart, in the
measure's rate (``chart_type``). A caller may ask for another.

Example:
    >>> chart = chart_measure(measure, series, active_rebases(con, measure.id, force),
    ...                       name=measure.title)  # doctest: +SKIP
    >>> chart.spc.variation  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from forcestat.measures.catalogue import Kind, Measure
from forcestat.measures.classification import RecordingChange
from forcestat.measures.local import measure_recording_changes
from forcestat.measures.series import Series
from forcestat.months import month_label
from forcestat.spc.rebases import fit_rebases
from forcestat.spc.sentences import describe
from forcestat.spc.xmr import ChartType, Polarity, Rebase, SpcError, SpcOptions, SpcResult, run_spc

__all__ = ["MeasureChart", "chart_measure", "chart_type", "recording_change_sentences"]


def chart_type(measure: Measure, series: Series) -> ChartType:
    """The chart a measure's series gets: p for a proportion and u for a rate when the
    series carries each month's denominator, XmR otherwise (counts, and any series
    without denominators)."""
    if series.numerators is None or series.denominators is None:
        return ChartType.XMR
    if measure.kind is Kind.PROPORTION:
        return ChartType.P
    if measure.kind is Kind.RATE:
        return ChartType.U
    return ChartType.XMR


def _reading_unit(measure: Measure) -> str:
    # 'at around 35 per cent', 'at around 1.5 per 1,000 residents a month'
    if measure.kind is Kind.PROPORTION:
        return "per cent"
    if measure.kind is Kind.RATE:
        return f"per {measure.unit.per:,} residents a month"
    return "a month"


def _chart_per(measure: Measure, chart: ChartType) -> float:
    # A proportion is charted in per cent, a rate per so many residents.
    return 100.0 if chart is ChartType.P else float(measure.unit.per)


@dataclass(frozen=True)
class MeasureChart:
    """A measure's chart: ``rebases`` are the recorded rebases it draws, ``left_out`` a
    sentence for each recorded rebase it cannot draw, ``sentences`` the reading of the
    SPC result (level, special causes, latest month, target, warnings)."""

    measure: Measure
    series: Series
    spc: SpcResult
    rebases: tuple[Rebase, ...]
    left_out: tuple[str, ...]
    sentences: tuple[str, ...]


def chart_measure(
    measure: Measure,
    series: Series,
    recorded: Sequence[Rebase],
    *,
    name: str,
    options: SpcOptions | None = None,
    suggest_rebases: bool = True,
    chart: ChartType | None = None,
    recording_changes: Sequence[RecordingChange] = (),
) -> MeasureChart:
    """Chart ``series`` of ``measure`` with the ``recorded`` rebases it can draw.

    ``options`` default to the measure's polarity; rebases already in them (given on
    the command line) are drawn as well as the recorded ones. ``name`` is the subject of
    the sentences ('The number of burglaries'). ``chart`` overrides ``chart_type``; the
    chart type and scale in ``options`` are set from it. Raises ``SpcError`` for a
    series the chart cannot be drawn from (too short, a rebase too near an end, or a p
    or u chart asked of a series without denominators).
    """
    drawn, left_out = fit_rebases(recorded, series.months)
    if options is None:
        options = SpcOptions(polarity=Polarity(measure.polarity.value))
    every = sorted((*drawn, *options.rebases), key=lambda r: r.month)
    chosen = chart or chart_type(measure, series)
    options = dataclasses.replace(
        options, rebases=tuple(every), chart=chosen, per=_chart_per(measure, chosen)
    )
    if chosen is ChartType.XMR:
        result = run_spc(series.months, series.values, options)
    elif series.numerators is None or series.denominators is None:
        raise SpcError(
            f"{measure.id} has no monthly denominators, so it cannot have a {chosen.value}-chart; "
            "chart it as xmr"
        )
    else:
        result = run_spc(
            series.months, series.numerators, options, denominators=series.denominators
        )
    sentences = describe(
        result, name=name, unit=_reading_unit(measure), suggest_rebases=suggest_rebases
    )
    sentences += recording_change_sentences(measure, series, every, recording_changes)
    return MeasureChart(measure, series, result, drawn, left_out, sentences)


def recording_change_sentences(
    measure: Measure,
    series: Series,
    rebases: Sequence[Rebase],
    extra: Sequence[RecordingChange] = (),
) -> tuple[str, ...]:
    """A sentence for each recording or definition change (built in, or the plan's
    ``extra``) that falls inside the charted months: the points either side are not
    like for like, and, unless a rebase is already drawn there, a rebase is suggested."""
    if not series.months:
        return ()
    drawn = {r.month for r in rebases}
    found = []
    for change in measure_recording_changes(measure, extra):
        if not series.months[0] < change.effective <= series.months[-1]:
            continue
        text = (
            f"The figures are recorded differently from {month_label(change.effective)} "
            f"({change.description}), so the months either side are not like for like"
        )
        if change.effective not in drawn:
            text += f"; consider recording a rebase at {month_label(change.effective)}"
        found.append(text + ".")
    return tuple(found)
