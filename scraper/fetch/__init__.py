"""Fetch stage: every HTTP request of the scraper goes through `Fetcher` (httpx is imported here only)."""

# fetch() returns outcome ok / redirected / not-modified, or raises FetchError / RefusedError naming the
# outcome (models.OUTCOMES) with every attempt. Parts: fetcher (the flow), network (pinned-address
# connections, one pool per host:port), address (SSRF guard), politeness, robots, retry, body (bounded
# decoding), charset, content (kind sniffing, challenge walls).
from scraper.fetch.fetcher import Fetcher

__all__ = ["Fetcher"]
