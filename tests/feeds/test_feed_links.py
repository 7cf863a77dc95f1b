"""Feed discovery (rel=alternate links) and article links of listing pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import ExtractError
from scraper.extract.feed_links import (
    COMMON_FEED_PATHS,
    FeedLink,
    discover_feeds,
    find_article_links,
    selector_problem,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"
HOME = (FIXTURES / "home-alternate-links.html").read_text(encoding="utf-8")
LISTING = (FIXTURES / "listing-cards.html").read_text(encoding="utf-8")
LISTING_URL = "https://mining.example.org/news/"


def test_discover_feeds_best_first():
    assert discover_feeds(HOME, "https://chips.example.com/some/page") == [
        FeedLink("https://chips.example.com/feed/", "rss", "Chip Industry Weekly » Feed"),
        FeedLink("https://chips.example.com/feed/atom/", "atom", "Chip Industry Weekly (Atom)"),
        FeedLink("https://chips.example.com/feed/json/", "json", "Chip Industry Weekly (JSON)"),
        FeedLink(
            "https://chips.example.com/category/foundry/feed/",
            "rss",
            "Chip Industry Weekly » Foundry Category Feed",
        ),
        FeedLink("https://chips.example.com/comments/feed/", "rss", "Chip Industry Weekly » Comments Feed"),
    ]


def test_discover_feeds_without_base_resolves_against_page_url():
    html = '<link rel="alternate" type="application/atom+xml" href="../atom.xml">'
    assert discover_feeds(html, "https://ex.com/blog/post/") == [
        FeedLink("https://ex.com/blog/atom.xml", "atom")
    ]


def test_discover_feeds_none():
    assert discover_feeds("<html><head><title>x</title></head></html>", "https://ex.com/") == []
    assert discover_feeds("", "https://ex.com/") == []


def test_common_feed_paths_are_root_relative():
    assert all(p.startswith("/") for p in COMMON_FEED_PATHS)
    assert COMMON_FEED_PATHS[0] == "/feed"


def test_listing_heuristic_finds_the_article_cards_in_page_order():
    assert find_article_links(LISTING, LISTING_URL) == [
        "https://mining.example.org/news/2025/07/29/new-asic-miners-ship/",
        "https://mining.example.org/news/hashrate-hits-a-new-record",
        "https://www.mining.example.org/news/184213/immersion-cooling",
        "https://mining.example.org/news/fab-tour",
    ]


def test_listing_pattern_filters():
    links = find_article_links(LISTING, LISTING_URL, pattern=r"/\d{4}/\d{2}/\d{2}/")
    assert links == ["https://mining.example.org/news/2025/07/29/new-asic-miners-ship/"]


def test_listing_selector_picks_links_or_the_first_link_of_cards():
    # what the selector names is kept as it is, apart from tracking parameters
    assert find_article_links(LISTING, LISTING_URL, selector="div.story a") == [
        "https://www.mining.example.org/news/184213/immersion-cooling",
        "https://mining.example.org/u/newsletter_register_daily",
        "https://mining.example.org/regions/",
        "https://mining.example.org/news/fab-tour",
    ]
    # a selected card gives its first link; the thumbnail and the title point at the same article
    assert find_article_links(LISTING, LISTING_URL, selector="article.post-card") == [
        "https://mining.example.org/news/2025/07/29/new-asic-miners-ship/",
        "https://mining.example.org/news/hashrate-hits-a-new-record",
    ]
    # the selector is the user's choice: sidebar links it names are kept
    assert find_article_links(LISTING, LISTING_URL, selector="aside a") == [
        "https://mining.example.org/news/2024/01/05/most-read-story-from-last-year/"
    ]


def test_listing_bad_selector_and_pattern_are_extract_errors():
    with pytest.raises(ExtractError, match=r"invalid CSS selector 'a\['"):
        find_article_links(LISTING, LISTING_URL, selector="a[")
    with pytest.raises(ExtractError, match="invalid URL pattern"):
        find_article_links(LISTING, LISTING_URL, pattern="(")
    assert selector_problem("h2 a, h3 a") is None
    assert selector_problem("  ") == "empty CSS selector"


def test_url_shapes():
    html = "".join(
        f'<article><h2><a href="{href}">x</a></h2></article>'
        for href in [
            "/basel-region-2/",  # one segment, two words and a number: a section
            "/politics/",  # one plain segment
            "/world/europe",  # two plain segments in a card: kept
            "/privacy-policy/",
            "/impressum",
            "/archive/2025/",
            "/2025/07/29/",  # a day archive still has a dated path; kept (cannot tell)
            "/story/8812345",
            "/p/abc",
        ]
    )
    assert find_article_links(html, "https://ex.com/") == [
        "https://ex.com/world/europe",
        "https://ex.com/2025/07/29/",
        "https://ex.com/story/8812345",
        "https://ex.com/p/abc",
    ]


def test_listing_of_an_empty_page():
    assert find_article_links("", LISTING_URL) == []
