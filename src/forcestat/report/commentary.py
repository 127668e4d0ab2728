"""Commentary in the statement: the force's account and the policing body's assessment.

Real statements are mostly words around the figures. Each priority (and the opening
summary) may have two Markdown texts in the commentary folder (the ``commentary``
setting, beside the plan file): ``<priority>-force.md`` and ``<priority>-body.md``, where
``<priority>`` is the section's anchor ('reduce-neighbourhood-crime') or ``summary``.

A text may cite figures of the same run by placeholder, ``{{ homicide.value }}`` or
``{{ residential_burglary.change_pct }}``, filled as the tables show them. Before the
statement is built the texts are checked, so a published sentence cannot contradict its
own tables:

- a placeholder naming no measure or field, or a figure the data cannot give: an error;
- a word of direction ('fell', 'rose', 'reduction', ...) next to a change placeholder
  whose sign says the opposite: an error;
- a number written out in the text that equals no figure of this statement: a warning
  (it may be a figure from elsewhere, but it may be a stale one).

Markdown is a small subset (paragraphs, emphasis, lists) with raw HTML off: what a text
holds reaches the page as text, never as markup.

Example:
    >>> commentary = load_commentary(Path("commentary"), figures, sections, ...)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from forcestat.report.context import CommentaryText, MeasureFigure
from forcestat.report.errors import ReportError
from forcestat.report.figures import MINUS, format_change_pct, format_shown, format_value

__all__ = [
    "AUTHORS",
    "FIELDS",
    "SUMMARY",
    "Commentary",
    "commentary_folder",
    "commentary_name",
    "load_commentary",
    "render_markdown",
]

SUMMARY = "summary"
AUTHORS = ("force", "body")
# The fields a placeholder may name, and how each is shown: as the tables show it.
FIELDS = (
    "value",
    "numerator",
    "baseline_value",
    "change_pct",
    "previous_value",
    "previous_change_pct",
    "comparator_mean",
    "national_value",
    "rank",
    "rank_of",
    "rank_words",
    "target",
    "interval_low",
    "interval_high",
)
_CHANGES = frozenset({"change_pct", "previous_change_pct"})
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAMED = re.compile(r"^([a-z0-9_]+)\.([a-z0-9_]+)$")
# A number as written: '19,018', '12.5', '-28%', '+4.3%'; not part of a word ('3rd').
_NUMBER = re.compile(r"(?<![\w.])[-+\u2212]?\d[\d,]*(?:\.\d+)?%?(?![\w])")
_FALLS = frozenset(
    [
        "fell",
        "fall",
        "falls",
        "fallen",
        "falling",
        "reduction",
        "reductions",
        "reduced",
        "reduce",
        "decrease",
        "decreased",
        "decreases",
        "decline",
        "declined",
        "declining",
        "down",
        "lower",
        "drop",
        "dropped",
        "dropping",
    ]
)
_RISES = frozenset(
    [
        "rose",
        "rise",
        "rises",
        "risen",
        "rising",
        "increase",
        "increased",
        "increases",
        "increasing",
        "up",
        "higher",
        "grew",
        "growth",
        "grown",
    ]
)
# How far either side of a change placeholder a word of direction is 'next to' it.
_WINDOW_WORDS = 4


@dataclass(frozen=True)
class Commentary:
    """The texts by section (``summary`` or a section anchor), and the warnings."""

    texts: Mapping[str, tuple[CommentaryText, ...]]
    warnings: tuple[str, ...]


def commentary_name(title: str) -> str:
    """How a priority's commentary is named in messages: 'Reduce neighbourhood crime'
    -> 'neighbourhood crime'."""
    words = title.split()
    if len(words) > 1 and words[0].lower() in {"reduce", "disrupt", "tackle", "improve"}:
        words = words[1:]
    return " ".join(words).lower()


@cache
def _markdown() -> MarkdownIt:
    # 'zero' enables paragraphs and text only; emphasis and lists are added. Raw HTML
    # stays off, so '<script>' in a text is shown as those characters.
    return MarkdownIt("zero", {"html": False, "typographer": False}).enable(["emphasis", "list"])


def render_markdown(text: str) -> Markup:
    """A commentary text as HTML: paragraphs, emphasis and lists; everything else as
    escaped text."""
    return Markup(_markdown().render(text))


def _shown(figure: MeasureFigure, field: str) -> str | None:
    value = getattr(figure, field)
    if value is None:
        return None
    if field in _CHANGES:
        return format_change_pct(float(value))
    if field in ("rank", "rank_of"):
        return str(int(value))
    if field == "rank_words":
        return str(value)
    if field == "numerator":
        return format_shown(float(value), "count")
    return format_value(float(value), figure.unit)


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("%", "").replace(MINUS, "-").lstrip("+-")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _known_numbers(figures: Iterable[MeasureFigure], labels: Iterable[str]) -> set[float]:
    """Every number this statement shows, as written (sign dropped: 'fell by 28%')."""
    # 'per 1,000 residents': the units' own numbers.
    known: set[float] = {1000.0, 100_000.0, 1_000_000.0}
    for figure in figures:
        for field in FIELDS:
            shown = _shown(figure, field)
            if shown is not None and (number := _number(shown)) is not None:
                known.add(number)
    for label in labels:
        for match in _NUMBER.finditer(label):
            if (number := _number(match.group())) is not None:
                known.add(number)
    return known


def _direction_errors(
    text: str, start: int, end: int, placeholder: str, change: float, where: str, shown: str
) -> list[str]:
    before = re.findall(r"[A-Za-z]+", text[:start])[-_WINDOW_WORDS:]
    after = re.findall(r"[A-Za-z]+", text[end:])[:_WINDOW_WORDS]
    errors = []
    for word in (*before, *after):
        said = word.lower()
        if (said in _FALLS and change > 0) or (said in _RISES and change < 0):
            errors.append(
                f"'{word}' next to {placeholder} in the {where} commentary contradicts "
                f"the change it shows ({shown})"
            )
    return errors


def _fill(text: str, where: str, figures: Mapping[str, MeasureFigure], errors: list[str]) -> str:
    """The text with its placeholders filled; problems appended to ``errors``."""
    pieces: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        placeholder = match.group()
        named = _NAMED.match(match.group(1))
        pieces.append(text[last : match.start()])
        last = match.end()
        if named is None:
            errors.append(
                f"{placeholder} in the {where} commentary is not a placeholder of the form "
                "{{ measure.field }}"
            )
            continue
        measure, field = named.groups()
        figure = figures.get(measure)
        if figure is None:
            errors.append(f"{placeholder} in the {where} commentary names no measure")
            continue
        if field not in FIELDS:
            errors.append(
                f"{placeholder} in the {where} commentary names no field of a measure "
                f"(fields: {', '.join(FIELDS)})"
            )
            continue
        shown = _shown(figure, field)
        if shown is None:
            errors.append(
                f"{placeholder} in the {where} commentary: the data loaded give no "
                f"{field.replace('_', ' ')} for {figure.title}"
            )
            continue
        if field in _CHANGES:
            errors += _direction_errors(
                text,
                match.start(),
                match.end(),
                placeholder,
                float(getattr(figure, field)),
                where,
                shown,
            )
        pieces.append(shown)
    pieces.append(text[last:])
    return "".join(pieces)


def _stray_numbers(text: str, where: str, known: set[float]) -> list[str]:
    warnings = []
    unfilled = _PLACEHOLDER.sub(" ", text)
    for match in _NUMBER.finditer(unfilled):
        written = match.group()
        number = _number(written)
        # Years and the small whole numbers of ordinary prose ('two of 3 teams') are
        # not figures.
        is_year = re.fullmatch(r"(19|20)\d\d", written) is not None
        is_small = re.fullmatch(r"\d", written) is not None
        if number is None or is_year or is_small or number in known:
            continue
        warnings.append(
            f"'{written}' in the {where} commentary matches no figure of this statement"
        )
    return warnings


def commentary_folder(base: Path | None, period_end: dt.date) -> Path | None:
    """The texts for the statement ending ``period_end``: the ``YYYY-MM`` sub-folder of
    ``base`` when there is one (commentary is written for one quarter's figures), else
    ``base`` itself."""
    if base is None:
        return None
    own = base / f"{period_end:%Y-%m}"
    return own if own.is_dir() else base


def load_commentary(
    folder: Path | None,
    figures: Mapping[str, MeasureFigure],
    sections: Mapping[str, str],
    *,
    force_author: str,
    body_author: str,
    labels: Iterable[str] = (),
) -> Commentary:
    """Read, check and fill the commentary texts in ``folder``.

    ``sections`` maps each section anchor to its title; ``labels`` are the statement's
    period labels (their numbers are figures of the statement too). Raises ReportError
    listing every error at once; returns the warnings with the texts.
    """
    if folder is None or not folder.is_dir():
        return Commentary({}, ())
    names = {SUMMARY: "summary", **{a: commentary_name(t) for a, t in sections.items()}}
    expected = {f"{key}-{author}.md": (key, author) for key in names for author in AUTHORS}
    errors: list[str] = []
    warnings: list[str] = []
    known = _known_numbers(figures.values(), labels)
    texts: dict[str, list[CommentaryText]] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name not in expected:
            errors.append(
                f"{path}: not a commentary file name; use <section>-force.md or "
                f"<section>-body.md, where <section> is one of: {', '.join(names)}"
            )
            continue
        key, author = expected[path.name]
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: cannot be read as UTF-8 text ({exc})")
            continue
        where = names[key]
        filled = _fill(raw, where, figures, errors)
        warnings += _stray_numbers(raw, where, known)
        heading = (
            f"Account by {force_author}"
            if author == "force"
            else (f"Assessment by the {body_author}")
        )
        texts.setdefault(key, []).append(
            CommentaryText(author, heading, filled, render_markdown(filled))
        )
    if errors:
        raise ReportError("commentary: " + "; ".join(errors))
    ordered = {
        key: tuple(sorted(found, key=lambda t: AUTHORS.index(t.author)))
        for key, found in texts.items()
    }
    return Commentary(ordered, tuple(warnings))
