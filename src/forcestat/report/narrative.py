"""The statement's paragraphs, written from the figures in the register of an official paper.

Deterministic templates: the same figures always read the same. For example:

    "There were 41 homicides recorded in the 12 months to March 2018, 15.0 per million
    residents. The mean of the most similar forces (Greater Manchester, Merseyside and
    West Yorkshire) was 22.0 per million residents; West Midlands ranked 27th of 39
    forces (1 = the lowest)."

    "There were 124 burglaries recorded in the 12 months to June 2021, compared
    with 305 in the 12 months to June 2019 baseline, a 59% reduction. The change is
    larger than chance alone would explain."

No sentence opens with a figure (ONS style). Counts are not compared between forces:
forces differ in size, so only rates and proportions are set beside the most similar
forces. Numbers are rounded here, when written, never before (``figures.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from forcestat.measures.local_tables import points_clause
from forcestat.report.context import MeasureFigure
from forcestat.report.figures import (
    format_change_pct,
    format_count,
    format_value,
    unit_label,
)

__all__ = [
    "SMALL_COUNT",
    "capitalised",
    "chance_sentence",
    "change_clause",
    "comparison_sentence",
    "count_noun",
    "count_phrase",
    "figure_paragraph",
    "join_names",
    "points_clause",
    "proxy_note",
    "short_title",
    "summary_point",
]

# Below this many offences a year, chance alone moves a count by a fifth or more
# (the 95% interval of a Poisson count of 50 runs from 37 to 66).
SMALL_COUNT = 50


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def short_title(title: str) -> str:
    """The title without its bracketed source note: 'Drug offences (police.uk, monthly)'
    -> 'Drug offences'."""
    return title.split(" (")[0].strip()


def capitalised(text: str) -> str:
    """The text with its first letter in capitals ('the Home Office ...' -> 'The ...'),
    but 'police.uk' as the site writes itself."""
    if text.startswith("police.uk"):
        return text
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    # Keep acronyms and proper nouns that open a title ('ASB', 'Action Fraud').
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# One-word titles that name an offence and take a plural of their own.
_PLURALS = {"homicide": "homicides", "burglary": "burglaries", "robbery": "robberies"}


def count_noun(title: str, source: str = "", *, one: bool = False) -> str:
    """What a count measure counts, in the plural (or for one): 'homicides', 'burglary
    offences', 'neighbourhood crimes', 'crimes recorded on police.uk', 'searches'. A
    plan's target after a colon is left out ('Residential burglary: 8% fewer than last
    year' counts 'residential burglary offences')."""
    noun = _lower_first(short_title(title).split(": ")[0])
    if source == "policeuk_stop_search":
        return "search" if one else "searches"
    if noun in _PLURALS:
        return noun if one else _PLURALS[noun]
    if noun.endswith("offences"):
        return noun.removesuffix("s") if one else noun
    if noun.endswith("crime"):
        return noun if one else noun + "s"
    if noun.startswith("crime "):
        return noun if one else "crimes " + noun.removeprefix("crime ")
    return noun + (" offence" if one else " offences")


def count_phrase(n: int | float, title: str, source: str = "") -> str:
    """'41 homicides', '1 homicide', '124 burglaries', '753 neighbourhood crimes',
    '5,431 crimes recorded on police.uk', '300 searches'."""
    return f"{format_count(n)} {count_noun(title, source, one=round(n) == 1)}"


def change_clause(change_pct: float) -> str:
    """'a 27% reduction', 'a 4.3% increase', 'no change'."""
    if round(change_pct, 1) == 0:
        return "no change"
    kind = "reduction" if change_pct < 0 else "increase"
    size = format_change_pct(change_pct, signed=False)
    # Said aloud, 8%, 11% and 18% (and 80-89%) begin with a vowel.
    article = "an" if re.match(r"8|1[18][.%]", size) else "a"
    return f"{article} {size} {kind}"


def chance_sentence(beyond: bool | None, like_for_like: bool, numerator: int | None) -> str:
    """Whether a change is more than chance, in words; '' when no test was made."""
    if not like_for_like:
        return (
            "The baseline is not counted exactly as the current period is (a change of "
            "classification), so no judgement on chance is made."
        )
    if beyond is None:
        return ""
    if beyond:
        return "The change is larger than chance alone would explain."
    small = numerator is not None and numerator < SMALL_COUNT
    lead = "Numbers this small vary by chance; the" if small else "The"
    return f"{lead} change is within normal variation."


def _with_unit(value: float, unit: str) -> str:
    """'22.0 per million residents', '87.5%', '1,675'."""
    text = format_value(value, unit)
    if unit not in ("count", "proportion") and unit_label(unit):
        text += f" {unit_label(unit)}"
    return text


