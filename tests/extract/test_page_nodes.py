"""The shared head data and h1 lists of metadata agree with the CSS selectors they replace."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract import metadata
from scraper.extract.body import article_body_hint
from scraper.extract.jsonld import jsonld_from_scripts
from scraper.extract.page_data import page_data

BODY = (
    '<h1>Site</h1><main><article><h1 itemprop="headline">Main</h1><h1>Second</h1></article></main>'
    '<article><h1>Other</h1><a rel="TAG x" href="/t">T</a></article>'
    '<script type="Application/LD+JSON">{"@type": "NewsArticle"}</script><script type="">{}</script>'
    '<script src="x.js"></script><script>{"@context": "https://schema.org", "@type": "Blog"}</script>'
)


def test_h1_lists_keep_lexbors_selection_and_repeats() -> None:
    tree = LexborHTMLParser(f"<!DOCTYPE html><html><head></head><body>{BODY}</body></html>")
    page = metadata._Page(tree, None, page_data(tree))

    def ids(nodes: list[object]) -> list[int]:
        return [n.mem_id for n in nodes]  # type: ignore[attr-defined]

    assert ids(page.h1s) == ids(tree.css("h1"))
    assert ids(page.tag_links) == ids(tree.css('a[rel~="tag"]'))
    # an h1 inside both article and main is listed twice by lexbor
    assert ids(page.article_h1s()) == ids(tree.css("article h1, main h1"))
    assert len(page.article_h1s()) == 5
    assert ids(page_data(tree).h1s) == ids(tree.css("h1"))


def test_title_is_the_first_title_element() -> None:
    tree = LexborHTMLParser(
        "<html><head><title>Head</title></head><body><svg><title>Icon</title></svg><h1>H</h1></body></html>"
    )
    first = tree.css_first("title")
    assert first is not None
    title = page_data(tree).title
    assert title is not None and title.mem_id == first.mem_id
    assert page_data(LexborHTMLParser("<p>no title</p>")).title is None


def test_jsonld_scripts_match_selector() -> None:
    tree = LexborHTMLParser(f"<html><body>{BODY}</body></html>")
    selected = tree.css('script[type="application/ld+json" i], script:not([type]):not([src])')
    assert page_data(tree).jsonld == jsonld_from_scripts(selected)
    assert [o["@type"] for o in page_data(tree).jsonld] == ["NewsArticle", "Blog"]


def test_page_data_reads_each_trees_own_tags() -> None:
    first = LexborHTMLParser('<html><head><meta name="author" content="A"></head></html>')
    second = LexborHTMLParser('<html><head><meta name="author" content="B"></head></html>')
    assert page_data(first).metas[0]["content"] == "A"
    assert page_data(second).metas[0]["content"] == "B"


def test_article_body_flag_covers_every_script_the_body_hint_reads() -> None:
    text = "Industry output rose again this quarter, the trade group said on Monday. " * 4
    typed = f'<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{text}"}}</script>'
    untyped = f'<script>{{"@context": "https://schema.org", "articleBody": "{text}"}}</script>'
    code = f'<script type="text/javascript">var articleBody = "{text}";</script>'
    for scripts, flagged in ((typed, True), (untyped, False), (code, False), ("", False)):
        tree = LexborHTMLParser(f"<html><head>{scripts}</head><body><p>x</p></body></html>")
        assert page_data(tree).article_body is flagged
        # the hint is only ever found where the flag is set
        assert bool(article_body_hint(tree)) is flagged
