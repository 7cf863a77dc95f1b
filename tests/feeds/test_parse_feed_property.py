"""Properties: parse_feed, parse_sitemap and read_opml on any bytes raise only our own errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ConfigError, FeedError
from scraper.feeds import parse_feed
from scraper.feeds.opml import read_opml
from scraper.feeds.sitemap import parse_sitemap
from scraper.models import ParsedFeed

# Fragments that steer random bytes into the interesting branches (XML, RSS, Atom, JSON Feed, DOCTYPE).
FRAGMENTS = [
    b'<?xml version="1.0"?>',
    b'<rss version="2.0">',
    b"<channel>",
    b"<item>",
    b"<title>",
    b"</title>",
    b"<link>",
    b"http://a/b",
    b"</item>",
    b'<feed xmlns="http://www.w3.org/2005/Atom">',
    b"<entry>",
    b'<link href="x"/>',
    b"<!DOCTYPE rss [",
    b"<!ENTITY a 'b'>",
    b"]>",
    b"&a;",
    b"<![CDATA[",
    b"]]>",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    b'{"url": 3, "authors": [null], "tags": "x", "attachments": [1]}',
    b"]}",
    b"\xff\xfe",
    b"\x00",
]

documents = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=20)), max_size=40).map(b"".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_parse_feed_raises_only_feed_error(content: bytes):
    try:
        result = parse_feed(content, "https://example.com/feed")
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert "https://example.com/feed" in str(exc)
    else:
        assert isinstance(result, ParsedFeed)
        assert all(e.link.startswith(("http://", "https://")) for e in result.entries)


SITEMAP_FRAGMENTS = [
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    b"<sitemapindex>",
    b"<url>",
    b"<loc>",
    b"https://e.example/a",
    b"</loc>",
    b"<lastmod>2025-07-29",
    b"</lastmod>",
    b"<news:news><news:publication_date>",
    b"</url>",
    b"\x1f\x8b\x08\x00",
    b'<opml version="2.0"><body>',
    b'<outline text="x" xmlUrl="',
    b'" category="/a,/b"/>',
    b"<outline>",
    b"</outline>",
]
list_documents = st.lists(
    st.one_of(st.sampled_from(SITEMAP_FRAGMENTS), st.binary(max_size=20)), max_size=40
).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=500), list_documents))
def test_sitemap_and_opml_raise_only_our_errors(content: bytes):
    try:
        parse_sitemap(content, "https://example.com/sitemap.xml")
    except FeedError as exc:
        assert "\n" not in str(exc)
    try:
        read_opml(content, "subscriptions.opml")
    except ConfigError as exc:
        assert "subscriptions.opml" in str(exc)