def agreeing_verb(title: str) -> str:
    """'were' after a plural subject ('Vehicle offences per 1,000 residents'), else 'was'
    ('Residential burglary per 1,000 residents', 'Theft from the person ...')."""
    # The subject's head noun: the words before any qualifier ('from the person',
    # 'satisfied with', 'per 1,000 residents').
    subject = re.split(r" per | \(|:|,| with | from | of | satisfied| excluding", title)[0]
    head = subject.strip().split(" ")
    last = head[-1].lower() if head else ""
    plural = last.endswith(("ces", "mes", "ies", "ions", "ents", "ffs", "ons")) or (
        last.endswith("s") and not last.endswith(("ss", "us", "is"))
    )
    return "were" if plural else "was"


def _headline(f: MeasureFigure, rate: MeasureFigure | None) -> str:
    assert f.value is not None
    value = format_value(f.value, f.unit)
    if f.unit == "count" and f.source == "indicator":
        # A local indicator counts what its title says (cases, flagged crimes), not offences.
        return f"{f.title}: {format_count(f.value)} in the {f.period_label}"
    if f.unit == "count":
        verb = "was" if round(f.value) == 1 else "were"
        recorded = "" if f.source == "policeuk_stop_search" else " recorded"
        text = (
            f"There {verb} {count_phrase(f.value, f.title, f.source)}{recorded} "
            f"in the {f.period_label}"
        )
        if rate is not None and rate.value is not None:
            text += f", {format_value(rate.value, rate.unit)} {unit_label(rate.unit)}"
        return text
    text = f"{f.title} {agreeing_verb(f.title)} {value}"
    if f.unit == "proportion":
        return f"{text} in the {f.period_label}"
    label = unit_label(f.unit)
    if label and label not in f.title:
        text += f" {label}"
    if f.numerator is not None:
        what = "searches" if f.source == "policeuk_stop_search" else "offences"
        return f"{text} in the {f.period_label} ({format_count(f.numerator)} {what})"
    return f"{text} in the {f.period_label}"


def comparison_sentence(f: MeasureFigure, force: str) -> str:
    """The comparator mean and the force's rank, as far as they are known; nothing for
    a count, since forces differ in size."""
    if f.unit == "count":
        return ""
    parts = []
    if f.comparator_mean is not None and f.comparator_forces:
        how = "combined figure" if f.group_method == "combined" else "mean"
        parts.append(
            f"the {how} of the most similar forces ({join_names(f.comparator_forces)}) was "
            f"{_with_unit(f.comparator_mean, f.unit)}"
        )
    if f.national_value is not None:
        parts.append(f"for England and Wales it was {_with_unit(f.national_value, f.unit)}")
    if f.rank_words is not None:
        parts.append(f"{force} was {f.rank_words}")
    if not parts:
        return ""
    return capitalised("; ".join(parts)) + "."


def figure_paragraph(
    f: MeasureFigure,
    force: str,
    *,
    rate: MeasureFigure | None = None,
    say_missing_baseline: bool = True,
    say_missing_previous: bool = True,
) -> str:
    """The paragraph for one measure: the figure, its change on the baseline and on the
    previous year with a word on chance, the target, the comparison, and any proxy.

    ``rate`` is the same offences per resident: written beside the count, and compared
    with the most similar forces in its place. ``say_missing_*`` False leaves out the
    sentence that the data do not cover the baseline (or previous year), when the
    report says so once for every measure.
    """
    sentences = []
    headline = _headline(f, rate)
    if f.baseline_value is not None and f.change_points is not None and f.baseline_label:
        headline += (
            f", {points_clause(f.change_points)} from {format_value(f.baseline_value, f.unit)} "
            f"in the {f.baseline_label} baseline"
        )
        sentences.append(headline + ".")
        chance = chance_sentence(f.change_beyond_chance, f.like_for_like, f.numerator)
        if chance:
            sentences.append(chance)
    elif f.baseline_value is not None and f.change_pct is not None and f.baseline_label:
        headline += (
            f", compared with {format_value(f.baseline_value, f.unit)} in the "
            f"{f.baseline_label} baseline, {change_clause(f.change_pct)}"
        )
        sentences.append(headline + ".")
        chance = chance_sentence(f.change_beyond_chance, f.like_for_like, f.numerator)
        if chance:
            sentences.append(chance)
    else:
        sentences.append(headline + ".")
        if f.baseline_label and say_missing_baseline:
            sentences.append(
                f"The data loaded do not cover the {f.baseline_label} baseline, so no "
                "change on it can be given."
            )
    previous_change = None
    if f.previous_change_points is not None:
        previous_change = points_clause(f.previous_change_points)
    elif f.previous_change_pct is not None:
        previous_change = change_clause(f.previous_change_pct)
    if f.previous_value is not None and previous_change is not None and f.previous_label:
        text = (
            f"Compared with the previous year ({f.previous_label}: "
            f"{format_value(f.previous_value, f.unit)}), {previous_change}"
        )
        if f.previous_beyond_chance is True:
            text += ", larger than chance alone would explain"
        elif f.previous_beyond_chance is False:
            text += ", within normal variation"
        sentences.append(text + ".")
    elif f.previous_label and say_missing_previous:
        sentences.append(f"The data loaded do not cover the previous year ({f.previous_label}).")
    if f.target is not None and f.target_label:
        verdict = {True: "it is met", False: "it is not met", None: ""}[f.meets_target]
        sentences.append(
            f"The target is {format_value(f.target, f.unit)} ({f.target_label})"
            + (f"; {verdict}." if verdict else ".")
        )
    if comparison := comparison_sentence(rate if rate is not None else f, force):
        sentences.append(comparison)
    if f.proxy:
        sentences.append(_proxy_sentence(f.note))
    return " ".join(sentences)


