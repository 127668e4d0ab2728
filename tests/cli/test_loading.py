"""Loading from the command line when files are bad, strange or too big, or the disk
fills: every failure one line naming the file, the others loaded, the exit status 1."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import STOP_SEARCH, STREET
from forcestat.cli import cli

SRC = Path(__file__).resolve().parents[2] / "src"
FORCESTAT = [sys.executable, "-c", "from forcestat.cli import main; main()"]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner(env={"COLUMNS": "200"})


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error: ")]


def test_a_truncated_gzip_and_an_over_long_header_do_not_stop_the_good_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Found in use: one truncated file stopped the whole folder while the message said
    # "the others were"; a 200 KB first line gave a traceback.
    data = tmp_path / "data"
    data.mkdir()
    for month in ("2019-01", "2019-02"):
        shutil.copy(STREET / f"{month}-city-of-london-street.csv.gz", data)
    whole = (STREET / "2019-03-city-of-london-street.csv.gz").read_bytes()
    truncated = data / "2019-03-city-of-london-street.csv.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    long_header = data / "long-header.csv"
    long_header.write_text("a" * 200_000 + ",b\n1,2\n", encoding="utf-8")

    result = runner.invoke(cli, ["ingest", str(data)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"2 file(s) loaded, 0 already loaded, {617 + 688:,} rows added" in result.output
    # Each failure named at the end, after the summary, then the count.
    assert _errors(result.output) == [
        f"Error: {truncated}: gzip file is truncated (ends before its data does)",
        f"Error: {long_header}: line 1 (the header) is longer than 128 KiB, and no layout "
        "forcestat knows has a header that long; is this a published data file?",
        "Error: 2 of 4 file(s) failed and were not loaded (each named above); "
        "the other 2 loaded or were loaded already",
    ]
    assert result.output.index("rows added") < result.output.index("Error: ")


def test_over_long_lines_and_fields_are_one_line_each(runner: CliRunner, tmp_path: Path) -> None:
    with gzip.open(STREET / "2019-01-city-of-london-street.csv.gz", "rt") as fh:
        header, row = fh.readlines()[:2]
    width = header.count(",") + 1
    long_line = tmp_path / "2019-01-city-of-london-street.csv"
    long_line.write_text(header + row + "," * 2_000_000 + "\n" + row, encoding="utf-8")
    # A quoted field over csv's 128 KiB limit, on a line DuckDB's reader refuses too.
    long_field = tmp_path / "2019-02-city-of-london-street.csv"
    field = '"' + "x\n" * 70_000 + '"'
    long_field.write_text(header + row + field + "," * (width - 1) + "\n", encoding="utf-8")

    result = runner.invoke(cli, ["ingest", str(long_line), str(long_field)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert _errors(result.output) == [
        f"Error: {long_line}: line 3 is longer than 1 MiB, which no published layout has; "
        "nothing from the file was loaded: is this a published data file?",
        f"Error: {long_field}: line 3: a field is longer than 131,072 characters, which no "
        "published layout has; nothing from the file was loaded: is this a published data "
        "file?",
        "Error: 2 of 2 file(s) failed and were not loaded (each named above)",
    ]


def test_a_fifo_and_a_link_to_a_device_are_skipped_unread(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Found in use: a FIFO or a link to /dev/zero named *.csv hung the load for ever.
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(STREET / "2019-01-city-of-london-street.csv.gz", data)
    fifo = data / "pipe.csv"
    os.mkfifo(fifo)
    zero = data / "zeros.csv"
    zero.symlink_to("/dev/zero")

    result = runner.invoke(cli, ["ingest", str(data)])
    alone = runner.invoke(cli, ["ingest", str(fifo)])

    assert result.exit_code == 1
    assert "1 file(s) loaded" in result.output and "617 rows added" in result.output
    assert _errors(result.output) == [
        f"Error: {fifo}: a named pipe (FIFO), not an ordinary file, so it was not read; "
        "forcestat loads only ordinary files",
        f"Error: {zero}: a character device (a link to /dev/zero), not an ordinary file, so "
        "it was not read; forcestat loads only ordinary files",
        "Error: 2 of 3 file(s) failed and were not loaded (each named above); "
        "the other 1 loaded or were loaded already",
    ]
    assert alone.exit_code == 1
    assert _errors(alone.output)[0] == (
        f"Error: {fifo}: a named pipe (FIFO), not an ordinary file, so it was not read; "
        "forcestat loads only ordinary files"
    )


def _can_mount_tmpfs(tmp_path: Path) -> list[str] | None:
    """How to run a shell with a private tmpfs: as root directly, else in a user
    namespace (unshare -rm); None when neither works here."""
    probe = tmp_path / "probe"
    probe.mkdir()
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        if shutil.which(prefix[0]) is None:
            return None
        done = subprocess.run(
            [*prefix, "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {probe}"],
            capture_output=True,
        )
        if done.returncode == 0:
            return prefix
    return None


def test_a_full_disk_is_one_line_keeps_nothing_of_the_file_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    # Found in use: a full disk gave six chained tracebacks ending "cannot rollback - no
    # transaction is active". The store lives on a real 64 MiB file system, filled up.
    prefix = _can_mount_tmpfs(tmp_path)
    if prefix is None:
        pytest.skip("cannot mount a tmpfs here (neither root nor user namespaces)")
    disk = tmp_path / "disk"
    disk.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    run = " ".join(f"'{part}'" for part in FORCESTAT)
    first = STOP_SEARCH / "2018-01-city-of-london-stop-and-search.csv.gz"
    script = f"""
