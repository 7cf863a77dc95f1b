"""The one-pass node and head-data gathering of metadata agrees with the CSS selectors it replaces."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import metadata
from scraper.extract.jsonld import jsonld_from_scripts
from scraper.extract.page_data import page_data

BODY = (
    '<h1 class="Entry-Title">Quirky</h1><article><h1 itemprop="headline">Main</h1>'
    '<div itemprop="author"><span itemprop="name">Jane Doe</span></div>'
    '<a rel="AUTHOR tag" href="/a">A</a><a rel="nofollow" href="/b">B</a>'
    '<p class="headline sub">Teaser</p><p class="HEADLINE">Upper</p><p itemprop="Headline">No</p></article>'
    '<script type="Application/LD+JSON">{"@type": "NewsArticle"}</script><script type="">{}</script>'
    '<script src="x.js"></script><script>{"@context": "https://schema.org", "@type": "Blog"}</script>'
)


@pytest.mark.parametrize("doctype", ["", "<!DOCTYPE html>"], ids=["quirks", "standards"])
def test_gathered_nodes_match_selectors(doctype: str) -> None:
    tree = LexborHTMLParser(f"{doctype}<html><head></head><body>{BODY}</body></html>")
    page = metadata._Page(tree, None)

    def ids(nodes: list[object]) -> list[int]:
        return [n.mem_id for n in nodes]  # type: ignore[attr-defined]

    assert ids(page.h1s) == ids(tree.css("h1"))
    assert ids(page.tag_links) == ids(tree.css('a[rel~="tag"]'))
    assert ids(page.author_links) == ids(tree.css(metadata._AUTHOR_LINK_SELECTOR))
    assert ids(page.post_titles) == ids(tree.css(metadata._POST_TITLE_SELECTOR))
    assert ids(page.article_h1s()) == ids(tree.css("article h1, main h1"))


def test_jsonld_scripts_match_selector() -> None:
    tree = LexborHTMLParser(f"<html><body>{BODY}</body></html>")
    selected = tree.css('script[type="application/ld+json" i], script:not([type]):not([src])')
    assert page_data(tree).jsonld == jsonld_from_scripts(selected)
    assert [o["@type"] for o in page_data(tree).jsonld] == ["NewsArticle", "Blog"]


def test_selector_lists_keep_lexbors_repeats() -> None:
    tree = LexborHTMLParser(
        "<!DOCTYPE html><html><body><main><article>"
        '<h1 itemprop="headline" class="headline entry-title">A</h1><h1>B</h1>'
        '<a rel="author" itemprop="author">C</a></article></main></body></html>'
    )
    page = metadata._Page(tree, None)
    assert len(page.article_h1s()) == len(tree.css("article h1, main h1")) == 4
    assert len(page.post_titles) == len(tree.css(metadata._POST_TITLE_SELECTOR)) == 3
    assert len(page.author_links) == len(tree.css(metadata._AUTHOR_LINK_SELECTOR)) == 2
