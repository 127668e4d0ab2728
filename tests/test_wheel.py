"""The built wheel, installed alone, serves the dashboard: no checkout, no npm.

The wheel is built from a copy of the sources (so the checkout gains no build folders),
installed with its dependencies, pinned by constraints.txt, into a fresh virtual
environment that sees none of this one's packages (pip reuses the wheels it has cached),
and its own ``forcestat`` loads a small file and serves it. The page and GOV.UK
Frontend's stylesheet and font come from the installed package.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_FILE = (
    REPO / "data/sample/policeuk/stop-and-search/2018-01-city-of-london-stop-and-search.csv.gz"
)


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("content-type", ""), response.read()


def test_installed_wheel_serves_the_dashboard_with_govuk_frontend(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source], tmp_path)
    (wheel,) = wheels.glob("forcestat-*.whl")
    with zipfile.ZipFile(wheel) as built:
        shipped = {n for n in built.namelist() if "/govuk_frontend/" in n}
    assert "forcestat/web/govuk_frontend/LICENCE.txt" in shipped
    assert "forcestat/web/govuk_frontend/VERSION" in shipped

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path)
    bin_dir = venv / "bin"
    # Nothing of this environment may leak in: a clean PATH and no PYTHONPATH.
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": os.environ.get("HOME", str(tmp_path))}
    _run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "-c", REPO / "constraints.txt", wheel],
        tmp_path,
        env,
    )
    where = _run(
        [bin_dir / "python", "-c", "import forcestat; print(forcestat.__file__)"], tmp_path, env
    )
    assert Path(where.strip()).is_relative_to(venv), where
    project = tmp_path / "project"
    project.mkdir()
    store = project / "small.duckdb"
    _run([bin_dir / "forcestat", "ingest", "--store", store, SAMPLE_FILE], project, env)

    port = _free_port()
    server = subprocess.Popen(
        [bin_dir / "forcestat", "serve", "--store", store, "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = None
        for _ in range(600):
            if server.poll() is not None:
                break
            try:
                page = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert page is not None, f"forcestat serve did not answer: {server.stdout}"
        status, content_type, body = page
        assert status == 200 and content_type.startswith("text/html")
        assert b'href="/govuk-frontend/govuk-frontend.min.css"' in body

        status, content_type, css = _get(base + "/govuk-frontend/govuk-frontend.min.css")
        assert status == 200 and content_type.startswith("text/css")
        assert b".govuk-header" in css and b"/assets/fonts/" in css
        status, _, font = _get(base + "/assets/fonts/bold-b542beb274-v2.woff2")
        assert status == 200 and font.startswith(b"wOF2")
    finally:
        server.terminate()
        server.wait(timeout=30)
