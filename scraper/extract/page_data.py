"""Head data that metadata and dates both read (meta tags, JSON-LD, links), gathered in one pass."""

from __future__ import annotations

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


def page_data(tree: LexborHTMLParser) -> PageData:
    """Return the page's meta/link attributes and JSON-LD objects, read in one pass over the tree."""
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
    return PageData(metas, links, jsonld_from_scripts(scripts))


def has_ancestor(node: LexborNode, tags: frozenset[str]) -> bool:
    """Say whether an element sits inside one of `tags` (the CSS descendant combinator, 'article h1')."""
    current = node.parent
    while current is not None:
        if current.tag in tags:
            return True
        current = current.parent
    return False
