"""Fetch stage: every HTTP request of the scraper goes through `Fetcher` (httpx is imported here only).

`await Fetcher(settings).fetch(url, etag=..., last_modified=...)` returns a FetchResult whose outcome is
"ok", "redirected" or "not-modified", or raises FetchError / RefusedError whose `.outcome` names why
(models.OUTCOMES) and whose `.attempts` lists every HTTP attempt. Modules: fetcher (the flow),
network (pinned-address connections, one pool per host:port), address (SSRF guard), politeness,
robots, retry, body (bounded decoding), charset, content (kind sniffing, challenge walls).
"""

from scraper.fetch.fetcher import Fetcher

__all__ = ["Fetcher"]