def _proxy_sentence(note: str) -> str:
    """'Proxy for residential burglary: police.uk ...' -> 'This figure is a police.uk proxy
    for residential burglary: police.uk ...'; 'Proxy: ...' -> 'This figure uses a police.uk
    proxy: ...'."""
    match = re.match(r"Proxy( for [^:]+)?:\s*(.*)", note, re.S)
    if match is None:
        return f"This figure uses a police.uk proxy. {note}"
    if match.group(1):
        return f"This figure is a police.uk proxy{match.group(1)}: {match.group(2)}"
    return f"This figure uses a police.uk proxy: {match.group(2)}"


def proxy_note(title: str, note: str) -> str:
    """The methods appendix's line for a proxy: 'Burglary (police.uk proxy, monthly), a
    proxy for residential burglary: police.uk 'Burglary' includes ...'."""
    match = re.match(r"Proxy( for [^:]+)?:\s*(.*)", note, re.S)
    if match is None:
        return f"{title}: {note}"
    return f"{title}, a proxy{match.group(1) or ''}: {match.group(2)}"


def _movement(change_pct: float, beyond: bool | None, like_for_like: bool, on: str) -> str:
    """'down 45% on the baseline, more than chance', 'up 2.3% on the previous year'."""
    if round(change_pct, 1) == 0:
        text = f"unchanged on the {on}"
    else:
        size = format_change_pct(change_pct, signed=False)
        text = f"{'down' if change_pct < 0 else 'up'} {size} on the {on}"
    if like_for_like and beyond is True:
        text += ", more than chance"
    elif like_for_like and beyond is False:
        text += ", within normal variation"
    return text


def _points_movement(points: float, beyond: bool | None, like_for_like: bool, on: str) -> str:
    """'down 4.4 percentage points on the baseline, more than chance'."""
    clause = points_clause(points)
    text = f"unchanged on the {on}" if clause == "no change" else f"{clause} on the {on}"
    if like_for_like and beyond is True:
        text += ", more than chance"
    elif like_for_like and beyond is False:
        text += ", within normal variation"
    return text


def summary_point(f: MeasureFigure, rate: MeasureFigure | None = None) -> str:
    """One line of the statement's summary: 'Burglary (police.uk proxy): 124, down 59% on
    the baseline, more than chance; down 57% on the previous year, more than chance.'"""
    assert f.value is not None
    name = short_title(f.title) + (" (police.uk proxy)" if f.proxy else "")
    in_title = f.unit not in ("count", "proportion") and unit_label(f.unit) in f.title
    shown = format_value(f.value, f.unit) if in_title else _with_unit(f.value, f.unit)
    text = f"{name}: {shown}"
    if rate is not None and rate.value is not None:
        text += f" ({_with_unit(rate.value, rate.unit)})"
    moves = []
    if f.change_points is not None and f.baseline_value is not None:
        moves.append(
            _points_movement(f.change_points, f.change_beyond_chance, f.like_for_like, "baseline")
        )
    if f.previous_change_points is not None and f.previous_value is not None:
        moves.append(
            _points_movement(
                f.previous_change_points, f.previous_beyond_chance, True, "previous year"
            )
        )
    if f.change_pct is not None and f.baseline_value is not None:
        moves.append(_movement(f.change_pct, f.change_beyond_chance, f.like_for_like, "baseline"))
    if f.previous_change_pct is not None and f.previous_value is not None:
        moves.append(
            _movement(f.previous_change_pct, f.previous_beyond_chance, True, "previous year")
        )
    ranked = rate if rate is not None else f
    if ranked.rank_words is not None and ranked.unit != "count":
        moves.append(ranked.rank_words)
    return text + (", " + "; ".join(moves) if moves else "") + "."
