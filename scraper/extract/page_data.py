"""Head data that metadata and dates both read (meta tags, JSON-LD, links), gathered once per tree."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.jsonld import jsonld_from_scripts

_QUERY = "meta, link, script"


@dataclass(frozen=True)
class PageData:
    """Attributes of every <meta> and <link> and the page's JSON-LD objects, in document order."""

    metas: list[dict[str, str | None]]
    links: list[dict[str, str | None]]
    jsonld: list[dict[str, Any]]


# The last page read: metadata and then dates read the same pristine tree, and one CSS pass plus
# one JSON-LD parse serve both. Only plain data is kept, never nodes, so a later change to the
# tree cannot leave dangling node references behind; the held tree keeps its identity unique.
_last = threading.local()


def page_data(tree: LexborHTMLParser) -> PageData:
    """Return the page's meta/link attributes and JSON-LD objects (cached for the last tree seen)."""
    cached: tuple[LexborHTMLParser, PageData] | None = getattr(_last, "entry", None)
    if cached is not None and cached[0] is tree:
        return cached[1]
    metas: list[dict[str, str | None]] = []
    links: list[dict[str, str | None]] = []
    scripts = []
    for node in tree.css(_QUERY):
        tag = node.tag
        if tag == "meta":
            metas.append(node.attributes)
        elif tag == "link":
            links.append(node.attributes)
        else:
            scripts.append(node)
    data = PageData(metas, links, jsonld_from_scripts(scripts))
    _last.entry = (tree, data)
    return data


def has_ancestor(node: LexborNode, tags: frozenset[str]) -> bool:
    """Say whether an element sits inside one of `tags` (the CSS descendant combinator, 'article h1')."""
    current = node.parent
    while current is not None:
        if current.tag in tags:
            return True
        current = current.parent
    return False


def forget_page_data() -> None:
    """Drop the cached page, so a pruned tree is never read from the cache nor kept alive by it."""
    _last.entry = None
