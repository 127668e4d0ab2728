"""How a policing body restyles its report: name, logo, colours and fixed wording.

The standard style lives in ``templates/style.toml`` inside the package. A policing
body names a file of its own in the ``report_style`` setting of forcestat.toml; any key
it sets replaces the standard one and the rest are kept. Every problem in the file is
reported at once, each with the file and key.

Colours must be six-digit hex (so nothing but a colour reaches the style sheet) and
readable on white; the logo is read from a local file and embedded as a data URI, so
the report never fetches it.

Example:
    >>> style = load_branding(Path("brand.toml"), policing_body="West Midlands PCC")  # doctest: +SKIP
    >>> style.colours.accent  # doctest: +SKIP
    '#1D4F91'
"""

from __future__ import annotations

import base64
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from forcestat.errors import ConfigError

__all__ = [
    "LOGO_TYPES",
    "MAX_LOGO_BYTES",
    "MIN_CONTRAST",
    "STANDARD_STYLE",
    "Branding",
    "Colours",
    "Wording",
    "contrast_ratio",
    "fill_placeholders",
    "load_branding",
]

STANDARD_STYLE = Path(__file__).with_name("templates") / "style.toml"

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
MAX_LOGO_BYTES = 1_000_000
# WCAG 2.2 AA for body text.
MIN_CONTRAST = 4.5

_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_PLACEHOLDER = re.compile(r"\{(policing_body|force|period|baseline)\}")


@dataclass(frozen=True)
class Colours:
    """The report's colours, each '#RRGGBB'. Chart colours are fixed by
    ``forcestat.spc.palette`` so that their meaning never changes between bodies."""

    accent: str
    text: str
    muted: str
    table_header: str


@dataclass(frozen=True)
class Wording:
    """The fixed paragraphs, each a tuple of paragraphs (placeholders not yet filled)."""

    title: tuple[str, ...]
    introduction: tuple[str, ...]
    about_variation: tuple[str, ...]
    not_measured: tuple[str, ...]
    scorecard: tuple[str, ...]
    methods: tuple[str, ...]
    licence: tuple[str, ...]
    contact: tuple[str, ...]


@dataclass(frozen=True)
class Branding:
    """Everything a policing body can change without editing forcestat."""

    name: str
    logo_data_uri: str | None
    logo_alt: str
    colours: Colours
    wording: Wording
    source: Path | None  # the body's own style file; None for the standard style


def contrast_ratio(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace {policing_body}, {force}, {period} and {baseline} in ``text``; any other
    brace is left as written (wording is never run through ``str.format``)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _paragraphs(text: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; line breaks inside one are spaces."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(block.split()) for block in blocks if block.strip())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: report style file not found; fix the report_style setting"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def _logo_data_uri(path: Path, problems: list[str]) -> str | None:
    media_type = LOGO_TYPES.get(path.suffix.lower())
    if media_type is None:
        problems.append(f"logo {path.name!r}: use a {', '.join(sorted(LOGO_TYPES))} file")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(f"logo {str(path)!r}: cannot be read ({exc.strerror or exc})")
        return None
    if len(data) > MAX_LOGO_BYTES:
        problems.append(
            f"logo {path.name!r} is {len(data):,} bytes; keep it under {MAX_LOGO_BYTES:,}"
        )
        return None
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _merge_section(
    name: str, standard: dict[str, Any], own: Any, problems: list[str]
) -> dict[str, Any]:
    merged = dict(standard)
    if own is None:
        return merged
    if not isinstance(own, dict):
        problems.append(f"[{name}] must be a table of keys")
        return merged
    for key, value in own.items():
        if key not in standard:
            problems.append(f"unknown key {name}.{key} (known: {', '.join(standard)})")
        elif not isinstance(value, str):
            problems.append(f"{name}.{key} must be text")
        else:
            merged[key] = value
    return merged


def load_branding(path: Path | None, *, policing_body: str) -> Branding:
    """The standard style with the policing body's file (if any) laid over it.

    Raises ConfigError listing every problem in ``path``: unknown keys, colours that
    are not '#RRGGBB' or not readable on white, a logo that is missing or too large.
    """
    standard = _read_toml(STANDARD_STYLE)
    own = _read_toml(path) if path is not None else {}
    where = str(path) if path is not None else str(STANDARD_STYLE)
    problems: list[str] = []
    top = {k: v for k, v in standard.items() if not isinstance(v, dict)}
    for key, value in own.items():
        if key in ("colours", "wording"):
            continue
        if key not in top:
            known = ", ".join([*top, "colours", "wording"])
            problems.append(f"unknown key {key!r} (known: {known})")
        elif not isinstance(value, str):
            problems.append(f"{key} must be text")
        else:
            top[key] = value
    colours = _merge_section("colours", standard["colours"], own.get("colours"), problems)
    for key, value in colours.items():
        if not _HEX_COLOUR.fullmatch(value):
            problems.append(f"colours.{key} {value!r} is not a colour written as #RRGGBB")
        elif key in ("accent", "text", "muted") and contrast_ratio(value) < MIN_CONTRAST:
            problems.append(
                f"colours.{key} {value} has a contrast of {contrast_ratio(value):.1f}:1 on "
                f"white; text needs at least {MIN_CONTRAST}:1, so choose a darker colour"
            )
        elif key == "table_header" and contrast_ratio(colours["text"], value) < MIN_CONTRAST:
            problems.append(
                f"colours.table_header {value} is too dark for the body text on it; "
                "choose a lighter colour"
            )
    wording = _merge_section("wording", standard["wording"], own.get("wording"), problems)
    logo_uri = None
    if top["logo"].strip():
        base = path.parent if path is not None else STANDARD_STYLE.parent
        logo_uri = _logo_data_uri(base / top["logo"], problems)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    name = " ".join(top["name"].split()) or policing_body
    return Branding(
        name=name,
        logo_data_uri=logo_uri,
        logo_alt=" ".join(top["logo_alt"].split()) or name,
        colours=Colours(**{f.name: colours[f.name].upper() for f in fields(Colours)}),
        wording=Wording(**{f.name: _paragraphs(wording[f.name]) for f in fields(Wording)}),
        source=path,
    )
