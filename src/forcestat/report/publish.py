"""Sign-off and publication of a statement.

``forcestat report`` writes a draft, marked "Draft" on every page. Once the draft has
been read and signed off, ``publish_statement`` builds the same statement again from
the store, checks that its tables are the draft's (so what is published is what was
signed off), stamps the publication date, version and signatory into the HTML, the
PDF's metadata and the spreadsheets, writes the set into its own sub-folder of the
published folder the dashboard serves, adds it to the folder's list of publications,
and records the sign-off in the audit log. Publishing a period again makes a new
version; the older one stays listed, as superseded.

Example:
    >>> publish_statement(con, config, period_end=dt.date(2021, 6, 1), drafts=Path("out"),
    ...     published=Path("published"), signed_off_by="Chief Executive")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import duckdb

from forcestat.config import Config
from forcestat.forces import find_force
from forcestat.report.build import build_report
from forcestat.report.context import PublicationStamp
from forcestat.report.errors import ReportError
from forcestat.report.exports import csv_files
from forcestat.report.writer import ReportFiles, report_folder, write_files
from forcestat.store.audit import record_change
from forcestat.store.publications import (
    Publication,
    add_publication,
    next_version,
    publication_folder,
)
from forcestat.store.records import records_beside, records_transaction

__all__ = ["Published", "publish_statement"]

# The cover sheet carries the draft or published status; every other table must match.
_STATUS_SHEET = "cover.csv"


@dataclasses.dataclass(frozen=True)
class Published:
    publication: Publication
    files: ReportFiles


def _differing_tables(draft_csv: Path, built: dict[str, bytes]) -> list[str]:
    differing = []
    for name, data in built.items():
        if name == _STATUS_SHEET:
            continue
        path = draft_csv / name
        if not path.exists() or path.read_bytes() != data:
            differing.append(name)
    return differing


def publish_statement(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    period_end: dt.date,
    drafts: Path,
    published: Path,
    signed_off_by: str,
    force: str | None = None,
    pdf: bool = True,
    now: dt.datetime | None = None,
) -> Published:
    """Publish the signed-off draft of ``force``'s statement for ``period_end``.

    The sign-off goes into the audit log of the records beside the store. Raises ReportError
    when there is no draft, when the store now gives different tables than the draft
    (write and review a new draft), or when ``signed_off_by`` is empty.
    """
    who = " ".join(signed_off_by.split())
    if not who:
        raise ReportError("say who signed the statement off: --signed-off-by 'Name, role'")
    name = find_force(force or config.force).name
    draft = report_folder(drafts, name, period_end)
    if not (draft / "report.html").exists():
        raise ReportError(
            f"{draft}: no draft to publish; write it with 'forcestat report --period "
            f"{period_end:%Y-%m}' and have it signed off first"
        )
    context = build_report(con, config, period_end=period_end, force=name)
    differing = _differing_tables(draft / "csv", csv_files(context))
    if differing:
        raise ReportError(
            f"{draft}: the store now gives different figures than the draft signed off "
            f"({', '.join(differing[:3])}{' ...' if len(differing) > 3 else ''}); write "
            "the draft again with 'forcestat report', review it and publish that"
        )
    when = (now or dt.datetime.now()).replace(microsecond=0)
    published.mkdir(parents=True, exist_ok=True)
    version = next_version(published, name, period_end)
    stamp = PublicationStamp(when.date(), version, who)
    stamped = dataclasses.replace(context, publication=stamp)
    folder = published / publication_folder(find_force(name).slug, period_end, version)
    if folder.exists():
        raise ReportError(f"{folder}: already exists; remove it or restore publications.json")
    files = write_files(stamped, folder, pdf=pdf)
    offered = [p.name for p in (files.html, files.pdf, files.xlsx, files.ods) if p is not None]
    publication = Publication(
        force=name,
        period_end=period_end,
        period_label=context.period_label,
        title=context.title,
        version=version,
        published_on=when.date(),
        signed_off_by=who,
        signed_off_at=when,
        folder=folder.name,
        files=tuple(offered),
    )
    # The sign-off goes into the records beside the store (the dashboard's audit log).
    records = records_beside(con)
    try:
        with records_transaction(records):
            _record_sign_off(records, name, period_end, context.period_label, version, when, who)
            add_publication(published, publication)
    finally:
        records.close()
    return Published(publication, files)


def _record_sign_off(
    records: sqlite3.Connection,
    name: str,
    period_end: dt.date,
    period_label: str,
    version: int,
    when: dt.datetime,
    who: str,
) -> None:
    record_change(
        records,
        actor=who,
        action="statement.publish",
        entity="statement",
        entity_id=f"{find_force(name).slug}-{period_end:%Y-%m}",
        before=None,
        after={
            "force": name,
            "period": period_label,
            "version": version,
            "published_on": when.date().isoformat(),
            "signed_off_by": who,
            "signed_off_at": when.isoformat(),
        },
    )
