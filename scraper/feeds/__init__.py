"""Feeds stage: RSS, Atom and JSON Feed documents, sitemaps and OPML lists read into our records."""

from __future__ import annotations

from scraper.feeds.feed import feed_site_link, parse_feed

__all__ = ["feed_site_link", "parse_feed"]
