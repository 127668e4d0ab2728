"""Finding the latest published edition of a table from the publisher's listing page.

The Home Office and ONS give every release a new address (``/media/<id>/...-300125.ods``,
``.../policeforceareatablesyearendingjune2019.xlsx``), so a fixed address goes stale.
Their listing pages (the gov.uk statistics page, the ONS dataset page) link every
edition. ``latest_edition`` reads such a page, keeps the links whose file name is the
table's, dates each from its name (``-300125`` is 30 January 2025; ``yearendingjune2019``,
``sep18`` and ``dec19`` are the month the edition's year ends), and takes the latest.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from forcestat import __version__
from forcestat.ingest.transfer import DEFAULT_TIMEOUT_SECONDS, DownloadError, check_http_url

__all__ = ["Edition", "edition_date", "fetch_listing", "latest_edition"]

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_YEAR = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*?[-_]?((?:19|20)\d{2}|\d{2})(?!\d)"
)
_DDMMYY = re.compile(r"[-_](\d{2})(\d{2})(\d{2})(?=\.)")


@dataclass(frozen=True)
class Edition:
    url: str
    file_name: str
    date: dt.date  # the date the name gives (publication, or the end of its year)


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    uri = parse_qs(parts.query).get("uri")
    path = uri[0] if uri else parts.path
    return PurePosixPath(unquote(path)).name


def edition_date(file_name: str) -> dt.date | None:
    """The date an edition's file name gives, or None.

    Example:
        >>> edition_date("prc-pfa-mar2013-onwards-tables-300125.ods")
        datetime.date(2025, 1, 30)
        >>> edition_date("policeforceareatablesyearendingjune2019.xlsx")
        datetime.date(2019, 6, 1)
        >>> edition_date("pfatablesdec19.xlsx")
        datetime.date(2019, 12, 1)
    """
    name = file_name.lower()
    m = _DDMMYY.search(name)
    if m is not None:
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(2000 + year, month, day)
        except ValueError:
            pass
    found = [
        dt.date(int(y) if len(y) == 4 else 2000 + int(y), _MONTHS.index(mon) + 1, 1)
        for mon, y in _MONTH_YEAR.findall(name)
    ]
    return max(found) if found else None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def fetch_listing(url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> str:
    """The HTML of a listing page; a DownloadError naming the page if it cannot be read."""
    check_http_url(url, "listing page")
    request = urllib.request.Request(url, headers={"User-Agent": f"forcestat/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read()
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"{url}: the listing page answered HTTP {exc.code} {exc.reason}; pass the "
            "table's address with --url"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"{url}: could not read the listing page ({reason}); check the network or pass --url"
        ) from exc
    return body.decode("utf-8", "replace")


def latest_edition(html: str, page_url: str, name_pattern: str) -> Edition:
    """The latest edition linked from a listing page: links whose file name matches
    ``name_pattern`` (a regular expression, case ignored), dated by ``edition_date``."""
    parser = _Links()
    parser.feed(html)
    pattern = re.compile(name_pattern, re.IGNORECASE)
    editions = []
    for href in parser.hrefs:
        url = urljoin(page_url, href)
        name = _file_name(url)
        when = edition_date(name)
        if pattern.search(name) and when is not None:
            editions.append(Edition(url, name, when))
    if not editions:
        raise DownloadError(
            f"{page_url}: no link on the listing page names an edition of this table "
            f"(a file name matching {name_pattern!r}); pass its address with --url"
        )
    # Latest date; at equal dates the first listed (publishers list the newest first).
    best = max(enumerate(editions), key=lambda ie: (ie[1].date, -ie[0]))
    return best[1]
