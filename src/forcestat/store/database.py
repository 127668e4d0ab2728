"""The store: one DuckDB file holding every loaded row and where it came from.

The schema is versioned. ``MIGRATIONS`` is an ordered list; a store records the
highest version applied in ``schema_version``, and ``open_store`` applies the rest in
one transaction, so a later release opens an older store and upgrades it in place.
A store written by a newer forcestat than this one is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from forcestat.errors import StoreError

__all__ = [
    "MIGRATIONS",
    "Migration",
    "open_store",
    "schema_version",
    "store_version",
    "transaction",
]


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version number, what it does, and its SQL."""

    version: int
    description: str
    sql: str


# Every table that holds loaded rows carries ingest_id (which file) and line_no
# (which line of it), so any figure can be traced back to the published file.
_V1 = """
CREATE SEQUENCE ingest_id_seq START 1;

CREATE TABLE ingest_log (
    ingest_id           INTEGER PRIMARY KEY,
    path                VARCHAR NOT NULL,   -- as given; 'archive.zip!member.csv' inside a zip
    file_name           VARCHAR NOT NULL,
    sha256              VARCHAR NOT NULL,
    part                VARCHAR NOT NULL,   -- sheet name in a spreadsheet, '' otherwise
    layout              VARCHAR NOT NULL,
    rows_read           BIGINT NOT NULL,    -- data rows in the file, header and footer excluded
    rows_loaded         BIGINT NOT NULL,
    rows_rejected       BIGINT NOT NULL,
    rows_skipped        BIGINT NOT NULL,    -- published notes and footers, not data
    rows_replaced       BIGINT NOT NULL,    -- older rows this file superseded
    replaced_ingest_ids INTEGER[] NOT NULL,
    loaded_at           TIMESTAMP NOT NULL,
    forcestat_version   VARCHAR NOT NULL,
    UNIQUE (sha256, part)
);

CREATE TABLE rejects (
    ingest_id INTEGER NOT NULL,
    line_no   BIGINT NOT NULL,
    raw_line  VARCHAR NOT NULL,
    reason    VARCHAR NOT NULL
);

-- police.uk street-level crime and anti-social behaviour (ASB rows have no crime_id).
CREATE TABLE crimes (
    crime_id              VARCHAR,
    month                 DATE NOT NULL,    -- first day of the month
    reported_by           VARCHAR NOT NULL,
    falls_within          VARCHAR NOT NULL,
    longitude             DOUBLE,
    latitude              DOUBLE,
    location              VARCHAR,
    lsoa_code             VARCHAR,
    lsoa_name             VARCHAR,
    crime_type            VARCHAR NOT NULL,
    last_outcome_category VARCHAR,
    context               VARCHAR,
    ingest_id             INTEGER NOT NULL,
    line_no               BIGINT NOT NULL
);

-- police.uk outcomes: one row per outcome recorded against a crime in the month.
CREATE TABLE outcomes (
    crime_id     VARCHAR NOT NULL,
    month        DATE NOT NULL,
    reported_by  VARCHAR NOT NULL,
    falls_within VARCHAR NOT NULL,
    longitude    DOUBLE,
    latitude     DOUBLE,
    location     VARCHAR,
    lsoa_code    VARCHAR,
    lsoa_name    VARCHAR,
    outcome_type VARCHAR NOT NULL,
    ingest_id    INTEGER NOT NULL,
    line_no      BIGINT NOT NULL
);

-- police.uk stop and search. The file carries no force column and its timestamps are
-- UTC, so force and month come from the published file name.
CREATE TABLE stop_search (
    force                        VARCHAR NOT NULL,
    month                        DATE NOT NULL,   -- the month of the published file
    search_type                  VARCHAR NOT NULL,
    searched_at                  TIMESTAMP NOT NULL,  -- UTC
    part_of_policing_operation   BOOLEAN,
    policing_operation           VARCHAR,
    latitude                     DOUBLE,
    longitude                    DOUBLE,
    gender                       VARCHAR,
    age_range                    VARCHAR,
    self_defined_ethnicity       VARCHAR,
    officer_defined_ethnicity    VARCHAR,
    legislation                  VARCHAR,
    object_of_search             VARCHAR,
    outcome                      VARCHAR,
    outcome_linked_to_object     BOOLEAN,
    removal_of_more_than_outer_clothing BOOLEAN,
    ingest_id                    INTEGER NOT NULL,
    line_no                      BIGINT NOT NULL
);

-- Home Office police recorded crime open data: counts by quarter and offence code,
-- for a police force area (csp_name NULL) or a community safety partnership.
CREATE TABLE offence_counts (
    financial_year      VARCHAR NOT NULL,   -- '2017/18'
    financial_quarter   INTEGER NOT NULL,   -- 1 = April to June
    quarter_start       DATE NOT NULL,
    force_name          VARCHAR NOT NULL,   -- as published: 'West Midlands', 'London, City of'
    csp_name            VARCHAR,
    offence_description VARCHAR NOT NULL,
    offence_group       VARCHAR,
    offence_subgroup    VARCHAR,
    offence_code        VARCHAR NOT NULL,
    offences            BIGINT NOT NULL,
    ingest_id           INTEGER NOT NULL,
    line_no             BIGINT NOT NULL
);

CREATE TABLE offence_codes (
    offence_code        VARCHAR NOT NULL,
    offence_description VARCHAR NOT NULL,
    offence_group       VARCHAR,
    offence_subgroup    VARCHAR,
    policeuk_crime_type VARCHAR,
    ingest_id           INTEGER NOT NULL,
    line_no             BIGINT NOT NULL
);

-- Neighbourhood (LSOA) -> MSOA -> local authority -> region -> police force.
CREATE TABLE areas (
    lsoa_code              VARCHAR NOT NULL,
    lsoa_name              VARCHAR,
    msoa_code              VARCHAR,
    msoa_name              VARCHAR,
    local_authority_code   VARCHAR,
    local_authority_name   VARCHAR,
    region_code            VARCHAR,
    region_name            VARCHAR,
    force_name             VARCHAR,            -- as in the lookup; NULL where it names none
    lsoa_geography         VARCHAR NOT NULL,   -- 'LSOA2011' or 'LSOA2021'
    ingest_id              INTEGER NOT NULL,
    line_no                BIGINT NOT NULL
);

CREATE TABLE population (
    area_code       VARCHAR NOT NULL,
    area_name       VARCHAR,
    area_type       VARCHAR NOT NULL,   -- 'LSOA2011', 'LSOA2021', 'local_authority', 'force', ...
    population_year INTEGER NOT NULL,
    persons         BIGINT NOT NULL,
    source          VARCHAR NOT NULL,   -- 'census_2011', 'census_2021', 'ons_mid_year_estimate'
    ingest_id       INTEGER NOT NULL,
    line_no         BIGINT NOT NULL
);
"""

