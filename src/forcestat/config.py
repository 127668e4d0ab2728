"""forcestat.toml: which force, its comparators, where the store lives.

Each setting is declared once, with its default and help, in ``SETTINGS``; ``init``
writes a commented file from that list and ``load_config`` validates a user's file
against it, reporting every problem at once with the file and key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forcestat.errors import ConfigError, ForcestatError
from forcestat.forces import find_force, policing_bodies_source, policing_body

__all__ = [
    "CONFIG_FILE",
    "SETTINGS",
    "SURVEY_ANSWERS",
    "Config",
    "Setting",
    "load_config",
    "write_default_config",
]

CONFIG_FILE = "forcestat.toml"

# The victim survey's answers as forcestat stores them: the 7-point scale (1 to 7, in
# this order) and yes/no. Kept here so the setting naming them is checked on reading.
SURVEY_ANSWERS: tuple[str, ...] = (
    "completely satisfied",
    "very satisfied",
    "fairly satisfied",
    "neither satisfied nor dissatisfied",
    "fairly dissatisfied",
    "very dissatisfied",
    "completely dissatisfied",
    "yes",
    "no",
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("force", "West Midlands", "The force this policing body oversees."),
    Setting(
        "most_similar_forces",
        [],
        "The force's most similar group (HMICFRS publishes one for each force), for "
        "comparisons; empty for none. forcestat ships no group it cannot cite.",
    ),
    Setting("also_show", ["Metropolitan Police"], "Forces shown beside the group, not in it."),
    Setting(
        "group_figure",
        "combined",
        "The most similar forces' figure: 'combined' (their offences over their residents, "
        "as HMICFRS shows a group) or 'mean' (the plain mean of their rates).",
    ),
    Setting(
        "policing_body",
        "",
        "The body that publishes the statement (named in reports); empty for the force's "
        "own policing body from forcestat's table of the 43 forces.",
    ),
    Setting("store", "forcestat.duckdb", "The DuckDB store file, relative to this file."),
    Setting(
        "baseline_period_end",
        "2019-06",
        "End month of the 12-month baseline the national measures compare with (the "
        "National Crime and Policing Measures use June 2019); a plan entry sets its own.",
    ),
    Setting(
        "report_style",
        "",
        "A TOML file restyling the report (name, logo, colours, fixed wording), relative to "
        "this file; empty for the standard style.",
    ),
    Setting(
        "commentary",
        "commentary",
        "A folder of Markdown commentary (summary-force.md, summary-body.md and "
        "<priority>-force.md, <priority>-body.md), relative to this file; texts in its "
        "YYYY-MM sub-folder are used for the statement ending that month, when there is "
        "one; placeholders such as {{ homicide.value }} are filled from the same run and "
        "checked.",
    ),
    Setting(
        "paper_meeting",
        "",
        "Board paper: the meeting the statement goes to (for example 'Strategic Policing "
        "and Crime Board'); empty for no board-paper front matter.",
    ),
    Setting("paper_date", "", "Board paper: the meeting's date, YYYY-MM-DD."),
    Setting("paper_item", "", "Board paper: the agenda item ('Item 7')."),
    Setting(
        "paper_purpose",
        "To present the statement on the force's contribution to the national priorities "
        "for policing and its performance against the Police and Crime Plan.",
        "Board paper: the paper's purpose.",
    ),
    Setting(
        "paper_asked_to",
        "note the statement and agree its publication.",
        "Board paper: what 'the board is asked to' do.",
    ),
    Setting("paper_authors", [], "Board paper: the authors, name and role each."),
    Setting("paper_contact", "", "Board paper: who to contact about it (name, email)."),
    Setting(
        "statutory_statement",
        "standard",
        "The sentence saying under what law the statement is published: 'standard' for "
        "the Specified Information Order sentence (English bodies; none for Welsh ones), "
        "your own text (may use {policing_body} and {force}), or empty for none.",
    ),
    Setting(
        "plan",
        "",
        "A TOML file of the Police and Crime Plan's own measures and targets, added to the "
        "national catalogue, relative to this file; empty for the national measures only.",
    ),
    Setting(
        "satisfied_answers",
        ["completely satisfied", "very satisfied", "fairly satisfied", "yes"],
        "Victim survey answers counted as satisfied (the 7-point scale's words, or yes/no); "
        "every other answer counts as not satisfied.",
    ),
    Setting(
        "small_count_threshold",
        5,
        "Breakdown cells counting fewer than this many are shown as 'fewer than N' in the "
        "report, its exports and the dashboard; the store keeps the true figure. 0 shows all.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    force: str
    most_similar_forces: tuple[str, ...]
    also_show: tuple[str, ...]
    policing_body: str
    store: Path
    baseline_period_end: str
    source: Path | None  # the file read, None when every setting is a default
    report_style: Path | None = None  # the restyling file, None for the standard style
    plan: Path | None = None  # the plan's measure catalogue, None for national measures only
    satisfied_answers: tuple[str, ...] = (
        "completely satisfied",
        "very satisfied",
        "fairly satisfied",
        "yes",
    )
    small_count_threshold: int = 5
    commentary: Path | None = None  # the folder of commentary texts, None for none
    paper_meeting: str = ""
    paper_date: str = ""
    paper_item: str = ""
    paper_purpose: str = ""
    paper_asked_to: str = ""
    paper_authors: tuple[str, ...] = ()
    paper_contact: str = ""
    statutory_statement: str = "standard"
    group_figure: str = "combined"


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_default_config(
    path: Path,
    *,
    force: str | None = None,
    most_similar: Sequence[str] = (),
    overwrite: bool = False,
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """Write a commented forcestat.toml for ``force`` (default West Midlands): its
    policing body from forcestat's table, ``most_similar`` as its comparator group (never
    another force's), ``settings`` as given, and every other setting at its default."""
    if path.exists() and not overwrite:
        raise ConfigError(f"{path}: already exists; pass --force-overwrite to replace it")
    chosen = find_force(force or _BY_NAME["force"].default)
    group = [find_force(f).name for f in most_similar if find_force(f) != chosen]
    values: dict[str, Any] = {
        "force": chosen.name,
        "most_similar_forces": group,
        "policing_body": policing_body(chosen.name).name if chosen.territorial else "",
        **(settings or {}),
    }
    lines = ["# forcestat project settings. 'forcestat init' wrote this file.", ""]
    for s in SETTINGS:
        value = values.get(s.name, s.default)
        lines.append(f"# {s.help}")
        if s.name == "policing_body":
            lines.append(f"# From: {policing_bodies_source()}.")
        lines.append(f"{s.name} = {_toml_value(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def load_config(path: Path | None = None) -> Config:
    """Read and validate forcestat.toml (defaults for anything it leaves out).

    With no path, ./forcestat.toml is read if present, else every default is used.
    """
    raw: dict[str, Any] = {}
    source: Path | None = None
    if path is None and Path(CONFIG_FILE).exists():
        path = Path(CONFIG_FILE)
    if path is not None:
        source = path
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no such file; run 'forcestat init' to create one") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    problems: list[str] = []
    where = str(path) if path else "defaults"
    for key in raw:
        if key not in _BY_NAME:
            problems.append(f"unknown setting {key!r} (known: {', '.join(_BY_NAME)})")
    values = {s.name: raw.get(s.name, s.default) for s in SETTINGS}
    for name in ("force", "store", "baseline_period_end"):
        if not isinstance(values[name], str) or not values[name].strip():
            problems.append(f"{name} must be a non-empty text value")
    for name in (
        "paper_meeting",
        "paper_item",
        "paper_purpose",
        "paper_asked_to",
        "paper_contact",
        "statutory_statement",
    ):
        if not isinstance(values[name], str):
            problems.append(f"{name} must be a text value")
            values[name] = ""
    if values["group_figure"] not in ("combined", "mean"):
        problems.append(f"group_figure {values['group_figure']!r} must be 'combined' or 'mean'")
        values["group_figure"] = "combined"
    date = values["paper_date"]
    if not isinstance(date, str) or (date and not _is_date(date)):
        problems.append(f"paper_date {date!r} is not a date in the form YYYY-MM-DD")
        values["paper_date"] = ""
    authors = values["paper_authors"]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        problems.append("paper_authors must be a list of names")
        values["paper_authors"] = []
    for name in ("most_similar_forces", "also_show"):
        v = values[name]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            problems.append(f"{name} must be a list of force names")
            values[name] = []
    if not isinstance(values["policing_body"], str):
        problems.append("policing_body must be a text value (or empty for the force's own)")
        values["policing_body"] = ""
    names: dict[str, str] = {}
    for name in ("force",):
        if isinstance(values[name], str):
            names[name] = _force_name(values[name], name, problems)
    similar = tuple(
        _force_name(f, "most_similar_forces", problems) for f in values["most_similar_forces"]
    )
    also = tuple(_force_name(f, "also_show", problems) for f in values["also_show"])
    if not isinstance(values["report_style"], str):
        problems.append("report_style must be a file name (or empty for the standard style)")
        values["report_style"] = ""
    if not isinstance(values["commentary"], str):
        problems.append("commentary must be a folder name (or empty for none)")
        values["commentary"] = ""
    if not isinstance(values["plan"], str):
        problems.append("plan must be a file name (or empty for the national measures only)")
        values["plan"] = ""
    answers = values["satisfied_answers"]
    if (
        not isinstance(answers, list)
        or not answers
        or not all(isinstance(a, str) and a.strip().casefold() in SURVEY_ANSWERS for a in answers)
    ):
        problems.append(
            f"satisfied_answers must be a list of survey answers ({', '.join(SURVEY_ANSWERS)})"
        )
        answers = list(_BY_NAME["satisfied_answers"].default)
    threshold = values["small_count_threshold"]
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        problems.append("small_count_threshold must be a whole number, 0 or more")
        threshold = 5
    month = values["baseline_period_end"]
    if isinstance(month, str) and not _is_month(month):
        problems.append(f"baseline_period_end {month!r} is not a month in the form YYYY-MM")
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    base = path.parent if path is not None else Path()
    body = values["policing_body"].strip() or _own_body(names["force"], where)
    return Config(
        force=names["force"],
        most_similar_forces=similar,
        also_show=also,
        policing_body=body,
        store=base / values["store"],
        baseline_period_end=month,
        source=source,
        report_style=base / values["report_style"] if values["report_style"].strip() else None,
        plan=base / values["plan"] if values["plan"].strip() else None,
        satisfied_answers=tuple(a.strip().casefold() for a in answers),
        small_count_threshold=threshold,
        commentary=base / values["commentary"] if values["commentary"].strip() else None,
        paper_meeting=values["paper_meeting"].strip(),
        paper_date=values["paper_date"],
        paper_item=values["paper_item"].strip(),
        paper_purpose=values["paper_purpose"].strip(),
        paper_asked_to=values["paper_asked_to"].strip(),
        paper_authors=tuple(values["paper_authors"]),
        paper_contact=values["paper_contact"].strip(),
        statutory_statement=values["statutory_statement"].strip(),
        group_figure=values["group_figure"],
    )


def _own_body(force: str, where: str) -> str:
    try:
        return policing_body(force).name
    except ForcestatError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _force_name(name: str, setting: str, problems: list[str]) -> str:
    try:
        return find_force(name).name
    except ForcestatError as exc:
        problems.append(f"{setting}: {exc}")
        return name


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _is_month(text: str) -> bool:
    parts = text.split("-")
    return (
        len(parts) == 2
        and len(parts[0]) == 4
        and parts[0].isdigit()
        and parts[1].isdigit()
        and len(parts[1]) == 2
        and 1 <= int(parts[1]) <= 12
    )