set -u
mount -t tmpfs -o size=64m tmpfs {disk}
{run} ingest --store {disk}/s.duckdb {first} > {logs}/first.out 2>&1
free=$(df --output=avail -B1 {disk} | tail -1)
fallocate -l $((free - 64 * 1024)) {disk}/filler
{run} ingest --store {disk}/s.duckdb {STREET} > {logs}/full.out 2> {logs}/full.err
echo $? > {logs}/full.status
cp {disk}/s.duckdb {logs}/after-full.duckdb
rm {disk}/filler
{run} ingest --store {disk}/s.duckdb {STREET} > {logs}/again.out 2>&1
echo $? > {logs}/again.status
cp {disk}/s.duckdb {logs}/after-again.duckdb
"""
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "200"}
    subprocess.run([*prefix, "sh", "-c", script], env=env, check=True, timeout=600)

    errors = (logs / "full.err").read_text()
    assert (logs / "full.status").read_text().strip() == "1", errors
    assert "Traceback" not in errors
    [line] = errors.splitlines()
    found = re.fullmatch(
        r"Error: no space left on device: nothing from (.+?)(?: \(and \d+ more\))? was kept; "
        r"free space and run again",
        line,
    )
    assert found, line
    named = found.group(1).split(", ")
    assert all(Path(n).parent == STREET for n in named), named
    with duckdb.connect(str(logs / "after-full.duckdb"), read_only=True) as con:
        kept = {r[0] for r in con.execute("SELECT path FROM ingest_log").fetchall()}
    assert not kept & set(named)  # nothing of the file (or files) named was kept

    assert (logs / "again.status").read_text().strip() == "0", (logs / "again.out").read_text()
    with duckdb.connect(str(logs / "after-again.duckdb"), read_only=True) as con:
        files, crimes = con.execute(
            "SELECT count(*), sum(rows_loaded) FROM ingest_log WHERE layout = 'policeuk_street'"
        ).fetchone()
        rows = con.execute("SELECT count(*) FROM crimes").fetchone()
        per_file = con.execute(
            "SELECT count(*) FROM (SELECT ingest_id, line_no FROM crimes "
            "GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()
    assert files == 60  # every street file, each once
    assert rows == (crimes,)  # no row twice, none missing
    assert per_file == (0,)


def test_a_killed_load_leaves_its_temporary_folder_and_the_next_load_removes_it(
    tmp_path: Path,
) -> None:
    # Found in use: a killed load left its temporary folder (831 MB once) for good.
    import zipfile

    archive = tmp_path / "street.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(STREET.iterdir()):
            zf.writestr(f.name.removesuffix(".gz"), gzip.decompress(f.read_bytes()))
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(temp)}
    load = subprocess.Popen(
        [*FORCESTAT, "ingest", "--store", str(tmp_path / "s.duckdb"), str(archive)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folders: list[Path] = []
    while load.poll() is None and not any(
        f.name.endswith(".csv") for d in folders for f in d.iterdir()
    ):
        folders = list(temp.glob("forcestat-load-*"))
        time.sleep(0.005)
    os.kill(load.pid, signal.SIGKILL)
    load.wait()
    assert load.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    [stale] = folders
    assert stale.is_dir()

    again = subprocess.run(
        [*FORCESTAT, "ingest", "--store", str(tmp_path / "s.duckdb"), str(STOP_SEARCH)],
        env=env,
        capture_output=True,
        text=True,
    )

    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert list(temp.iterdir()) == []  # and its own folder is gone too


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_ends_a_load_and_removes_its_temporary_folder(
    tmp_path: Path, stop: signal.Signals
) -> None:
    archive = tmp_path / "street.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(STREET.iterdir()):
            zf.writestr(f.name.removesuffix(".gz"), gzip.decompress(f.read_bytes()))
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(temp)}
    load = subprocess.Popen(
        [*FORCESTAT, "ingest", "--store", str(tmp_path / "s.duckdb"), str(archive)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    while load.poll() is None and not list(temp.glob("forcestat-load-*")):
        time.sleep(0.005)
    load.send_signal(stop)
    _, err = load.communicate(timeout=120)
    # Stopped by the signal, or finished just before it (then the default handler, back
    # in place, ends the process): either way no folder may be left.
    assert load.returncode in (0, 128 + stop, -stop), err
    assert "Traceback" not in err
    assert list(temp.iterdir()) == []


def _street_lines(month: str) -> list[str]:
    with gzip.open(STREET / f"{month}-city-of-london-street.csv.gz", "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def test_rejects_show_control_characters_escaped(runner: CliRunner, tmp_path: Path) -> None:
    # Found in use: 'forcestat rejects' printed terminal escape sequences from data raw.
    header, row = _street_lines("2019-06")[:2]
    fields = row.split(",")
    fields[6] = "On or near Bank\u202e"
    fields[9] = '"Burgl\x1b[2J\x1b]0;owned\x07ary\r"'  # quoted: a CR is data there
    hostile = ",".join(fields)
    f = tmp_path / "2019-06-city-of-london-street.csv"
    f.write_text(f"{header}\n{row}\n{hostile}\n", encoding="utf-8")

    loaded = runner.invoke(cli, ["ingest", str(f)])
    assert loaded.exit_code == 0, loaded.output
    result = runner.invoke(cli, ["rejects"])

    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\r" not in result.output and "\u202e" not in result.output
    shown = hostile.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\r", "\\r")
    shown = shown.replace("\u202e", "\\u202e")
    assert result.output.splitlines() == [
        f"{f}:3: Crime type is not a police.uk crime type",
        f"    {shown}",
    ]


def test_a_republished_month_that_shrinks_by_over_a_tenth_needs_replace(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Found in use: a 20-row file silently replaced the 628 rows of its month.
    lines = _street_lines("2019-06")
    published = len(lines) - 1
    first = tmp_path / "published" / "2019-06-city-of-london-street.csv"
    first.parent.mkdir()
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    short = tmp_path / "republished" / "2019-06-city-of-london-street.csv"
    short.parent.mkdir()
    short.write_text("\n".join(lines[:21]) + "\n", encoding="utf-8")
    assert runner.invoke(cli, ["ingest", str(first)]).exit_code == 0

    refused = runner.invoke(cli, ["ingest", str(short)])
    replaced = runner.invoke(cli, ["ingest", "--replace", str(short)])

    assert refused.exit_code == 1
    assert _errors(refused.output)[0] == (
        f"Error: {short}: would replace {published:,} rows of City of London Police, 2019-06 "
        "with 20; a republished month that shrinks by more than 10% is refused, so nothing "
        "was loaded: if the publisher did withdraw those rows, load it again with --replace"
    )
    assert replaced.exit_code == 0, replaced.output
    assert f"replaced {published:,} rows of earlier file(s) (ingest 1)" in replaced.output


def test_rows_in_the_future_or_far_from_the_files_month_are_rejected(
    runner: CliRunner, tmp_path: Path
) -> None:
    header, row, *_ = _street_lines("2019-06")
    future = row.replace(",2019-06,", ",2999-06,", 1)
    far = row.replace(",2019-06,", ",2019-03,", 1)
    near = row.replace(",2019-06,", ",2019-07,", 1)  # a month away: kept
    f = tmp_path / "2019-06-city-of-london-street.csv"
    f.write_text("\n".join([header, row, future, far, near]) + "\n", encoding="utf-8")

    result = runner.invoke(cli, ["ingest", str(f)])

    assert result.exit_code == 0, result.output
    assert "2 of 4 rows rejected" in result.output
    assert "  line 3: Month is in the future" in result.output
    assert "  line 4: Month is more than a month from the month in the file name" in result.output


def test_a_file_of_another_force_loads_and_the_summary_says_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "forcestat.toml").write_text('force = "West Midlands"\n', encoding="utf-8")
    f = STREET / "2019-06-city-of-london-street.csv.gz"

    result = runner.invoke(cli, ["ingest", str(f)])

    assert result.exit_code == 0, result.output
    assert "1 file(s) loaded" in result.output
    assert (
        "Loaded rows of City of London, not the configured force (West Midlands), "
        f"from {f}" in result.output
    )
