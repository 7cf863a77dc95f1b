"""parse_feed: an RSS, Atom or JSON Feed document read into a ParsedFeed; feedparser stays in here."""

from __future__ import annotations

import io
import xml.sax
from typing import Any

import feedparser

from scraper.config import MAX_FEED_ENTRIES
from scraper.errors import FeedError
from scraper.feeds.fields import absolute_url, clean_text, one_line
from scraper.feeds.jsonfeed import json_feed_site_link, looks_like_json, parse_json_feed
from scraper.feeds.prolog import declares_entities
from scraper.feeds.timestamps import feed_date
from scraper.models import FeedEntry, ParsedFeed


def parse_feed(content: bytes, url: str, *, max_entries: int = MAX_FEED_ENTRIES) -> ParsedFeed:
    """Read an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x document; FeedError if it holds no feed."""
    if not isinstance(content, bytes | bytearray):
        raise FeedError(f"expected bytes, got {type(content).__name__}", url=url)
    content = bytes(content)
    if looks_like_json(content):
        return parse_json_feed(content, url, max_entries=max_entries)
    return _to_parsed_feed(_feedparser(content, url), url, max_entries)


def _feedparser(content: bytes, url: str) -> Any:
    """Run feedparser on an XML document after the entity guard; its failures become FeedError."""
    if declares_entities(content):
        # entity expansion (billion laughs, quadratic blowup) turns a few kB into hundreds of MB in feedparser
        raise FeedError("refused: the document declares XML entities", url=url)
    try:
        # a BytesIO, never raw bytes: feedparser treats a bare string as a file name or URL to open
        return feedparser.parse(io.BytesIO(content), sanitize_html=True)
    except Exception as exc:  # feedparser's own bugs on hostile input must not escape as tracebacks
        raise FeedError(f"unreadable feed: {type(exc).__name__}: {one_line(str(exc))}", url=url) from None


def _to_parsed_feed(parsed: Any, url: str, max_entries: int) -> ParsedFeed:
    """Turn feedparser's result into our ParsedFeed, or FeedError when it found no feed."""
    error = _bozo_reason(parsed)
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not version and not raw_entries:
        reason = f" ({error.removeprefix('feeds: ')})" if error else ""
        raise FeedError(f"not a feed: no RSS, Atom or JSON Feed document found{reason}", url=url)
    feed = parsed.get("feed") or {}
    # Atom entries inherit the feed's authors (RFC 4287 4.2.1); RSS has no such rule
    inherited = _authors(feed) if version.startswith("atom") else []
    entries: list[FeedEntry] = []
    for raw in raw_entries:
        if len(entries) >= max(0, max_entries):
            break
        entry = _entry(raw, url, inherited, rss=version.startswith("rss"))
        if entry is not None:
            entries.append(entry)
    return ParsedFeed(url=url, title=clean_text(feed.get("title")), entries=entries, error=error)


def feed_site_link(content: bytes, url: str) -> str | None:
    """Return the absolute home-page link a feed declares (channel link, Atom alternate, home_page_url)."""
    if looks_like_json(content):
        return json_feed_site_link(content, url)
    feed = _feedparser(content, url).get("feed") or {}
    return absolute_url(url, feed.get("link"))


def _bozo_reason(parsed: Any) -> str | None:
    """Say in our words why feedparser flagged the document, or None when nothing was lost."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        # the declared charset was wrong but the text was still decoded: nothing lost
        return None
    if isinstance(exc, xml.sax.SAXParseException):
        return f"feeds: not well-formed XML at line {exc.getLineNumber()}: {one_line(exc.getMessage())}"
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        return f"feeds: unknown character encoding: {one_line(str(exc))}"
    return f"feeds: {type(exc).__name__}: {one_line(str(exc))}"


def _entry(raw: Any, url: str, inherited_authors: list[str], *, rss: bool = False) -> FeedEntry | None:
    """Build one FeedEntry; None when the entry has no usable link."""
    guid = clean_text(raw.get("id"))
    link = absolute_url(url, raw.get("link"))
    if link is None and guid is not None and guid == absolute_url(guid, guid):
        # an id that is itself an absolute http(s) URL is the article's address; "p=123" is not
        link = guid
    if link is None:
        return None
    contents = raw.get("content") or []
    content = clean_text(contents[0].get("value")) if contents and isinstance(contents[0], dict) else None
    summary = clean_text(raw.get("summary"))
    if "summary_detail" not in raw and summary == content:
        # feedparser copies Atom <content> into summary when the entry has no <summary>
        summary = None
    published = feed_date(raw.get("published"), raw.get("published_parsed"))
    # dict.get: FeedParserDict.get("updated") falls back to the published date
    updated = feed_date(dict.get(raw, "updated"), dict.get(raw, "updated_parsed"))
    if published is None and rss:
        # feedparser files RSS 1.0's dc:date under "updated", but in RSS it is the item's date of issue
        published = updated
    return FeedEntry(
        link=link,
        guid=guid,
        title=clean_text(raw.get("title")),
        published=published,
        updated=updated,
        authors=_authors(raw) or list(inherited_authors),
        summary=summary,
        content=content,
        tags=_tags(raw),
        enclosures=_enclosures(raw, url),
    )


def _authors(node: Any) -> list[str]:
    """Names (or, lacking one, e-mail addresses) of the authors, in order, without repeats."""
    names: list[str] = []
    for author in node.get("authors") or []:
        if not isinstance(author, dict):
            continue
        name = clean_text(author.get("name")) or clean_text(author.get("email"))
        if name and name not in names:
            names.append(name)
    if not names:
        single = clean_text(node.get("author"))
        if single:
            names.append(single)
    return names


def _tags(raw: Any) -> list[str]:
    """Category terms (or labels) of an entry, without repeats."""
    tags: list[str] = []
    for tag in raw.get("tags") or []:
        if not isinstance(tag, dict):
            continue
        term = clean_text(tag.get("term")) or clean_text(tag.get("label"))
        if term and term not in tags:
            tags.append(term)
    return tags


def _enclosures(raw: Any, url: str) -> list[str]:
    """Absolute URLs of enclosures, Atom rel=enclosure links and Media RSS content, without repeats."""
    found: list[str] = []
    candidates = [e.get("href") for e in raw.get("enclosures") or [] if isinstance(e, dict)]
    candidates += [m.get("url") for m in raw.get("media_content") or [] if isinstance(m, dict)]
    for href in candidates:
        absolute = absolute_url(url, href)
        if absolute and absolute not in found:
            found.append(absolute)
    return found
