"""No page makes extract_article raise: junk, empty, huge, deeply nested and article-less pages."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ExtractError
from scraper.extract import extract_article
from scraper.extract.feed_links import discover_feeds
from scraper.models import Article

PARAGRAPH = "<p>" + "Industry output rose again this quarter, the trade group said on Monday. " * 4 + "</p>"


@pytest.mark.parametrize(
    "page",
    [
        "",
        b"",
        " \n\t ",
        "<",
        "<html><body></body></html>",
        "<<<>>><p<p</<div>",
        "<html><head><title>x</title></head></html>",
        "<table><tr><td><p>cell</td></tr></table></p></div></span>",
        "\x00\x01\x02<p>nul bytes</p>\x00",
        "<svg><script>alert(1)</script></svg><style>p{}</style>",
        b"\xff\xfe\x00<\x00p\x00>",
        bytes(range(256)) * 40,
        "<p>" + "\ud800" * 3 + "</p>",  # lone surrogates cannot be encoded to UTF-8
    ],
)
def test_junk_pages_give_an_article(page):
    article = extract_article(page)
    assert isinstance(article, Article)
    assert isinstance(article.body, str)


def test_wrong_argument_type_is_misuse():
    with pytest.raises(ExtractError, match="extract: html must be str or bytes"):
        extract_article(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize("div", ["<div>", "<div class='ad'>"])
def test_deeply_nested_page_keeps_its_text(div):
    depth = 10_000
    page = "<html><body>" + div * depth + PARAGRAPH + "</div>" * depth + "</body></html>"
    article = extract_article(page)
    assert "Industry output rose again" in article.body


def test_unclosed_nesting_of_inline_tags():
    article = extract_article("<body>" + "<b><i><span>" * 5000 + PARAGRAPH)
    assert isinstance(article.body, str)


def test_five_megabyte_page_is_read():
    filler = "<div class='row'><a href='/x'>Link</a> <span>menu item</span></div>\n" * 60_000
    page = f"<html><body>{filler}<article><h1>Big</h1>{PARAGRAPH * 3}</article>{filler}</body></html>"
    assert len(page) > 5_000_000
    article = extract_article(page.encode(), "https://example.com/big")
    assert "Industry output rose again" in article.body


def test_page_without_article_gives_empty_or_short_body():
    page = (
        "<html><body><nav>"
        + "".join(f"<a href='/{i}'>Section {i}</a>" for i in range(50))
        + "</nav></body></html>"
    )
    article = extract_article(page, "https://example.com/")
    assert article.body == ""
    assert article.word_count == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv p&;#x0123\n\t!-")) | st.characters(), max_size=400)
)
def test_any_html_string_gives_an_article(page):
    article = extract_article(page, "https://example.com/a")
    assert isinstance(article, Article)
    assert article.word_count >= 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<p>",
                "</p>",
                "<a href='x'>",
                "</a>",
                "<article>",
                "<br>",
                "<li>",
                "<h2>",
                "<table><tr><td>",
                "<script>",
                "</script>",
                "<!--",
                "-->",
                "text and words. ",
                "<div class='share comments'>",
                "<img src='/i.png'>",
                "&amp;",
                "<ul>",
            ]
        ),
        max_size=80,
    )
)
def test_any_tag_soup_gives_an_article(parts):
    article = extract_article("".join(parts).encode(), "https://example.com/a")
    assert isinstance(article.body_html, str)
    assert "<script" not in article.body_html


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "", "https://exa mple.com/a b", "javascript:x"])
def test_odd_urls_give_an_article(url):
    article = extract_article(f"<html><body><article>{PARAGRAPH}</article></body></html>", url)
    assert "Industry output rose again" in article.body


@pytest.mark.parametrize("href", ["http://[::1", "http://[x/y", "//[::1/z"])
def test_malformed_links_cost_only_themselves(href):
    page = (
        f'<html><head><base href="{href}"><title>Fab output doubles - Chip Wire</title>'
        '<meta name="description" content="Output doubled.">'
        '<meta property="og:site_name" content="Chip Wire">'
        f'<link rel="canonical" href="{href}"><meta property="og:url" content="{href}"></head>'
        f'<body><article><h1><a href="{href}">Fab output doubles</a></h1>'
        f'<p><a href="{href}">link</a> {PARAGRAPH}</p></article></body></html>'
    )
    article = extract_article(page, "https://chipwire.example/news/1")
    assert article.title == "Fab output doubles"
    assert (article.description, article.site_name) == ("Output doubled.", "Chip Wire")
    assert "Industry output rose again" in article.body


@pytest.mark.parametrize("href", ["http://[::1", "http://[x/y"])
def test_malformed_base_href_is_ignored_by_feed_discovery(href):
    page = (
        f'<html><head><base href="{href}">'
        '<link rel="alternate" type="application/rss+xml" href="/feed"></head></html>'
    )
    links = discover_feeds(page, "https://chipwire.example/")
    assert [link.url for link in links] == ["https://chipwire.example/feed"]
