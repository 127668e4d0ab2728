"""One file moved to disk: ``.part`` files, Range resumes, atomic renames, the manifest.

Transfers talk to ``OfficialServer`` on 127.0.0.1 serving the bundled Home Office table
(128,830 bytes). Expected sizes and hashes are read from that file with hashlib.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLE
from forcestat.ingest.transfer import (
    MANIFEST_NAME,
    DownloadError,
    Manifest,
    check_http_url,
    fetch_file,
    verify_downloads,
)
from official_server import OfficialServer

PUBLISHED = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
PATH = "/media/5a7f/prc-pfa-tables.csv.gz"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[OfficialServer]:
    root = tmp_path / "site"
    (root / "media" / "5a7f").mkdir(parents=True)
    (root / PATH.lstrip("/")).write_bytes(PUBLISHED.read_bytes())
    with OfficialServer(root) as server:
        yield server


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- fetch_file ------------------------------------------------------------------------


def test_a_whole_transfer_is_renamed_into_place(tmp_path: Path, site: OfficialServer) -> None:
    published = PUBLISHED.read_bytes()
    dest = tmp_path / "out" / "table.csv.gz"
    seen: list[tuple[str, int, int | None]] = []
    action, size, digest = fetch_file(
        site.base_url + PATH, dest, timeout=10, on_progress=lambda *a: seen.append(a)
    )
    assert (action, size, digest) == ("downloaded", len(published), sha256(published))
    assert dest.read_bytes() == published
    assert not dest.with_name("table.csv.gz.part").exists()
    # The last progress call reports every byte of a body whose length was announced.
    assert seen[-1] == ("prc-pfa-tables.csv.gz", len(published), len(published))
    assert site.requests[-1].range is None


def test_a_cut_transfer_keeps_its_part_and_resumes_from_it(
    tmp_path: Path, site: OfficialServer
) -> None:
    published = PUBLISHED.read_bytes()
    dest = tmp_path / "table.csv.gz"
    part = tmp_path / "table.csv.gz.part"
    site.cut_once(PATH, 10_000)
    with pytest.raises(DownloadError, match=r"stopped after 10,000 of 128,830 bytes"):
        fetch_file(site.base_url + PATH, dest, timeout=10)
    assert part.read_bytes() == published[:10_000]
    assert not dest.exists()  # nothing half-written under the real name

    action, size, digest = fetch_file(site.base_url + PATH, dest, timeout=10)
    assert site.requests[-1].range == "bytes=10000-"
    assert (action, size, digest) == ("resumed", len(published), sha256(published))
    assert dest.read_bytes() == published and not part.exists()


def test_a_part_already_whole_is_only_renamed(tmp_path: Path, site: OfficialServer) -> None:
    # A run that stopped between the last byte and the rename: the server answers the
    # Range request with 416 and 'bytes */128830', the .part's own size.
    published = PUBLISHED.read_bytes()
    dest = tmp_path / "table.csv.gz"
    (tmp_path / "table.csv.gz.part").write_bytes(published)
    action, size, _ = fetch_file(site.base_url + PATH, dest, timeout=10)
    assert (action, size) == ("resumed", len(published))
    assert dest.read_bytes() == published
    assert [r.range for r in site.requests] == [f"bytes={len(published)}-"]


def test_a_part_longer_than_the_published_file_is_thrown_away(
    tmp_path: Path, site: OfficialServer
) -> None:
    # 128,831 bytes asked from a 128,830-byte file: 416, and the stale .part goes.
    published = PUBLISHED.read_bytes()
    dest = tmp_path / "table.csv.gz"
    (tmp_path / "table.csv.gz.part").write_bytes(published + b"x")
    action, size, digest = fetch_file(site.base_url + PATH, dest, timeout=10)
    assert (action, size, digest) == ("downloaded", len(published), sha256(published))
    assert [r.range for r in site.requests] == [f"bytes={len(published) + 1}-", None]


def test_not_found_ends_with_the_callers_hint(tmp_path: Path, site: OfficialServer) -> None:
    out = tmp_path / "out"
    with pytest.raises(DownloadError) as caught:
        fetch_file(site.base_url + "/media/gone.ods", out / "x.ods", not_found_hint="look")
    assert str(caught.value) == (
        f"{site.base_url}/media/gone.ods: the server answered HTTP 404 Not Found; look"
    )
    assert list(out.iterdir()) == []  # neither the file nor a .part


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/x", "https:///no-host"])
def test_only_http_addresses_are_fetched(url: str, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="not an http"):
        check_http_url(url, "URL")
    with pytest.raises(DownloadError, match="not an http"):
        fetch_file(url, tmp_path / "x")
    assert not list(tmp_path.iterdir())


# --- the manifest ----------------------------------------------------------------------


def test_manifest_round_trip_and_file_states(tmp_path: Path) -> None:
    kept, edited, deleted = b"a,b\n1,2\n", b"c\n3\n", b"d\n4\n"
    for name, data in (("kept.csv", kept), ("edited.csv", edited), ("deleted.csv", deleted)):
        (tmp_path / name).write_bytes(data)
    manifest = Manifest.load(tmp_path)
    assert (manifest.files, manifest.archives) == ({}, {})
    for name, data in (("kept.csv", kept), ("edited.csv", edited), ("deleted.csv", deleted)):
        manifest.record(name, f"https://h/{name}", len(data), sha256(data))
    manifest.record_archive("2019-06.zip", "https://h/2019-06.zip", 9, "ab", {"b", "a"})
    manifest.save()

    saved = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [e["file"] for e in saved["files"]] == ["deleted.csv", "edited.csv", "kept.csv"]
    assert saved["files"][2]["sha256"] == sha256(kept) and saved["files"][2]["bytes"] == 8
    assert saved["archives"][0]["looked_for"] == ["a", "b"]
    assert not (tmp_path / (MANIFEST_NAME + ".part")).exists()

    (tmp_path / "edited.csv").write_bytes(edited + b"5\n")
    (tmp_path / "deleted.csv").unlink()
    again = Manifest.load(tmp_path)
    states = {f: again.state(f) for f in ("kept.csv", "edited.csv", "deleted.csv", "new.csv")}
    assert states == {
        "kept.csv": "ok",
        "edited.csv": "changed",
        "deleted.csv": "missing",
        "new.csv": "unrecorded",
    }
    assert verify_downloads(tmp_path) == [
        f"{tmp_path / 'deleted.csv'} is missing",
        f"{tmp_path / 'edited.csv'} no longer matches its recorded sha256",
    ]


def test_a_manifest_that_is_not_ours_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(DownloadError, match=r"MANIFEST\.json: not a forcestat download manifest"):
        Manifest.load(tmp_path)
