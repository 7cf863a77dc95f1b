"""Head data that metadata and dates both read (meta tags, JSON-LD, links), gathered once per page."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.jsonld import read_jsonld, types_of

_TAG_LINKS = 'a[rel~="tag"]'
# lexbor's ids of the tags that ancestor walks compare: static across documents (a custom element's id
# is a large number of its own), and an id costs a fraction of the tag's name
TAG_IDS: dict[str, int] = {
    node.tag: node.tag_id
    for node in LexborHTMLParser("<article><main><footer></footer><nav></nav></main></article>").css("*")
    if node.tag is not None
}


@dataclass(frozen=True)
class PageData:
    """Attributes of every <meta> and <link>, JSON-LD objects, h1s, tag links and <title>, in page order."""

    metas: list[dict[str, str | None]]
    links: list[dict[str, str | None]]
    jsonld: list[dict[str, Any]]
    h1s: list[LexborNode] = field(default_factory=list)  # what tree.css("h1") selects
    tag_links: list[LexborNode] = field(default_factory=list)  # what tree.css('a[rel~="tag"]') selects
    title: LexborNode | None = None  # what tree.css_first("title") selects
    # False: no script typed application/ld+json mentions articleBody (the body's hint need not look)
    article_body: bool = True
    # node.text(deep=True, separator="\n") by node (mem_id): the headline's surroundings, read for the
    # byline and again for the dateline
    texts: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def jsonld_types(self) -> list[set[str]]:
        """Return types_of each JSON-LD object, in order (metadata and dates both ask)."""
        return [types_of(obj) for obj in self.jsonld]


def page_data(tree: LexborHTMLParser) -> PageData:
    """Return the head data (see PageData), read in a few passes over the tree."""
    # lexbor's walk by tag name costs a fraction of its selector engine's walk with six selectors, and
    # each list keeps its own document order
    metas = [node.attributes for node in tree.tags("meta")]
    links = [node.attributes for node in tree.tags("link")]
    jsonld, article_body = read_jsonld(tree.tags("script"))
    # (the first <title> is in the head: a search that stops there)
    title = tree.css_first("title")
    return PageData(metas, links, jsonld, tree.tags("h1"), tree.css(_TAG_LINKS), title, article_body)


def lines_text(data: PageData, node: LexborNode, inner: LexborNode | None = None) -> str:
    """Return node.text(deep=True, separator="\n"), read once per page (for one unchanged tree)."""
    key = node.mem_id
    text = data.texts.get(key)
    if text is None:
        known = data.texts.get(inner.mem_id) if inner is not None else None
        if inner is None or known is None:
            text = node.text(deep=True, separator="\n")
        else:
            # the text of `inner`, a child read before, is not read again: the children's texts joined
            # as lexbor joins the text nodes (a child without text adds no separator)
            inner_key = inner.mem_id
            parts = [
                known if child.mem_id == inner_key else child.text(deep=True, separator="\n")
                for child in node.iter(include_text=True)
            ]
            text = "\n".join(filter(None, parts))
        data.texts[key] = text
    return text


def relisted(nodes: list[LexborNode], count: Callable[[LexborNode], int], limit: int) -> list[LexborNode]:
    """List cheaper query `nodes` as the original query would: each `count(node)` times, `limit` at most."""
    found: list[LexborNode] = []
    last = None
    for node in nodes:
        if node.mem_id == last:
            # lexbor lists an element once per selector it matches, one after the other
            continue
        last = node.mem_id
        found.extend([node] * count(node))
        if len(found) >= limit:
            break
    return found[:limit]


def has_ancestor(node: LexborNode, tags: frozenset[str]) -> bool:
    """Say whether an element sits inside one of `tags` (the CSS descendant combinator, 'article h1')."""
    ids = tag_ids(tags)
    current = node.parent
    while current is not None:
        if current.tag_id in ids:
            return True
        current = current.parent
    return False


@functools.lru_cache(maxsize=64)
def tag_ids(tags: frozenset[str]) -> frozenset[int]:
    """Return lexbor's ids of standard tags (listed in TAG_IDS; any other tag is a KeyError)."""
    return frozenset(TAG_IDS[tag] for tag in tags)


class FoldedWords:
    """A case-insensitive pattern of lower-case ASCII words, searched faster in ASCII text."""

    # re.I keeps re from skipping ahead to the words' first letters, and in ASCII text it matches
    # what the case-sensitive pattern matches in the lower-cased text (the same positions)

    def __init__(self, pattern: str) -> None:
        self.folded = re.compile(pattern, re.I)
        self.lower = re.compile(pattern)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Search like re.I does (a match in ASCII text reads the lower-cased text)."""
        if text.isascii():
            return self.lower.search(text.lower(), pos, endpos)
        return self.folded.search(text, pos, endpos)
