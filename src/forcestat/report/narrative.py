"""The statement's paragraphs, written from the figures in the register of an official paper.

Deterministic templates: the same figures always read the same. For example:

    "Residential burglary per 1,000 residents was 7.65 in the 12 months to March 2018
    (20,925 offences). The mean of its most similar forces (Greater Manchester,
    Merseyside and West Yorkshire) was 8.35; West Midlands ranked 28th of 39 forces
    (1 = the lowest)."

    "124 burglary offences were recorded in the 12 months to June 2021, compared with
    305 in the 12 months to June 2019 baseline, a 59% reduction. The change is larger
    than chance alone would explain."

Numbers are rounded here, when written, never before (``figures.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from forcestat.report.context import MeasureFigure
from forcestat.report.figures import (
    format_change_pct,
    format_count,
    format_value,
    ordinal,
    unit_label,
)

__all__ = [
    "SMALL_COUNT",
    "chance_sentence",
    "change_clause",
    "comparison_sentence",
    "figure_paragraph",
    "join_names",
    "short_title",
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


def _lower_first(text: str) -> str:
    # Keep acronyms and proper nouns that open a title ('ASB', 'Action Fraud').
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _counted(n: int | float, title: str) -> str:
    """'124 burglary offences', '753 neighbourhood crimes', '1,857 possession of weapons
    offences'."""
    noun = _lower_first(short_title(title))
    if noun.endswith("offences"):
        words = noun
    elif noun.endswith("crime"):
        words = noun + "s"
    else:
        words = noun + " offences"
    return f"{format_count(n)} {words}"


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


def _headline(f: MeasureFigure) -> str:
    assert f.value is not None
    value = format_value(f.value, f.unit)
    if f.unit == "count":
        verb = "was" if f.value == 1 else "were"
        return f"{_counted(f.value, f.title)} {verb} recorded in the {f.period_label}"
    text = f"{f.title} was {value}"
    if f.unit == "proportion":
        return f"{text} in the {f.period_label}"
    label = unit_label(f.unit)
    if label and label not in f.title:
        text += f" {label}"
    if f.numerator is not None:
        return f"{text} in the {f.period_label} ({format_count(f.numerator)} offences)"
    return f"{text} in the {f.period_label}"


def comparison_sentence(f: MeasureFigure, force: str) -> str:
    """The comparator mean and the force's rank, as far as they are known."""
    parts = []
    if f.comparator_mean is not None and f.comparator_forces:
        parts.append(
            f"the mean of its most similar forces ({join_names(f.comparator_forces)}) was "
            f"{format_value(f.comparator_mean, f.unit)}"
        )
    if f.rank is not None and f.rank_of is not None:
        parts.append(f"{force} ranked {ordinal(f.rank)} of {f.rank_of} forces (1 = the lowest)")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def figure_paragraph(f: MeasureFigure, force: str) -> str:
    """The paragraph for one measure: the figure, its change on the baseline and on the
    previous year with a word on chance, the target, the comparison, and any proxy."""
    sentences = []
    headline = _headline(f)
    if f.baseline_value is not None and f.change_pct is not None and f.baseline_label:
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
        if f.baseline_label:
            sentences.append(
                f"The data loaded do not cover the {f.baseline_label} baseline, so no "
                "change on it can be given."
            )
    if f.previous_value is not None and f.previous_change_pct is not None and f.previous_label:
        text = (
            f"Compared with the previous year ({f.previous_label}: "
            f"{format_value(f.previous_value, f.unit)}), {change_clause(f.previous_change_pct)}"
        )
        if f.previous_beyond_chance is True:
            text += ", larger than chance alone would explain"
        elif f.previous_beyond_chance is False:
            text += ", within normal variation"
        sentences.append(text + ".")
    elif f.previous_label:
        sentences.append(f"The data loaded do not cover the previous year ({f.previous_label}).")
    if f.target is not None and f.target_label:
        verdict = {True: "it is met", False: "it is not met", None: ""}[f.meets_target]
        sentences.append(
            f"The target is {format_value(f.target, f.unit)} ({f.target_label})"
            + (f"; {verdict}." if verdict else ".")
        )
    if comparison := comparison_sentence(f, force):
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
