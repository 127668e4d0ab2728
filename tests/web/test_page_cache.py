"""Pages built once per version of the data: concurrent asks share one build; a new
snapshot or rebase is a new version; signed-in pages are never shared."""

from __future__ import annotations

import threading
import time

import pytest
from tests.web.conftest import FORCE, VIEWER, Client, Site

from forcestat.web.measure_view import ViewCache


def test_concurrent_requests_for_one_view_share_one_build() -> None:
    cache = ViewCache(8)
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        time.sleep(0.2)  # long enough for every thread to ask while it is built
        return "page"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.fetch(("v1",), ("k",), str, build)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["page"] * 8
    assert len(builds) == 1
    # Another version of the data is another build.
    assert cache.fetch(("v2",), ("k",), str, build) == "page"
    assert len(builds) == 2


def test_a_failed_build_is_tried_again_by_the_next_request() -> None:
    cache = ViewCache(8)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first build fails")
        return "page"

    with pytest.raises(RuntimeError, match="first build fails"):
        cache.fetch(("v",), ("k",), str, flaky)
    assert cache.fetch(("v",), ("k",), str, flaky) == "page"


def test_anonymous_pages_are_shared_and_signed_in_ones_are_not(site: Site) -> None:
    first = Client(site.url).get(f"/forces/{FORCE}")
    second = Client(site.url).get(f"/forces/{FORCE}")
    assert first.status == second.status == 200
    assert first.body == second.body
    assert "Sign out" not in first.body
    viewer = Client(site.url)
    viewer.sign_in(*VIEWER)
    signed_in = viewer.get(f"/forces/{FORCE}")
    assert "Sign out" in signed_in.body
    # The signed-in page did not replace the shared one.
    assert "Sign out" not in Client(site.url).get(f"/forces/{FORCE}").body
