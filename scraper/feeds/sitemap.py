"""Sitemaps (index, plain, Google News; gzipped or not), robots.txt Sitemap lines, and the recent URLs."""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError, iterparse

from scraper.errors import FeedError
from scraper.feeds.fields import absolute_url, clean_text, one_line
from scraper.feeds.prolog import declares_entities, has_doctype

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org limit on the uncompressed file
MAX_SITEMAP_URLS = 50_000  # sitemaps.org limit on <url> (or <sitemap>) entries per file
RECENT_WINDOW_S = 2 * 24 * 3600.0  # Google News sitemaps list the last two days
FUTURE_SKEW_S = 24 * 3600.0  # dates up to a day ahead still count (sites with a wrong time zone)
GZIP_MAGIC = b"\x1f\x8b"
_GZIP_CHUNK_BYTES = 1024 * 1024
_YEAR_MONTH_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass
class SitemapUrl:
    """One <url> (or, in an index, one <sitemap>): its address and what dates the file gives it."""

    loc: str
    lastmod: datetime | None = None
    news_published: datetime | None = None  # news:publication_date of a Google News sitemap
    news_title: str | None = None


@dataclass
class Sitemap:
    """A parsed sitemap file: child sitemaps (an index) or page URLs, and why reading stopped early."""

    url: str
    is_index: bool
    sitemaps: list[SitemapUrl] = field(default_factory=list)
    urls: list[SitemapUrl] = field(default_factory=list)
    error: str | None = None


def parse_sitemap(content: bytes, url: str, *, max_bytes: int = MAX_SITEMAP_BYTES) -> Sitemap:
    """Read a sitemap index, urlset or Google News sitemap, gzipped or not; FeedError if it is none."""
    data = _gunzip(content, url, max_bytes) if content[:2] == GZIP_MAGIC else content
    if len(data) > max_bytes:
        raise FeedError(f"sitemap over {_mib(max_bytes)}", url=url)
    head = data.removeprefix(codecs.BOM_UTF8).lstrip()
    if not head:
        raise FeedError("not a sitemap: empty document", url=url)
    if not head.startswith(b"<"):
        return _parse_text_sitemap(head, url)
    if declares_entities(data) or has_doctype(data):
        # sitemaps never need a DTD; refusing it rules out entity expansion and external fetches
        raise FeedError("refused: the sitemap declares a DOCTYPE or entities", url=url)
    return _parse_xml_sitemap(data, url)


def _mib(size_bytes: int) -> str:
    """A byte count as MiB for messages."""
    return f"{size_bytes / (1024 * 1024):g} MiB"