# The dashboard's own records: who may sign in, the Plan's milestones and their dated
# progress updates, and the append-only audit log of every change to them.
_V2 = """
CREATE SEQUENCE user_id_seq START 1;
CREATE SEQUENCE milestone_id_seq START 1;
CREATE SEQUENCE milestone_update_id_seq START 1;
CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,
    email         VARCHAR NOT NULL UNIQUE,   -- lower case
    password_hash VARCHAR NOT NULL,          -- argon2id, with its parameters and salt
    role          VARCHAR NOT NULL,          -- 'viewer', 'editor' or 'admin'
    active        BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

-- Objectives, deliverables and milestones of the Police and Crime Plan, one tree.
CREATE TABLE milestones (
    milestone_id     INTEGER PRIMARY KEY,
    kind             VARCHAR NOT NULL,   -- 'objective', 'deliverable' or 'milestone'
    parent_id        INTEGER,            -- the objective or deliverable it serves
    title            VARCHAR NOT NULL,
    description      VARCHAR NOT NULL,
    lead             VARCHAR NOT NULL,
    review_frequency VARCHAR NOT NULL,   -- 'monthly', 'quarterly', 'six_monthly', 'annual'
    due_date         DATE,
    measure_id       VARCHAR,            -- a catalogue measure it is judged by, if any
    target           VARCHAR,            -- the target in words: '-8% on the previous year'
    status           VARCHAR NOT NULL,
    published        BOOLEAN NOT NULL,   -- drafts are seen by signed-in users only
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE milestone_updates (
    update_id    INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL,
    update_date  DATE NOT NULL,          -- the date the progress is reported as at
    status       VARCHAR NOT NULL,       -- the milestone's status as of this update
    note         VARCHAR NOT NULL,
    author       VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- Append only: rows are inserted, never updated or deleted.
CREATE TABLE audit_log (
    audit_id    INTEGER PRIMARY KEY,
    changed_at  TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,        -- the signed-in email, or 'command line'
    action      VARCHAR NOT NULL,        -- 'milestone.create', 'user.add', ...
    entity      VARCHAR NOT NULL,        -- 'milestone', 'milestone_update', 'user'
    entity_id   VARCHAR NOT NULL,
    before_json VARCHAR,                 -- the record before the change, JSON text
    after_json  VARCHAR                  -- the record after it, JSON text
);
"""

