"""Archives are extracted within limits: a zip bomb is refused before anything of it is
written or held in memory, with the reason in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import STREET
from forcestat.ingest.archives import ArchiveLimits, human_size
from forcestat.ingest.inputs import discover

SRC = Path(__file__).resolve().parents[2] / "src"
GIB = 1024**3


def _zeros_zip(path: Path, size: int) -> None:
    """A zip holding one CSV-named member of ``size`` zero bytes, written in 1 MiB
    pieces so that building it costs little memory."""
    info = zipfile.ZipInfo("2019-01-city-of-london-street.csv", date_time=(2019, 2, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    piece = bytes(1 << 20)
    with (
        zipfile.ZipFile(path, "w", compresslevel=1) as zf,
        zf.open(info, "w", force_zip64=True) as member,
    ):
        for _ in range(size // len(piece)):
            member.write(piece)


def test_human_sizes() -> None:
    assert [human_size(n) for n in (512, 128 * 1024, 1536 * 1024, GIB)] == [
        "512 bytes",
        "128 KiB",
        "1.5 MiB",
        "1 GiB",
    ]


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "street.zip"
    _zeros_zip(path, GIB)
    return path


def test_a_gibibyte_of_zeros_is_refused_before_extraction(bomb: Path, tmp_path: Path) -> None:
    # Found in use: 1 GiB of zeros from a 1 MB zip took 2.3 GB of memory, then a traceback.
    with zipfile.ZipFile(bomb) as zf:
        [info] = zf.infolist()
    assert info.file_size == GIB
    ratio = GIB / info.compress_size  # about a thousand
    assert ratio > 100
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(temp)}

    load = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from forcestat.cli import main; main()",
            "ingest",
            "--store",
            str(tmp_path / "s.duckdb"),
            str(bomb),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = load.communicate(timeout=300)

    assert load.returncode == 1
    assert err.splitlines()[0] == (
        f"Error: {bomb}!2019-01-city-of-london-street.csv: would expand {ratio:,.0f} times "
        f"({human_size(info.compress_size)} to 1 GiB), more than the 100 times of any "
        "published data file; nothing was extracted: a damaged or hostile archive (a zip bomb)?"
    )
    assert "Traceback" not in err + out
    assert list(temp.iterdir()) == []  # nothing extracted, and the folder removed


def test_the_peak_memory_of_refusing_a_bomb_is_small(bomb: Path) -> None:
    code = (
        "import sys\n"
        "from forcestat.ingest.inputs import discover\n"
        "with discover(sys.argv[1]) as found:\n"
        "    print(found.unloadable[0].reason.split(': ')[1])\n"
        # VmHWM: the peak resident memory of this program (ru_maxrss would also count
        # the test runner it was forked from).
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(bomb)],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        check=True,
    )
    reason, peak_kib = done.stdout.splitlines()
    assert reason.startswith("would expand")
    assert int(peak_kib) < 300 * 1024  # the interpreter and forcestat, not the gibibyte


def test_too_many_members_and_too_much_in_total_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "street.zip"
    months = sorted(STREET.iterdir())[:3]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in months:
            zf.write(f, f.name)
    with zipfile.ZipFile(archive) as zf:
        total = sum(m.file_size for m in zf.infolist())

    with discover(archive, ArchiveLimits(members=2)) as too_many:
        pass
    with discover(archive, ArchiveLimits(total_bytes=total - 1)) as too_big:
        pass
    with discover(archive, ArchiveLimits(total_bytes=total)) as fits:
        pass

    assert [u.reason for u in too_many.unloadable] == [
        f"{archive}: holds 3 entries, more than the 2 forcestat extracts from one archive; "
        "nothing was extracted: unzip it yourself and load the folder"
    ]
    assert too_many.sources == []
    assert [u.reason for u in too_big.unloadable] == [
        f"{archive}: would expand to {human_size(total)}, more than the "
        f"{human_size(total - 1)} forcestat extracts from one archive; nothing was "
        "extracted: unzip it yourself and load the folder"
    ]
    assert [s.name for s in fits.sources] == [f.name for f in months]
    assert fits.unloadable == []
