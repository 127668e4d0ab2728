"""Fetching the official files: police.uk archives, Home Office tables, ONS estimates.

``SOURCES`` declares each publisher's file once. How one file is moved to disk (by way
of a ``.part`` file, resumed with ``Range``, recorded in ``MANIFEST.json``) is
``forcestat.ingest.transfer``; this module decides what to fetch and where it goes. A file
already present whose bytes still match its manifest record is not fetched again, and
one whose bytes no longer match is reported and fetched again.

A police.uk archive holds every force's files for the 36 months up to its own month.
``download_policeuk`` fetches the fewest archives that cover the months asked for,
keeps only the chosen force's members, writes them under names it builds itself
(``YYYY-MM/YYYY-MM-<force>-<kind>.csv``, the layout ``forcestat ingest`` reads) and then
deletes the archive, which is far larger than one force's share of it.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from forcestat.forces import find_force
from forcestat.ingest.editions import fetch_listing, latest_edition

# The transfer names in __all__ are re-exported so callers need one import for a download.
from forcestat.ingest.transfer import (
    DEFAULT_TIMEOUT_SECONDS,
    MANIFEST_NAME,
    DownloadError,
    Manifest,
    ProgressCallback,
    changed_note,
    check_http_url,
    download_progress,
    fetch_file,
    verify_downloads,
)

__all__ = [
    "ARCHIVE_MONTHS",
    "MANIFEST_NAME",
    "POLICEUK_KINDS",
    "SOURCES",
    "ArchivePlan",
    "DownloadError",
    "DownloadReport",
    "FetchedFile",
    "OfficialSource",
    "download_policeuk",
    "download_progress",
    "download_published",
    "download_summary",
    "fetch_file",
    "parse_month",
    "plan_archives",
    "published_file_name",
    "rebase_url",
    "verify_downloads",
]

ARCHIVE_MONTHS = 36  # a police.uk archive for month M holds M and the 35 months before it
POLICEUK_KINDS: tuple[str, ...] = ("street", "outcomes", "stop-and-search")
FIRST_POLICEUK_MONTH = "2010-12"  # police.uk street-level data begins in December 2010
_ARCHIVE_FOLDER = ".archives"
# A monthly CSV for the largest force is tens of MB; a member claiming more is not one.
_MAX_MEMBER_BYTES = 2 << 30
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class OfficialSource:
    """One publisher's file, declared once: where it lives and where it goes locally.

    ``url`` is a template (police.uk, ``{month}``) or the release current when this
    catalogue was written; Home Office and ONS addresses change with each release, so
    users pass the new one with ``--url`` (``release_page`` says where to find it).
    """

    name: str
    title: str
    url: str
    folder: str  # under the output folder; '' for police.uk, whose months are folders
    release_page: str
    fallback_name: str
    # the file names of this table's editions on ``release_page`` (a regular expression):
    # when set, the latest edition listed there is fetched unless --url names one
    edition_pattern: str = ""


SOURCES: dict[str, OfficialSource] = {
    s.name: s
    for s in (
        OfficialSource(
            "policeuk",
            "police.uk monthly archive: street crime, outcomes, stop and search",
            "https://data.police.uk/data/archive/{month}.zip",
            "",
            "https://data.police.uk/data/archive/",
            "policeuk-archive.zip",
        ),
        OfficialSource(
            "homeoffice",
            "Home Office police recorded crime open data tables (force area or CSP)",
            "https://assets.publishing.service.gov.uk/media/679a2aa1a39e422368d10e21/"
            "prc-pfa-mar2013-onwards-tables-300125.ods",
            "homeoffice",
            "https://www.gov.uk/government/statistics/police-recorded-crime-open-data-tables",
            "homeoffice-recorded-crime.ods",
            r"^prc-pfa-.*\.ods$",
        ),
        OfficialSource(
            "ons",
            "ONS Crime in England and Wales: Police Force Area data tables",
            "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/crimeandjustice/"
            "datasets/policeforceareadatatables/current/pfatablesdec19.xlsx",
            "ons",
            "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/"
            "policeforceareadatatables",
            "ons-police-force-area-tables.xlsx",
            r"(pfa|policeforcearea).*\.xlsx?$",
        ),
        OfficialSource(
            "population",
            # Mid-2019: the year the National Crime and Policing Measures baseline ends.
            "ONS mid-year population estimates by local authority",
            "https://www.ons.gov.uk/file?uri=%2fpeoplepopulationandcommunity"
            "%2fpopulationandmigration%2fpopulationestimates%2fdatasets"
            "%2fpopulationestimatesforukenglandandwalesscotlandandnorthernireland"
            "%2fmid2019april2019localauthoritydistrictcodes/ukmidyearestimates20192019ladcodes.xls",
            "population",
            "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
            "populationestimates/datasets/"
            "populationestimatesforukenglandandwalesscotlandandnorthernireland",
            # Used only when a URL names no file; the workbook is Excel 97-2003 (.xls).
            "ons-mid-year-population.xls",
        ),
    )
}


@dataclass(frozen=True)
class FetchedFile:
    """One file in the output folder and what this run did with it."""

    file: str  # relative to the output folder, with '/' separators
    url: str
    action: str  # 'downloaded', 'resumed', 'extracted' or 'skipped'
    bytes: int
    sha256: str


@dataclass
class DownloadReport:
    """What a download run fetched, skipped, found changed or did not find."""

    out: Path
    files: list[FetchedFile] = field(default_factory=list)
    archives: list[FetchedFile] = field(default_factory=list)  # police.uk, now deleted
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    edition: str | None = None  # which edition a listing page gave, in words

    @property
    def next_command(self) -> str:
        return f"forcestat ingest {self.out}"


# --- months and archives -------------------------------------------------------------


def parse_month(text: str, option: str = "month") -> int:
    """A ``YYYY-MM`` month as a count of months since year 0 (so ranges are arithmetic)."""
    m = _MONTH.fullmatch(text.strip())
    if m is None:
        raise DownloadError(f"{option} {text!r} is not a month; write it as YYYY-MM, e.g. 2019-06")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class ArchivePlan:
    """One archive to fetch (``archive_month``) and the months to take from it."""

    archive_month: str
    months: tuple[str, ...]


def plan_archives(first: str, last: str) -> list[ArchivePlan]:
    """The fewest police.uk archives covering ``first``..``last``, oldest first.

    Working back from ``last``: the archive for ``last`` covers it and the 35 months
    before it; the next archive is the month before that window, and so on.

    Example:
        >>> [(p.archive_month, len(p.months)) for p in plan_archives("2016-01", "2019-03")]
        [('2016-03', 3), ('2019-03', 36)]
    """
    start, end = parse_month(first, "--from"), parse_month(last, "--to")
    if start > end:
        raise DownloadError(f"--from {first} is after --to {last}; give the earlier month first")
    if start < parse_month(FIRST_POLICEUK_MONTH):
        raise DownloadError(
            f"--from {first}: police.uk data begins in {FIRST_POLICEUK_MONTH}; choose a later month"
        )
    plans: list[ArchivePlan] = []
    archive = end
    while archive >= start:
        window = range(max(start, archive - ARCHIVE_MONTHS + 1), archive + 1)
        plans.append(ArchivePlan(_month_text(archive), tuple(_month_text(m) for m in window)))
        archive -= ARCHIVE_MONTHS
    return plans[::-1]


# --- addresses -----------------------------------------------------------------------


def rebase_url(url: str, base_url: str | None) -> str:
    """``url`` with its scheme and host replaced by ``base_url``'s (a mirror or test server).

    A path in ``base_url`` is put in front of the URL's own path.

    Example:
        >>> rebase_url("https://data.police.uk/data/archive/2019-06.zip", "http://127.0.0.1:8000/m")
        'http://127.0.0.1:8000/m/data/archive/2019-06.zip'
    """
    check_http_url(url, "URL")
    if base_url is None:
        return url
    base = check_http_url(base_url, "--base-url")
    parts = urlsplit(url)
    return urlunsplit(
        (base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, "")
    )


def published_file_name(url: str, fallback: str) -> str:
    """The publisher's own file name for ``url``, made safe to use as a local name.

    ONS serves files as ``/file?uri=/.../name.xlsx``, so the ``uri`` parameter wins.

    Example:
        >>> published_file_name("https://x/media/ab/prc-pfa-tables-300125.ods", "t.ods")
        'prc-pfa-tables-300125.ods'
    """
    parts = urlsplit(url)
    path = parse_qs(parts.query).get("uri", [parts.path])[0]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(unquote(path)).name).strip(".-")
    return name if name and name != MANIFEST_NAME else fallback


# --- police.uk -----------------------------------------------------------------------


def download_policeuk(
    force: str,
    first: str,
    last: str,
    out: Path,
    *,
    kinds: Sequence[str] = POLICEUK_KINDS,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    on_progress: ProgressCallback | None = None,
) -> DownloadReport:
    """Fetch one force's police.uk files for months ``first``..``last`` into ``out``.

    Example:
        download_policeuk("City of London", "2019-01", "2019-12", Path("downloads"))
        writes downloads/2019-01/2019-01-city-of-london-street.csv and the rest.
    """
    slug = find_force(force).slug
    unknown = [k for k in kinds if k not in POLICEUK_KINDS]
    if unknown or not kinds:
        raise DownloadError(f"kind {unknown!r}: choose from {', '.join(POLICEUK_KINDS)}")
    plans = plan_archives(first, last)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(out)
    report = DownloadReport(out)
    for plan in plans:
        wanted = {f"{m}/{m}-{slug}-{k}.csv": (m, k) for m in plan.months for k in kinds}
        if _already_extracted(manifest, plan, slug, wanted, report):
            continue
        _fetch_archive(manifest, plan, slug, wanted, base_url, timeout, on_progress, report)
    return report


def _looked_for_key(month: str, slug: str, kind: str) -> str:
    return f"{month}/{slug}/{kind}"


def _already_extracted(
    manifest: Manifest,
    plan: ArchivePlan,
    slug: str,
    wanted: dict[str, tuple[str, str]],
    report: DownloadReport,
) -> bool:
    record = manifest.archives.get(f"{plan.archive_month}.zip")
    looked_for = set(record.get("looked_for", [])) if record else set()
    if any(_looked_for_key(m, slug, k) not in looked_for for m, k in wanted.values()):
        return False
    skipped: list[FetchedFile] = []
    absent: list[str] = []
    changed: list[str] = []
    for file in sorted(wanted):
        state = manifest.state(file)
        if state in ("missing", "changed"):
            changed.append(changed_note(file, state))
        elif state == "ok":
            entry = manifest.files[file]
            skipped.append(
                FetchedFile(file, entry["url"], "skipped", entry["bytes"], entry["sha256"])
            )
        else:  # the archive did not hold it when it was fetched
            absent.append(file)
    if changed:
        # The archive is fetched again; extraction reports what it finds then.
        report.changed.extend(changed)
        return False
    report.files.extend(skipped)
    report.missing.extend(absent)
    return True


def _fetch_archive(
    manifest: Manifest,
    plan: ArchivePlan,
    slug: str,
    wanted: dict[str, tuple[str, str]],
    base_url: str | None,
    timeout: float,
    on_progress: ProgressCallback | None,
    report: DownloadReport,
) -> None:
    name = f"{plan.archive_month}.zip"
    url = rebase_url(SOURCES["policeuk"].url.format(month=plan.archive_month), base_url)
    archive = manifest.path.parent / _ARCHIVE_FOLDER / name
    hint = (
        f"police.uk may not have published {plan.archive_month} yet; "
        f"see {SOURCES['policeuk'].release_page}"
    )
    action, size, sha256 = fetch_file(
        url, archive, timeout=timeout, on_progress=on_progress, not_found_hint=hint
    )
    report.archives.append(FetchedFile(f"{_ARCHIVE_FOLDER}/{name}", url, action, size, sha256))
    try:
        found = _extract_members(archive, url, wanted, manifest, report)
    finally:
        manifest.save()  # keep the record of members written before any failure
        # One force's months are a small share of an archive of every force: never keep
        # it (and a broken one must not be reused).
        archive.unlink(missing_ok=True)
        if not any(archive.parent.iterdir()):
            archive.parent.rmdir()
    if not found:
        raise DownloadError(
            f"{url}: the archive holds no files for force '{slug}' in "
            f"{plan.months[0]}..{plan.months[-1]}; check the force and months"
        )
    record = manifest.archives.get(name, {})
    looked_for = set(record.get("looked_for", []))
    looked_for.update(_looked_for_key(m, slug, k) for m, k in wanted.values())
    manifest.record_archive(name, url, size, sha256, looked_for)
    manifest.save()


def _extract_members(
    archive: Path,
    url: str,
    wanted: dict[str, tuple[str, str]],
    manifest: Manifest,
    report: DownloadReport,
) -> int:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DownloadError(
            f"{url}: what the server sent is not a zip archive ({exc}); it has been deleted: "
            "check the address (or --base-url) and try again"
        ) from exc
    found = 0
    with zf:
        # Member names are matched, never used as paths: the file written is always
        # the name built from the month, force and kind.
        by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in zf.infolist():
            if not info.is_dir():
                base = PurePosixPath(info.filename.replace("\\", "/")).name
                by_name.setdefault(base, []).append(info)
        for file in sorted(wanted):
            candidates = by_name.get(PurePosixPath(file).name, [])
            exact = [i for i in candidates if i.filename == file]
            if not exact and len(candidates) > 1:
                names = ", ".join(i.filename for i in candidates)
                raise DownloadError(f"{url}: several members could be {file} ({names})")
            if not candidates:
                report.missing.append(file)
                continue
            member = (exact or candidates)[0]
            state = manifest.state(file)
            note = changed_note(file, state)
            if state in ("missing", "changed") and note not in report.changed:
                report.changed.append(note)
            size, sha256 = _extract_member(zf, member, manifest.path.parent / file, url)
            manifest.record(file, url, size, sha256, member=member.filename)
            report.files.append(FetchedFile(file, url, "extracted", size, sha256))
            found += 1
    return found


def _extract_member(
    zf: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, url: str
) -> tuple[int, str]:
    if member.file_size > _MAX_MEMBER_BYTES:
        raise DownloadError(
            f"{url}!{member.filename}: claims {member.file_size:,} bytes; not a monthly file"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(member) as src, part.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}!{member.filename}: cannot unpack ({exc}); run again") from exc
    os.replace(part, dest)
    return size, digest.hexdigest()


# --- Home Office and ONS -------------------------------------------------------------


def download_published(
    source: str,
    urls: Sequence[str],
    out: Path,
    *,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    on_progress: ProgressCallback | None = None,
) -> DownloadReport:
    """Fetch published files of ``source`` ('homeoffice', 'ons' or 'population') into
    ``out``.

    With no ``urls``, the latest edition linked from the publisher's listing page is
    fetched (Home Office, ONS force tables), or the catalogue's release. Each file
    keeps the publisher's name, under ``out/<source>/``.
    """
    if source not in SOURCES or source == "policeuk":
        raise DownloadError(f"source {source!r}: choose homeoffice, ons or population")
    entry = SOURCES[source]
    edition = None
    if not urls and entry.edition_pattern:
        page = rebase_url(entry.release_page, base_url)
        edition = latest_edition(
            fetch_listing(page, timeout=timeout), entry.release_page, entry.edition_pattern
        )
        urls = [edition.url]
    targets = [rebase_url(given, base_url) for given in urls or [entry.url]]  # check all first
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(out)
    report = DownloadReport(out)
    if edition is not None:
        report.edition = (
            f"latest edition listed on {entry.release_page}: {edition.file_name} "
            f"({edition.date:%B %Y})"
        )
    hint = f"the address changes with each release; find the current one at {entry.release_page}"
    for url in targets:
        file = f"{entry.folder}/{published_file_name(url, entry.fallback_name)}"
        state = manifest.state(file)
        recorded = manifest.files.get(file, {})
        same_source = urlsplit(str(recorded.get("url", ""))).path == urlsplit(url).path
        if state == "ok" and same_source:
            report.files.append(
                FetchedFile(file, url, "skipped", recorded["bytes"], recorded["sha256"])
            )
            continue
        if state in ("missing", "changed"):
            report.changed.append(changed_note(file, state))
        action, size, sha256 = fetch_file(
            url, out / file, timeout=timeout, on_progress=on_progress, not_found_hint=hint
        )
        manifest.record(file, url, size, sha256)
        manifest.save()
        report.files.append(FetchedFile(file, url, action, size, sha256))
    return report


def download_summary(report: DownloadReport) -> list[str]:
    """Lines telling a user what was fetched, skipped, changed and missing, and what next."""
    lines = [report.edition] if report.edition else []
    lines += [
        f"fetched archive {a.url} ({a.bytes:,} bytes, {a.action}); deleted after unpacking"
        for a in report.archives
    ]
    for f in report.files:
        what = (
            "already downloaded, sha256 matches" if f.action == "skipped" else f"{f.bytes:,} bytes"
        )
        lines.append(f"{f.action} {report.out / f.file} ({what})")
    lines += [f"changed: {note}" for note in report.changed]
    lines += [f"not in the archive: {file}" for file in report.missing]
    fetched = sum(f.action != "skipped" for f in report.files)
    lines.append(
        f"{fetched} file(s) fetched, {len(report.files) - fetched} already present; "
        f"checksums in {report.out / MANIFEST_NAME}"
    )
    lines.append(f"next: {report.next_command}")
    return lines