# Rebases of process behaviour charts: an analyst's decision, recorded with who, when and
# why, that a measure's limits for an area are recalculated from a month. Withdrawing one
# keeps the row (with who withdrew it and why); the audit log holds both changes.
_V3 = """
CREATE SEQUENCE spc_rebase_id_seq START 1;

CREATE TABLE spc_rebases (
    rebase_id        INTEGER PRIMARY KEY,
    measure_id       VARCHAR NOT NULL,
    area             VARCHAR NOT NULL,   -- the force, as 'forcestat forces' names it
    month            DATE NOT NULL,      -- first month of the new segment
    reason           VARCHAR NOT NULL,
    recorded_by      VARCHAR NOT NULL,
    recorded_at      TIMESTAMP NOT NULL,
    withdrawn_by     VARCHAR,
    withdrawn_at     TIMESTAMP,
    withdrawn_reason VARCHAR
);
"""

# Published force-level figures: rolling 12-month totals, rates and knife crime by area
# and offence group, from the ONS police force area data tables and the Home Office
# rolling-totals file. One row per source, period, area, series and unit; a figure ONS
# does not give is a row with no value and the published reason.
_V4 = """
CREATE TABLE force_figures (
    source        VARCHAR NOT NULL,   -- 'ons_pfa_tables', 'homeoffice_rolling_totals'
    table_name    VARCHAR,            -- 'Table P1', 'rec-crime-pfa'
    period_end    DATE NOT NULL,      -- first day of the last month of the period
    months        INTEGER NOT NULL,   -- months the figure covers (12: a rolling year)
    area_code     VARCHAR,            -- ONS code (K04, E92, W92, E12, E23, W15)
    area_name     VARCHAR NOT NULL,   -- as published, footnote digits removed
    area_type     VARCHAR NOT NULL,   -- 'country', 'region', 'force', 'other'
    force_name    VARCHAR,            -- forcestat's force name; NULL for other areas
    series        VARCHAR NOT NULL,   -- offence group as published ('Robbery', ...)
    unit          VARCHAR NOT NULL,   -- 'count', 'rate_per_1000', 'rate_per_100000', ...
    value         DOUBLE,             -- NULL when not available
    not_available VARCHAR,            -- why there is no value, as published
    note          VARCHAR,            -- a published footnote on the figure
    ingest_id     INTEGER NOT NULL,
    line_no       BIGINT NOT NULL
);
"""

