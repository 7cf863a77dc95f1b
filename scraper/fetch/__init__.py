"""Fetch stage: every HTTP request of the scraper goes through `Fetcher` (httpx is imported here only)."""

from scraper.fetch.fetcher import Fetcher

__all__ = ["Fetcher"]
