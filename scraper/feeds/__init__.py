"""Feeds stage: RSS, Atom and JSON Feed documents, sitemaps and OPML lists read into our records."""

from __future__ import annotations

from scraper.feeds.feed import feed_site_link, parse_feed
from scraper.feeds.opml import read_opml, write_opml
from scraper.feeds.sitemap import (
    Sitemap,
    SitemapUrl,
    parse_sitemap,
    recent_sitemaps,
    recent_urls,
    sitemaps_from_robots,
)

__all__ = [
    "Sitemap",
    "SitemapUrl",
    "feed_site_link",
    "parse_feed",
    "parse_sitemap",
    "read_opml",
    "recent_sitemaps",
    "recent_urls",
    "sitemaps_from_robots",
    "write_opml",
]