# Local extracts: any indicator a policing body holds by area and period, and the
# victim survey's responses one by one. Both keep the area as forcestat names it, with
# its ONS code and the force it lies in, so a figure can be drawn for either.
_V5 = """
CREATE TABLE indicators (
    indicator       VARCHAR NOT NULL,   -- the id the catalogue refers to
    area            VARCHAR NOT NULL,   -- a force or local authority, as forcestat names it
    area_code       VARCHAR,            -- ONS code of a local authority; NULL for a force
    area_type       VARCHAR NOT NULL,   -- 'force' or 'local_authority'
    force_name      VARCHAR,            -- the force the area lies in
    period          VARCHAR NOT NULL,   -- as published: '2020-03', '2020-Q1', '2019/20', '2020'
    period_type     VARCHAR NOT NULL,   -- 'month', 'quarter', 'financial_year' or 'year'
    first_month     DATE NOT NULL,
    last_month      DATE NOT NULL,
    numerator       BIGINT,             -- a count, or a proportion's successes
    denominator     BIGINT,             -- a proportion's trials, or the items a mean is of
    value           DOUBLE,             -- a mean (an average answer time in seconds)
    breakdown       VARCHAR NOT NULL,   -- '' for the total
    breakdown_value VARCHAR NOT NULL,   -- '' for the total
    note            VARCHAR NOT NULL,
    ingest_id       INTEGER NOT NULL,
    line_no         BIGINT NOT NULL
);

-- One row per completed victim survey; the answer is kept as given (in words), and
-- which answers count as satisfied is a setting applied when measuring.
CREATE TABLE survey_responses (
    response_id     VARCHAR NOT NULL,
    month           DATE NOT NULL,      -- the month the case closed
    offence_group   VARCHAR NOT NULL,
    area            VARCHAR NOT NULL,
    area_code       VARCHAR,
    area_type       VARCHAR NOT NULL,
    force_name      VARCHAR,
    domestic_abuse  BOOLEAN NOT NULL,
    satisfaction    VARCHAR NOT NULL,   -- 'completely satisfied' .. 'completely dissatisfied', 'yes', 'no'
    ingest_id       INTEGER NOT NULL,
    line_no         BIGINT NOT NULL
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "ingest log, rejects and the published source tables", _V1),
    Migration(2, "dashboard users, Plan milestones, progress updates and audit log", _V2),
    Migration(3, "recorded rebases of process behaviour charts", _V3),
    Migration(4, "published force-level figures (ONS data tables, rolling totals)", _V4),
    Migration(5, "local indicators and victim survey responses", _V5),
)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this store (0 for a new, empty file)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed if it ends normally, rolled back
    (and the error raised again) if anything in it fails.

    Example:
        >>> with transaction(con):  # doctest: +SKIP
        ...     con.execute("DELETE FROM ...")
        ...     con.execute("INSERT INTO ...")
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def migrate(
    con: duckdb.DuckDBPyConnection, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Apply every migration newer than the store's version, in one transaction.

    Returns the versions applied. Refuses a store newer than ``migrations`` knows.
    """
    current = schema_version(con)
    known = max((m.version for m in migrations), default=0)
    if current > known:
        raise StoreError(
            f"this store is at schema version {current} but this forcestat knows only up to "
            f"{known}: upgrade forcestat to open it"
        )
    pending = [m for m in sorted(migrations, key=lambda m: m.version) if m.version > current]
    if not pending:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
        )
        for m in pending:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)",
                [m.version, m.description],
            )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise StoreError(f"could not upgrade the store: {exc}") from exc
    return [m.version for m in pending]


def open_store(
    path: str | Path, *, read_only: bool = False, migrations: Sequence[Migration] = MIGRATIONS
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the DuckDB store at ``path`` and bring its schema up to date.

    Example:
        >>> con = open_store("forcestat.duckdb")  # doctest: +SKIP
        >>> con.sql("SELECT count(*) FROM crimes").fetchone()  # doctest: +SKIP
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"{path}: no store here; run 'forcestat ingest' first")
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a folder, not a DuckDB store file")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        if "Conflicting lock" in str(exc):
            # DuckDB lets one process write a file, or many read it, not both.
            holder = re.search(r"\(PID (\d+)\)", str(exc))
            who = f" (process {holder.group(1)})" if holder else ""
            raise StoreError(
                f"{path}: another program has the store open{who}, such as a load or "
                "report still running, or a 'forcestat serve' of an earlier release; let "
                "it finish or stop it, then run this again"
            ) from exc
        raise StoreError(f"{path}: cannot open as a DuckDB store: {exc}") from exc
    if read_only:
        version = schema_version(con)
        known = max(m.version for m in migrations)
        if version == known:
            return con
        con.close()
        if version > known:
            raise StoreError(
                f"{path}: store is at schema version {version} but this forcestat knows only "
                f"up to {known}: upgrade forcestat to open it"
            )
        # A store from an earlier release: upgrade it once, then read as asked.
        open_store(path, migrations=migrations).close()
        return open_store(path, read_only=True, migrations=migrations)
    migrate(con, migrations)
    return con


def store_version(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """What cached views depend on: the latest ingest id (it changes whenever a file is
    loaded) and the number of rebases recorded and withdrawn (each redraws a chart)."""
    row = con.execute(
        "SELECT (SELECT coalesce(max(ingest_id), 0) FROM ingest_log), "
        "count(*), count(withdrawn_at) FROM spc_rebases"
    ).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
