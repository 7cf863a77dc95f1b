"""OPML subscription lists (Miniflux, FreshRSS, Feedly, ...) read into Sources and written back."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, SubElement, fromstring, indent, tostring

from scraper.errors import ConfigError
from scraper.feeds.fields import absolute_url, clean_text, loose_url_key, one_line
from scraper.feeds.prolog import declares_entities, has_doctype
from scraper.models import Source

MAX_OPML_BYTES = 10 * 1024 * 1024  # thousands of subscriptions fit in well under a megabyte
MAX_OUTLINE_DEPTH = 32  # folders nested deeper than this are a broken or hostile file
OPML_TITLE = "industry-news-scraper sources"
# FreshRSS web-scraping outlines: the xmlUrl is a page to read as a listing, not a feed
SCRAPING_TYPES = {"html+xpath", "xml+xpath", "json+dotnotation", "htmljson+dotnotation"}
# outline types that are not subscriptions at all (OPML 2.0 spec: links, includes)
NON_FEED_TYPES = {"link", "include"}


def read_opml(content: bytes, origin: str) -> list[Source]:
    """Read the subscriptions of an OPML file: folders become tags, duplicates (by URL) are merged."""
    root = _parse(content, origin)
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise ConfigError(f"{origin}: not an OPML subscription list (no <body>)")
    sources: list[Source] = []
    by_url: dict[str, Source] = {}
    names: set[str] = set()
    for outline, folders in _feed_outlines(body, origin):
        source = _source(outline, folders, names)
        if source is None:
            continue
        key = loose_url_key(source.url)
        if key in by_url:
            # Feedly lists a feed once per folder it is in: one source carrying every folder's tag
            merged = by_url[key]
            merged.tags.extend(t for t in source.tags if t not in merged.tags)
            continue
        names.add(source.name)
        by_url[key] = source
        sources.append(source)
    return sources


def _parse(content: bytes, origin: str) -> Element:
    """Parse the OPML XML with the stdlib after refusing DTDs; errors name the file."""
    if len(content) > MAX_OPML_BYTES:
        raise ConfigError(f"{origin}: OPML file over {MAX_OPML_BYTES // (1024 * 1024)} MiB")
    if declares_entities(content) or has_doctype(content):
        raise ConfigError(f"{origin}: refused: the OPML file declares a DOCTYPE or entities")
    try:
        root = fromstring(content)
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        reason = one_line(str(exc)).split(":")[0]
        raise ConfigError(f"{origin}: not well-formed XML at line {line}: {reason}") from None
    if _local(root.tag) != "opml":
        raise ConfigError(f"{origin}: not an OPML file (root element <{_local(root.tag)}>)")
    return root


def _local(tag: str) -> str:
    """An element or attribute name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _attr(outline: Element, name: str) -> str | None:
    """An outline attribute matched case-insensitively (exporters write xmlUrl, xmlurl and XMLURL)."""
    wanted = name.lower()
    for key, value in outline.attrib.items():
        if _local(key).lower() == wanted:
            return clean_text(value)
    return None


def _feed_outlines(
    node: Element, origin: str, folders: tuple[str, ...] = (), depth: int = 0
) -> Iterator[tuple[Element, list[str]]]:
    """Yield each subscription outline with the folder names above it, in document order."""
    if depth > MAX_OUTLINE_DEPTH:
        raise ConfigError(f"{origin}: outlines nested more than {MAX_OUTLINE_DEPTH} deep")
    for child in node:
        if _local(child.tag) != "outline":
            continue
        if _attr(child, "xmlUrl"):
            yield child, list(folders)
            continue
        folder = _attr(child, "title") or _attr(child, "text")
        yield from _feed_outlines(child, origin, (*folders, folder) if folder else folders, depth + 1)


def _source(outline: Element, folders: list[str], names: set[str]) -> Source | None:
    """Build the Source of one subscription outline; None for non-feed outlines or unusable URLs."""
    kind_attr = (_attr(outline, "type") or "rss").lower()
    if kind_attr in NON_FEED_TYPES:
        return None
    raw_url = _attr(outline, "xmlUrl") or ""
    # feed:// and feed:https:// are the old "subscribe" pseudo-schemes
    if raw_url.lower().startswith("feed:"):
        rest = raw_url[5:]
        raw_url = rest if rest.lower().startswith(("http:", "https:")) else "http:" + rest
    url = absolute_url(raw_url, raw_url)
    if url is None:
        return None
    tags: list[str] = []
    for tag in [*folders, *_category_tags(_attr(outline, "category"))]:
        if tag not in tags:
            tags.append(tag)
    name = _attr(outline, "title") or _attr(outline, "text") or (url.split("/")[2])
    return Source(
        name=_unique(name, names),
        url=url,
        kind="listing" if kind_attr in SCRAPING_TYPES else "feed",
        tags=tags,
    )


def _category_tags(category: str | None) -> list[str]:
    """Tags of an OPML 2.0 category attribute: comma-separated, slash-delimited paths."""
    if not category:
        return []
    tags: list[str] = []
    for path in category.split(","):
        for part in path.strip().split("/"):
            part = part.strip()
            if part and part not in tags:
                tags.append(part)
    return tags


def _unique(name: str, taken: set[str]) -> str:
    """The name, or the name with a number, so two subscriptions titled "Blog" stay apart."""
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def write_opml(sources: list[Source], *, title: str = OPML_TITLE) -> str:
    """OPML 2.0 of the feed sources: each under a folder of its first tag, every tag in `category`."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    folders: dict[str, Element] = {}
    for source in sources:
        if source.kind != "feed":
            continue  # pages, sitemaps and listings mean nothing to a feed reader
        parent = body
        if source.tags:
            first = source.tags[0]
            if first not in folders:
                folders[first] = SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        attrs = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": source.url}
        # the category syntax has no escape for "," and "/", so such tags travel only as the folder
        plain = [tag for tag in source.tags if "," not in tag and "/" not in tag]
        if plain:
            attrs["category"] = ",".join(f"/{tag}" for tag in plain)
        SubElement(parent, "outline", attrs)
    indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"