def _gunzip(content: bytes, url: str, max_bytes: int) -> bytes:
    """Decompress a gzip body, refusing to inflate past max_bytes (a gzip bomb)."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as fh:
            while chunk := fh.read(_GZIP_CHUNK_BYTES):
                out += chunk
                if len(out) > max_bytes:
                    raise FeedError(f"gzipped sitemap inflates past {_mib(max_bytes)}", url=url)
    except (OSError, EOFError, zlib.error) as exc:
        raise FeedError(f"not a readable gzip file: {one_line(str(exc))}", url=url) from None
    return bytes(out)


def _parse_text_sitemap(data: bytes, url: str) -> Sitemap:
    """Read the plain-text sitemap form: one absolute URL per line."""
    sitemap = Sitemap(url=url, is_index=False)
    for line in data.decode("utf-8", errors="replace").splitlines():
        loc = line.strip()
        if not loc:
            continue
        if absolute_url(loc, loc) != loc:
            raise FeedError(f"not a sitemap: a text line that is not an absolute URL: {loc[:80]!r}", url=url)
        if len(sitemap.urls) >= MAX_SITEMAP_URLS:
            sitemap.error = f"feeds: more than {MAX_SITEMAP_URLS} URLs; the rest were ignored"
            break
        sitemap.urls.append(SitemapUrl(loc=loc))
    return sitemap


def _local(tag: str) -> str:
    """The element name without its namespace (many sitemaps get the namespace wrong)."""
    return tag.rsplit("}", 1)[-1].lower()


def _parse_xml_sitemap(data: bytes, url: str) -> Sitemap:
    """Stream through the XML keeping only the fields we use, so a 50,000-URL file stays small."""
    sitemap: Sitemap | None = None
    path: list[str] = []
    current: SitemapUrl | None = None
    root: Element | None = None
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if sitemap is None:
                    if name not in {"urlset", "sitemapindex"}:
                        raise FeedError(f"not a sitemap: root element <{name}>", url=url)
                    sitemap = Sitemap(url=url, is_index=name == "sitemapindex")
                    root = elem
                elif len(path) == 1 and name in {"url", "sitemap"}:
                    current = SitemapUrl(loc="")
                path.append(name)
                continue
            path.pop()
            if sitemap is None:
                continue
            if current is not None:
                _take_field(current, path, name, elem.text)
            if len(path) == 1 and name in {"url", "sitemap"}:
                if current is not None and not _keep(sitemap, current, url):
                    break
                current = None
                # drop finished entries from the tree so memory stays flat over 50,000 URLs
                if root is not None:
                    root.clear()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        reason = f"feeds: not well-formed XML at line {line}: {one_line(str(exc)).split(':')[0]}"
        if sitemap is None:
            raise FeedError(reason.removeprefix("feeds: "), url=url) from None
        sitemap.error = reason
    if sitemap is None:
        raise FeedError("not a sitemap: no root element", url=url)
    return sitemap


def _take_field(entry: SitemapUrl, path: list[str], name: str, text: str | None) -> None:
    """Copy one finished child element into the entry; image:loc and friends are skipped by depth."""
    value = clean_text(text)
    if value is None:
        return
    parent = path[-1] if path else ""
    if len(path) == 2 and name == "loc":
        entry.loc = value
    elif len(path) == 2 and name == "lastmod":
        entry.lastmod = parse_w3c_datetime(value)
    elif parent == "news" and name == "publication_date":
        entry.news_published = parse_w3c_datetime(value)
    elif parent == "news" and name == "title":
        entry.news_title = value


def _keep(sitemap: Sitemap, entry: SitemapUrl, url: str) -> bool:
    """Add a finished entry with a usable loc; False once the file holds more than the cap."""
    loc = absolute_url(url, entry.loc)
    if loc is None:
        return True
    target = sitemap.sitemaps if sitemap.is_index else sitemap.urls
    if len(target) >= MAX_SITEMAP_URLS:
        sitemap.error = f"feeds: more than {MAX_SITEMAP_URLS} entries; the rest were ignored"
        return False
    entry.loc = loc
    target.append(entry)
    return True


def parse_w3c_datetime(text: str) -> datetime | None:
    """Read a W3C datetime (YYYY, YYYY-MM, a date, or a date-time) as aware; UTC when no offset is given."""
    text = text.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        match = _YEAR_MONTH_RE.match(text)
        if match:
            try:
                parsed = datetime(int(match[1]), int(match[2] or 1), 1)
            except ValueError:
                return None
        else:
            try:
                # some CMSs write RFC 822 dates where W3C ones belong
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def sitemaps_from_robots(robots_txt: str) -> list[str]:
    """The absolute http(s) URLs of the `Sitemap:` lines of a robots.txt, in order, without repeats."""
    found: list[str] = []
    for raw_line in robots_txt.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep or key.strip().lower() != "sitemap":
            continue
        loc = value.strip()
        if loc and absolute_url(loc, loc) == loc and loc not in found:
            found.append(loc)
    return found


def _entry_date(entry: SitemapUrl) -> datetime | None:
    """The date that says how new an entry is: the news publication date, else lastmod."""
    return entry.news_published or entry.lastmod


def recent_urls(
    sitemap: Sitemap, now: datetime, window_s: float = RECENT_WINDOW_S, *, limit: int | None = None
) -> list[str]:
    """Page URLs dated within `window_s` before `now`, newest first; undated and far-future ones left out."""
    cutoff = _aware(now) - timedelta(seconds=window_s)
    # a date days ahead is a broken CMS clock or a placeholder, not a fresh article
    ceiling = _aware(now) + timedelta(seconds=FUTURE_SKEW_S)
    dated = [
        (d, i, e.loc) for i, e in enumerate(sitemap.urls) if (d := _entry_date(e)) and cutoff <= d <= ceiling
    ]
    dated.sort(key=lambda item: (-item[0].timestamp(), item[1]))
    urls = [loc for _, _, loc in dated]
    return urls if limit is None else urls[: max(0, limit)]


def recent_sitemaps(sitemap: Sitemap, now: datetime, window_s: float = RECENT_WINDOW_S) -> list[str]:
    """Child sitemaps of an index changed within the window, plus those with no lastmod (unknowable)."""
    cutoff = _aware(now) - timedelta(seconds=window_s)
    return [e.loc for e in sitemap.sitemaps if e.lastmod is None or e.lastmod >= cutoff]


def _aware(moment: datetime) -> datetime:
    """Treat a naive `now` as UTC rather than failing the comparison."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
