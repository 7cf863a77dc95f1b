"""Sitemaps: index, plain and gzipped Google News files, robots.txt lines, recent URL selection, refusals."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.errors import FeedError
from scraper.feeds.sitemap import (
    MAX_SITEMAP_BYTES,
    parse_sitemap,
    recent_sitemaps,
    recent_urls,
    sitemaps_from_robots,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"
NOW = datetime(2025, 7, 29, 16, 0, tzinfo=UTC)


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_sitemap_index_children_and_recent_ones():
    index = parse_sitemap(load("sitemap-index.xml"), "https://chips.example.com/sitemap_index.xml")
    assert index.is_index and index.urls == [] and index.error is None
    assert [s.loc for s in index.sitemaps] == [
        "https://chips.example.com/post-sitemap1.xml",
        "https://chips.example.com/post-sitemap2.xml",
        "https://chips.example.com/news-sitemap.xml.gz",
        "https://chips.example.com/page-sitemap.xml",
    ]
    assert index.sitemaps[0].lastmod == datetime(2024, 3, 2, 10, 11, 12, tzinfo=UTC)
    assert recent_sitemaps(index, NOW) == [
        "https://chips.example.com/post-sitemap2.xml",
        "https://chips.example.com/news-sitemap.xml.gz",
        "https://chips.example.com/page-sitemap.xml",
    ]


def test_plain_sitemap_locs_and_lastmods():
    sitemap = parse_sitemap(load("sitemap.xml"), "https://chips.example.com/sitemap.xml")
    assert not sitemap.is_index
    locs = [u.loc for u in sitemap.urls]
    assert locs == [
        "https://chips.example.com/2025/07/29/foundry-capacity-2nm/",
        "https://chips.example.com/2025/07/27/older-story/",
        "https://chips.example.com/archive/2025-06/",
        "https://chips.example.com/about/",
        "https://chips.example.com/2025/07/29/relative-loc/",
    ]
    assert sitemap.urls[0].lastmod == datetime(2025, 7, 29, 9, 54, tzinfo=timezone(timedelta(hours=-4)))
    assert sitemap.urls[1].lastmod == datetime(2025, 7, 27, tzinfo=UTC)
    assert sitemap.urls[2].lastmod == datetime(2025, 6, 1, tzinfo=UTC)
    assert sitemap.urls[3].lastmod is None


def test_recent_urls_of_a_plain_sitemap_newest_first():
    sitemap = parse_sitemap(load("sitemap.xml"), "https://chips.example.com/sitemap.xml")
    assert recent_urls(sitemap, NOW) == [
        "https://chips.example.com/2025/07/29/foundry-capacity-2nm/",
        "https://chips.example.com/2025/07/29/relative-loc/",
    ]
    assert len(recent_urls(sitemap, NOW, window_s=3 * 86400)) == 3
    assert recent_urls(sitemap, NOW, window_s=3 * 86400, limit=1) == [
        "https://chips.example.com/2025/07/29/foundry-capacity-2nm/"
    ]


def test_gzipped_google_news_sitemap():
    content = load("news-sitemap.xml.gz")
    assert content[:2] == b"\x1f\x8b"
    sitemap = parse_sitemap(content, "https://chips.example.com/news-sitemap.xml.gz")
    first, second, third = sitemap.urls
    assert first.news_title == "Foundry capacity & the 2 nm race"
    assert first.news_published == datetime(2025, 7, 29, 13, 54, tzinfo=UTC)
    assert second.lastmod == datetime(2025, 6, 1, tzinfo=UTC)
    assert third.news_published == datetime(2025, 7, 20, tzinfo=UTC)
    # the news date wins over an older lastmod; the week-old story is out of the window
    assert recent_urls(sitemap, NOW) == [
        "https://chips.example.com/2025/07/29/foundry-capacity-2nm/",
        "https://chips.example.com/2025/07/28/hbm-supply/",
    ]


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_SITEMAP_BYTES + 1), mtime=0)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FeedError, match=r"inflates past 50 MiB \(https://ex\.com/s\.xml\.gz\)"):
        parse_sitemap(bomb, "https://ex.com/s.xml.gz")


def test_corrupt_gzip_is_a_feed_error():
    with pytest.raises(FeedError, match="not a readable gzip file"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", "https://ex.com/s.xml.gz")


def test_doctype_and_entities_are_refused():
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">]>'
        b"<urlset><url><loc>https://ex.com/&a;</loc></url></urlset>"
    )
    with pytest.raises(FeedError, match="refused: the sitemap declares a DOCTYPE"):
        parse_sitemap(doc, "https://ex.com/sitemap.xml")
    external = b'<!DOCTYPE urlset SYSTEM "file:///etc/passwd"><urlset></urlset>'
    with pytest.raises(FeedError, match="refused"):
        parse_sitemap(external, "https://ex.com/sitemap.xml")


def test_not_a_sitemap():
    with pytest.raises(FeedError, match=r"not a sitemap: root element <html> \(https://ex\.com/\)"):
        parse_sitemap(b"<html><body>hi</body></html>", "https://ex.com/")
    with pytest.raises(FeedError, match="not a sitemap: empty document"):
        parse_sitemap(b"  ", "https://ex.com/sitemap.xml")
    with pytest.raises(FeedError, match="not well-formed XML at line 1"):
        parse_sitemap(b"<urlset", "https://ex.com/sitemap.xml")


def test_truncated_sitemap_keeps_the_urls_read():
    doc = load("sitemap.xml")
    cut = doc[: doc.index(b"<loc>https://chips.example.com/about/")]
    sitemap = parse_sitemap(cut, "https://chips.example.com/sitemap.xml")
    assert len(sitemap.urls) == 3
    assert sitemap.error is not None and sitemap.error.startswith("feeds: not well-formed XML at line")


def test_text_sitemap():
    sitemap = parse_sitemap(b"https://ex.com/a\n\nhttps://ex.com/b\r\n", "https://ex.com/sitemap.txt")
    assert [u.loc for u in sitemap.urls] == ["https://ex.com/a", "https://ex.com/b"]
    with pytest.raises(FeedError, match="not an absolute URL"):
        parse_sitemap(b"hello world", "https://ex.com/sitemap.txt")


def test_sitemaps_from_robots():
    robots = load("robots.txt").decode()
    assert sitemaps_from_robots(robots) == [
        "https://chips.example.com/sitemap_index.xml",
        "https://chips.example.com/news-sitemap.xml.gz",
    ]
    assert sitemaps_from_robots("User-agent: *\nDisallow:\n") == []


def test_naive_now_is_taken_as_utc():
    sitemap = parse_sitemap(load("sitemap.xml"), "https://chips.example.com/sitemap.xml")
    assert recent_urls(sitemap, NOW.replace(tzinfo=None)) == recent_urls(sitemap, NOW)


def test_recent_urls_ignores_far_future_dates():
    doc = (
        b"<urlset><url><loc>https://ex.com/a-real-new-story</loc><lastmod>2025-07-29T20:00:00+02:00</lastmod></url>"
        b"<url><loc>https://ex.com/placeholder</loc><lastmod>2099-01-01</lastmod></url></urlset>"
    )
    sitemap = parse_sitemap(doc, "https://ex.com/sitemap.xml")
    assert recent_urls(sitemap, NOW) == ["https://ex.com/a-real-new-story"]
