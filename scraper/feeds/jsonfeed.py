"""JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser does not read."""

from __future__ import annotations

import codecs
import json
from typing import Any

from scraper.errors import FeedError
from scraper.feeds.fields import absolute_url, clean_text
from scraper.feeds.timestamps import iso_from_text
from scraper.models import FeedEntry, ParsedFeed

JSON_FEED_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def looks_like_json(content: bytes) -> bool:
    """Tell whether the document is a JSON object (a JSON Feed candidate) rather than XML."""
    return content.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"{"


def _load(content: bytes, url: str) -> dict[str, Any]:
    """Decode the JSON object and check it declares a jsonfeed.org version."""
    try:
        data: Any = json.loads(content.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise FeedError(f"not well-formed JSON at line {exc.lineno}: {exc.msg}", url=url) from None
    except RecursionError:
        raise FeedError("not a feed: JSON nested too deeply", url=url) from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION_PREFIXES):
        raise FeedError("not a feed: a JSON document without a jsonfeed.org version", url=url)
    feed: dict[str, Any] = data
    return feed


def parse_json_feed(content: bytes, url: str, *, max_entries: int) -> ParsedFeed:
    """Read a JSON Feed document; FeedError when it is not JSON or not a JSON Feed."""
    data = _load(content, url)
    feed_authors = _authors(data)
    entries: list[FeedEntry] = []
    items = data.get("items")
    for item in items if isinstance(items, list) else []:
        if len(entries) >= max(0, max_entries):
            break
        if isinstance(item, dict):
            entry = _entry(item, url, feed_authors)
            if entry is not None:
                entries.append(entry)
    return ParsedFeed(url=url, title=clean_text(data.get("title")), entries=entries)


def json_feed_site_link(content: bytes, url: str) -> str | None:
    """Return the feed's absolute home_page_url."""
    return absolute_url(url, _load(content, url).get("home_page_url"))


def _entry(item: dict[str, Any], url: str, feed_authors: list[str]) -> FeedEntry | None:
    """Build one FeedEntry from a JSON Feed item; None when it has no usable link."""
    guid = item.get("id")
    # ids may be numbers in the wild although the spec says string
    guid_text = str(guid).strip() if isinstance(guid, str | int) and not isinstance(guid, bool) else None
    link = absolute_url(url, item.get("url")) or absolute_url(url, item.get("external_url"))
    if link is None and guid_text and guid_text == absolute_url(guid_text, guid_text):
        # only an id that is already an absolute http(s) URL can stand in for the permalink
        link = guid_text
    if link is None:
        return None
    tags: list[str] = []
    raw_tags = item.get("tags")
    for tag in raw_tags if isinstance(raw_tags, list) else []:
        text = clean_text(tag)
        if text and text not in tags:
            tags.append(text)
    enclosures: list[str] = []
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        href = absolute_url(url, attachment.get("url")) if isinstance(attachment, dict) else None
        if href and href not in enclosures:
            enclosures.append(href)
    return FeedEntry(
        link=link,
        guid=guid_text or None,
        title=clean_text(item.get("title")),
        published=iso_from_text(clean_text(item.get("date_published"))),
        updated=iso_from_text(clean_text(item.get("date_modified"))),
        authors=_authors(item) or list(feed_authors),
        summary=clean_text(item.get("summary")),
        content=clean_text(item.get("content_html")) or clean_text(item.get("content_text")),
        tags=tags,
        enclosures=enclosures,
    )


def _authors(node: dict[str, Any]) -> list[str]:
    """Author names of a feed or item: 1.1 `authors` list, else the 1.0 `author` object."""
    raw = node.get("authors")
    people = raw if isinstance(raw, list) else []
    if not people and isinstance(node.get("author"), dict):
        people = [node["author"]]
    names: list[str] = []
    for person in people:
        name = clean_text(person.get("name")) if isinstance(person, dict) else None
        if name and name not in names:
            names.append(name)
    return names
